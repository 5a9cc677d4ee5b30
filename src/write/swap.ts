// The bundle on disk: written whole or not at all, and never at the cost of a file zkgen did not
// write. The bundle is written into a staging folder beside DIR and swapped into place, under the
// lock (lock.ts), only when DIR is zkgen's by its manifest (ownership.ts). Only the CLI calls this;
// the core never touches the file system.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, lstatSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { MANIFEST, modeOf, type GeneratedFile } from '../model.js';
import { InterruptedError, IoError, RefusedError } from './errors.js';
import { isGone, isSelf, leftoverOf, lock, ownerTag, self } from './lock.js';
import { lstatOrUndefined } from './fs.js';
import { firstForeign, ForeignError, NOTHING, ownershipOf, refuseForeign } from './ownership.js';

// --- Where DIR is, and whether it may be replaced. --------------------------------------------------

function mountPoints(): Set<string> {
  try {
    // Field 5 of each line is the mount point, with spaces and such as octal escapes (a line
    // without one, like the empty last, names none).
    return new Set(
      readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .flatMap((line) => line.split(' ').slice(4, 5))
        .map((field) => field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))),
    );
  } catch {
    return new Set();
  }
}

const mountRefusal = (dirArg: string) =>
  new RefusedError(`--out ${dirArg}: ${dirArg} is a mount point, which cannot be swapped for a new folder: use a folder inside it (--out ${join(dirArg, 'zk')})`);

interface Target {
  /** DIR with every symbolic link resolved: the folder that is swapped. */
  readonly dir: string;
  readonly exists: boolean;
}

/**
 * Where the bundle goes, or a refusal. DIR given as a symbolic link means the folder it points to:
 * that folder is replaced, the link stays as it is.
 */
function targetOf(dirArg: string): Target {
  if (dirArg === '') throw new RefusedError('--out needs a folder: "" names none');
  let dir = resolve(dirArg);
  let stat: Stats | undefined;
  try {
    stat = lstatOrUndefined(dir);
  } catch (error) {
    throw new IoError(dirArg, dir, error);
  }
  if (stat?.isSymbolicLink()) {
    try {
      dir = realpathSync(dir);
    } catch {
      throw new RefusedError(`--out ${dirArg}: ${dirArg} is a symbolic link to nothing: make the folder it points to, or give another`);
    }
    stat = lstatSync(dir);
  }
  if (dirname(dir) === dir) throw new RefusedError(`--out ${dirArg}: the root folder cannot be replaced: choose a folder inside it`);
  if (stat === undefined) return { dir, exists: false };
  if (!stat.isDirectory()) throw new RefusedError(`--out ${dirArg}: ${dirArg} exists and is not a folder`);
  if (stat.dev !== statSync(dirname(dir)).dev || mountPoints().has(dir)) throw mountRefusal(dirArg);
  const foreign = firstForeign(dir);
  if (foreign) refuseForeign(dirArg, dir, foreign);
  // Swapped away, the current folder would be a removed one under the shell that ran zkgen.
  const cwd = (() => {
    try {
      return realpathSync(process.cwd());
    } catch {
      return '';
    }
  })();
  if (cwd === dir || cwd.startsWith(dir + sep)) {
    throw new RefusedError(`--out ${dirArg}: ${dirArg} holds the current folder, which the swap would leave removed under your shell: run zkgen from outside it`);
  }
  return { dir, exists: true };
}

// --- Writing. -----------------------------------------------------------------------------------------

