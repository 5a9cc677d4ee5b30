// What "unchanged" means for a folder on disk: every entry, its kind, mode, bytes and time.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every file and folder under dir, with its bytes, mode and modification time; links and other
 * non-regular files by their kind (a link by its target), never opened.
 */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string, prefix: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(at, entry.name);
      const stat = lstatSync(path, { bigint: true });
      if (entry.isSymbolicLink()) {
        out[`${prefix}${entry.name}`] = `link -> ${readlinkSync(path)}`;
      } else if (!entry.isDirectory() && !entry.isFile()) {
        out[`${prefix}${entry.name}`] = `special mode ${(stat.mode & 0o170777n).toString(8)} mtime ${stat.mtimeNs}`;
      } else if (entry.isDirectory()) {
        out[`${prefix}${entry.name}/`] = `mode ${(stat.mode & 0o7777n).toString(8)}`;
        walk(path, `${prefix}${entry.name}/`);
      } else {
        out[`${prefix}${entry.name}`] = `mode ${(stat.mode & 0o7777n).toString(8)} mtime ${stat.mtimeNs} ${readFileSync(path, 'base64')}`;
      }
    }
  };
  walk(dir, '');
  return out;
}

/** The files and their bytes only (for comparing a bundle with one written elsewhere). */
export function contents(dir: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(snapshot(dir)).map(([path, line]) => [path, line.replace(/ mtime \d+/, '')]),
  );
}

