// Property tests of --out, seeded like test/property.test.ts (ZKGEN_PROPERTY_SEED,
// ZKGEN_PROPERTY_RUNS): random trees of files that are not zkgen's — above DIR, beside it, inside
// it and deeper in it, as files, folders, links and FIFOs — random valid ensembles, and random
// interruptions (SIGKILL of the real CLI at a random moment or at a random file-system call, and
// failures injected through the BundleFs seam). Whatever happens, every file not zkgen's is there
// byte for byte with its mode, DIR is the old bundle or the new one whole (or, for a run killed
// between its two renames, absent with the old bundle whole beside it), and once a later run has
// succeeded nothing of any run is left beside DIR.
import { spawnSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generate, type GeneratedFile } from '../src/index.js';
import { type BundleFs, writeBundle } from '../src/write/swap.js';

/** What zkgen names everything it makes beside DIR with. */
const workPrefix = (dir: string) => `.${basename(dir)}.zkgen-`;
import { CLI, tempDir } from './helpers.js';
import { contents, snapshot } from './tree.js';

const SEED = Number(process.env.ZKGEN_PROPERTY_SEED ?? 20261126);
const RUNS = Number(process.env.ZKGEN_PROPERTY_RUNS ?? 150);

const ensembleArb = fc.record({
  image: fc.constantFrom('garland/zookeeper:3.4.6', 'zookeeper:3.9.4', 'bitnami/zookeeper:3.9', 'confluentinc/cp-zookeeper:7.9.0'),
  servers: fc.integer({ min: 1, max: 7 }),
  ports: fc.record({ client: fc.constantFrom(2181, 12181) }),
});

type Where = 'above' | 'beside' | 'inside' | 'nested';
interface ForeignEntry {
  where: Where;
  name: string;
  kind: 'file' | 'folder' | 'link' | 'fifo';
  bytes: Uint8Array;
  mode: number;
  target: string;
}

const entryArb = fc.record({
  where: fc.constantFrom<Where>('above', 'beside', 'inside', 'nested'),
  // Names that look like zkgen's own beside DIR, but are not named by an owner.
  name: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,10}$/), fc.constantFrom('.zk.zkgen-new', '.zk.zkgen-XXXXXX', '.zk.zkgen-old-1-2', 'zk.bak')),
  kind: fc.constantFrom<ForeignEntry['kind']>('file', 'file', 'file', 'folder', 'link', 'fifo'),
  bytes: fc.uint8Array({ maxLength: 64 }),
  mode: fc.constantFrom(0o600, 0o644, 0o755, 0o400),
  target: fc.constantFrom('zk', 'zk/run.sh', '..', 'nowhere', 'zk/conf'),
});

// Runs whose DIR holds something not zkgen's are refused; one in five has such files, so that most
// runs go on and really write.
const intrudeArb = fc.constantFrom(false, false, false, false, true);

/**
 * Lays out root/ (above), root/p/ (beside DIR), root/p/zk (DIR, holding the old bundle) and the
 * foreign entries (those inside DIR only when `intrude`).
 */
function layOut(entries: ForeignEntry[], old: GeneratedFile[] | undefined, intrude: boolean): { root: string; parent: string; dir: string; foreign: string[] } {
  const root = tempDir('bundle-property');
  const parent = join(root, 'p');
  const dir = join(parent, 'zk');
  mkdirSync(parent);
  if (old) {
    mkdirSync(dir);
    for (const f of old) {
      mkdirSync(join(dir, f.path, '..'), { recursive: true });
      writeFileSync(join(dir, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
    }
  }
  const foreign: string[] = [];
  for (const e of entries) {
    if (!intrude && (e.where === 'inside' || e.where === 'nested')) continue;
    const base = { above: root, beside: parent, inside: dir, nested: join(dir, 'conf') }[e.where];
    const name = e.where === 'inside' || e.where === 'nested' ? `u-${e.name}` : e.name;
    if (name === 'p' || name === 'zk' || name === '.' || name === '..' || !existsSync(base)) continue;
    const path = join(base, name);
    if (existsSync(path) || foreign.includes(path)) continue;
    if (e.kind === 'file') {
      writeFileSync(path, e.bytes);
      chmodSync(path, e.mode);
    } else if (e.kind === 'folder') {
      mkdirSync(path);
      writeFileSync(join(path, 'inner'), e.bytes);
    } else if (e.kind === 'link') {
      symlinkSync(e.target, path);
    } else if (spawnSync('mkfifo', [path]).status !== 0) {
      continue;
    }
    foreign.push(path);
  }
  return { root, parent, dir, foreign };
}

/** Every foreign entry as it is on disk (a folder with what it holds). */
function foreignState(foreign: string[]): Record<string, unknown> {
  return Object.fromEntries(
    foreign.map((path): [string, unknown] => {
      const stat = nodeFs.lstatSync(path);
      if (stat.isDirectory()) return [path, snapshot(path)];
      if (stat.isSymbolicLink()) return [path, `link -> ${nodeFs.readlinkSync(path)}`];
      if (!stat.isFile()) return [path, `special ${stat.mode.toString(8)}`];
      return [path, `${stat.mode.toString(8)} ${nodeFs.readFileSync(path, 'base64')}`];
    }),
  );
}

function filesOf(ensemble: unknown): GeneratedFile[] | undefined {
  const outcome = generate(ensemble);
  return outcome.ok ? outcome.files : undefined;
}

const asTree = (files: GeneratedFile[]) => {
  const parent = tempDir('bundle-property-ref');
  for (const f of files) {
    mkdirSync(join(parent, f.path, '..'), { recursive: true });
    writeFileSync(join(parent, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  return contents(parent);
};

/** Entries beside DIR that zkgen made (and did not remove), leaving out foreign ones named like them. */
const ownLeftovers = (parent: string, dir: string, foreign: string[]) =>
  readdirSync(parent).filter((n) => n.startsWith(workPrefix(dir)) && !foreign.includes(join(parent, n)));

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
