// What DIR may hold, and what happens to everything else: zkgen replaces a folder only when all of
// it is zkgen's by the folder's own manifest (or an empty folder, or a bundle from before
// manifests), refuses anything else in one line naming the first foreign path, and never opens,
// moves or removes a file it did not write — including around DIR (its lock, its work folders and
// what killed or interrupted runs left there). The CLI runs in-process; what needs it as a process
// (a FIFO that would hang a run, concurrent runs, signals) is test/spawn/bundle-folder.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, type GeneratedFile } from '../src/index.js';
import { type BundleFs, LEGACY_MARKER, RefusedError, workPrefix, writeBundle } from '../src/write.js';
import { runMain, tempDir } from './helpers.js';
import { contents, snapshot } from './tree.js';

const PINNED = '{ "image": "garland/zookeeper:3.4.6", "servers": 3, "listen": "all" }\n';
const FIVE = '{ "image": "garland/zookeeper:3.4.6", "servers": 5, "listen": "all" }\n';
const REFUSAL = ": refusing to replace a folder holding files zkgen did not write; choose an empty or new folder\n";

function bundleOf(text: string): GeneratedFile[] {
  const outcome = generate(JSON.parse(text));
  if (!outcome.ok) throw new Error('test ensemble is invalid');
  return outcome.files;
}

/** A folder holding ensemble.json and, in zk/, zkgen's bundle for it. */
async function project(): Promise<{ parent: string; dir: string }> {
  const parent = tempDir('folder');
  writeFileSync(join(parent, 'ensemble.json'), PINNED);
  expect((await runMain(['ensemble.json', '--out', 'zk'], { cwd: parent })).code).toBe(0);
  return { parent, dir: join(parent, 'zk') };
}


/** The pid and start time of a process, as zkgen records an owner. */
function ownerOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return `${pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
}

/** A pid that was a process a moment ago and is gone now. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

describe('zkgen FILE --out DIR refuses a folder holding anything not zkgen’s', () => {
  it('in a git repository, --out . names .git and leaves every file where it was', async () => {
    const parent = tempDir('repo');
    expect(spawnSync('git', ['init', '-q', '.'], { cwd: parent }).status).toBe(0);
    writeFileSync(join(parent, 'ensemble.json'), PINNED);
    writeFileSync(join(parent, 'docker-compose.yml'), (await runMain(['ensemble.json'], { cwd: parent })).stdout);
    writeFileSync(join(parent, 'NOTES.md'), 'notes\n');
    const before = snapshot(parent);
    const result = await runMain(['ensemble.json', '--out', '.'], { cwd: parent });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `zkgen: --out .: .git is not zkgen's (not in zkgen-manifest.txt)${REFUSAL}` });
    expect(snapshot(parent)).toEqual(before);
  });

  it('the input file’s own folder: the ensemble file is not zkgen’s', async () => {
    const { parent, dir } = await project();
    writeFileSync(join(dir, 'ensemble.json'), PINNED);
    const before = snapshot(parent);
    const result = await runMain(['zk/ensemble.json', '--out', 'zk'], { cwd: parent });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `zkgen: --out zk: zk/ensemble.json is not zkgen's (not in zkgen-manifest.txt)${REFUSAL}` });
    expect(snapshot(parent)).toEqual(before);
  });

  it('a file added to its own bundle, in any folder of it, and names the first one sorted', async () => {
    const { parent, dir } = await project();
    writeFileSync(join(dir, 'conf', 'zk2', 'notes'), 'mine');
    mkdirSync(join(dir, 'conf', 'extra'));
    writeFileSync(join(dir, 'zzz'), 'mine');
    const before = snapshot(parent);
    const result = await runMain(['ensemble.json', '--out', 'zk'], { cwd: parent });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`zkgen: --out zk: zk/conf/extra is not zkgen's (not in zkgen-manifest.txt)${REFUSAL}`);
    expect(snapshot(parent)).toEqual(before);
  });

  it('a symbolic link where the bundle has a file, without following it', async () => {
    const { parent, dir } = await project();
    writeFileSync(join(parent, 'mine.cfg'), 'mine');
    nodeFs.rmSync(join(dir, 'conf', 'zk1', 'zoo.cfg'));
    symlinkSync('../../../mine.cfg', join(dir, 'conf', 'zk1', 'zoo.cfg'));
    const before = snapshot(parent);
    const result = await runMain(['ensemble.json', '--out', 'zk'], { cwd: parent });
    expect(result.stderr).toBe(`zkgen: --out zk: zk/conf/zk1/zoo.cfg is not zkgen's (a symbolic link)${REFUSAL}`);
    expect(snapshot(parent)).toEqual(before);
  });

  it('/, in one line', async () => {
    const result = await runMain(['ensemble.json', '--out', '/'], { cwd: (await project()).parent });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'zkgen: --out /: the root folder cannot be replaced: choose a folder inside it\n' });
  });

  it('a folder holding the current one: the shell would be left in a removed folder', async () => {
    const { parent, dir } = await project();
    const before = snapshot(parent);
    const result = await runMain(['../ensemble.json', '--out', '.'], { cwd: join(dir, 'conf') });
    expect(result.code).toBe(2);
    expect((await runMain(['../ensemble.json', '--out', '.'], { cwd: dir })).stderr).toBe(
      'zkgen: --out .: . holds the current folder, which the swap would leave removed under your shell: run zkgen from outside it\n',
    );
    expect(snapshot(parent)).toEqual(before);
  });

  it('a file added between the check and the swap goes back with DIR, untouched', async () => {
    const { parent, dir } = await project();
    let renames = 0;
    const fs: Partial<BundleFs> = {
      renameSync: (from, to) => {
        if (++renames === 1) writeFileSync(join(dir, 'late.txt'), 'written meanwhile');
        nodeFs.renameSync(from, to);
      },
    };
    const old = contents(dir);
    await expect(writeBundle(dir, bundleOf(FIVE), { fs })).rejects.toThrow(/zk\/late\.txt is not zkgen's/);
    expect(contents(dir)).toEqual({ ...old, 'late.txt': contents(dir)['late.txt'] });
    expect(readFileSync(join(dir, 'late.txt'), 'utf8')).toBe('written meanwhile');
    expect(readdirSync(parent).sort()).toEqual(['ensemble.json', 'zk']);
  });
});

