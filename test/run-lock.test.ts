// The machine-wide e2e lock (test/e2e/run-lock.mjs), taken by the e2e setup and by the backup
// bench alike: each waits for the other, and a holder that died is taken over. Run on a folder of
// the test's own, never the real lock.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';
import { acquireRunLock } from './e2e/run-lock.mjs';

describe('the e2e run lock', () => {
  it('waits while a live process holds it and takes it once released', async () => {
    const lock = join(tempDir('run-lock'), 'lock');
    const said: string[] = [];
    const first = await acquireRunLock(5_000, (line) => said.push(line), lock);
    let second: (() => void) | undefined;
    const waiting = acquireRunLock(10_000, (line) => said.push(line), lock).then((release) => (second = release));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(second).toBeUndefined();
    expect(said.join('\n')).toContain(`waiting for the e2e run of pid ${process.pid}`);
    first();
    await waiting;
    expect(readFileSync(join(lock, 'pid'), 'utf8')).toBe(`${process.pid}\n`);
    second!();
    expect(existsSync(lock)).toBe(false);
  });

  it('gives up after its bound while the holder lives', async () => {
    const lock = join(tempDir('run-lock'), 'lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), `${process.pid}\n`);
    await expect(acquireRunLock(500, () => undefined, lock)).rejects.toThrow(/still holds the fixed ports/);
  });

  it('takes it over from a holder that is gone', async () => {
    const lock = join(tempDir('run-lock'), 'lock');
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), `${gone}\n`);
    const said: string[] = [];
    const release = await acquireRunLock(500, (line) => said.push(line), lock);
    expect(said).toEqual([`taking over ${lock} from pid ${gone}, which is gone`]);
    release();
  });

  it('is the lock npm run bench takes for the backup bench, with no flock around it', () => {
    const bench = readFileSync(join(ROOT, 'scripts', 'bench-backup.mjs'), 'utf8');
    expect(bench).toMatch(/import \{ acquireRunLock \} from '\.\.\/test\/e2e\/run-lock\.mjs'/);
    expect(bench).toMatch(/await acquireRunLock\(/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.bench).not.toContain('flock');
  });
});
