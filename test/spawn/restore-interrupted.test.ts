// A machine's part of a restore on several machines (hosts/<machine>/restore.sh) stopped by Ctrl-C
// once it began changing things: like the one-machine restore.sh, it says where it stopped and the
// command that finishes, and exits 130. Run for real, in a temporary folder, with a stand-in for
// docker on PATH that answers as a running member and ZooKeeper's classes would; the one-machine
// restore.sh is stopped at each step on real containers in test/e2e/faults.test.ts. Also here: a
// member whose data folder is its own disk (a real tmpfs mount point, so root only), whose contents
// the restore moves aside inside it, and runs again after.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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
