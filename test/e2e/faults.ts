// The fault harness of the fault suite (test/e2e/faults.test.ts): faults on a member or a host,
// each logged with its time, each undone by heal() whatever happens; and a bundle's script run
// with faults injected at chosen points of its run (before it, at a line it prints, after it).
//
//   kill(member)        docker kill (SIGKILL): gone at once, its data folder as it was
//   freeze(member)      docker pause: it keeps its sessions and its place as leader, answers nothing
//   cut(link)/mend      a namespace host's link down/up (only zkv1..3, made by runtime/hosts.sh)
//   stopEngine/startEngine  a namespace host's whole Docker engine stopped by its pid (engine.sh
//                       stop: its containers stop with it) and started again (hosts.sh start-engine)
//   smallDisk(dir)      a small tmpfs mounted on a member's data folder by the test; fill/free it
//
// Every loop is bounded and every program started is killed by its pid when its bound passes or
// the test ends.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from './bundle.js';
import { ROOT, type RunResult, docker, engineEnv, run } from './engine.js';

const RUNTIME = join(ROOT, 'test', 'e2e', 'runtime');

export interface FaultEvent {
  /** performance.now() when it was injected. */
  t: number;
  fault: string;
}

async function ok(result: Promise<RunResult>, what: string): Promise<void> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.trim()}`);
}

export class Faults {
  readonly log: FaultEvent[] = [];
  /** What heal() undoes, most recent first, by key (a fault undone by hand leaves it). */
  private readonly undo = new Map<string, () => Promise<void>>();

  private record(fault: string): void {
    this.log.push({ t: performance.now(), fault });
    console.log(`fault: ${fault}`);
  }

  /** A fault the test injects itself (a signal to a script): logged like the others. */
  note(fault: string): void {
    this.record(fault);
  }

  async kill(member: string): Promise<void> {
    this.record(`kill ${member}`);
    await ok(docker(['kill', member]), `docker kill ${member}`);
  }

  async start(member: string): Promise<void> {
    this.record(`start ${member}`);
    await ok(docker(['start', member]), `docker start ${member}`);
  }

  async freeze(member: string): Promise<void> {
    this.record(`freeze ${member}`);
    this.undo.set(`freeze ${member}`, () => this.thaw(member));
    await ok(docker(['pause', member]), `docker pause ${member}`);
  }

  /** Unpauses a frozen member; one the script meanwhile removed or stopped is left as it is. */
  async thaw(member: string): Promise<void> {
    this.undo.delete(`freeze ${member}`);
    const state = (await docker(['inspect', '--format', '{{.State.Status}}', member])).stdout.trim() || 'absent';
    this.record(state === 'paused' ? `thaw ${member}` : `thaw ${member} (${state} by then)`);
    if (state === 'paused') await ok(docker(['unpause', member]), `docker unpause ${member}`);
  }

  /** Cuts a namespace host off: its veth link down (runtime/hosts.sh's zkv1..3 only). */
  async cut(link: string): Promise<void> {
    if (!/^zkv[1-3]$/.test(link)) throw new Error(`${link}: the harness cuts only the links runtime/hosts.sh made (zkv1..3)`);
    this.record(`cut ${link}`);
    this.undo.set(`cut ${link}`, () => ok(run('ip', ['link', 'set', link, 'up']), `ip link set ${link} up`));
    await ok(run('ip', ['link', 'set', link, 'down']), `ip link set ${link} down`);
  }

  async mend(link: string): Promise<void> {
    this.record(`mend ${link}`);
    this.undo.delete(`cut ${link}`);
    await ok(run('ip', ['link', 'set', link, 'up']), `ip link set ${link} up`);
  }

  /**
   * Stops namespace host `host`'s whole Docker engine (runtime/hosts.sh's hosts 1..3, state in
   * `hostsDir`/h<host>) by its pid: dockerd stops its containers on the way out. Not undone by
   * heal(): hosts.sh stop removes the hosts whatever state their engines are in.
   */
  async stopEngine(hostsDir: string, host: number): Promise<void> {
    this.record(`stop host ${host}'s engine`);
    await ok(run('bash', [join(RUNTIME, 'engine.sh'), 'stop', join(hostsDir, `h${host}`)], { timeoutMs: 120_000 }), `engine.sh stop (host ${host})`);
  }

  /** Starts host `host`'s engine again, in its namespace; its containers start as their restart policy says. */
  async startEngine(hostsDir: string, host: number): Promise<void> {
    this.record(`start host ${host}'s engine`);
    await ok(run('bash', [join(RUNTIME, 'hosts.sh'), 'start-engine', hostsDir, String(host)], { timeoutMs: 120_000 }), `hosts.sh start-engine (host ${host})`);
  }

  /**
   * Mounts a tmpfs of `megabytes` on `dir` (a member's data folder, before its container starts);
   * heal() unmounts it once the member's container is gone (the caller removes it first).
   */
  async smallDisk(dir: string, megabytes: number): Promise<void> {
    mkdirSync(dir, { recursive: true });
    this.undo.set(`mount ${dir}`, () => ok(run('umount', ['--lazy', dir]), `umount ${dir}`));
    await ok(run('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0777`, 'tmpfs', dir]), `mount tmpfs on ${dir}`);
  }

  /** Fills the tmpfs on `dir` to its last byte (a file of zeros until ENOSPC). */
  async fill(dir: string): Promise<void> {
    this.record(`fill ${dir}`);
    this.undo.set(`fill ${dir}`, () => this.free(dir));
    // dd stops at "No space left on device" and exits 1: that is the point.
    await run('dd', ['if=/dev/zero', `of=${join(dir, 'zkgen-fill')}`, 'bs=1M'], { timeoutMs: 60_000 });
  }

  async free(dir: string): Promise<void> {
    this.record(`free ${dir}`);
    this.undo.delete(`fill ${dir}`);
    await ok(run('rm', ['-f', join(dir, 'zkgen-fill')]), `rm ${dir}/zkgen-fill`);
  }

  /** Undoes every fault still in place (thaw, mend, free, unmount), newest first; throws what failed. */
  async heal(): Promise<void> {
    const problems: string[] = [];
    for (const [what, undo] of [...this.undo].reverse()) {
      this.undo.delete(what);
      await undo().catch((error: unknown) => problems.push(`${what}: ${String(error)}`));
    }
    if (problems.length) throw new Error(`could not undo every fault:\n${problems.join('\n')}`);
  }

  /** The faults injected, as one line for a report. */
  summary(): string {
    return this.log.map((e) => e.fault).join(', ') || 'none';
  }
}

/** A point of a script's run where a fault goes: each line it prints is offered to `onLine`. */
export interface ScriptRun {
  result: Promise<RunResult>;
  /** Sends a signal to the script itself (SIGINT as Ctrl-C would, SIGKILL). */
  signal(name: NodeJS.Signals): void;
}

/**
 * Runs one of a bundle's scripts as a user would, calling `onLine` with each line it prints (stdout
 * and stderr) as it prints it; killed by its pid after `timeoutMs` or when `abort` fires.
 */
export function watchScript(
  bundle: Bundle,
  script: string,
  options: { args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number; abort?: AbortSignal; onLine?: (line: string, run: ScriptRun) => void } = {},
): ScriptRun {
  const started = performance.now();
  const child = spawn(join(bundle.dir, script), options.args ?? [], {
    cwd: bundle.dir,
    env: { ...engineEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle: ScriptRun = {
    result: undefined as unknown as Promise<RunResult>,
    signal: (name) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(name);
    },
  };
  handle.result = new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const lines = (stream: NodeJS.ReadableStream, add: (chunk: string) => void) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        add(chunk);
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) options.onLine?.(line, handle);
      });
    };
    lines(child.stdout, (chunk) => (stdout += chunk));
    lines(child.stderr, (chunk) => (stderr += chunk));
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(kill, options.timeoutMs ?? 180_000);
    options.abort?.addEventListener('abort', kill, { once: true });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      options.abort?.removeEventListener('abort', kill);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
  return handle;
}
