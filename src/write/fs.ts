// Reading a folder zkgen may not trust: stat without following links, read only regular files,
// and one order of paths, for swap, check, the lock and ownership alike.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, type Stats } from 'node:fs';

/** Paths in code-unit order, the same on every machine and locale. */
export const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What is at `path`, without following a link there; undefined when nothing is. */
export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The text of a regular file, or undefined when `path` is anything else. Opened without following a
 * link and without blocking, then checked, so a FIFO put there after an lstat still never hangs zkgen.
 */
export function readRegular(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENXIO') return undefined;
    throw error;
  }
  try {
    return fstatSync(fd).isFile() ? readFileSync(fd, 'utf8') : undefined;
  } finally {
    closeSync(fd);
  }
}
