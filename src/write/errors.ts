// What writing a bundle answers when it cannot: a refusal (nothing touched), an interruption by a
// signal before the swap, and an I/O failure said in one line. The CLI turns each into its exit status.
import { lstatSync } from 'node:fs';
import { dirname, relative } from 'node:path';

/** A refusal: one line, exit 2, and nothing touched. */
export class RefusedError extends Error {}
/** SIGINT or SIGTERM came before the new bundle was being swapped in: nothing was changed. */
export class InterruptedError extends Error {}

// --- Clean one-line answers for I/O failures. ---------------------------------------------------------

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  ENOENT: 'a folder on the way is missing',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  ENAMETOOLONG: 'a name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};

/** An I/O failure, said in one line without the raw `ECODE: …, syscall 'path'` text. */
export class IoError extends Error {
  constructor(dirArg: string, dir: string, error: unknown) {
    super(`cannot write ${dirArg}: ${IoError.why(dirArg, dir, error)}`);
  }

  private static why(dirArg: string, dir: string, error: unknown): string {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      // Some folder on the way to DIR is a file.
      for (let at = dirname(dir); dirname(at) !== at; at = dirname(at)) {
        const stat = (() => {
          try {
            return lstatSync(at);
          } catch {
            return undefined;
          }
        })();
        if (stat && !stat.isDirectory()) {
          const name = dirArg.startsWith('/') ? at : relative(process.cwd(), at);
          return `a file stands where the folder ${name} should be`;
        }
      }
    }
    if (code === 'EBUSY' || code === 'EXDEV') return `${dirArg} is a mount point, which cannot be swapped for a new folder: use a folder inside it`;
    if (code) return ERRNO_TEXT[code] ?? code;
    return firstLine((error as Error).message);
  }
}

/** The first line of a message: Node's own may go on with a stack or the command that failed. */
const firstLine = (text: string): string => text.split('\n', 1)[0] ?? '';
