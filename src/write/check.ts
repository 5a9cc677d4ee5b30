// --check: how DIR differs from the bundle zkgen would write, without writing or opening anything
// but regular files.
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { modeOf, type GeneratedFile } from '../model.js';
import { byPath, lstatOrUndefined, readRegular } from './fs.js';
import { foreignIn, fromManifest, ownershipOf, type Ownership } from './ownership.js';

export type Finding = { path: string; kind: 'stale' } | { path: string; kind: 'foreign'; why: string };

/**
 * How DIR differs from the bundle, without writing or opening anything but regular files: 'missing'
 * (no DIR), 'not a folder', or each path that is stale (changed, missing, with another mode than
 * zkgen gives it, or zkgen's but no longer written) or not zkgen's, sorted.
 */
export function compareBundle(dirArg: string, files: readonly GeneratedFile[]): 'missing' | 'not a folder' | Finding[] {
  const dir = resolve(dirArg);
  let stat: Stats;
  try {
    stat = statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  if (!stat.isDirectory()) return 'not a folder';
  const wanted = new Map(files.map((f) => [f.path, f]));
  const bundle = fromManifest(new Set(wanted.keys()));
  const before = ownershipOf(dir, 'marked');
  const own: Ownership = { file: (p) => bundle.file(p) || before.file(p), folder: (p) => bundle.folder(p) || before.folder(p) };
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const f of foreignIn(dir, own)) {
    // A path the bundle has, but not as a regular file: never opened, named once.
    seen.add(f.path);
    findings.push({ path: f.path, kind: 'foreign', why: f.why });
  }
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = prefix + entry.name;
      if (entry.isDirectory() && own.folder(path)) walk(join(folder, entry.name), `${path}/`);
      else if (entry.isFile() && !wanted.has(path) && before.file(path)) findings.push({ path, kind: 'stale' });
    }
  };
  walk(dir, '');
  for (const f of files) {
    if (seen.has(f.path)) continue;
    const target = join(dir, f.path);
    const s = lstatOrUndefined(target);
    if (!s?.isFile()) {
      if (s === undefined || s.isDirectory()) findings.push({ path: f.path, kind: 'stale' });
      continue;
    }
    if ((s.mode & 0o7777) !== modeOf(f) || readRegular(target) !== f.content) findings.push({ path: f.path, kind: 'stale' });
  }
  return findings.sort((a, b) => byPath(a.path, b.path));
}

// Kept for tests that only want the names.
