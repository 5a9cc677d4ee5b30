// The history checker (test/history/checker.ts) on known-good and known-bad histories: each bad
// one is a fault the fault suite exists to catch (a lost acknowledged write, a reordered CAS, a
// stale read going back in time, an acknowledged create gone), and some good ones are valid only
// because an indeterminate operation may have taken effect — or may not have.
import { describe, expect, test } from 'vitest';
import { type History, type Operation, asBackedUp, checkHistory } from './checker.js';

type Op = Operation;
const r = 'r';
const v = (value: string, version: number) => ({ value, version });
const write = (session: string, value: string, invoked: number, completed: number | undefined, more: Partial<Op> = {}): Op =>
  ({ kind: 'write', session, register: r, value, invoked, completed, outcome: completed === undefined ? 'indeterminate' : 'ok', ...more }) as Op;
const cas = (session: string, value: string, expected: number, invoked: number, completed: number | undefined, outcome?: Op['outcome']): Op => ({
  kind: 'cas',
  session,
  register: r,
  value,
  expected,
  invoked,
  ...(completed === undefined ? {} : { completed }),
  outcome: outcome ?? (completed === undefined ? 'indeterminate' : 'ok'),
});
const read = (session: string, value: string, version: number, invoked: number, completed: number): Op => ({
  kind: 'read',
  session,
  register: r,
  invoked,
  completed,
  outcome: 'ok',
  read: v(value, version),
});
const history = (operations: Op[], final?: { value: string; version: number } | null, more: Partial<History> = {}): History => ({
  initial: { r: v('', 0) },
  operations,
  ...(final === undefined ? {} : { final: { r: final } }),
  ...more,
});

