// Clients that keep a history, for the fault suite: several concurrent ZooKeeper sessions through
// one connect string doing creates, setData with an expected version (compare-and-set) and without,
// and reads on a few registers, each operation recorded with its invocation and completion time
// (performance.now(), a monotonic clock) and its outcome: ok, failed (ZooKeeper said no: bad
// version, node exists, no node), or indeterminate (a timeout or a lost connection: it may have
// taken effect or not). test/history/checker.ts judges the history.
//
// Bounded: at most `maxOperations` in all (one every `pauseMs` or so per session) and `maxMs` of running, each operation within
// `operationMs`; stop() ends the loops, closes every session whatever happens, and reads the final
// state through a fresh session.
import zookeeper from 'node-zookeeper-client';
import { expect } from 'vitest';
import { type History, type Operation, type RegisterState, checkHistory } from '../history/checker.js';
import { type ZkClient, closeClient, connectClient, createRetrying, retrying, within } from './client.js';
import type { FaultEvent } from './faults.js';
import { seconds, sleep } from './wait.js';

export interface HistoryOptions {
  connect: string;
  /** Where the registers (ROOT/r0..) and the created znodes (ROOT/c/…) live. */
  root: string;
  sessions?: number;
  registers?: number;
  maxOperations?: number;
  maxMs?: number;
  operationMs?: number;
  /** Pause between one session's operations. */
  pauseMs?: number;
  seed?: number;
}

export interface HistorySummary {
  operations: number;
  ok: number;
  failed: number;
  indeterminate: number;
  sessions: number;
  acknowledgedCreates: number;
  /** When the last operation was invoked (performance.now()). */
  lastInvoked: number;
}

type Code = number | undefined;
const codeOf = (error: unknown): Code => (error as { getCode?: () => number } | undefined)?.getCode?.();
/** ZooKeeper's definite refusals: the operation did not take effect. */
const REFUSED = new Set([zookeeper.Exception.BAD_VERSION, zookeeper.Exception.NODE_EXISTS, zookeeper.Exception.NO_NODE]);

function call<T>(start: (callback: (error: unknown, ...values: unknown[]) => void) => void, pick: (...values: unknown[]) => T): Promise<T> {
  return new Promise((resolve, reject) =>
    start((error, ...values) => (error ? reject(error instanceof Error ? error : new Error(JSON.stringify(error))) : resolve(pick(...values)))),
  );
}

/**
 * node-zookeeper-client reads a reply's header without checking its length, and throws from its
 * socket's data handler when a reply is shorter (seen once in this suite as a member died:
 * "RangeError: The value of "offset" is out of range"): an uncaught exception that ends the whole
 * run. Such a reply is handled as the library handles its other malformed ones: the connection is
 * dropped, so every request in flight fails with a connection loss and is recorded as
 * indeterminate. Patched once, on the prototype, before any session connects.
 */
interface Manager {
  onSocketData: (this: Manager, buffer: Buffer) => void;
  pendingBuffer?: Buffer | null;
  socket?: { destroy(): void };
  zkgenGuarded?: true;
}
export function guardMalformedReplies(): void {
  const probe = zookeeper.createClient('127.0.0.1:2181'); // never connected: only its prototype is wanted
  const manager = Object.getPrototypeOf((probe as unknown as { connectionManager: object }).connectionManager) as Manager;
  if (manager.zkgenGuarded) return;
  const original = manager.onSocketData;
  manager.onSocketData = function (this: Manager, buffer: Buffer) {
    try {
      original.call(this, buffer);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      console.log(`history: a malformed reply from ZooKeeper (${error.message}): the connection is dropped, its requests indeterminate`);
      this.pendingBuffer = null;
      this.socket?.destroy();
    }
  };
  manager.zkgenGuarded = true;
}

