// A machine's part of a restore on several machines (hosts/<machine>/restore.sh) stopped by Ctrl-C
// once it began changing things: like the one-machine restore.sh, it says where it stopped and the
// command that finishes, and exits 130. Run for real, in a temporary folder, with a stand-in for
// docker on PATH that answers as a running member and ZooKeeper's classes would; the one-machine
// restore.sh is stopped at each step on real containers in test/e2e/faults.test.ts. Also here: a
// member whose data folder is its own disk (a real tmpfs mount point, so root only), whose contents
// the restore moves aside inside it, and runs again after. And what every restore script calls in
// backup-lib.sh (restore_source: the data checked whole before anything is touched), from a
// hosts/<machine>/ folder copied alone, and the one-machine restore.sh through it, naming the
// members that do not serve after it as a sentence does.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeBundle } from '../helpers.js';

/**
 * docker as the script asks it: every member's container runs, `stop` takes long enough to be
 * interrupted, and `run` (ZooKeeper's classes reading the data at /backup) reads each snapshot and
 * log whole.
 */
const FAKE_DOCKER = `#!/usr/bin/env bash
case $1 in
  inspect) [ "$2" != --format ] || echo true ;;
  stop) exec sleep "\${STOP_SECONDS:-30}" ;;
  run)
    dir=$(printf '%s\\n' "$@" | sed -n 's/:\\/backup:ro$//p')
    for f in "$dir"/snapshots/snapshot.*; do [ ! -e "$f" ] || printf '== x /backup/snapshots/%s\\nZNode Details (count=4)\\n' "\${f##*/}"; done
    for f in "$dir"/logs/log.*; do [ ! -e "$f" ] || printf '== x /backup/logs/%s\\nEOF reached after 2 txns\\n' "\${f##*/}"; done
    ;;
esac
`;

/** A member's data folder as ZooKeeper leaves it: a snapshot, a log after it, myid. */
function memberData(folder: string): void {
  mkdirSync(join(folder, 'version-2'), { recursive: true });
  mkdirSync(join(folder, 'datalog', 'version-2'), { recursive: true });
  writeFileSync(join(folder, 'version-2', 'snapshot.100000000'), 'snapshot');
  writeFileSync(join(folder, 'datalog', 'version-2', 'log.100000001'), 'log');
  writeFileSync(join(folder, 'myid'), '2\n');
}

