// The checker of a history kept by the fault suite's clients (test/e2e/history.ts): pure, no I/O.
//
// What ZooKeeper promises, and so what is checked:
//   - writes (setData without a version), compare-and-sets (setData with an expected version: a
//     register's state is its value and version) and creates are linearizable: there is one order
//     of them, each taking effect at one instant between its invocation and its completion, in
//     which every outcome is the register's own. An operation whose outcome is unknown (a timeout,
//     a lost connection: "indeterminate") may have taken effect at any instant after its
//     invocation, or never. This is the Wing–Gong search, with Lowe's memoisation of (operations
//     linearized, state): a configuration seen once is never explored again.
//   - reads are not linearizable in ZooKeeper (a follower may lag): a session's reads never go back
//     in time (the version it reads never decreases, and is never below that of a write it was
//     told succeeded), and each value read was written by someone.
//   - every acknowledged create of a znode is there at the end.
// The search is bounded: past `maxSteps` it answers "undecided", never a silent pass.

export type Outcome = 'ok' | 'failed' | 'indeterminate';

/** A register's state: absent, or its value and ZooKeeper version (0 when created). */
export type RegisterState = { value: string; version: number } | null;

interface Timed {
  /** Who ran it: one ZooKeeper session, whose operations are sequential. */
  session: string;
  register: string;
  /** Invocation and completion on one monotonic clock (ms); completion absent when indeterminate. */
  invoked: number;
  completed?: number;
  outcome: Outcome;
}

/** create REGISTER VALUE: ok when absent (version 0); failed (node exists) when present. */
export interface CreateOp extends Timed {
  kind: 'create';
  value: string;
}
/** setData REGISTER VALUE -1: ok when present (the version it returned, if known); failed when absent. */
export interface WriteOp extends Timed {
  kind: 'write';
  value: string;
  version?: number;
}
/** setData REGISTER VALUE expected: ok when the version is `expected` (then expected + 1); failed (bad version) otherwise. */
export interface CasOp extends Timed {
  kind: 'cas';
  value: string;
  expected: number;
}
/** getData REGISTER: what it read, when ok. */
export interface ReadOp extends Timed {
  kind: 'read';
  read?: { value: string; version: number };
}
export type Operation = CreateOp | WriteOp | CasOp | ReadOp;

export interface History {
  /** Each register's state before the first operation (absent when not listed). */
  initial: Record<string, RegisterState>;
  operations: Operation[];
  /** Each register's state read after every client was closed (a register not listed is not checked). */
  final?: Record<string, RegisterState>;
  /** Znodes (other than registers) whose create was acknowledged, and those found at the end. */
  acknowledgedCreates?: string[];
  present?: string[];
  /** When each acknowledged create was acknowledged (for asBackedUp). */
  acknowledgedAt?: Record<string, number>;
}

export type Verdict = 'valid' | 'invalid' | 'undecided';

export interface CheckResult {
  verdict: Verdict;
  /** One line per problem found (invalid), or per register left undecided. */
  problems: string[];
  /** Search steps taken, over all registers. */
  steps: number;
}

// --- the register model ----------------------------------------------------------------------

/** The state after `op` at this instant, or undefined when its recorded outcome is impossible here. */
function apply(state: RegisterState, op: Operation): RegisterState | undefined {
  const took = op.outcome !== 'failed';
  switch (op.kind) {
    case 'create':
      if (took) return state === null ? { value: op.value, version: 0 } : undefined;
      return state ?? undefined;
    case 'write':
      if (!took) return state === null ? state : undefined;
      if (state === null) return undefined;
      if (op.outcome === 'ok' && op.version !== undefined && op.version !== state.version + 1) return undefined;
      return { value: op.value, version: state.version + 1 };
    case 'cas':
      if (!took) return state !== null && state.version !== op.expected ? state : undefined;
      return state !== null && state.version === op.expected ? { value: op.value, version: op.expected + 1 } : undefined;
    case 'read':
      return undefined;
  }
}

const same = (a: RegisterState, b: RegisterState) => (a === null ? b === null : b !== null && a.value === b.value && a.version === b.version);
const show = (s: RegisterState) => (s === null ? 'absent' : `${JSON.stringify(s.value)}@v${s.version}`);