describe('writes and compare-and-sets: linearizable', () => {
  test('sequential CAS chain: valid', () => {
    const h = history([cas('a', 'x', 0, 0, 1), cas('b', 'y', 1, 2, 3), cas('a', 'z', 2, 4, 5)], v('z', 3));
    expect(checkHistory(h)).toMatchObject({ verdict: 'valid', problems: [] });
  });

  test('two concurrent CAS on the same version: only one may succeed (both ok is invalid)', () => {
    const good = history([cas('a', 'x', 0, 0, 10), cas('b', 'y', 0, 1, 11, 'failed')], v('x', 1));
    expect(checkHistory(good).verdict).toBe('valid');
    const bad = history([cas('a', 'x', 0, 0, 10), cas('b', 'y', 0, 1, 11)]);
    const result = checkHistory(bad);
    expect(result.verdict).toBe('invalid');
    expect(result.problems[0]).toMatch(/^r: not linearizable: /);
  });

  test('a reordered CAS: v1 → v2 acknowledged before v0 → v1 was even invoked', () => {
    const bad = history([cas('a', 'y', 1, 0, 1), cas('b', 'x', 0, 5, 6)], v('y', 2));
    const result = checkHistory(bad);
    expect(result.verdict).toBe('invalid');
    expect(result.problems.join('\n')).toContain('cas r "y" if v1 ok');
  });

  test('a lost acknowledged write: the final state does not have it', () => {
    const bad = history([cas('a', 'x', 0, 0, 1), cas('a', 'y', 1, 2, 3)], v('x', 1));
    const result = checkHistory(bad);
    expect(result.verdict).toBe('invalid');
    expect(result.problems.join('\n')).toMatch(/final state "x"@v1/);
    expect(checkHistory(history([cas('a', 'x', 0, 0, 1), cas('a', 'y', 1, 2, 3)], v('y', 2))).verdict).toBe('valid');
  });

  test('a write acknowledged with a version that skips one: invalid unless an indeterminate write explains the gap', () => {
    const gap = [write('a', 'x', 0, 1, { version: 1 }), write('a', 'y', 2, 3, { version: 3 })];
    expect(checkHistory(history(gap)).verdict).toBe('invalid');
    // The session's earlier write timed out: it may have taken effect in between.
    expect(checkHistory(history([...gap, write('b', 'w', 0.5, undefined)])).verdict).toBe('valid');
  });

  test('only an indeterminate write makes it valid: its value is the final state', () => {
    const ops = [cas('a', 'x', 0, 0, 1), write('b', 'lost?', 2, undefined)];
    expect(checkHistory(history(ops, v('lost?', 2))).verdict).toBe('valid');
    // And it may never have happened at all.
    expect(checkHistory(history(ops, v('x', 1))).verdict).toBe('valid');
    // Without it, the same final state is a write from nowhere.
    expect(checkHistory(history(ops.slice(0, 1), v('lost?', 2))).verdict).toBe('invalid');
  });

  test('an indeterminate CAS explains a later CAS failing on a bad version', () => {
    const ops = [cas('a', 'x', 0, 0, undefined), cas('b', 'y', 0, 5, 6, 'failed')];
    expect(checkHistory(history(ops)).verdict).toBe('valid');
    // With the first one known to have failed, nothing moved the version: the bad version is wrong.
    const failed = [cas('a', 'x', 0, 0, 1, 'failed'), cas('b', 'y', 0, 5, 6, 'failed')];
    expect(checkHistory(history(failed)).verdict).toBe('invalid');
  });

  test('an indeterminate operation takes effect only after its invocation', () => {
    // The final value "late" was written by an operation invoked after the only CAS that could
    // have needed it — so the acknowledged cas if v1 had nothing to build on.
    const ops = [cas('a', 'y', 1, 0, 1), write('b', 'late', 5, undefined)];
    expect(checkHistory(history(ops)).verdict).toBe('invalid');
  });

  test('a create ok only when absent; a failed create only when present', () => {
    const h: History = {
      initial: {},
      operations: [
        { kind: 'create', session: 'a', register: r, value: 'x', invoked: 0, completed: 1, outcome: 'ok' },
        { kind: 'create', session: 'b', register: r, value: 'y', invoked: 2, completed: 3, outcome: 'failed' },
      ],
      final: { r: v('x', 0) },
    };
    expect(checkHistory(h).verdict).toBe('valid');
    h.operations[1]!.outcome = 'ok';
    expect(checkHistory(h).verdict).toBe('invalid');
  });
});

