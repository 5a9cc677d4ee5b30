// The lock beside DIR: one run at a time replaces DIR. Everything a run makes beside DIR carries its
// owner (pid and start time) in its name, so that what a killed run leaves behind is recognised and
// removed by a later run once that owner is provably gone.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InterruptedError, RefusedError } from './errors.js';
import { readRegular } from './fs.js';

// --- Owners: a process, told apart from a later one that reuses its pid by its start time. -------

interface Owner {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot); "0" where there is no /proc. */
  readonly start: string;
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let me: Owner | undefined;
export const self = (): Owner => (me ??= { pid: process.pid, start: startTimeOf(process.pid) ?? '0' });
export const isSelf = (o: Owner) => o.pid === self().pid && o.start === self().start;

/** True only when the owner has certainly exited: no such process, or another one under its pid. */
export function isGone(owner: Owner): boolean {
  if (isSelf(owner)) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  if (owner.start === '0') return false;
  const now = startTimeOf(owner.pid);
  return now !== undefined && now !== owner.start;
}

// --- Names beside DIR. Everything a run makes beside DIR carries its owner in its name, so that
// what a killed run leaves behind is recognised and removed by a later run once that owner is gone.

const lockName = (name: string) => `.${name}.zkgen-lock`;
export const ownerTag = (o: Owner) => `${o.pid}-${o.start}`;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A name zkgen gives beside DIR `name`, and the owner it records: work folders, lock files being made or taken over. */
export function leftoverOf(name: string, entry: string): { owner: Owner; kind: 'work' | 'file' } | undefined {
  const [, lock, pid, start, suffix] = new RegExp(`^${escapeRegExp(`.${name}.zkgen-`)}(?:(lock|stale)-)?(\\d+)-(\\d+)(-[A-Za-z0-9]{6})?$`).exec(entry) ?? [];
  // A work folder has the random suffix and no lock word; a lock file the word and no suffix.
  if (pid === undefined || start === undefined || (lock === undefined) === (suffix === undefined)) return undefined;
  return { owner: { pid: Number(pid), start }, kind: lock === undefined ? 'work' : 'file' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ownerIn(path: string): Owner | undefined {
  try {
    const [, pid, start] = /^(\d+) (\d+)\n$/.exec(readRegular(path) ?? '') ?? [];
    return pid === undefined || start === undefined ? undefined : { pid: Number(pid), start };
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock `.<name>.zkgen-lock` beside DIR, holding the owner's pid and start time. It is
 * written under a name of its own first and then hard-linked into place, which fails like O_EXCL
 * when the lock exists, so the lock is never seen half-written. A lock whose owner is provably gone
 * is taken over; a live one is waited for, up to `waitMs`.
 */
export async function lock(dirArg: string, parent: string, name: string, waitMs: number, signal?: AbortSignal): Promise<() => void> {
  const path = join(parent, lockName(name));
  const mine = join(parent, `.${name}.zkgen-lock-${ownerTag(self())}`);
  const content = `${self().pid} ${self().start}\n`;
  writeFileSync(mine, content, { mode: 0o644 });
  const deadline = Date.now() + waitMs;
  try {
    for (;;) {
      try {
        linkSync(mine, path);
        return () => {
          const holder = ownerIn(path);
          if (holder && isSelf(holder)) unlinkSync(path);
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = ownerIn(path);
      if (holder && isGone(holder)) {
        takeOver(path, join(parent, `.${name}.zkgen-stale-${ownerTag(self())}`), holder);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new RefusedError(
          `--out ${dirArg}: another zkgen run (pid ${holder?.pid ?? 'unknown'}) is writing ${dirArg}; waited ${Math.round(waitMs / 1000)} s: try again once it is done`,
        );
      }
      await sleep(10 + Math.floor(Math.random() * 20));
      if (signal?.aborted) throw new InterruptedError();
    }
  } finally {
    unlinkSync(mine);
  }
}

/** Removes a lock whose owner is gone; a lock another run took meanwhile is put back. */
function takeOver(path: string, aside: string, gone: Owner): void {
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = ownerIn(aside);
  if (!(moved?.pid === gone.pid && moved.start === gone.start)) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone holds the lock again already; the one moved aside is its owner's to notice.
    }
  }
  unlinkSync(aside);
}
