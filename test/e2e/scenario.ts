// The scenarios' steps and the checks they share, each asserting with vitest's expect.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, expect } from 'vitest';
import { type Bundle, type Member, type StatusRow, clientPortOf, parseStatus } from './bundle.js';
import { type Retried, type ZkClient, closeClient, connectClient, createRetrying, getRetrying, within, zk } from './client.js';
import { configProblems, imageLayout } from './config.js';
import { engineEnv, logTail, run, runScript } from './engine.js';
import { portOwnerProblems } from './ports.js';
import { type Quorum, waitForQuorum } from './srvr.js';
import { seconds } from './wait.js';

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
 * serving as leader or follower (exactly one leader) with its last zxid, and the ensemble's line
 * (that leader, every participant serving, the zxids agreeing), with exit status 0, and the same
 * with --json. Returns its rows.
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
  for (const row of rows) expect(row.zxid, context).toMatch(/^0x[0-9a-f]+$/);
  // The ensemble's line: that leader, every participant serving, the last zxids agreeing.
  const leader = rows.find((row) => row.mode === 'leader')?.member ?? '';
  expect(status.stdout.trim().split('\n').at(-1), context).toMatch(
    new RegExp(`^ensemble: leader ${leader}; (\\d+) of \\1 participants serve; tolerates \\d+ more failure\\(s\\); last zxids agree `),
  );
  expect(status.code, context).toBe(0);
  const json = await run(join(bundle.dir, 'status.sh'), ['--json'], { env: engineEnv(), cwd: bundle.dir, timeoutMs: 60_000 });
  const doc = JSON.parse(json.stdout) as { members: Array<{ name: string; mode: string }>; ensemble: Record<string, unknown> };
  expect(doc.members.map((m) => m.name), json.stdout).toEqual(rows.map((row) => row.member));
  expect(doc.ensemble, json.stdout).toMatchObject({ leader, quorum: true, zxidsAgree: true });
  expect(json.code, json.stdout).toBe(0);
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

/**
 * The ensemble back after it lost its quorum (the write to `refused` refused then): a new session
 * on the connect string finds every znode the ledger holds and no `refused`; status.sh lists every
 * member serving; each runs with its generated conf/<member>/zoo.cfg and myid.
 */
export async function expectAllBack(bundle: Bundle, ledger: Ledger, refused: string, image: string): Promise<void> {
  const fresh = await connectClient(bundle.connectString);
  try {
    await ledger.expectAll(fresh);
    expect(await zk.exists(fresh, refused)).toBe(false);
  } finally {
    closeClient(fresh);
  }
  await expectStatusServing(bundle);
  await expectConfigsMatch(bundle, image);
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
