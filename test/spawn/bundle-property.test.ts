// SIGKILL of the real CLI (the built bin, as a process) at a random moment or at a random
// file-system call, over random trees of files that are not zkgen's (test/foreign-trees.ts): every
// file not zkgen's is there byte for byte with its mode, DIR is the old bundle or the new one whole
// (or, for a run killed between its two renames, absent with the old bundle whole beside it), and
// once a later run has succeeded nothing of any run is left beside DIR. Seeded and sized like the
// other property tests (ZKGEN_PROPERTY_SEED, ZKGEN_PROPERTY_RUNS).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asTree, ensembleArb, entryArb, filesOf, foreignState, intrudeArb, layOut, ownLeftovers } from '../foreign-trees.js';
import { CLI, PROPERTY_RUNS, tempDir } from '../helpers.js';
import { contents } from '../tree.js';

const SEED = Number(process.env.ZKGEN_PROPERTY_SEED ?? 20261126);
const RUNS = PROPERTY_RUNS;

describe('--out over random trees of files not zkgen’s, killed', () => {
  it('SIGKILL of the real CLI at a random moment or call: foreign files intact, DIR old or new, nothing left once a run succeeds', () => {
    const preloadDir = tempDir('bundle-property-kill');
    const preload = join(preloadDir, 'kill.cjs');
    writeFileSync(
      preload,
      `const fs = require('node:fs');
const spec = process.env.ZKGEN_TEST_KILL_AT;
if (spec) {
  const [op, nth] = spec.split(':');
  const real = fs[op];
  let calls = 0;
  fs[op] = function (...args) {
    if (++calls === Number(nth)) process.kill(process.pid, 'SIGKILL');
    return real.apply(this, args);
  };
}
`,
    );
    const killArb = fc.oneof(
      fc.record({ at: fc.constantFrom('writeFileSync', 'mkdirSync', 'renameSync', 'unlinkSync', 'rmdirSync', 'linkSync', 'mkdtempSync'), nth: fc.integer({ min: 1, max: 16 }) }),
      fc.record({ ms: fc.integer({ min: 30, max: 400 }) }),
    );
    let wrote = 0;
    let killed = 0;
    fc.assert(
      fc.property(ensembleArb, ensembleArb, fc.array(entryArb, { maxLength: 6 }), killArb, intrudeArb, (oldEnsemble, newEnsemble, entries, kill, intrude) => {
        const old = filesOf(oldEnsemble);
        const next = filesOf(newEnsemble);
        if (!old || !next) return;
        const { root, parent, dir, foreign } = layOut(entries, old, intrude);
        writeFileSync(join(root, 'e.json'), JSON.stringify(newEnsemble));
        foreign.push(join(root, 'e.json'));
        const before = foreignState(foreign);
        const oldTree = contents(dir);
        const newTree = asTree(next);
        const run = (env: Record<string, string>, timeout?: number) =>
          spawnSync(process.execPath, ['-r', preload, CLI, '../e.json', '--out', 'zk', '--stopped'], {
            cwd: parent,
            encoding: 'utf8',
            env: { ...process.env, ...env },
            ...(timeout !== undefined && { timeout, killSignal: 'SIGKILL' as const }),
          });
        const first = 'ms' in kill ? run({}, kill.ms) : run({ ZKGEN_TEST_KILL_AT: `${kill.at}:${kill.nth}` });
        if (first.signal === 'SIGKILL') killed++;
        expect(first.stderr).not.toMatch(/internal error|\n\s+at /);
        expect(foreignState(foreign)).toEqual(before);
        if (existsSync(dir)) {
          expect([oldTree, newTree]).toContainEqual(contents(dir));
        } else {
          // Killed between the two renames: the old bundle is whole in the run's work folder.
          const works = ownLeftovers(parent, dir, foreign).filter((n) => existsSync(join(parent, n, 'old')));
          expect(works.map((n) => contents(join(parent, n, 'old')))).toContainEqual(oldTree);
        }
        const again = run({});
        expect(foreignState(foreign)).toEqual(before);
        if (again.status === 0) {
          wrote++;
          expect(contents(dir)).toEqual(newTree);
          expect(ownLeftovers(parent, dir, foreign)).toEqual([]);
        } else {
          expect(again.status).toBe(2);
          expect(again.stderr.split('\n').filter(Boolean).at(-1)).toMatch(/^zkgen: --out zk: zk\/\S+ is not zkgen's \(.*\): refusing/);
          expect(contents(dir)).toEqual(oldTree);
        }
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 6), endOnFailure: true },
    );
    // Most runs really wrote, and many were really killed partway.
    expect(wrote).toBeGreaterThan(RUNS / 6 / 2);
    expect(killed).toBeGreaterThan(RUNS / 6 / 5);
  }, 480_000);
});