describe('zkgen FILE --out DIR writes where it may', () => {
  it('an empty folder, and its own bundle again', async () => {
    const parent = tempDir('empty');
    writeFileSync(join(parent, 'ensemble.json'), PINNED);
    mkdirSync(join(parent, 'zk'));
    expect((await runMain(['ensemble.json', '--out', 'zk'], { cwd: parent })).code).toBe(0);
    writeFileSync(join(parent, 'ensemble.json'), FIVE);
    expect((await runMain(['ensemble.json', '--out', 'zk', '--stopped'], { cwd: parent })).code).toBe(0);
    expect(readdirSync(join(parent, 'zk', 'conf'))).toHaveLength(5);
  });

  it('a bundle from before manifests (marker line, only the files such a bundle had) is adopted; with anything more it is refused', async () => {
    const parent = tempDir('legacy');
    writeFileSync(join(parent, 'ensemble.json'), PINNED);
    const legacy = (dir: string, extra: Record<string, string> = {}) => {
      mkdirSync(join(parent, dir, 'conf', 'zk1'), { recursive: true });
      const files = { 'docker-compose.yml': `${LEGACY_MARKER} from an ensemble file.\nservices: {}\n`, 'run.sh': '#!/bin/sh\n', 'conf/zk1/myid': '1\n', 'conf/zk1/zoo.cfg': 'x=1\n', ...extra };
      for (const [p, text] of Object.entries(files)) writeFileSync(join(parent, dir, p), text);
    };
    legacy('old');
    expect(await runMain(['ensemble.json', '--out', 'old'], { cwd: parent })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(join(parent, 'old', 'zkgen-manifest.txt'))).toBe(true);

    legacy('more', { 'NOTES.md': 'mine' });
    expect((await runMain(['ensemble.json', '--out', 'more'], { cwd: parent })).stderr).toBe(`zkgen: --out more: more/NOTES.md is not zkgen's (not in zkgen-manifest.txt)${REFUSAL}`);
    legacy('unmarked', { 'docker-compose.yml': 'services: {}\n' });
    expect((await runMain(['ensemble.json', '--out', 'unmarked'], { cwd: parent })).stderr).toBe(
      `zkgen: --out unmarked: unmarked/conf is not zkgen's (not in zkgen-manifest.txt)${REFUSAL}`,
    );
    expect(readFileSync(join(parent, 'more', 'NOTES.md'), 'utf8')).toBe('mine');
  });

  it('a symbolic link as DIR: the folder it points to is replaced, the link stays; a link to nothing is refused', async () => {
    const { parent, dir } = await project();
    symlinkSync('zk', join(parent, 'link'));
    writeFileSync(join(parent, 'ensemble.json'), FIVE);
    expect((await runMain(['ensemble.json', '--out', 'link', '--stopped'], { cwd: parent })).code).toBe(0);
    expect(lstatSync(join(parent, 'link')).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(dir, 'conf'))).toHaveLength(5);
    expect(readdirSync(parent).sort()).toEqual(['ensemble.json', 'link', 'zk']);
    symlinkSync('nowhere', join(parent, 'dangling'));
    expect(await runMain(['ensemble.json', '--out', 'dangling'], { cwd: parent })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'zkgen: --out dangling: dangling is a symbolic link to nothing: make the folder it points to, or give another\n',
    });
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root)('a mount point is refused in one line, empty or holding a bundle; a folder inside it works (needs root for mount --bind)', async (ctx) => {
    const parent = tempDir('mount');
    writeFileSync(join(parent, 'ensemble.json'), PINNED);
    mkdirSync(join(parent, 'source'));
    mkdirSync(join(parent, 'mnt'));
    const mounted = spawnSync('mount', ['--bind', join(parent, 'source'), join(parent, 'mnt')], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      ctx.skip(`mount --bind is not allowed here: ${mounted.stderr.trim()}`);
      return;
    }
    try {
      const refusal = 'zkgen: --out mnt: mnt is a mount point, which cannot be swapped for a new folder: use a folder inside it (--out mnt/zk)\n';
      expect(await runMain(['ensemble.json', '--out', 'mnt'], { cwd: parent })).toEqual({ code: 2, stdout: '', stderr: refusal });
      expect((await runMain(['ensemble.json', '--out', 'mnt/zk'], { cwd: parent })).code).toBe(0);
      // A bundle of zkgen's at the mount point itself (written by an older zkgen, say).
      nodeFs.cpSync(join(parent, 'mnt', 'zk'), join(parent, 'mnt'), { recursive: true });
      nodeFs.rmSync(join(parent, 'mnt', 'zk'), { recursive: true });
      const before = snapshot(parent);
      expect(await runMain(['ensemble.json', '--out', 'mnt'], { cwd: parent })).toEqual({ code: 2, stdout: '', stderr: refusal });
      expect(snapshot(parent)).toEqual(before);
    } finally {
      spawnSync('umount', [join(parent, 'mnt')]);
    }
  });
});

