// Property tests of --out, seeded and sized like test/property.test.ts (ZKGEN_PROPERTY_SEED,
// ZKGEN_PROPERTY_RUNS): random trees of files that are not zkgen's (test/foreign-trees.ts), random
// valid ensembles, and failures injected at a random file-system call through the BundleFs seam.
// Whatever happens, every file not zkgen's is there byte for byte with its mode, DIR is the old
// bundle or the new one whole, and once a later run has succeeded nothing of any run is left beside
// DIR. SIGKILL of the real CLI is test/spawn/bundle-property.test.ts.
import * as nodeFs from 'node:fs';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BundleFs, writeBundle } from '../src/write/swap.js';
import { asTree, ensembleArb, entryArb, filesOf, foreignState, intrudeArb, layOut, ownLeftovers } from './foreign-trees.js';
import { PROPERTY_RUNS } from './helpers.js';
import { contents } from './tree.js';

const SEED = Number(process.env.ZKGEN_PROPERTY_SEED ?? 20261126);
const RUNS = PROPERTY_RUNS;

describe('--out over random trees of files not zkgen’s', () => {
  it('injected failures at any call: foreign files intact, DIR old or new, nothing left once a run succeeds', async () => {
    let wrote = 0;
    const ops: Array<keyof BundleFs> = ['mkdirSync', 'writeFileSync', 'renameSync', 'unlinkSync', 'rmdirSync'];
    await fc.assert(
      fc.asyncProperty(
        ensembleArb,
        ensembleArb,
        fc.array(entryArb, { maxLength: 8 }),
        fc.constantFrom(...ops),
        fc.integer({ min: 1, max: 20 }),
        fc.boolean(),
        intrudeArb,
        async (oldEnsemble, newEnsemble, entries, op, nth, hasOld, intrude) => {
          const old = filesOf(oldEnsemble);
          const next = filesOf(newEnsemble);
          if (!old || !next) return;
          const { parent, dir, foreign } = layOut(entries, hasOld ? old : undefined, intrude);
          const before = foreignState(foreign);
          const oldTree = hasOld ? contents(dir) : undefined;
          let calls = 0;
          const failing = (...args: unknown[]) => {
            if (++calls === nth) throw new Error('injected');
            return (nodeFs[op] as (...a: unknown[]) => unknown)(...args);
          };
          await writeBundle(dir, next, { fs: { [op]: failing } }).catch(() => undefined);
          expect(foreignState(foreign)).toEqual(before);
          const now = existsSync(dir) ? contents(dir) : undefined;
          expect([oldTree, asTree(next)]).toContainEqual(now);
          // A clean run: written unless DIR holds something not zkgen's.
          const clean = await writeBundle(dir, next).then(
            () => true,
            () => false,
          );
          expect(foreignState(foreign)).toEqual(before);
          if (clean) {
            wrote++;
            expect(contents(dir)).toEqual(asTree(next));
            expect(ownLeftovers(parent, dir, foreign)).toEqual([]);
          } else {
            expect(foreign.some((p) => p.startsWith(`${dir}/`))).toBe(true);
          }
        },
      ),
      { seed: SEED, numRuns: Math.ceil(RUNS / 2), endOnFailure: true },
    );
    expect(wrote).toBeGreaterThan(RUNS / 2 / 2);
  }, 240_000);
});
