// Shared support for the real-container suites (test/e2e/*.test.ts): generating a bundle with the
// built CLI, running its scripts and docker / docker-compose against the suite's private engine,
// asking members `srvr` from the host, a promise face for node-zookeeper-client with the retries a
// real client makes, and comparing what a member runs with against the generated conf/.
//
// The images the suites run are LOCAL STAND-INS built by test/e2e/images/build.sh from Debian's
// ZooKeeper 3.8, each reproducing its image's behaviour as the image's own scripts have it — not
// the real images (unless ZKGEN_REAL_IMAGES=1, which pulls them). See test/e2e/images/build.sh.
//
// Rules every helper keeps: network traffic goes to loopback only (127.0.0.0/8); every wait is a
// bounded loop; a child process that overruns its time is killed by its own pid.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import zookeeper, { type Client, type Stat } from 'node-zookeeper-client';
import { type TestContext, expect, inject } from 'vitest';
import { CLI, ROOT, runCli } from '../helpers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DOCKER_HOST of the suite's private engine; empty when the suite is skipped. */
    e2eDockerHost: string;
    /** Why the whole suite is skipped, or empty when it runs. */
    e2eSkip: string;
    /** Why the docker-compose scenarios are skipped, or empty when they run. */
    e2eComposeSkip: string;
  }
}

export { ROOT };

// --- the engine ------------------------------------------------------------------------------

let dockerHost = '';

/**
 * Reads what the global setup provided. Returns the reason the suite is skipped, or '' when an
 * engine runs; from then on every docker command of these helpers talks to that engine.
 */
export function useEngine(): string {
  const skip = inject('e2eSkip');
  if (skip) return skip;
  dockerHost = inject('e2eDockerHost');
  return '';
}

/** The environment for docker, docker-compose and the generated scripts. */
export function engineEnv(): NodeJS.ProcessEnv {
  if (!dockerHost) throw new Error('useEngine() was not called, or the suite is skipped');
  return { ...process.env, DOCKER_HOST: dockerHost, NO_COLOR: '1' };
}

// --- processes -------------------------------------------------------------------------------

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed (by its pid) after this long; the result then has code null. Default 120 s. */
  timeoutMs?: number;
  /**
   * Killed (by its pid) when this aborts: pass the test's ctx.signal, so that a program the test
   * started does not outlive a test that timed out.
   */
  signal?: AbortSignal;
}

/**
 * Runs a program without blocking the event loop (a ZooKeeper client in this process keeps its
 * session alive meanwhile), bounded in time.
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeoutMs ?? 120_000} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    const abort = () => {
      stderr += '\n[killed: the test ended first]';
      child.kill('SIGKILL');
    };
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
    };
    child.on('error', (error) => {
      settle();
      reject(error);
    });
    child.on('close', (code) => {
      settle();
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** docker against the suite's engine. */
export function docker(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run('docker', args, { env: engineEnv(), ...options });
}