export function describe(op: Operation): string {
  const what =
    op.kind === 'cas'
      ? `cas ${op.register} ${JSON.stringify(op.value)} if v${op.expected}`
      : op.kind === 'read'
        ? `read ${op.register}${op.read ? ` = ${show(op.read)}` : ''}`
        : `${op.kind} ${op.register} ${JSON.stringify(op.value)}${op.kind === 'write' && op.version !== undefined ? ` → v${op.version}` : ''}`;
  const ms = (t: number) => t.toFixed(1);
  return `${op.session}: ${what} ${op.outcome} [${ms(op.invoked)}, ${op.completed === undefined ? '∞' : ms(op.completed)}]`;
}

// --- Wing–Gong with Lowe's memoisation, one register at a time -------------------------------
// Linearizability is local: a history is linearizable when each register's is, so each register
// is searched alone (a far smaller space).

interface Entry {
  op: number;
  /** A call entry points at its return (absent for an indeterminate operation: it never returns). */
  match?: Entry;
  isCall: boolean;
  time: number;
  prev?: Entry;
  next?: Entry;
}

type SearchResult = { verdict: 'valid' } | { verdict: 'invalid'; blocked: Operation; depth: number; state: RegisterState } | { verdict: 'undecided' };

function searchRegister(ops: Operation[], initial: RegisterState, final: RegisterState | undefined, budget: { steps: number; max: number }): SearchResult {
  // Events in time order; at a tie a call comes before a return (overlap is the generous reading).
  const events: Entry[] = [];
  ops.forEach((op, i) => {
    const call: Entry = { op: i, isCall: true, time: op.invoked };
    events.push(call);
    if (op.outcome !== 'indeterminate') {
      const ret: Entry = { op: i, isCall: false, time: op.completed ?? Number.POSITIVE_INFINITY };
      call.match = ret;
      events.push(ret);
    }
  });
  events.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall));
  const head: Entry = { op: -1, isCall: false, time: Number.NEGATIVE_INFINITY };
  let last = head;
  for (const e of events) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  const lift = (call: Entry) => {
    call.prev!.next = call.next;
    if (call.next) call.next.prev = call.prev;
    const ret = call.match;
    if (ret) {
      ret.prev!.next = ret.next;
      if (ret.next) ret.next.prev = ret.prev;
    }
  };
  const unlift = (call: Entry) => {
    const ret = call.match;
    if (ret) {
      ret.prev!.next = ret;
      if (ret.next) ret.next.prev = ret;
    }
    call.prev!.next = call;
    if (call.next) call.next.prev = call;
  };

  const linearized = new Uint8Array(ops.length);
  const seen = new Set<string>();
  const key = (state: RegisterState) => `${Buffer.from(linearized).toString('base64')}|${show(state)}`;
  const stack: Array<{ call: Entry; state: RegisterState }> = [];
  let state = initial;
  let entry = head.next;
  let deepest: { depth: number; blocked: Operation; state: RegisterState } | undefined;

  for (;;) {
    if (++budget.steps > budget.max) return { verdict: 'undecided' };
    if (!entry?.isCall) {
      // A return reached (its operation not yet linearized), or the end with a final state to meet.
      if (entry === undefined && (final === undefined || same(state, final))) return { verdict: 'valid' };
      if (entry !== undefined && (!deepest || stack.length > deepest.depth)) deepest = { depth: stack.length, blocked: ops[entry.op]!, state };
      if (entry === undefined && (!deepest || stack.length > deepest.depth)) {
        deepest = { depth: stack.length, blocked: { kind: 'read', session: 'end', register: '', invoked: Number.POSITIVE_INFINITY, outcome: 'ok', read: final! }, state };
      }
      const top = stack.pop();
      if (!top) return { verdict: 'invalid', ...(deepest ?? { depth: 0, blocked: ops[0]!, state: initial }) };
      linearized[top.call.op] = 0;
      unlift(top.call);
      state = top.state;
      entry = top.call.next;
      continue;
    }
    const after = apply(state, ops[entry.op]!);
    if (after !== undefined) {
      linearized[entry.op] = 1;
      const k = key(after);
      if (!seen.has(k)) {
        seen.add(k);
        stack.push({ call: entry, state });
        lift(entry);
        state = after;
        entry = head.next;
        continue;
      }
      linearized[entry.op] = 0;
    }
    entry = entry.next;
  }
}

// --- reads, as ZooKeeper promises them ---------------------------------------------------------