/** SCRIPT run as Ctrl-C finds it: SIGINT to its process group once its stdout shows `at`. */
function interruptedAt(script: string, args: string[], env: NodeJS.ProcessEnv, at: RegExp): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { env: { ...process.env, ...env }, detached: true });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`${script} never reached ${at}: ${stdout}${stderr}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && at.test(stdout)) {
        sent = true;
        // The call it is in has begun (the stand-in's sleep): Ctrl-C reaches both.
        setTimeout(() => process.kill(-child.pid!, 'SIGINT'), 300);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Machine b.example of a three-machine bundle under a fresh folder, a stand-in docker in `bin`, and a survivor's data folder. */
function machineB(label: string): { dir: string; dataRoot: string; out: string; bin: string; survivor: string } {
  const dir = tempDir(label);
  const dataRoot = join(dir, 'data');
  const out = writeBundle({ image: 'zookeeper:3.9.4', dataRoot, servers: [{ host: 'a.example' }, { host: 'b.example' }, { host: 'c.example' }] }, dir);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'docker'), FAKE_DOCKER, { mode: 0o755 });
  const survivor = join(dir, 'survivor');
  memberData(survivor);
  return { dir, dataRoot, out, bin, survivor };
}

describe("hosts/<machine>/restore.sh stopped by Ctrl-C", () => {
  it("says the step it was in and the command that finishes, and exits 130, with zk2's data where it was", async () => {
    // The survivor's data, on this machine beside zk2's own folder.
    const { dir, dataRoot, out, bin, survivor } = machineB('restore-interrupted');
    memberData(join(dataRoot, 'zk2'));
    const script = join(out, 'hosts', 'b.example', 'restore.sh');
    const stopped = await interruptedAt(script, ['--yes', '--from-member-data', survivor], { PATH: `${bin}:${process.env.PATH}`, TMPDIR: dir }, /^stopping zk2$/m);
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(
      new RegExp(`^INTERRUPTED while stopping zk2: members may be stopped or half restored; to finish, run again: \\S+restore\\.sh --yes --from-member-data ${survivor} \\(`, 'm'),
    );
    expect(stopped.stdout).not.toMatch(/^ok: /m);
    // Nothing was moved aside yet, and nothing of zk2's was lost.
    expect(readdirSync(dataRoot)).toEqual(['zk2']);
    expect(existsSync(join(dataRoot, 'zk2', 'version-2', 'snapshot.100000000'))).toBe(true);
  });
});

describe('hosts/<machine>/restore.sh on a data folder that is a mount point', () => {
  it.skipIf(process.getuid?.() !== 0)('moves its contents aside inside it, lays the data in, and a second run keeps the first aside folder whole', async () => {
    const { dir, dataRoot, out, bin, survivor } = machineB('restore-mount');
    const zk2 = join(dataRoot, 'zk2');
    mkdirSync(zk2, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', zk2]);
    try {
      memberData(zk2);
      writeFileSync(join(zk2, 'myid'), 'former\n');
      const run = (): { status: number | null; stdout: string; stderr: string } =>
        spawnSync('bash', [join(out, 'hosts', 'b.example', 'restore.sh'), '--yes', '--from-member-data', survivor], {
          env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: dir, STOP_SECONDS: '0' },
          encoding: 'utf8',
        });
      const aside = (): string[] => readdirSync(zk2).filter((f) => f.startsWith('zkgen-before-restore-')).sort();
      const first = run();
      expect(first.status, first.stdout + first.stderr).toBe(0);
      expect(spawnSync('mountpoint', ['-q', zk2]).status).toBe(0);
      expect(aside()).toHaveLength(1);
      const [former] = aside();
      expect(first.stdout).toContain(`zk2: its former data is in ${join(zk2, former!)}\n`);
      expect(readFileSync(join(zk2, former!, 'myid'), 'utf8')).toBe('former\n');
      expect(existsSync(join(zk2, former!, 'version-2', 'snapshot.100000000'))).toBe(true);
      expect(existsSync(join(zk2, former!, 'datalog', 'version-2', 'log.100000001'))).toBe(true);
      // The restored data laid in beside it: zk2's own id, the survivor's snapshot and log.
      expect(readFileSync(join(zk2, 'myid'), 'utf8')).toBe('2\n');
      expect(existsSync(join(zk2, 'version-2', 'snapshot.100000000'))).toBe(true);
      expect(existsSync(join(zk2, 'datalog', 'version-2', 'log.100000001'))).toBe(true);
      // Run again (as after an interruption; the stand-in says zk2 runs, so it is laid in anew) a
      // second later, for a new stamp: the first aside folder stays where it was, whole.
      await new Promise((r) => setTimeout(r, 1100));
      const second = run();
      expect(second.status, second.stdout + second.stderr).toBe(0);
      expect(aside()).toHaveLength(2);
      const [, latest] = aside();
      expect(readdirSync(join(zk2, latest!)).filter((f) => f.startsWith('zkgen-before-restore-'))).toEqual([]);
      expect(readFileSync(join(zk2, former!, 'myid'), 'utf8')).toBe('former\n');
      expect(readFileSync(join(zk2, latest!, 'myid'), 'utf8')).toBe('2\n');
    } finally {
      execFileSync('umount', [zk2]);
    }
  });
});

describe("backup-lib.sh's restore_source, in a hosts/<machine>/ folder copied alone", () => {
  const { dir, out, bin, survivor } = machineB('restore-source');
  const alone = join(dir, 'alone');
  cpSync(join(out, 'hosts', 'b.example'), alone, { recursive: true });
  /** restore_source ARCHIVE FOLDER called as restore.sh calls it, with the values restore.sh sets. */
  const restoreSource = (archive: string, from: string) =>
    spawnSync(
      'bash',
      [
        '-c',
        'set -euo pipefail; source backup-lib.sh; eval "$(grep -E \'^(image|members|manifest|format|snapshots_under|logs_under)=\' restore.sh)"; ' +
          'restore_source "$1" "$2" "$(mktemp -d)" "$image" "$members" "$manifest" "$format" "$snapshots_under" "$logs_under"',
        'restore_source',
        archive,
        from,
      ],
      { cwd: alone, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: dir }, encoding: 'utf8' },
    );
  /** An archive as backup.sh makes it, its manifest saying `members` and `image`. */
  const archive = (label: string, members: string, image: string): string => {
    const content = join(dir, label);
    memberData(join(dir, `${label}-member`));
    mkdirSync(join(content, 'snapshots'), { recursive: true });
    mkdirSync(join(content, 'logs'), { recursive: true });
    cpSync(join(dir, `${label}-member`, 'version-2', 'snapshot.100000000'), join(content, 'snapshots', 'snapshot.100000000'));
    cpSync(join(dir, `${label}-member`, 'datalog', 'version-2', 'log.100000001'), join(content, 'logs', 'log.100000001'));
    writeFileSync(join(content, 'zkgen-backup.txt'), `zkgen-backup 1\nmembers=${members}\nimage=${image}\nsource=zk1\ntime=20260101T000000Z\nzxid=0x100000002\n`);
    const file = join(dir, `${label}.tar.gz`);
    execFileSync('tar', ['-C', content, '-czf', file, '.']);
    return file;
  };

  it("reads a survivor's data folder whole: its newest zxid, its snapshot's znodes, and where it comes from", () => {
    const got = restoreSource('', survivor);
    expect(got.stderr).toBe('');
    expect(got.status).toBe(0);
    expect(got.stdout).toBe(`0x100000002 4 ${survivor}'s data\n`);
  });

  it('refuses a folder without myid (one a stopped restore left half laid), changing nothing', () => {
    const half = join(dir, 'half');
    memberData(half);
    execFileSync('rm', [join(half, 'myid')]);
    const got = restoreSource('', half);
    expect(got.status).toBe(1);
    expect(got.stdout).toBe('');
    expect(got.stderr).toMatch(new RegExp(`^REFUSED: ${half}/ has no myid: .*; nothing was changed$`, 'm'));
  });

  it("reads an archive of this bundle's members, noting another image; refuses one of other members", () => {
    const ours = archive('ours', '1:zk1 2:zk2 3:zk3', 'zookeeper:3.8.4');
    const got = restoreSource(ours, '');
    expect(got.status, got.stderr).toBe(0);
    expect(got.stdout).toBe(`0x100000002 4 ${ours} (from zk1 at 20260101T000000Z)\n`);
    expect(got.stderr).toBe(`note: ${ours} was taken from zookeeper:3.8.4; this bundle runs zookeeper:3.9.4\n`);
    const theirs = archive('theirs', '1:zk1', 'zookeeper:3.9.4');
    const refused = restoreSource(theirs, '');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`REFUSED: ${theirs} holds the data of members 1:zk1, and this bundle's are 1:zk1 2:zk2 3:zk3; nothing was changed\n`);
  });

  it("lets the folder's own restore.sh lay the survivor's data into zk2", () => {
    const dataRoot = join(dir, 'data');
    memberData(join(dataRoot, 'zk2'));
    const run = spawnSync('bash', [join(alone, 'restore.sh'), '--yes', '--from-member-data', survivor], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: dir, STOP_SECONDS: '0' },
      encoding: 'utf8',
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`restore.sh: the members on this machine get ${survivor}'s data: 4 znodes in its snapshot, up to zxid 0x100000002\n`);
    expect(readFileSync(join(dataRoot, 'zk2', 'zkgen-restore.txt'), 'utf8')).toMatch(new RegExp(`^${survivor}'s data, up to zxid 0x100000002\n`));
  });
});

