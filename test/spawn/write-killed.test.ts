// zkgen FILE --out DIR killed partway: the built bin as a process, with a preload that kills it
// (SIGKILL: no cleanup, no finally) at the nth call of one file-system operation. The rest of
// the write's contract is test/write.test.ts, in-process.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, tempDir, workPrefix } from '../helpers.js';
import { contents } from '../tree.js';

const workFolders = (parent: string, dir: string) => readdirSync(parent).filter((n) => n.startsWith(workPrefix(dir)) && /-[A-Za-z0-9]{6}$/.test(n));

describe('zkgen FILE --out DIR, killed partway', () => {
  // The CLI run as it ships (dist/cli.js), with a preload that kills the process (SIGKILL: no
  // cleanup, no finally) at the nth call of one file-system operation.
  const preloadDir = tempDir('crash');
  const preload = join(preloadDir, 'crash.cjs');
  writeFileSync(
    preload,
    `const fs = require('node:fs');
const [op, nth] = process.env.ZKGEN_TEST_CRASH_AT.split(':');
const real = fs[op];
let calls = 0;
fs[op] = function (...args) {
  if (++calls === Number(nth)) process.kill(process.pid, 'SIGKILL');
  return real.apply(this, args);
};
`,
  );

  const OLD = '{ "image": "garland/zookeeper:3.4.6", "servers": 3, "listen": "all" }\n';
  const NEW = '{ "image": "garland/zookeeper:3.4.6", "servers": 5, "listen": "all" }\n';

  function project(): { parent: string; expected: Record<string, string>; old: Record<string, string> } {
    const parent = tempDir('killed');
    writeFileSync(join(parent, 'old.json'), OLD);
    writeFileSync(join(parent, 'new.json'), NEW);
    const reference = tempDir('killed-ref');
    writeFileSync(join(reference, 'new.json'), NEW);
    expect(runCli(['new.json', '--out', 'zk', '--stopped'], { cwd: reference }).code).toBe(0);
    expect(runCli(['old.json', '--out', 'zk', '--stopped'], { cwd: parent }).code).toBe(0);
    return { parent, expected: contents(join(reference, 'zk')), old: contents(join(parent, 'zk')) };
  }

  const killAt = (op: string, nth: number, cwd: string) =>
    spawnSync(process.execPath, ['-r', preload, CLI, 'new.json', '--out', 'zk', '--stopped'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, ZKGEN_TEST_CRASH_AT: `${op}:${nth}` },
    });

  it.each([
    ['writing the staging folder', 'writeFileSync', 4, 'old'],
    ['just before the old bundle is moved aside', 'renameSync', 1, 'old'],
    ['between the two renames', 'renameSync', 2, 'none'],
    // unlinkSync 1 is the run's lock being made; 2 is the first file of the old bundle.
    ['before removing the old bundle', 'unlinkSync', 2, 'new'],
  ] as const)('killed %s: DIR is one bundle whole (or none), and the next run writes the new one', (_, op, nth, state) => {
    const { parent, expected, old } = project();
    const killed = killAt(op, nth, parent);
    expect(killed.signal).toBe('SIGKILL');
    const dir = join(parent, 'zk');
    if (state === 'none') {
      // The one moment DIR does not exist: both bundles are whole in the run's folder beside it.
      expect(existsSync(dir)).toBe(false);
      const [work] = workFolders(parent, dir);
      expect(contents(join(parent, work!, 'old'))).toEqual(old);
      expect(contents(join(parent, work!, 'new'))).toEqual(expected);
    } else {
      expect(contents(dir)).toEqual(state === 'old' ? old : expected);
    }
    const again = runCli(['new.json', '--out', 'zk', '--stopped'], { cwd: parent });
    expect(again).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(contents(dir)).toEqual(expected);
    // The killed run's lock and work folder are gone: their owner provably is.
    expect(readdirSync(parent).sort()).toEqual(['new.json', 'old.json', 'zk']);
    expect(runCli(['new.json', '--out', 'zk', '--check'], { cwd: parent }).code).toBe(0);
  });
});