/** docker that must succeed: its stdout, or an error naming the command and its stderr. */
export async function dockerOk(args: string[], options: RunOptions = {}): Promise<string> {
  const result = await docker(args, options);
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** docker-compose (1.29, the Python one) against the suite's engine. */
export function compose(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run('docker-compose', ['-f', file, ...args], { env: engineEnv(), ...options });
}

/** One of a bundle's scripts, run as a user would: ./status.sh in the bundle's folder. */
export function runScript(bundle: Bundle, script: string, options: RunOptions = {}): Promise<RunResult> {
  return run(join(bundle.dir, script), [], { env: engineEnv(), cwd: bundle.dir, ...options });
}

/** Names of every container the engine has, running or not (`docker ps -a`). */
export async function containerNames(): Promise<string[]> {
  const out = await dockerOk(['ps', '-a', '--format', '{{.Names}}']);
  return out.split('\n').filter(Boolean).sort();
}

/** `docker inspect`'s State.Status of a container, or 'absent'. */
export async function containerState(name: string): Promise<string> {
  const result = await docker(['inspect', '--format', '{{.State.Status}}', name]);
  return result.code === 0 ? result.stdout.trim() : 'absent';
}

/** Removes containers by name, whether they exist or not. */
export async function removeContainers(names: string[]): Promise<void> {
  if (names.length) await docker(['rm', '-f', ...names]);
}

/** The last lines of a container's log, for failure messages. */
export async function logTail(name: string, lines = 20): Promise<string> {
  const result = await docker(['logs', '--tail', String(lines), name]);
  return `--- docker logs ${name} ---\n${result.stdout}${result.stderr}`;
}

// --- bundles ---------------------------------------------------------------------------------

export interface Member {
  name: string;
  id: number;
}

export interface Bundle {
  /** The folder zkgen wrote (--out). */
  dir: string;
  /** The ensemble file it was generated from. */
  ensembleFile: string;
  /** Members in id order, read back from conf/<name>/myid. */
  members: Member[];
  /** What `zkgen connect-string` prints for the ensemble file. */
  connectString: string;
}

/** A fresh folder under /tmp for one scenario (short: unix socket paths stay well in bounds). */
export function scratchDir(label: string): string {
  return mkdtempSync(`/tmp/zkgen-e2e-${label}-`);
}

/**
 * Writes the ensemble to `<dir>/ensemble.json` and generates its bundle into `<dir>/<out>` with
 * the built CLI (`node dist/cli.js FILE --out DIR`), then asks it for the connect string.
 */
export function generate(ensemble: object, dir: string, out = 'bundle'): Bundle {
  mkdirSync(dir, { recursive: true });
  const ensembleFile = join(dir, 'ensemble.json');
  writeFileSync(ensembleFile, `${JSON.stringify(ensemble, null, 2)}\n`);
  const bundleDir = join(dir, out);
  const generated = runCli([ensembleFile, '--out', bundleDir]);
  if (generated.code !== 0) {
    throw new Error(`node ${CLI} ${ensembleFile} --out ${bundleDir} exited ${generated.code}:\n${generated.stderr}`);
  }
  const connect = runCli(['connect-string', ensembleFile]);
  if (connect.code !== 0) throw new Error(`zkgen connect-string exited ${connect.code}:\n${connect.stderr}`);
  return { dir: bundleDir, ensembleFile, members: readMembers(bundleDir), connectString: connect.stdout.trim() };
}

/** The members of a generated bundle, from its conf/ folder, in id order. */
export function readMembers(bundleDir: string): Member[] {
  return readdirSync(join(bundleDir, 'conf'))
    .map((name) => ({ name, id: Number(readFileSync(join(bundleDir, 'conf', name, 'myid'), 'utf8').trim()) }))
    .sort((a, b) => a.id - b.id);
}

/** The client ports of a connect string (`localhost:2181,localhost:2182` → [2181, 2182]). */
export function clientPorts(connectString: string): number[] {
  return connectString.split(',').map((address) => Number(address.slice(address.lastIndexOf(':') + 1)));
}

// --- ports -----------------------------------------------------------------------------------

/** Every listening TCP socket on this machine, any address: its port and socket inode (/proc/net/tcp, tcp6). */
function listeners(): Array<{ port: number; inode: string }> {
  const found: Array<{ port: number; inode: string }> = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; field 9 is the socket's inode.
      if (fields[3] !== '0A' || !fields[1]) continue;
      found.push({ port: parseInt(fields[1].split(':')[1] ?? '', 16), inode: fields[9] ?? '' });
    }
  }
  return found;
}

/** Of the given TCP ports, those something on this machine listens on. */
export function listeningPorts(ports: number[]): number[] {
  const listening = new Set(listeners().map((l) => l.port));
  return ports.filter((port) => listening.has(port));
}

/**
 * Waits (bounded, default 90 s) until none of `ports` is listened on, and fails with a clear
 * message if one stays taken. A scenario must not start otherwise: its srvr probes and clients
 * would reach whatever else holds the port (another e2e run, a
 * ZooKeeper left running) and could pass for the wrong reason.
 */
export async function waitForPortsFree(ports: number[], timeoutMs = 90_000): Promise<void> {
  let busy: number[] = [];
  const started = performance.now();
  await waitFor('free ports', async () => ((busy = listeningPorts(ports)).length ? undefined : true), {
    timeoutMs,
    intervalMs: 500,
    describe: () =>
      `ports ${busy.join(', ')} are in use on this machine, and the scenario needs them free ` +
      '(another e2e run, or a ZooKeeper left running?)',
  });
  if (performance.now() - started > 1000) console.log(`waited ${seconds(performance.now() - started)} for ports to be free`);
}

