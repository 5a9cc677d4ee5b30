// The machine-wide e2e lock: one run at a time of anything that uses the fixed loopback ports and
// a private Docker engine (the e2e suites through test/e2e/setup.ts, scripts/bench-backup.mjs).
// LOCK is a folder holding its owner's pid: mkdir is atomic, and a holder that died is seen (its
// pid is gone) and taken over. Plain JavaScript so that Node runs it without a build; the types are
// in run-lock.d.mts.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCK = '/tmp/zkgen-e2e.lock';

/** Whether a process of that pid exists and is not a zombie (Linux). */
export function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The pid a file holds, or undefined when it is missing or holds no pid. */
export function readPid(file) {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes `lock` (LOCK unless a test gives another folder), waiting up to `timeoutMs` for a live
 * owner and taking it over from a dead one. Resolves to the function that releases it; `say` tells
 * what it waits for.
 */
export async function acquireRunLock(timeoutMs, say, lock = LOCK) {
  const since = performance.now();
  const deadline = since + timeoutMs;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), `${process.pid}\n`);
      return () => {
        if (readPid(join(lock, 'pid')) === process.pid) rmSync(lock, { recursive: true, force: true });
      };
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = readPid(join(lock, 'pid'));
    if (holder !== undefined && !alive(holder)) {
      say(`taking over ${lock} from pid ${holder}, which is gone`);
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (performance.now() >= deadline) {
      throw new Error(`another e2e run (pid ${holder ?? '?'}, see ${lock}) still holds the fixed ports after ${timeoutMs / 1000} s`);
    }
    if (!told) say(`waiting for the e2e run of pid ${holder ?? '?'} to finish (${lock})`);
    told = true;
    // A folder without its pid is being taken right now, or was left by a crash between the two
    // steps: still so after 10 s, it is the latter.
    if (holder === undefined && performance.now() - since > 10_000) rmSync(lock, { recursive: true, force: true });
    await sleep(1000);
  }
}
