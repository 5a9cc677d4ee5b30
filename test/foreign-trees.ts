// Random trees of files that are not zkgen's — above DIR, beside it, inside it and deeper in it, as
// files, folders, links and FIFOs — and random valid ensembles, for the property tests of --out
// (test/bundle-property.test.ts in-process, test/spawn/bundle-property.test.ts with the real CLI).
import { spawnSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { generate, type GeneratedFile } from '../src/index.js';
import { tempDir, workPrefix } from './helpers.js';
import { contents, snapshot } from './tree.js';

export const ensembleArb = fc.record({
  image: fc.constantFrom('garland/zookeeper:3.4.6', 'zookeeper:3.9.4', 'bitnami/zookeeper:3.9', 'confluentinc/cp-zookeeper:7.9.0'),
  servers: fc.integer({ min: 1, max: 7 }),
  ports: fc.record({ client: fc.constantFrom(2181, 12181) }),
});

type Where = 'above' | 'beside' | 'inside' | 'nested';
export interface ForeignEntry {
  where: Where;
  name: string;
  kind: 'file' | 'folder' | 'link' | 'fifo';
  bytes: Uint8Array;
  mode: number;
  target: string;
}

export const entryArb = fc.record({
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
export const intrudeArb = fc.constantFrom(false, false, false, false, true);

/**
 * Lays out root/ (above), root/p/ (beside DIR), root/p/zk (DIR, holding the old bundle) and the
 * foreign entries (those inside DIR only when `intrude`).
 */
export function layOut(entries: ForeignEntry[], old: GeneratedFile[] | undefined, intrude: boolean): { root: string; parent: string; dir: string; foreign: string[] } {
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
export function foreignState(foreign: string[]): Record<string, unknown> {
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

export function filesOf(ensemble: unknown): GeneratedFile[] | undefined {
  const outcome = generate(ensemble);
  return outcome.ok ? outcome.files : undefined;
}

export const asTree = (files: GeneratedFile[]) => {
  const parent = tempDir('bundle-property-ref');
  for (const f of files) {
    mkdirSync(join(parent, f.path, '..'), { recursive: true });
    writeFileSync(join(parent, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  return contents(parent);
};

/** Entries beside DIR that zkgen made (and did not remove), leaving out foreign ones named like them. */
export const ownLeftovers = (parent: string, dir: string, foreign: string[]) =>
  readdirSync(parent).filter((n) => n.startsWith(workPrefix(dir)) && !foreign.includes(join(parent, n)));