/** `[from, from+1, …]`, count numbers. */
export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Inodes of the sockets listening on TCP `port`, any address. */
function listenerInodes(port: number): Set<string> {
  return new Set(listeners().filter((l) => l.port === port && l.inode).map((l) => l.inode));
}

/** Pids of the processes that hold any of these socket inodes open. */
function socketHolders(inodes: Set<string>): number[] {
  const holders: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        holders.push(Number(entry));
        break;
      }
    }
  }
  return holders;
}

function pidNamespace(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/**
 * Who listens on each member's client port: under host networking every container shares the
 * machine's ports, so an answer on 2181 proves nothing about zk1 unless the listener is a process
 * of zk1's container (same pid namespace as its init). Returns one line per port that is not.
 */
export async function portOwnerProblems(owners: { name: string; port: number }[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { name, port } of owners) {
    const init = Number((await docker(['inspect', '--format', '{{.State.Pid}}', name])).stdout.trim());
    const namespace = init > 0 ? pidNamespace(init) : undefined;
    if (!namespace) {
      problems.push(`${name} is not running, so it cannot be what listens on ${port}`);
      continue;
    }
    const holders = socketHolders(listenerInodes(port));
    const foreign = holders.filter((pid) => pidNamespace(pid) !== namespace);
    if (!holders.length) problems.push(`nothing listens on ${port}, ${name}'s client port`);
    else if (foreign.length) {
      const what = foreign.map((pid) => `pid ${pid} (${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()})`).join(', ');
      problems.push(`port ${port} is held by ${what} outside container ${name}: something else on this machine answers for it`);
    }
  }
  return problems;
}

// --- waiting ---------------------------------------------------------------------------------

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined, and returns
 * that; throws after `timeoutMs`, with `describe()`'s account of the last state.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; describe?: () => string },
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs / 1000} s waiting for ${what}${options.describe ? `: ${options.describe()}` : ''}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

// --- four-letter words -----------------------------------------------------------------------

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
// The several-host suite's own network namespaces (test/e2e/runtime/hosts.sh) sit at these
// addresses, on a bridge it creates and removes; the suite may speak to them too.
const SUITE_HOSTS = /^10\.77\.0\.\d{1,3}$/;
const reachable = (host: string) => host === 'localhost' || LOOPBACK.test(host) || SUITE_HOSTS.test(host);

/**
 * Sends a four-letter word to a member from the host and returns its whole answer, or undefined
 * when nothing answers within `timeoutMs`. Loopback addresses only.
 */
export function fourLetterWord(port: number, word = 'srvr', host = '127.0.0.1', timeoutMs = 2000): Promise<string | undefined> {
  if (!reachable(host)) throw new Error(`${host} is not a loopback address: the suite speaks to 127.0.0.0/8 (and its own 10.77.0.0/24) only`);
  return new Promise((resolve) => {
    let answer = '';
    let settled = false;
    const finish = (value: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => finish(answer));
    socket.on('error', () => finish(undefined));
  });
}

export type Mode = 'leader' | 'follower' | 'observer' | 'standalone';

/**
 * A member's mode as `srvr` on its client port reports it, or a word for why there is none:
 * 'not-serving' (it answers but has no quorum) or 'no-answer' (nothing listens, or no reply).
 */
export async function modeOf(port: number, host = '127.0.0.1'): Promise<Mode | 'not-serving' | 'no-answer'> {
  const answer = await fourLetterWord(port, 'srvr', host);
  if (answer === undefined || answer === '') return 'no-answer';
  const mode = /^Mode: (\w+)$/m.exec(answer)?.[1];
  if (mode === 'leader' || mode === 'follower' || mode === 'observer' || mode === 'standalone') return mode;
  return 'not-serving';
}

export interface Quorum {
  /** Seconds from `since` (or from the call) until every port reported leader or follower. */
  seconds: number;
  /** port → mode when the quorum was seen. */
  modes: Map<number, Mode>;
}

/**
 * Waits until `srvr` on every one of `ports` (client ports, from the host) reports leader or
 * follower, exactly one of them leader — so `ports` must be every member still running: a dead
 * leader's followers keep saying "follower" for a moment. Bounded: throws after `timeoutMs`,
 * naming each port's last answer.
 */