/** The file-system calls that writeBundle makes once it holds the lock: a seam for tests. */
export interface BundleFs {
  mkdirSync(path: string, options?: { recursive?: boolean }): unknown;
  writeFileSync(path: string, data: string, options: { mode: number }): void;
  chmodSync(path: string, mode: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  rmdirSync(path: string): void;
}

const nodeFs: BundleFs = { mkdirSync, writeFileSync, chmodSync, renameSync, unlinkSync, rmdirSync };

/**
 * Removes from `root` the regular files `owns` names and then every folder left empty, root last;
 * anything else stays (and so does every folder holding it). Never follows a link. True when root is gone.
 */
function removeOwned(io: BundleFs, root: string, owns: (path: string) => boolean, prefix = ''): boolean {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  for (const entry of entries) {
    const path = prefix + entry.name;
    if (entry.isDirectory()) removeOwned(io, join(root, entry.name), owns, `${path}/`);
    else if (entry.isFile() && owns(path)) io.unlinkSync(join(root, entry.name));
  }
  try {
    io.rmdirSync(root);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * What zkgen wrote in a work folder: in new/, what its manifest lists (written first, so a run killed
 * while writing left a manifest of all it could have written); in old/, the previous bundle, as its
 * manifest lists it or as a bundle without one could hold it.
 */
function workOwns(work: string): (path: string) => boolean {
  const sides = new Map(
    ['new', 'old'].map((side) => {
      const folder = join(work, side);
      return [side, lstatOrUndefined(folder)?.isDirectory() ? ownershipOf(folder, 'shape') : NOTHING] as const;
    }),
  );
  return (path) => {
    const slash = path.indexOf('/');
    return slash > 0 && (sides.get(path.slice(0, slash))?.file(path.slice(slash + 1)) ?? false);
  };
}

/** Removes what runs that are provably gone left beside DIR: their work folders, lock files being made or taken over. */
function removeLeftovers(io: BundleFs, parent: string, name: string): void {
  for (const entry of readdirSync(parent)) {
    const leftover = leftoverOf(name, entry);
    // This process's own, made by an earlier call that has ended (the lock keeps calls apart).
    if (!leftover || !(isSelf(leftover.owner) || isGone(leftover.owner))) continue;
    const path = join(parent, entry);
    const stat = lstatOrUndefined(path);
    if (leftover.kind === 'work' && stat?.isDirectory()) removeOwned(io, path, workOwns(path));
    else if (leftover.kind === 'file' && stat?.isFile()) io.unlinkSync(path);
  }
}

export interface WriteOptions {
  fs?: Partial<BundleFs>;
  /** Aborted on SIGINT/SIGTERM: the run stops before the swap, leaving DIR as it was. */
  signal?: AbortSignal;
  /** How long to wait for another run's lock on DIR. */
  lockWaitMs?: number;
}

const tick = () => new Promise((r) => setImmediate(r));

/**
 * Writes the bundle into a fresh folder beside DIR, then swaps it into place, so DIR holds either
 * the old bundle or the new one, never half of each. DIR must be zkgen's (see above): anything else
 * is refused before anything is made.
 *
 * Beside DIR, a run holds the lock `.<name>.zkgen-lock` and works in a folder of its own,
 * `.<name>.zkgen-<pid>-<start time>-XXXXXX`: new/ is the bundle being written, and old/ receives
 * DIR's previous bundle for the moment between the two renames. The folder is removed when the run
 * ends (only the files zkgen wrote, then the folders left empty), unless the previous bundle could
 * not be put back into DIR: then it is the only copy, and stays. A later run removes what runs
 * that are provably gone left behind.
 */
export async function writeBundle(dirArg: string, files: readonly GeneratedFile[], options: WriteOptions = {}): Promise<void> {
  const made: MadeFolders = {};
  try {
    await writeBundleBeside(dirArg, files, options, made);
  } catch (error) {
    removeMadeFolders(made);
    throw error;
  }
}

/** The folders above DIR a run made (the first of them, and DIR's parent), to remove when it fails. */
interface MadeFolders {
  first?: string;
  parent?: string;
}

/**
 * A run that fails or is stopped leaves nothing it made: the folders it made above DIR go too, from
 * DIR's parent up to the first it made, each only while empty (another run may be using it).
 */
function removeMadeFolders({ first, parent }: MadeFolders): void {
  if (first === undefined || parent === undefined) return;
  for (let folder = parent; ; folder = dirname(folder)) {
    try {
      rmdirSync(folder);
    } catch {
      return;
    }
    if (folder === first || dirname(folder) === folder) return;
  }
}

async function writeBundleBeside(dirArg: string, files: readonly GeneratedFile[], options: WriteOptions, made: MadeFolders): Promise<void> {
  const io: BundleFs = { ...nodeFs, ...options.fs };
  const manifest = files.find((f) => f.path === MANIFEST);
  if (!manifest) throw new Error(`zkgen bug: a bundle without its ${MANIFEST}`);
  // A first judgement, so that a refusal makes nothing at all. Another run may be swapping DIR
  // this very moment (a folder vanishing under the walk, a manifest of one bundle and the files of
  // the next): so a folder found not zkgen's is judged again under the lock, which decides.
  let first: Target;
  let early: ForeignError | undefined;
  try {
    first = targetOf(dirArg);
  } catch (error) {
    if (error instanceof ForeignError) early = error;
    else if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    first = { dir: early?.dir ?? resolve(dirArg), exists: true };
  }
  const parent = dirname(first.dir);
  const name = basename(first.dir);
  // What a failed step throws: zkgen's own answers and what is no system error as they are, a
  // system error as one line.
  const asIoError = (error: unknown): unknown => {
    if (error instanceof RefusedError || error instanceof InterruptedError || error instanceof IoError) return error;
    if (!(error as NodeJS.ErrnoException).code) return error;
    return new IoError(dirArg, first.dir, error);
  };
  const guard = <T>(step: () => T): T => {
    try {
      return step();
    } catch (error) {
      throw asIoError(error);
    }
  };
  let unlock: () => void;
  try {
    made.parent = parent;
    made.first = guard(() => mkdirSync(parent, { recursive: true }));
    unlock = await lock(dirArg, parent, name, options.lockWaitMs ?? 30_000, options.signal);
  } catch (error) {
    // No lock to be had (a folder one may not write beside, say): the first judgement stands.
    if (early && !(error instanceof RefusedError) && !(error instanceof InterruptedError)) throw early;
    if ((error as NodeJS.ErrnoException).code) throw new IoError(dirArg, first.dir, error);
    throw error;
  }
  try {
    guard(() => removeLeftovers(io, parent, name));
    // Judged again now that no other run can change DIR: one may have just written or removed it.
    const { dir, exists } = guard(() => targetOf(dirArg));
    if (dirname(dir) !== parent) throw new RefusedError(`--out ${dirArg}: ${dirArg} was changed to point elsewhere while zkgen waited: run it again`);
    const work = guard(() => mkdtempSync(join(parent, `.${name}.zkgen-${ownerTag(self())}-`)));
    const staging = join(work, 'new');
    const previous = join(work, 'old');
    let previousOnlyInWork = false;
    let swapped = false;
    try {
      guard(() => io.mkdirSync(staging));
      // The manifest first: whatever a killed run left in new/ is listed in it.
      for (const f of [manifest, ...files.filter((g) => g !== manifest)]) {
        const target = join(staging, f.path);
        guard(() => io.mkdirSync(dirname(target), { recursive: true }));
        guard(() => io.writeFileSync(target, f.content, { mode: modeOf(f) }));
        // The umask narrows the mode a file is created with: set it as zkgen gives it.
        guard(() => io.chmodSync(target, modeOf(f)));
        await tick(); // lets SIGINT/SIGTERM be heard
        if (options.signal?.aborted) throw new InterruptedError();
      }
      if (exists) {
        try {
          io.renameSync(dir, previous);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EBUSY' || code === 'EXDEV') throw mountRefusal(dirArg);
          throw asIoError(error);
        }
        // Whatever was added to DIR between the check and the rename goes back with it, untouched.
        const foreign = guard(() => firstForeign(previous));
        if (foreign) {
          previousOnlyInWork = true;
          guard(() => io.renameSync(previous, dir));
          previousOnlyInWork = false;
          refuseForeign(dirArg, dir, foreign);
        }
      }
      try {
        io.renameSync(staging, dir);
        swapped = true;
      } catch (error) {
        if (exists) {
          previousOnlyInWork = true;
          guard(() => io.renameSync(previous, dir));
          previousOnlyInWork = false;
        }
        guard(() => {
          throw error;
        });
      }
    } finally {
      if (swapped) {
        // The new bundle is in place: a failure to remove the old one does not undo that, and what
        // is left is removed by a later run.
        try {
          removeOwned(io, work, workOwns(work));
        } catch {
          // left for a later run
        }
      } else if (!previousOnlyInWork) {
        guard(() => removeOwned(io, work, workOwns(work)));
      }
    }
  } finally {
    unlock();
  }
}