function readProblems(history: History): string[] {
  const problems: string[] = [];
  const written = new Map<string, Set<string>>();
  for (const [register, state] of Object.entries(history.initial)) {
    if (state) written.set(register, new Set([state.value]));
  }
  for (const op of history.operations) {
    if (op.kind !== 'read' && op.outcome !== 'failed') {
      if (!written.has(op.register)) written.set(op.register, new Set());
      written.get(op.register)!.add(op.value);
    }
  }
  // A session's operations are sequential: in invocation order, the version it has seen of a
  // register (read, or returned by its own acknowledged write or CAS) never goes down.
  const floor = new Map<string, { version: number; op: Operation }>();
  const bySession = [...history.operations].sort((a, b) => a.invoked - b.invoked);
  for (const op of bySession) {
    if (op.outcome !== 'ok') continue;
    const at = `${op.session}\u0000${op.register}`;
    const seen = floor.get(at);
    const version = op.kind === 'read' ? op.read?.version : op.kind === 'cas' ? op.expected + 1 : op.kind === 'write' ? op.version : 0;
    if (op.kind === 'read' && op.read) {
      if (!written.get(op.register)?.has(op.read.value)) problems.push(`a read returned a value no one wrote: ${describe(op)}`);
      if (seen && op.read.version < seen.version) {
        problems.push(`a session's read went back in time: ${describe(op)} after ${describe(seen.op)}`);
      }
    }
    if (version !== undefined && (!seen || version > seen.version)) floor.set(at, { version, op });
  }
  return problems;
}

/** Checks a history: writes and CAS linearizable, reads monotonic per session, acknowledged creates present. */
export function checkHistory(history: History, options: { maxSteps?: number } = {}): CheckResult {
  const budget = { steps: 0, max: options.maxSteps ?? 2_000_000 };
  const problems: string[] = [];
  let undecided = false;
  const registers = [...new Set(history.operations.filter((op) => op.kind !== 'read').map((op) => op.register))].sort();
  for (const register of Object.keys(history.final ?? {})) if (!registers.includes(register)) registers.push(register);
  for (const register of registers) {
    const ops = history.operations.filter((op) => op.register === register && op.kind !== 'read');
    const initial = history.initial[register] ?? null;
    const result = searchRegister(ops, initial, history.final?.[register], budget);
    if (result.verdict === 'undecided') {
      undecided = true;
      problems.push(`${register}: undecided: the search went past ${budget.max} steps (${ops.length} operations)`);
      budget.max = budget.steps; // the budget is spent: the remaining registers are undecided too
    } else if (result.verdict === 'invalid') {
      problems.push(
        `${register}: not linearizable: after ${result.depth} of ${ops.length} operations (register ${show(result.state)}), none can take ` +
          (result.blocked.session === 'end' ? `the register to its final state ${show(history.final![register]!)}` : `effect before this one returns: ${describe(result.blocked)}`),
      );
    }
  }
  problems.push(...readProblems(history));
  const present = new Set(history.present ?? []);
  for (const path of history.acknowledgedCreates ?? []) {
    if (!present.has(path)) problems.push(`an acknowledged create is gone: ${path}`);
  }
  const invalid = problems.some((p) => !p.includes(': undecided: '));
  return { verdict: invalid ? 'invalid' : undecided ? 'undecided' : 'valid', problems, steps: budget.steps };
}

/**
 * What an archive whose backup started at `startedAt` must hold of a history, as a history to
 * check against the data restored from it (the history's `final` and `present`, read after the
 * restore). An archive holds a prefix of each register's writes, and an acknowledged write's place
 * in that order is its version: one acknowledged with a version past the restored register's
 * version came after the archive's copy, and is left out, unless it was acknowledged before the
 * backup started (then it must be there, and the check says it is lost). Every other write is
 * kept as it was, so the restored state must be what the writes up to it made. Refusals and reads
 * after the backup started are left out (they speak of a state the archive may not have); every
 * create acknowledged before it must be there.
 */
export function asBackedUp(history: History, startedAt: number): History {
  const before = (op: Operation) => op.completed !== undefined && op.completed < startedAt;
  const operations = history.operations.filter((op) => {
    if (before(op) || op.outcome === 'indeterminate') return true;
    if (op.kind === 'read' || op.outcome === 'failed') return false;
    const version = op.kind === 'cas' ? op.expected + 1 : op.kind === 'write' ? op.version : undefined;
    const restored = history.final?.[op.register];
    return version === undefined || restored === undefined || restored === null || version <= restored.version;
  });
  const at = history.acknowledgedAt ?? {};
  return {
    ...history,
    operations,
    acknowledgedCreates: (history.acknowledgedCreates ?? []).filter((path) => (at[path] ?? Number.POSITIVE_INFINITY) < startedAt),
  };
}