export async function waitForQuorum(
  ports: number[],
  options: { timeoutMs?: number; since?: number; host?: string } = {},
): Promise<Quorum> {
  const since = options.since ?? performance.now();
  let last = new Map<number, string>();
  const modes = await waitFor(
    `a quorum on ports ${ports.join(', ')}`,
    async () => {
      last = new Map(await Promise.all(ports.map(async (port) => [port, await modeOf(port, options.host)] as const)));
      return servingWithLeader(last, ports) ? (last as Map<number, Mode>) : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 60_000,
      intervalMs: 100,
      describe: () => [...last].map(([port, mode]) => `${port} ${mode}`).join(', '),
    },
  );
  return { seconds: (performance.now() - since) / 1000, modes };
}

/** Waits until none of `ports` reports a serving mode (leader, follower, observer, standalone). */
export async function waitNotServing(ports: number[], options: { timeoutMs?: number } = {}): Promise<Map<number, string>> {
  let last = new Map<number, string>();
  return waitFor(
    `ports ${ports.join(', ')} to stop serving`,
    async () => {
      last = new Map(await Promise.all(ports.map(async (port) => [port, await modeOf(port)] as const)));
      return [...last.values()].every((mode) => mode === 'not-serving' || mode === 'no-answer') ? last : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 30_000, describe: () => [...last].map(([p, m]) => `${p} ${m}`).join(', ') },
  );
}

/** The leader's client port among `modes`, if there is exactly one leader. */
export function leaderPort(modes: Map<number, string>): number | undefined {
  const leaders = [...modes].filter(([, mode]) => mode === 'leader');
  return leaders.length === 1 ? leaders[0]?.[0] : undefined;
}

/** One look at every watched port: when (performance.now()) and what srvr said. */
export interface Sample {
  t: number;
  modes: Map<number, string>;
}

/**
 * Asks `srvr` on `ports` every `intervalMs` in the background, to tell afterwards when a member
 * died and when the others served again. stop() ends it (within one round), takes a last sample
 * and returns them all.
 * Bounded: it stops by itself after `maxMs`.
 */
