// The bundle on disk is written whole or not at all: a write that fails anywhere — or a process
// killed anywhere — leaves DIR as it was (or, killed between the two renames, no DIR but both
// bundles whole beside it), nothing a failed run leaves behind gets in the way of the next run, and
// --check never writes.
import * as nodeFs from 'node:fs';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { GeneratedFile } from '../src/model.js';
import { MANIFEST } from '../src/model.js';
import { compareBundle } from '../src/write/check.js';
import { type BundleFs, writeBundle } from '../src/write/swap.js';
import { runMain, tempDir as madeTempDir, workPrefix } from './helpers.js';
import { contents, snapshot } from './tree.js';

/** The paths --check finds not as zkgen would write them. */
const staleFiles = (dir: string, files: readonly GeneratedFile[]) => {
  const result = compareBundle(dir, files);
  return typeof result === 'string' ? [result] : result.map((f) => f.path);
};

const tempDir = (label = 'write') => madeTempDir(label.replace(/^zkgen-|-$/g, ''));


function bundle(members: number, tag: string): GeneratedFile[] {
  const files: GeneratedFile[] = [
    { path: 'docker-compose.yml', content: `# ${tag}\nservices: {}\n`, executable: false },
    { path: 'run.sh', content: `#!/bin/sh\necho ${tag}\n`, executable: true },
    { path: 'remove.sh', content: `#!/bin/sh\necho remove ${tag}\n`, executable: true },
  ];
  for (let id = 1; id <= members; id++) {
    files.push({ path: `conf/zk${id}/myid`, content: `${id}\n`, executable: false });
    files.push({ path: `conf/zk${id}/zoo.cfg`, content: `# ${tag}\nserver.${id}=localhost:2888:3888\n`, executable: false });
  }
  return withManifest(files);
}

/** A bundle's files with the manifest listing them, as the core renders it for a whole bundle. */
function withManifest(files: GeneratedFile[]): GeneratedFile[] {
  const paths = [...files.map((f) => f.path), MANIFEST].sort();
  return [...files, { path: MANIFEST, content: `# the bundle's files\n${paths.join('\n')}\n`, executable: false }];
}

/** Work folders beside DIR (not the lock): what a run in progress, or a killed one, works in. */
const workFolders = (parent: string, dir: string) => readdirSync(parent).filter((n) => n.startsWith(workPrefix(dir)) && /-[A-Za-z0-9]{6}$/.test(n));

/** A parent folder holding DIR (zk) with an earlier bundle of zkgen's, plus a file of the user's beside it. */
async function withOldBundle(): Promise<{ parent: string; dir: string }> {
  const parent = tempDir();
  writeFileSync(join(parent, 'ensemble.json'), '{}\n');
  const dir = join(parent, 'zk');
  await writeBundle(dir, bundle(3, 'old'));
  return { parent, dir };
}

class Injected extends Error {}

/** The real file system, except that the nth call of one operation fails. */
function failingAt(op: keyof BundleFs, nth: number): { fs: Partial<BundleFs>; calls: () => number } {
  let calls = 0;
  const real = nodeFs[op] as (...args: unknown[]) => unknown;
  const fail = (...args: unknown[]) => {
    if (++calls === nth) throw new Injected(`injected failure of ${op}, call ${nth}`);
    return real(...args);
  };
  return { fs: { [op]: fail }, calls: () => calls };
}