describe('reads: as ZooKeeper promises them (per session, never back in time), not linearizable', () => {
  test('a stale read from a lagging member is fine; a session going back in time is not', () => {
    const writes = [cas('w', 'x', 0, 0, 1), cas('w', 'y', 1, 2, 3)];
    // Read after y was acknowledged, yet x: not linearizable, but ZooKeeper allows it.
    expect(checkHistory(history([...writes, read('s', 'x', 1, 4, 5)])).verdict).toBe('valid');
    const back = checkHistory(history([...writes, read('s', 'y', 2, 4, 5), read('s', 'x', 1, 6, 7)]));
    expect(back.verdict).toBe('invalid');
    expect(back.problems[0]).toMatch(/^a session's read went back in time: s: read r = "x"@v1/);
    // Two sessions may disagree.
    expect(checkHistory(history([...writes, read('s', 'y', 2, 4, 5), read('t', 'x', 1, 6, 7)])).verdict).toBe('valid');
  });

  test("a session never reads below its own acknowledged CAS", () => {
    const bad = history([cas('s', 'x', 0, 0, 1), read('s', '', 0, 2, 3)]);
    expect(checkHistory(bad).verdict).toBe('invalid');
  });

  test('a read of a value no one wrote', () => {
    const result = checkHistory(history([cas('w', 'x', 0, 0, 1), read('s', 'ghost', 1, 2, 3)]));
    expect(result.verdict).toBe('invalid');
    expect(result.problems[0]).toMatch(/no one wrote/);
  });
});

describe('acknowledged creates', () => {
  test('every acknowledged create must be present at the end', () => {
    const base = history([], undefined, { acknowledgedCreates: ['/h/a', '/h/b'], present: ['/h/a', '/h/b', '/h/c'] });
    expect(checkHistory(base).verdict).toBe('valid');
    const lost = checkHistory({ ...base, present: ['/h/a'] });
    expect(lost).toMatchObject({ verdict: 'invalid', problems: ['an acknowledged create is gone: /h/b'] });
  });
});

describe('bounded', () => {
  test('past its step cap the verdict is undecided, never valid', () => {
    // Many concurrent indeterminate writes and a final state none of them produced: exhaustive
    // search is exponential; with a small cap it must say undecided.
    const ops: Op[] = [];
    for (let i = 0; i < 16; i++) ops.push(write(`s${i}`, `w${i}`, i * 0.01, undefined));
    const h = history(ops, v('never', 99));
    const capped = checkHistory(h, { maxSteps: 1_000 });
    expect(capped.verdict).toBe('undecided');
    expect(capped.problems[0]).toMatch(/^r: undecided: the search went past 1000 steps/);
  });

  test('memoisation (Lowe) decides a wide invalid history within a cap plain Wing–Gong cannot', () => {
    // 10 writers at once, all acknowledged, and a final state none of them wrote: every order
    // must be refuted. 10! orders without memoisation; about 2^10 × 10 configurations with it.
    const ops: Op[] = [];
    for (let i = 0; i < 10; i++) ops.push(write(`s${i}`, `w${i}`, 0, 10));
    const result = checkHistory(history(ops, v('never', 10)), { maxSteps: 1_000_000 });
    expect(result.verdict).toBe('invalid');
    expect(checkHistory(history(ops, v('w3', 10)), { maxSteps: 1_000_000 }).verdict).toBe('valid');
  });
});

describe('asBackedUp: what an archive must hold of a history', () => {
  // Backup started at 10; the restored register and the znodes found after the restore.
  const ops = [cas('a', 'x', 0, 0, 1), cas('a', 'y', 1, 12, 13), read('b', 'y', 2, 14, 15), cas('b', 'z', 1, 16, 17, 'failed')];
  const made = (final: { value: string; version: number }, present: string[]) =>
    asBackedUp(history(ops, final, { acknowledgedCreates: ['/h/a', '/h/b'], acknowledgedAt: { '/h/a': 2, '/h/b': 11 }, present }), 10);

  test('the state at the backup, or later: valid; the later write may be in it or not', () => {
    expect(checkHistory(made(v('x', 1), ['/h/a'])).verdict).toBe('valid');
    expect(checkHistory(made(v('y', 2), ['/h/a', '/h/b'])).verdict).toBe('valid');
  });

  test('a write acknowledged before the backup started, missing from the archive: invalid', () => {
    expect(checkHistory(made(v('', 0), ['/h/a'])).verdict).toBe('invalid');
    const lost = checkHistory(made(v('x', 1), []));
    expect(lost).toMatchObject({ verdict: 'invalid', problems: ['an acknowledged create is gone: /h/a'] });
  });

  test('a restored register whose value is not what its version says (a torn copy): invalid', () => {
    expect(checkHistory(made(v('y', 1), ['/h/a'])).verdict).toBe('invalid');
  });

  test('an indeterminate write after the backup started may be in the archive, or not', () => {
    const late = [ops[0]!, write('c', 'w', 11, undefined)];
    const judged = (final: { value: string; version: number }) => asBackedUp(history(late, final, { acknowledgedCreates: [] }), 10);
    expect(checkHistory(judged(v('w', 2))).verdict).toBe('valid');
    expect(checkHistory(judged(v('x', 1))).verdict).toBe('valid');
  });

  test('the same history, judged as the live ensemble instead: the later write is not lost there', () => {
    expect(checkHistory(history(ops, v('x', 1))).verdict).toBe('invalid');
  });
});