export function watchModes(ports: number[], options: { intervalMs?: number; maxMs?: number } = {}): { stop: () => Promise<Sample[]> } {
  const samples: Sample[] = [];
  const deadline = performance.now() + (options.maxMs ?? 120_000);
  let running = true;
  const sample = async () => {
    const t = performance.now();
    samples.push({ t, modes: new Map(await Promise.all(ports.map(async (port) => [port, await modeOf(port)] as const))) });
  };
  const loop = (async () => {
    while (running && performance.now() < deadline) {
      await sample();
      await sleep(options.intervalMs ?? 50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      // One more look, so the samples end with the state the caller has just waited for.
      await sample();
      return samples;
    },
  };
}

/** The time of the first sample at or after `after` for which `test` holds, if any. */
export function firstSample(samples: Sample[], after: number, test: (modes: Map<number, string>) => boolean): number | undefined {
  return samples.find((sample) => sample.t >= after && test(sample.modes))?.t;
}

/** True when every one of `ports` serves as leader or follower, with exactly one leader among them. */
export function servingWithLeader(modes: Map<number, string>, ports: number[]): boolean {
  const mine = ports.map((port) => modes.get(port));
  return mine.every((mode) => mode === 'leader' || mode === 'follower') && mine.filter((mode) => mode === 'leader').length === 1;
}

// --- status.sh -------------------------------------------------------------------------------

export interface StatusRow {
  member: string;
  container: string;
  mode: string;
  client: string;
}

/** status.sh's table (after its MEMBER CONTAINER MODE CLIENT heading), one row per member. */
export function parseStatus(stdout: string): StatusRow[] {
  const lines = stdout.split('\n').filter((line) => line.trim());
  const [heading, ...rows] = lines;
  if (!heading || !/^MEMBER\s+CONTAINER\s+MODE\s+CLIENT$/.test(heading.trim())) {
    throw new Error(`status.sh printed no MEMBER CONTAINER MODE CLIENT heading:\n${stdout}`);
  }
  return rows.map((line) => {
    const [member = '', container = '', mode = '', client = ''] = line.trim().split(/\s+/);
    return { member, container, mode, client };
  });
}

// --- ZooKeeper client ------------------------------------------------------------------------

export type ZkClient = Client;

function errorCode(error: unknown): number | undefined {
  return error instanceof Error || typeof error === 'object'
    ? (error as { getCode?: () => number }).getCode?.()
    : undefined;
}

/** True for the errors after which a real client retries: the connection, not the request, failed. */
export function isConnectionLoss(error: unknown): boolean {
  const code = errorCode(error);
  return code === zookeeper.Exception.CONNECTION_LOSS || code === zookeeper.Exception.OPERATION_TIMEOUT;
}

/**
 * Connects node-zookeeper-client with a connect string (as `zkgen connect-string` prints it);
 * resolves once a session is established, rejects (and closes the client) after `timeoutMs`.
 */
export async function connectClient(
  connectString: string,
  options: { timeoutMs?: number; sessionTimeoutMs?: number } = {},
): Promise<ZkClient> {
  for (const address of connectString.split(',')) {
    const host = address.slice(0, address.lastIndexOf(':'));
    if (!reachable(host)) {
      throw new Error(`${address} is not on loopback: the suite speaks to 127.0.0.0/8 (and its own 10.77.0.0/24) only`);
    }
  }
  const client = zookeeper.createClient(connectString, {
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    spinDelay: 200,
    retries: 0,
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`no ZooKeeper session through ${connectString} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  return client;
}

/** The client port the client is connected to right now, if it is (read for reports only). */
export function connectedPort(client: ZkClient): number | undefined {
  const socket = (client as unknown as { connectionManager?: { socket?: net.Socket } }).connectionManager?.socket;
  return socket && !socket.destroyed ? socket.remotePort : undefined;
}

/** When (performance.now()) a client lost its connection and got its session back, as it happens. */
export interface ConnectionLog {
  events: { t: number; event: 'connected' | 'disconnected' | 'expired' }[];
  /** The first disconnection at or after `after`, and the first reconnection after that. */
  outage(after: number): { lost?: number; back?: number };
}

export function trackConnection(client: ZkClient): ConnectionLog {
  const events: ConnectionLog['events'] = [];
  for (const event of ['connected', 'disconnected', 'expired'] as const) {
    client.on(event, () => events.push({ t: performance.now(), event }));
  }
  return {
    events,
    outage(after) {
      const lost = events.find((e) => e.t >= after && e.event === 'disconnected')?.t;
      const back = lost === undefined ? undefined : events.find((e) => e.t >= lost && e.event === 'connected')?.t;
      return { lost, back };
    },
  };
}

function call<T>(start: (callback: (error: unknown, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

export const zk = {
  create: (client: ZkClient, path: string, data: string) =>
    call<string>((cb) => client.create(path, Buffer.from(data), zookeeper.CreateMode.PERSISTENT, cb)),
  setData: (client: ZkClient, path: string, data: string) =>
    call<Stat>((cb) => client.setData(path, Buffer.from(data), cb)).then(() => undefined),
  getData: (client: ZkClient, path: string) =>
    call<Buffer>((cb) => client.getData(path, cb)).then((data) => (data ?? Buffer.alloc(0)).toString('utf8')),
  exists: (client: ZkClient, path: string) => call<Stat | null>((cb) => client.exists(path, cb)).then(Boolean),
  children: (client: ZkClient, path: string) => call<string[]>((cb) => client.getChildren(path, cb)),
};

/** Rejects with an error naming `what` when `promise` has not settled within `ms`. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Retried<T> {
  value: T;
  /** How many attempts failed with ConnectionLoss (or an operation timeout) before this one. */
  connectionLosses: number;
  ms: number;
}

/**
 * Runs `op` as a real client would across a member's loss: on ConnectionLoss, wait a little and
 * try again, up to `timeoutMs` in all; any other error is thrown at once. Each attempt is itself
 * bounded by `attemptMs`.
 */
export async function retrying<T>(
  what: string,
  op: () => Promise<T>,
  options: { timeoutMs?: number; attemptMs?: number } = {},
): Promise<Retried<T>> {
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 30_000);
  let connectionLosses = 0;
  for (;;) {
    try {
      const value = await within(options.attemptMs ?? 10_000, what, op());
      return { value, connectionLosses, ms: performance.now() - started };
    } catch (error) {
      const timedOut = error instanceof Error && error.message.startsWith(`${what}: no answer`);
      if (!isConnectionLoss(error) && !timedOut) throw error;
      connectionLosses += 1;
      if (performance.now() >= deadline) {
        throw new Error(`${what}: still failing after ${(options.timeoutMs ?? 30_000) / 1000} s (${connectionLosses} attempts): ${String(error)}`);
      }
      await sleep(200);
    }
  }
}

/**
 * Creates a znode, retrying on ConnectionLoss. A create whose answer was lost may have been
 * applied, so "node exists" on a retry counts as done when the node holds what was written.
 */
export async function createRetrying(client: ZkClient, path: string, data: string, options: { timeoutMs?: number } = {}): Promise<Retried<string>> {
  let attempts = 0;
  return retrying(
    `create ${path}`,
    async () => {
      attempts += 1;
      try {
        return await zk.create(client, path, data);
      } catch (error) {
        if (attempts > 1 && errorCode(error) === zookeeper.Exception.NODE_EXISTS && (await zk.getData(client, path)) === data) {
          return path;
        }
        throw error;
      }
    },
    options,
  );
}

/** Reads a znode, retrying on ConnectionLoss. */
export function getRetrying(client: ZkClient, path: string, options: { timeoutMs?: number } = {}): Promise<Retried<string>> {
  return retrying(`get ${path}`, () => zk.getData(client, path), options);
}

/** Closes a client without waiting for an ensemble that may be gone. */
export function closeClient(client: ZkClient | undefined): void {
  try {
    client?.close();
  } catch {
    // A client that never connected may refuse to close; there is nothing to release then.
  }
}

// --- configuration ---------------------------------------------------------------------------

/**
 * Parses Java properties text as java.util.Properties.load does, so the result is what ZooKeeper
 * reads: blank lines and lines starting with # or ! are ignored, a line ending in an odd number of
 * backslashes continues on the next, the key ends at the first unescaped =, : or whitespace, and
 * the last occurrence of a key wins.
 */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const physical = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < physical.length; i++) {
    let line = (physical[i] ?? '').replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(?:^|[^\\])(?:\\\\)*\\$/.test(line) && i + 1 < physical.length) {
      line = line.slice(0, -1) + (physical[++i] ?? '').replace(/^[ \t\f]+/, '');
    }
    let keyEnd = 0;
    while (keyEnd < line.length) {
      const c = line[keyEnd];
      if (c === '\\') keyEnd += 2;
      else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      else keyEnd += 1;
    }
    let valueStart = keyEnd;
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart] ?? '')) valueStart++;
    if (line[valueStart] === '=' || line[valueStart] === ':') valueStart++;
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart] ?? '')) valueStart++;
    result.set(unescapeProperty(line.slice(0, keyEnd)), unescapeProperty(line.slice(valueStart)));
  }
  return result;
}

function unescapeProperty(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escape: string) => {
    if (escape.length === 5) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[escape] ?? escape;
  });
}

/**
 * Where an image keeps what a member runs with. Written here from the images, not taken from
 * zkgen's dialects, so that the check does not share a misreading with the code it checks.
 */
export interface ImageLayout {
  /** zoo.cfg inside the container, as the image writes it. */
  zooCfgPath: string;
  /** myid inside the container (in the image's data folder). */
  myidPath: string;
}

/** By repository (no registry, tag or digest). Add an image here when a suite starts running it. */
export const IMAGE_LAYOUTS: Record<string, ImageLayout> = {
  'garland/zookeeper': { zooCfgPath: '/opt/zookeeper/conf/zoo.cfg', myidPath: '/tmp/zookeeper/myid' },
  zookeeper: { zooCfgPath: '/conf/zoo.cfg', myidPath: '/data/myid' },
  'bitnami/zookeeper': { zooCfgPath: '/opt/bitnami/zookeeper/conf/zoo.cfg', myidPath: '/bitnami/zookeeper/data/myid' },
  'bitnamilegacy/zookeeper': { zooCfgPath: '/opt/bitnami/zookeeper/conf/zoo.cfg', myidPath: '/bitnami/zookeeper/data/myid' },
  'confluentinc/cp-zookeeper': { zooCfgPath: '/etc/kafka/zookeeper.properties', myidPath: '/var/lib/zookeeper/data/myid' },
};

export function imageLayout(image: string): ImageLayout {
  const name = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const layout = IMAGE_LAYOUTS[name];
  if (!layout) throw new Error(`no ImageLayout for ${image} in test/e2e/support.ts`);
  return layout;
}

/**
 * What differs between what a running member runs with (its zoo.cfg and myid inside the
 * container, through docker exec) and the bundle's conf/<member>/zoo.cfg and myid. Empty when
 * they agree key for key — every generated setting present with the same value, and nothing
 * else, the image's own defaults included: there are no per-image allowances — and myid is the
 * same.
 */
export async function configProblems(bundle: Bundle, member: string, layout: ImageLayout): Promise<string[]> {
  const problems: string[] = [];
  const generated = parseProperties(readFileSync(join(bundle.dir, 'conf', member, 'zoo.cfg'), 'utf8'));
  const inside = await docker(['exec', member, 'cat', layout.zooCfgPath]);
  if (inside.code !== 0) return [`${member}: cannot read ${layout.zooCfgPath}: ${inside.stderr.trim()}`];
  const running = parseProperties(inside.stdout);
  for (const [key, value] of generated) {
    if (!running.has(key)) problems.push(`${member}: ${key} is not in the container's ${layout.zooCfgPath} (generated: ${value})`);
    else if (running.get(key) !== value) {
      problems.push(`${member}: ${key} is ${running.get(key)} in the container, ${value} in conf/${member}/zoo.cfg`);
    }
  }
  for (const [key, value] of running) {
    if (!generated.has(key)) {
      problems.push(`${member}: the container has ${key}=${value}, which conf/${member}/zoo.cfg does not list`);
    }
  }
  const generatedId = readFileSync(join(bundle.dir, 'conf', member, 'myid'), 'utf8').trim();
  const myid = await docker(['exec', member, 'cat', layout.myidPath]);
  if (myid.code !== 0) problems.push(`${member}: cannot read ${layout.myidPath}: ${myid.stderr.trim()}`);
  else if (myid.stdout.trim() !== generatedId) {
    problems.push(`${member}: myid is ${myid.stdout.trim()} in the container, ${generatedId} in conf/${member}/myid`);
  }
  return problems;
}

/** Seconds with one decimal, for the reports the suites print. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// --- scenarios --------------------------------------------------------------------------------

/**
 * The steps of a scenario run in order and build on each other. A step that later ones need (the
 * quorum, the client, each fault) calls gate(ctx); once a gate has failed, check(ctx) — called in
 * beforeEach — skips the rest with a note, instead of letting each wait out its own bound.
 */
export function scenarioSteps() {
  let failedGate: string | undefined;
  return {
    gate(ctx: TestContext): void {
      ctx.onTestFailed(() => {
        failedGate ??= ctx.task.name;
      });
    },
    check(ctx: TestContext): void {
      if (failedGate !== undefined) ctx.skip(`an earlier step failed: ${failedGate}`);
    },
  };
}

// --- checks shared by the scenarios ----------------------------------------------------------
// Each asserts with vitest's expect, so a scenario reads as its steps.

/**
 * Runs status.sh and checks it lists every member of the bundle, each container running and
 * serving as leader or follower (exactly one leader), with exit status 0. Returns its rows.
 */
export async function expectStatusServing(bundle: Bundle): Promise<StatusRow[]> {
  const status = await runScript(bundle, 'status.sh', { timeoutMs: 60_000 });
  const rows = parseStatus(status.stdout);
  const context = `status.sh exited ${status.code}:\n${status.stdout}${status.stderr}`;
  expect(rows.map((row) => row.member), context).toEqual(bundle.members.map((m) => m.name));
  for (const row of rows) {
    expect(row.container, context).toBe('running');
    expect(['leader', 'follower'], context).toContain(row.mode);
  }
  expect(rows.filter((row) => row.mode === 'leader'), context).toHaveLength(1);
  expect(status.code, context).toBe(0);
  return rows;
}

/** Runs smoke-test.sh and checks it passes: exit status 0 and its "ok: …" line. */
export async function expectSmokeTestOk(bundle: Bundle): Promise<string> {
  const smoke = await runScript(bundle, 'smoke-test.sh', { timeoutMs: 60_000 });
  const context = `smoke-test.sh exited ${smoke.code}:\n${smoke.stdout}${smoke.stderr}`;
  expect(smoke.code, context).toBe(0);
  const ok = /^ok: .+$/m.exec(smoke.stdout)?.[0];
  expect(ok, context).toBeDefined();
  return ok ?? '';
}

/** Checks every member runs with its bundle's conf/<member>/zoo.cfg and myid (configProblems). */
export async function expectConfigsMatch(bundle: Bundle, image: string): Promise<void> {
  const layout = imageLayout(image);
  const problems = (await Promise.all(bundle.members.map((m) => configProblems(bundle, m.name, layout)))).flat();
  expect(problems).toEqual([]);
}

/** Each member's data folder on the host holds its myid: `<dataRoot>/<name>/myid` is the id. */
export function expectMyidsOnHost(dataRoot: string, members: Member[]): void {
  for (const member of members) {
    expect(readFileSync(join(dataRoot, member.name, 'myid'), 'utf8').trim(), `${dataRoot}/${member.name}/myid`).toBe(String(member.id));
  }
}

/** The znodes a scenario wrote, to show later that every one of them is still there. */
export class Ledger {
  readonly written = new Map<string, string>();

  /** Creates `path` holding `value` (retrying on ConnectionLoss) and remembers it. */
  async write(client: ZkClient, path: string, value: string, options: { timeoutMs?: number } = {}): Promise<Retried<string>> {
    const result = await createRetrying(client, path, value, options);
    this.written.set(path, value);
    return result;
  }

  /** Reads back every znode written so far and checks each holds what was written. */
  async expectAll(client: ZkClient): Promise<void> {
    const found = new Map<string, string>();
    for (const path of this.written.keys()) found.set(path, (await getRetrying(client, path)).value);
    expect(found).toEqual(this.written);
  }
}

/**
 * Tries one write that must be refused for want of a quorum: it must fail or get no answer within
 * `timeoutMs`. The client must be closed right after (closeClient), so that a request it still
 * holds is never sent to a later quorum. Returns how it was refused.
 */
export async function expectWriteRefused(client: ZkClient, path: string, timeoutMs = 8_000): Promise<string> {
  const started = performance.now();
  try {
    await within(timeoutMs, `create ${path}`, zk.create(client, path, 'must-not-be-written'));
  } catch (error) {
    return `${String(error)} after ${seconds(performance.now() - started)}`;
  }
  throw new Error(`create ${path} succeeded without a quorum`);
}

/** A member's client port, from its generated zoo.cfg: clientPort, or its server line's ";port". */
export function clientPortOf(bundle: Bundle, member: Member): number {
  const cfg = parseProperties(readFileSync(join(bundle.dir, 'conf', member.name, 'zoo.cfg'), 'utf8'));
  const direct = cfg.get('clientPort');
  if (direct) return Number(direct);
  const suffix = cfg.get(`server.${member.id}`)?.split(';')[1];
  if (!suffix) throw new Error(`conf/${member.name}/zoo.cfg names no client port`);
  return Number(suffix.slice(suffix.lastIndexOf(':') + 1));
}

/**
 * Waits (bounded) until the bundle's members — all, or those named — serve with one leader, as
 * srvr on their client ports says, and checks each port is held by that member's container (see
 * portOwnerProblems). On failure the error carries the members' last log lines.
 */
export async function waitForEnsemble(
  bundle: Bundle,
  options: { names?: string[]; since?: number; timeoutMs?: number } = {},
): Promise<Quorum> {
  const members = bundle.members.filter((m) => !options.names || options.names.includes(m.name));
  const owners = members.map((m) => ({ name: m.name, port: clientPortOf(bundle, m) }));
  return withLogs(
    bundle.members,
    (async () => {
      const quorum = await waitForQuorum(
        owners.map((o) => o.port),
        { ...(options.since === undefined ? {} : { since: options.since }), timeoutMs: options.timeoutMs ?? 60_000 },
      );
      const problems = await portOwnerProblems(owners);
      if (problems.length) throw new Error(`a quorum answered, but not from these members:\n${problems.join('\n')}`);
      return quorum;
    })(),
  );
}

/** Adds the last lines of each member's log to an error, for a wait that failed. */
export async function withLogs<T>(members: Member[], promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    const logs = await Promise.all(members.map((m) => logTail(m.name, 15)));
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs.join('\n')}`);
  }
}