describe('the lock and the work folders beside DIR', () => {
  it('waits for a live run’s lock, then refuses naming its pid; a lock whose owner is gone, or whose pid is reused, is taken over', async () => {
    const { parent, dir } = await project();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const lock = join(parent, `${workPrefix(dir)}lock`);
      writeFileSync(lock, `${ownerOf(sleeper.pid!)}\n`);
      const before = snapshot(parent);
      const started = Date.now();
      await expect(writeBundle(dir, bundleOf(FIVE), { lockWaitMs: 400 })).rejects.toThrow(
        new RefusedError(`--out ${dir}: another zkgen run (pid ${sleeper.pid}) is writing ${dir}; waited 0 s: try again once it is done`),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(snapshot(parent)).toEqual(before);

      // This very process under another start time: the pid was reused, the owner is gone.
      writeFileSync(lock, `${process.pid} 1\n`);
      await writeBundle(dir, bundleOf(FIVE), { lockWaitMs: 400 });
      expect(readdirSync(join(dir, 'conf'))).toHaveLength(5);

      writeFileSync(lock, `${deadPid()} 1\n`);
      await writeBundle(dir, bundleOf(PINNED), { lockWaitMs: 400 });
      expect(readdirSync(parent).sort()).toEqual(['ensemble.json', 'zk']);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('removes what provably gone runs left beside DIR — only the files they wrote — and nothing of live runs or of others', async () => {
    const { parent, dir } = await project();
    const dead = deadPid();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const live = ownerOf(sleeper.pid!).replace(' ', '-');
      const gone = `${dead}-1`;
      const made = (name: string, files: Record<string, string>) => {
        for (const [p, text] of Object.entries(files)) {
          mkdirSync(join(parent, name, p, '..'), { recursive: true });
          writeFileSync(join(parent, name, p), text);
        }
      };
      // A dead run's work folder, with a file of someone else's put in it; another, killed while
      // both bundles were in it; a live run's; the lock file a dead run was making.
      made(`.zk.zkgen-${gone}-aaaaaa`, { 'new/zkgen-manifest.txt': '# m\nrun.sh\n', 'new/run.sh': 'x', 'new/mine.txt': 'keep', 'old/zkgen-manifest.txt': '# m\n' });
      made(`.zk.zkgen-${gone}-bbbbbb`, { 'new/zkgen-manifest.txt': '# m\nconf/zk1/myid\n', 'new/conf/zk1/myid': '1\n', 'old/docker-compose.yml': `${LEGACY_MARKER}\n`, 'old/conf/zk1/zoo.cfg': 'x' });
      made(`.zk.zkgen-${live}-cccccc`, { 'new/zkgen-manifest.txt': '# m\n' });
      writeFileSync(join(parent, `.zk.zkgen-lock-${gone}`), `${dead} 1\n`);
      made('.zk.zkgen-unknown', { 'x': 'not named by an owner' });
      await writeBundle(dir, bundleOf(FIVE));
      expect(readdirSync(parent).sort()).toEqual(['.zk.zkgen-' + gone + '-aaaaaa', '.zk.zkgen-' + live + '-cccccc', '.zk.zkgen-unknown', 'ensemble.json', 'zk']);
      const kept = snapshot(join(parent, `.zk.zkgen-${gone}-aaaaaa`));
      expect(Object.keys(kept).sort()).toEqual(['new/', 'new/mine.txt']);
      expect(kept['new/mine.txt']).toMatch(/a2VlcA==$/);
      expect(readdirSync(join(parent, `.zk.zkgen-${live}-cccccc`, 'new'))).toEqual(['zkgen-manifest.txt']);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

});