describe('the one-machine restore.sh whose members do not serve after it', () => {
  it('lays each member its data through restore_source, then names them as a sentence does', () => {
    const dir = tempDir('restore-one-machine');
    const dataRoot = join(dir, 'data');
    const out = writeBundle({ image: 'zookeeper:3.9.4', dataRoot, servers: 3 }, dir);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    // docker exec (the srvr probe inside a member's container) answers nothing: no member serves.
    writeFileSync(join(bin, 'docker'), FAKE_DOCKER, { mode: 0o755 });
    const survivor = join(dir, 'survivor');
    memberData(survivor);
    const run = spawnSync('bash', [join(out, 'restore.sh'), '--yes', '--from-member-data', survivor], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: dir, STOP_SECONDS: '0', ZKGEN_WAIT_SECONDS: '0' },
      encoding: 'utf8',
    });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain(`restore.sh: every member of this bundle gets ${survivor}'s data: 4 znodes in its snapshot, up to zxid 0x100000002\n`);
    expect(run.stderr).toMatch(/^FAIL: zk1, zk2 and zk3 do not serve 0s after the restore: /m);
    for (const id of [1, 2, 3]) expect(readFileSync(join(dataRoot, `zk${id}`, 'myid'), 'utf8')).toBe(`${id}\n`);
  });
});