/** A small seeded generator (mulberry32): the same seed, the same choices. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class HistoryClients {
  private readonly operations: Operation[] = [];
  private readonly acknowledged: string[] = [];
  private readonly acknowledgedAt: Record<string, number> = {};
  private readonly clients = new Set<ZkClient>();
  private stopped = false;
  private loops: Array<Promise<void>> = [];
  private sessionsOpened = 0;
  private started = 0;
  private lastInvoked = 0;
  private initial: Record<string, RegisterState> = {};
  private readonly options: Required<HistoryOptions>;

  private constructor(options: HistoryOptions) {
    this.options = { sessions: 4, registers: 3, maxOperations: 20_000, maxMs: 120_000, operationMs: 5_000, pauseMs: 25, seed: 19, ...options };
  }

  private register(i: number): string {
    return `${this.options.root}/r${i}`;
  }

  /** Creates the registers (each version 0) and starts the sessions. */
  static async start(options: HistoryOptions): Promise<HistoryClients> {
    guardMalformedReplies();
    const clients = new HistoryClients(options);
    const o = clients.options;
    const setup = await connectClient(o.connect);
    try {
      await createRetrying(setup, o.root, '');
      await createRetrying(setup, `${o.root}/c`, '');
      for (let i = 0; i < o.registers; i++) {
        await createRetrying(setup, clients.register(i), 'initial');
        clients.initial[clients.register(i)] = { value: 'initial', version: 0 };
      }
    } finally {
      closeClient(setup);
    }
    const deadline = performance.now() + o.maxMs;
    clients.loops = Array.from({ length: o.sessions }, (_, i) => clients.session(i, deadline));
    return clients;
  }

  private async connect(): Promise<{ client: ZkClient; name: string } | undefined> {
    try {
      const client = await connectClient(this.options.connect, { timeoutMs: this.options.operationMs * 2, sessionTimeoutMs: 8_000 });
      this.clients.add(client);
      this.sessionsOpened += 1;
      return { client, name: `s${this.sessionsOpened}` };
    } catch {
      return undefined;
    }
  }

  private async session(index: number, deadline: number): Promise<void> {
    const o = this.options;
    const next = random(o.seed * 101 + index);
    let current = await this.connect();
    let expired = false;
    let losses = 0;
    const seen = new Map<string, number>();
    for (let n = 0; !this.stopped && this.started < o.maxOperations && performance.now() < deadline; n++) {
      if (!current || expired || losses >= 3) {
        // A new session after an expired one, or one that keeps losing its connection.
        if (current) {
          closeClient(current.client);
          this.clients.delete(current.client);
        }
        current = await this.connect();
        expired = false;
        losses = 0;
        seen.clear();
        if (!current) {
          await sleep(200);
          continue;
        }
        current.client.once('expired', () => (expired = true));
      }
      const { client, name } = current;
      this.started += 1;
      const register = this.register(Math.floor(next() * o.registers));
      const dice = next();
      const invoked = performance.now();
      this.lastInvoked = invoked;
      const base = { session: name, register, invoked };
      let op: Operation;
      let request: Promise<unknown>;
      if (dice < 0.4) {
        const expected = seen.get(register) ?? 0;
        const value = `${name}-${n}`;
        op = { ...base, kind: 'cas', value, expected, outcome: 'indeterminate' };
        request = call((cb) => client.setData(register, Buffer.from(value), expected, cb), (stat) => (stat as { version: number }).version);
      } else if (dice < 0.55) {
        const value = `${name}-${n}`;
        op = { ...base, kind: 'write', value, outcome: 'indeterminate' };
        request = call((cb) => client.setData(register, Buffer.from(value), -1, cb), (stat) => (stat as { version: number }).version);
      } else if (dice < 0.85) {
        op = { ...base, kind: 'read', outcome: 'indeterminate' };
        request = call(
          (cb) => client.getData(register, cb),
          (data, stat) => ({ value: (data as Buffer | null)?.toString('utf8') ?? '', version: (stat as { version: number }).version }),
        );
      } else {
        const path = `${o.root}/c/${name}-${n}`;
        op = { ...base, register: path, kind: 'create', value: '', outcome: 'indeterminate' };
        request = call((cb) => client.create(path, Buffer.alloc(0), zookeeper.CreateMode.PERSISTENT, cb), () => path);
      }
      try {
        const result = await within(o.operationMs, `${op.kind} ${op.register}`, request);
        op.completed = performance.now();
        op.outcome = 'ok';
        losses = 0;
        if (op.kind === 'read') {
          op.read = result as { value: string; version: number };
          seen.set(register, op.read.version);
        } else if (op.kind === 'cas' || op.kind === 'write') {
          if (op.kind === 'write') op.version = result as number;
          seen.set(register, result as number);
        } else {
          this.acknowledged.push(op.register);
          this.acknowledgedAt[op.register] = op.completed;
        }
      } catch (error) {
        if (REFUSED.has(codeOf(error) ?? 0)) {
          op.completed = performance.now();
          op.outcome = 'failed';
          // A bad version: read the register before the next CAS on it.
          if (op.kind === 'cas') seen.delete(register);
        } else {
          losses += 1;
          if (codeOf(error) === zookeeper.Exception.SESSION_EXPIRED) expired = true;
        }
      }
      // Created znodes are not registers: only their presence at the end is checked.
      if (op.kind !== 'create') this.operations.push(op);
      if (op.kind === 'cas' && op.outcome !== 'ok' && !seen.has(register)) {
        // Learn the version again by a read next time: the expected version 0 is a guess until then.
        seen.set(register, await this.peek(client, register));
      }
      await sleep(o.pauseMs);
    }
  }

  /** The version of a register as this session sees it now (for its next CAS; not part of the history). */
  private async peek(client: ZkClient, register: string): Promise<number> {
    try {
      const stat = await within(
        this.options.operationMs,
        `exists ${register}`,
        call((cb) => client.exists(register, cb), (s) => s as { version: number } | null),
      );
      return stat?.version ?? 0;
    } catch {
      return 0;
    }
  }

  /** Counts so far. */
  summary(): HistorySummary {
    const count = (outcome: Operation['outcome']) => this.operations.filter((op) => op.outcome === outcome).length;
    return {
      operations: this.operations.length + this.acknowledged.length,
      ok: count('ok') + this.acknowledged.length,
      failed: count('failed'),
      indeterminate: count('indeterminate'),
      sessions: this.sessionsOpened,
      acknowledgedCreates: this.acknowledged.length,
      lastInvoked: this.lastInvoked,
    };
  }

  /**
   * Stops every session (each operation ends within its bound), closes them all, then reads the
   * final state through a fresh session after a write of its own (a member answers a session's
   * reads only once it has that session's earlier writes). Closes everything whatever happens.
   */
  async stop(options: { settleMs?: number; timeoutMs?: number } = {}): Promise<History> {
    this.stopped = true;
    try {
      await within(this.options.operationMs * 4 + 20_000, 'the history clients stopping', Promise.all(this.loops));
    } finally {
      for (const client of this.clients) closeClient(client);
      this.clients.clear();
    }
    // A request a closed session still had in flight is applied before its close, or never.
    await sleep(options.settleMs ?? 2_000);
    const { final, present } = await HistoryClients.readState(this.options.connect, this.options.root, Object.keys(this.initial), options.timeoutMs);
    return {
      initial: this.initial,
      operations: this.operations,
      final,
      acknowledgedCreates: this.acknowledged,
      acknowledgedAt: this.acknowledgedAt,
      present,
    };
  }

  /**
   * The registers' state and the created znodes under `root`, read through a fresh session after a
   * write of its own (a member answers a session's reads only once it has that session's earlier
   * writes). Also after a restore, to judge the restored data.
   */
  static async readState(
    connect: string,
    root: string,
    registers: string[],
    timeoutMs = 60_000,
  ): Promise<{ final: Record<string, RegisterState>; present: string[] }> {
    const reader = await connectClient(connect, { timeoutMs });
    try {
      await retrying('write the final marker', () => call((cb) => reader.setData(root, Buffer.from('final'), -1, cb), () => undefined), { timeoutMs });
      const final: Record<string, RegisterState> = {};
      for (const register of registers) {
        final[register] = (
          await retrying(`read ${register}`, () =>
            call(
              (cb) => reader.getData(register, cb),
              (data, stat) => ({ value: (data as Buffer | null)?.toString('utf8') ?? '', version: (stat as { version: number }).version }),
            ),
          { timeoutMs })
        ).value;
      }
      const children = (await retrying('list the created znodes', () => call((cb) => reader.getChildren(`${root}/c`, cb), (c) => c as string[]), { timeoutMs })).value;
      return { final, present: children.map((child) => `${root}/c/${child}`) };
    } finally {
      closeClient(reader);
    }
  }

  /** Closes every session at once (for a test's afterAll, whatever happened). */
  close(): void {
    this.stopped = true;
    for (const client of this.clients) closeClient(client);
    this.clients.clear();
  }
}

/**
 * Judges the history `running` recorded (`history`, from its stop()): prints the scenario's line
 * (added to `report`) and each problem the checker found; throws the scenario's own failure first,
 * when there was one; then fails on any verdict but valid. Returns the clients' summary.
 */
export function judgeHistory(
  label: string,
  running: HistoryClients,
  history: History,
  scenario: { faults: FaultEvent[]; since: number; report: string[]; failed?: Error },
): HistorySummary {
  const summary = running.summary();
  const verdict = checkHistory(history);
  const line =
    `${label}: ${summary.operations} operations (${summary.indeterminate} indeterminate, ${summary.failed} failed, ` +
    `${summary.acknowledgedCreates} acknowledged creates, ${summary.sessions} sessions); faults: ` +
    `${scenario.faults.map((e) => e.fault).join(', ') || 'none'}; verdict ${verdict.verdict} ` +
    `(${verdict.steps} search steps); ${seconds(performance.now() - scenario.since)}`;
  scenario.report.push(line);
  console.log(line);
  for (const problem of verdict.problems) console.log(`  ${problem}`);
  if (scenario.failed) throw scenario.failed;
  expect(verdict.problems).toEqual([]);
  expect(verdict.verdict).toBe('valid');
  return summary;
}