describe('writeBundle', () => {
  it('writes a new DIR whole, scripts executable, and leaves nothing beside it', async () => {
    const parent = tempDir();
    await writeBundle(join(parent, 'zk'), bundle(2, 'new'));
    expect(readdirSync(parent)).toEqual(['zk']);
    expect(staleFiles(join(parent, 'zk'), bundle(2, 'new'))).toEqual([]);
    expect(statSync(join(parent, 'zk', 'run.sh')).mode & 0o111).not.toBe(0);
  });

  it('writes each file with the mode zkgen gives it, whatever the umask, and --check finds any other mode stale', async () => {
    const parent = tempDir();
    const dir = join(parent, 'zk');
    const before = process.umask(0o077);
    try {
      await writeBundle(dir, bundle(2, 'new'));
    } finally {
      process.umask(before);
    }
    expect(statSync(join(dir, 'run.sh')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(dir, 'docker-compose.yml')).mode & 0o7777).toBe(0o644);
    expect(staleFiles(dir, bundle(2, 'new'))).toEqual([]);
    // A script anyone may change, a file made executable, a script only its owner may run.
    chmodSync(join(dir, 'run.sh'), 0o777);
    chmodSync(join(dir, 'conf/zk1/myid'), 0o755);
    chmodSync(join(dir, 'remove.sh'), 0o700);
    expect(staleFiles(dir, bundle(2, 'new'))).toEqual(['conf/zk1/myid', 'remove.sh', 'run.sh']);
  });

  it('replaces its own bundle whole: only the new files remain, and nothing is left beside DIR', async () => {
    const { parent, dir } = await withOldBundle();
    await writeBundle(dir, bundle(1, 'new'));
    expect(readdirSync(parent).sort()).toEqual(['ensemble.json', 'zk']);
    const reference = tempDir();
    await writeBundle(join(reference, 'zk'), bundle(1, 'new'));
    expect(contents(dir)).toEqual(contents(join(reference, 'zk')));
  });

  // Every way a write can fail partway: the first, a middle or the last call of each operation it
  // makes before the bundle is in place.
  const files = bundle(5, 'new');
  const folders = 1 + files.length; // new/, then each file's folder
  const failures = (dirExists: boolean): Array<[string, keyof BundleFs, number]> => [
    ['creating the staging folder', 'mkdirSync', 1],
    ['creating a conf folder halfway', 'mkdirSync', Math.ceil(folders / 2)],
    ['writing the first file', 'writeFileSync', 1],
    ['writing a file halfway', 'writeFileSync', Math.ceil(files.length / 2)],
    ['writing the last file', 'writeFileSync', files.length],
    ...((dirExists
      ? [
          ['moving the old bundle aside', 'renameSync', 1],
          ['moving the new bundle into place (the old one is put back)', 'renameSync', 2],
        ]
      : [['moving the new bundle into place', 'renameSync', 1]]) as Array<[string, keyof BundleFs, number]>),
  ];

  it.each(failures(true))('a failure %s leaves DIR exactly as it was and nothing beside it', async (_, op, nth) => {
    const { parent, dir } = await withOldBundle();
    const before = snapshot(parent);
    const { fs, calls } = failingAt(op, nth);
    await expect(writeBundle(dir, files, { fs })).rejects.toThrow(Injected);
    expect(calls()).toBeGreaterThanOrEqual(nth); // and after the failure, only the rename that puts the old bundle back
    expect(snapshot(parent)).toEqual(before); // same names, bytes, modes and times, in DIR and beside it
  });

  it.each(failures(false))('with no DIR before, a failure %s leaves no DIR and nothing beside it', async (_, op, nth) => {
    const parent = tempDir();
    const { fs, calls } = failingAt(op, nth);
    await expect(writeBundle(join(parent, 'zk'), files, { fs })).rejects.toThrow(Injected);
    expect(calls()).toBe(nth);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('when the old bundle cannot be put back either, it is kept whole beside DIR rather than removed', async () => {
    const { parent, dir } = await withOldBundle();
    const old = contents(dir);
    let renames = 0;
    const fs: Partial<BundleFs> = {
      renameSync: (from, to) => {
        if (++renames >= 2) throw new Injected(`injected failure of rename ${renames}`);
        nodeFs.renameSync(from, to);
      },
    };
    await expect(writeBundle(dir, files, { fs })).rejects.toThrow(Injected);
    const left = workFolders(parent, dir);
    expect(left).toHaveLength(1);
    expect(contents(join(parent, left[0]!, 'old'))).toEqual(old);
  });

  it('never trips over what earlier runs left behind', async () => {
    const { parent, dir } = await withOldBundle();
    // Even a leftover named exactly as this run would name its folder, had it named it by pid and time.
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    const stamp = `${process.pid}-${(1_700_000_000_000).toString(36)}`;
    // Folders of every shape a crashed run leaves: this version's, with new/ and old/ halves, and
    // the earlier version's .zk.zkgen-new-<pid>-<time> and .zk.zkgen-old-<pid>-<time>.
    const leftovers = [
      `${workPrefix(dir)}AAAAAA/new/conf/zk1`,
      `${workPrefix(dir)}AAAAAA/old/conf/zk1`,
      `${workPrefix(dir)}zzzzzz/new`,
      `${workPrefix(dir)}XXXXXX`,
      `.zk.zkgen-new-${stamp}/conf`,
      `.zk.zkgen-old-${stamp}/conf`,
    ];
    for (const l of leftovers) mkdirSync(join(parent, l), { recursive: true });
    writeFileSync(join(parent, `${workPrefix(dir)}XXXXXX`, 'docker-compose.yml'), 'half\n');
    const before = snapshot(parent);
    try {
      await writeBundle(dir, bundle(2, 'new'));
    } finally {
      now.mockRestore();
    }
    expect(staleFiles(dir, bundle(2, 'new'))).toEqual([]);
    // Leftovers are not this run's to remove: a run elsewhere may still be using one.
    const after = snapshot(parent);
    for (const path of Object.keys(before).filter((p) => !p.startsWith('zk/'))) expect(after[path]).toBe(before[path]);
  });
});

describe('zkgen FILE --out DIR --check', () => {
  const PINNED = '{ "image": "garland/zookeeper:3.4.6", "servers": 3, "listen": "all" }\n';

  it('writes nothing: up to date, stale, not zkgen’s, or missing', async () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'ensemble.json'), PINNED);
    expect((await runMain(['ensemble.json', '--out', 'zk'], { cwd: parent })).code).toBe(0);
    mkdirSync(join(parent, 'mine'));
    writeFileSync(join(parent, 'mine', 'notes.txt'), 'keep me');
    // A coarse clock could hide a rewrite of the same bytes: let time move on first.
    await new Promise((r) => setTimeout(r, 20));

    const check = async (dir: string) => {
      const before = snapshot(parent);
      const ctimes = Object.fromEntries(Object.keys(before).map((p) => [p, statSync(join(parent, p), { bigint: true }).ctimeNs]));
      const result = await runMain(['ensemble.json', '--out', dir, '--check'], { cwd: parent });
      expect(snapshot(parent)).toEqual(before);
      for (const [p, ctime] of Object.entries(ctimes)) expect(statSync(join(parent, p), { bigint: true }).ctimeNs).toBe(ctime);
      return result.code;
    };

    expect(await check('zk')).toBe(0);
    writeFileSync(join(parent, 'zk', 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(parent, 'zk', 'run.sh'), 0o755);
    expect(await check('zk')).toBe(1);
    expect(await check('mine')).toBe(1);
    expect(await check('missing')).toBe(1);
    expect(await check('missing/deeper')).toBe(1);
  });
});
