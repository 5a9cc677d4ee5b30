// Dynamic reconfiguration, for real: an ensemble of three members started without "reconfig" is
// refused a move; "reconfig" is turned on with the same members (super-user.sh, then
// rolling-restart.sh --recreate, one member at a time); then it grows from three members to five and shrinks to the last three (zk3..zk5, not the first three) while a client writes in
// a loop through a connect string that covers both memberships, retrying on ConnectionLoss as
// ZooKeeper clients do. Each move is zkgen writing the edited file over the running ensemble's
// bundle (which comes with reconfigure.sh) and reconfigure.sh run as a user would. Afterwards: no
// write failed, every write is on every final member, /zookeeper/config lists exactly the final
// members, each a participant, the removed members' containers are gone and their data stays, and
// `--check` finds the bundle up to date. A move that cannot converge (a joining member's container
// cannot start: its data folder is a file) stops at its step with a message naming it, and the
// ensemble still serves as before.
// Then three members started by run.sh rather than docker-compose (rs1..rs3): the heap changed in
// the file and rolling-restart.sh --recreate, then a 3 → 5 move, each while a client writes and
// each member created as run.sh does (lib.sh's create): new containers with the file's heap, one at
// a time, in no compose project, no write failed, a znode written before read through each member
// alone.
//
// THE IMAGE IS A LOCAL STAND-IN, NOT THE REAL IMAGE: zookeeper:3.9.4 here is built by
// test/e2e/images/build.sh from Debian's ZooKeeper 3.8 to reproduce the official image's
// docker-entrypoint.sh (ZOO_* variables, ZOO_CFG_EXTRA, /conf written once, uid 1000).
// ZKGEN_REAL_IMAGES=1 npm run test:e2e runs the real one where a registry is reachable.
//
// Ports (loopback): client 33181.., peer 33281.., election 33381.., AdminServer 33481.. (ids 1..6);
// the run.sh part 34181.., 34281.., 34381.., 34481.. (ids 1..5).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { runCli } from '../helpers.js';
import { type Bundle, generate, readMembers, scratchDir } from './bundle.js';
import { closeClient, connectClient, createRetrying, getRetrying, zk } from './client.js';
import { compose, containerState, dockerOk, engineEnv, ensureImage, removeContainers, run, type RunResult, runScript, useEngine } from './engine.js';
import { waitForPortsFree } from './ports.js';
import { Ledger, scenarioSteps, waitForEnsemble, withLogs } from './scenario.js';
import { modeOf, waitForQuorum } from './srvr.js';
import { range, seconds, sleep } from './wait.js';

const skip = useEngine() || inject('e2eComposeSkip');
const IMAGE = 'zookeeper:3.9.4';
const PORTS = { client: 33181, peer: 33281, election: 33381, admin: 33481 };
const PROJECT = 'zkgen-e2e-reconfig';
const NAMES = range(1, 6).map((i) => `zk${i}`);
const ALL_PORTS = Object.values(PORTS).flatMap((base) => range(base, 6));
const clientPort = (id: number) => PORTS.client + id - 1;
/** Every member either membership has: the client goes on through the move. */
const CONNECT = range(1, 5).map((id) => `127.0.0.1:${clientPort(id)}`).join(',');

if (skip) test.skip(`e2e skipped: ${skip}`);

/** zkgen FILE --out bundle over the running ensemble's bundle, as a user edits and regenerates. */
function rewritten(bundle: Bundle, ensemble: object): Bundle {
  writeFileSync(bundle.ensembleFile, `${JSON.stringify(ensemble, null, 2)}\n`);
  const written = runCli([bundle.ensembleFile, '--out', bundle.dir]);
  expect(written.code, written.stderr).toBe(0);
  return { ...bundle, members: readMembers(bundle.dir) };
}

/** zkgen --check finds the bundle up to date. */
function expectFresh(bundle: Bundle): void {
  const checked = runCli([bundle.ensembleFile, '--out', bundle.dir, '--check']);
  expect(checked, 'zkgen --check after the move').toEqual({ code: 0, stdout: '', stderr: '' });
}

/** id:role of every member /zookeeper/config lists, read by a client of `port`. */
async function listed(port: number): Promise<string[]> {
  const client = await connectClient(`127.0.0.1:${port}`);
  try {
    const config = (await getRetrying(client, '/zookeeper/config')).value;
    return [...config.matchAll(/^server\.(\d+)=[^;\n]*:(participant|observer)/gm)].map((m) => `${m[1]}:${m[2]}`).sort();
  } finally {
    closeClient(client);
  }
}

/**
 * Runs `action` (a bundle's script) while a client writes /moves/<label>-NNNNNN in a loop through
 * `connect`, retrying on ConnectionLoss. Checks the script succeeded and no write failed; returns
 * its result, how long it took, how many writes were acknowledged and how many were retried.
 */
async function writingWhile(
  connect: string,
  label: string,
  signal: AbortSignal,
  action: () => Promise<RunResult>,
): Promise<{ script: RunResult; ms: number; acknowledged: number; losses: number }> {
  const client = await connectClient(connect);
  const done = new AbortController();
  const stop = () => {
    done.abort();
    closeClient(client);
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  try {
    await createRetrying(client, '/moves', '').catch(() => undefined);
    let acknowledged = 0;
    let losses = 0;
    let failure: unknown;
    const writer = (async () => {
      // Bounded: at most 100,000 writes, and it stops once the script is done.
      for (let i = 0; !done.signal.aborted && i < 100_000; i++) {
        try {
          const written = await createRetrying(client, `/moves/${label}-${String(i).padStart(6, '0')}`, String(i), { timeoutMs: 30_000 });
          losses += written.connectionLosses;
          acknowledged = i + 1;
        } catch (error) {
          failure = error;
          return;
        }
      }
    })();
    await sleep(500);
    const started = performance.now();
    const script = await action();
    const ms = performance.now() - started;
    await sleep(500); // a few writes after it too
    done.abort();
    await writer;
    expect(script.code, script.stdout + script.stderr).toBe(0);
    expect(failure, 'a write failed').toBeUndefined();
    return { script, ms, acknowledged, losses };
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

describe.skipIf(skip)(`${IMAGE} stand-in: 3 → 5 → the last 3 members, live, while a client writes`, () => {
  let scratch: string;
  let dataRoot: string;
  let bundle: Bundle;
  const steps = scenarioSteps();
  beforeEach((ctx) => steps.check(ctx));
  const timings: string[] = [];
  /** Each move's label and how many of its writes were acknowledged. */
  const acknowledgedWrites: Array<[string, number]> = [];

  const ensemble = (servers: unknown, more: object = {}) => ({ image: IMAGE, servers, ports: PORTS, dataRoot, ...more });
  const rewrite = (servers: unknown, more: object = { reconfig: true }) => {
    bundle = rewritten(bundle, ensemble(servers, more));
  };
  const checkIsFresh = () => expectFresh(bundle);

  /** writingWhile through CONNECT, checked and remembered (the move's timings, its writes). */
  async function whileWriting(label: string, signal: AbortSignal, action: () => Promise<RunResult>): Promise<RunResult> {
    const { script, ms, acknowledged, losses } = await writingWhile(CONNECT, label, signal, action);
    const stepTimes = [...script.stdout.matchAll(/^step (\S+) \((.*)\)\n(?: {2}.*\n)*? {2}done in (\d+)s$/gm)].map((m) => `${m[1]} ${m[2]}: ${m[3]} s`);
    timings.push(`${label}: the script took ${seconds(ms)}${stepTimes.length ? ` (${stepTimes.join('; ')})` : ''}; ${acknowledged} writes acknowledged, ${losses} retried after ConnectionLoss`);
    console.log(timings.at(-1));
    acknowledgedWrites.push([label, acknowledged]);
    return script;
  }

  const moveWhileWriting = (label: string, signal: AbortSignal) =>
    whileWriting(label, signal, () => runScript(bundle, 'reconfigure.sh', { timeoutMs: 150_000, signal }));

  beforeAll(async () => {
    ensureImage(IMAGE);
    scratch = scratchDir('reconfig');
    dataRoot = join(scratch, 'data');
    await removeContainers(NAMES);
    await waitForPortsFree(ALL_PORTS);
    bundle = generate(ensemble(3), scratch);
  });

  afterAll(async () => {
    if (timings.length) console.log(`reconfiguration timings:\n${timings.join('\n')}`);
    await removeContainers(NAMES);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('docker-compose up: three members without reconfiguration reach a quorum, and zkgen refuses to move them', async (ctx) => {
    steps.gate(ctx);
    const up = await compose(join(bundle.dir, 'docker-compose.yml'), ['-p', PROJECT, 'up', '-d'], { timeoutMs: 120_000 });
    expect(up.code, up.stderr).toBe(0);
    await withLogs(bundle.members, waitForQuorum(range(clientPort(1), 3), { timeoutMs: 90_000 }));
    writeFileSync(bundle.ensembleFile, `${JSON.stringify(ensemble(5), null, 2)}\n`);
    const refused = runCli([bundle.ensembleFile, '--out', bundle.dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the running ensemble was generated without "reconfig"');
  });

  test('"reconfig" turned on with the same members: super-user.sh and rolling-restart.sh --recreate, and the writing client loses nothing', async (ctx) => {
    steps.gate(ctx);
    rewrite(3, { reconfig: true });
    expect(existsSync(join(bundle.dir, 'reconfigure.sh')), 'the same members: no move').toBe(false);
    const made = await run(join(bundle.dir, 'super-user.sh'), [], { cwd: bundle.dir });
    expect(made.code, made.stderr).toBe(0);
    expect(existsSync(join(dataRoot, 'reconfig', 'super.password'))).toBe(true);
    const rolled = await whileWriting('recreate', ctx.signal, () =>
      run(join(bundle.dir, 'rolling-restart.sh'), ['--recreate'], { env: engineEnv(), cwd: bundle.dir, timeoutMs: 150_000, signal: ctx.signal }),
    );
    expect(rolled.stdout.match(/^recreating zk\d /gm)).toHaveLength(3);
    expect(await listed(clientPort(1))).toEqual(['1:participant', '2:participant', '3:participant']);
  });

  test('3 → 5: reconfigure.sh starts zk4 and zk5 and adds them, and the writing client loses nothing', async (ctx) => {
    steps.gate(ctx);
    rewrite(5);
    expect(existsSync(join(bundle.dir, 'reconfigure.sh'))).toBe(true);
    const moved = await moveWhileWriting('grow', ctx.signal);
    expect(moved.stdout).toMatch(/^step 1\/4 \(start zk4 zk5\)$/m);
    expect(moved.stdout).toMatch(/^step 2\/4 \(reconfig -add /m);
    expect(acknowledgedWrites.at(-1)?.[1]).toBeGreaterThan(0);
    expect(await listed(clientPort(4))).toEqual(range(1, 5).map((id) => `${id}:participant`));
    for (const id of range(1, 5)) expect(['leader', 'follower'], `zk${id}`).toContain(await modeOf(clientPort(id)));
    checkIsFresh();
  });

  test('5 → zk3, zk4, zk5: reconfigure.sh removes zk1 and zk2 and their containers, and every write is on every final member', async (ctx) => {
    steps.gate(ctx);
    rewrite([{ id: 3 }, { id: 4 }, { id: 5 }]);
    const moved = await moveWhileWriting('shrink', ctx.signal);
    expect(moved.stdout).toMatch(/^step 3\/4 \(reconfig -remove 1,2\)$/m);
    expect(moved.stdout).toMatch(/^step 4\/4 \(stop and remove zk1 zk2\)$/m);
    expect(await containerState('zk1')).toBe('absent');
    expect(await containerState('zk2')).toBe('absent');
    expect(existsSync(join(dataRoot, 'zk1', 'myid')), 'a removed member keeps its data').toBe(true);
    for (const id of [3, 4, 5]) {
      expect(await listed(clientPort(id)), `zk${id}'s view`).toEqual(['3:participant', '4:participant', '5:participant']);
      expect(['leader', 'follower'], `zk${id}`).toContain(await modeOf(clientPort(id)));
    }
    // Every acknowledged write of both moves, read through each final member alone (polled: a
    // follower answers reads from what it has applied so far).
    const expected = acknowledgedWrites.flatMap(([label, count]) => range(0, count).map((i) => `${label}-${String(i).padStart(6, '0')}`));
    expect(expected.length).toBeGreaterThan(0);
    for (const id of [3, 4, 5]) {
      const client = await connectClient(`127.0.0.1:${clientPort(id)}`);
      try {
        let missing: string[] = expected;
        for (let tries = 0; tries < 20 && missing.length > 0; tries++) {
          if (tries > 0) await sleep(500);
          const children = new Set(await zk.children(client, '/moves'));
          missing = expected.filter((name) => !children.has(name));
        }
        expect(missing, `writes missing on zk${id}`).toEqual([]);
      } finally {
        closeClient(client);
      }
    }
    checkIsFresh();
  });

  test('a move that cannot converge stops at its step, says which, and leaves the ensemble serving', async (ctx) => {
    steps.gate(ctx);
    // zk6's data folder is a file: its container cannot start.
    mkdirSync(dataRoot, { recursive: true });
    writeFileSync(join(dataRoot, 'zk6'), 'not a folder\n');
    rewrite([{ id: 3 }, { id: 4 }, { id: 5 }, { id: 6 }]);
    const script = await runScript(bundle, 'reconfigure.sh', { timeoutMs: 60_000, signal: ctx.signal, env: { ...engineEnv(), ZKGEN_WAIT_SECONDS: '15' } });
    expect(script.code).toBe(1);
    expect(script.stderr).toMatch(/^FAIL: step 1\/4 \(start zk6\)/m);
    expect(script.stderr).toMatch(/resume: .*reconfigure\.sh/);
    expect(await listed(clientPort(3))).toEqual(['3:participant', '4:participant', '5:participant']);
    const client = await connectClient(range(3, 3).map((id) => `127.0.0.1:${clientPort(id)}`).join(','));
    try {
      expect((await createRetrying(client, '/after-failed-move', 'still serving')).value).toBe('/after-failed-move');
    } finally {
      closeClient(client);
    }
    await removeContainers(['zk6']);
  });
});

// Members started by run.sh rather than docker-compose: rolling-restart.sh --recreate and
// reconfigure.sh then create each member as run.sh does (lib.sh's create, from the bundle's
// run_options and each member's own options). Ports 34181.., 34281.., 34381.., 34481.. (ids 1..5).
describe.skipIf(skip)(`${IMAGE} stand-in started by run.sh: rolling-restart.sh --recreate, then 3 → 5, each member created as run.sh does`, () => {
  const ports = { client: 34181, peer: 34281, election: 34381, admin: 34481 };
  const names = range(1, 5).map((i) => `rs${i}`);
  const portOf = (name: string) => ports.client + names.indexOf(name);
  const connect = names.map((name) => `127.0.0.1:${portOf(name)}`).join(',');
  // Started with a 64 MB heap; --recreate is how the ensemble file's 96 MB reaches the members.
  const ensemble = (count: number, heap = '96m') => ({ image: IMAGE, servers: names.slice(0, count).map((name) => ({ name })), ports, dataRoot, reconfig: true, heap });
  const ledger = new Ledger();
  const steps = scenarioSteps();
  beforeEach((ctx) => steps.check(ctx));
  let scratch: string;
  let dataRoot: string;
  let bundle: Bundle;

  /** Each container's id and its compose project (empty: not started by compose). */
  const containers = async (which: string[]) =>
    (await dockerOk(['inspect', '--format', '{{.Id}} {{json .Config.Labels}}', ...which]))
      .trim()
      .split('\n')
      .map((line) => {
        const [id, labels] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
        return { id, project: (JSON.parse(labels) as Record<string, string> | null)?.['com.docker.compose.project'] ?? '' };
      });

  /** The heap (-Xmx) in the JVMFLAGS each container of `which` was created with. */
  const heaps = async (which: string[]) =>
    [...(await dockerOk(['inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', ...which])).matchAll(/^JVMFLAGS=.*-Xmx(\S+)/gm)].map((m) => m[1]);

  /** Every znode written before, read through each member of `which` alone. */
  async function expectLedgerOn(which: string[]): Promise<void> {
    for (const name of which) {
      const client = await connectClient(`127.0.0.1:${portOf(name)}`);
      try {
        await ledger.expectAll(client);
      } finally {
        closeClient(client);
      }
    }
  }

  beforeAll(async () => {
    ensureImage(IMAGE);
    scratch = scratchDir('reconfig-run');
    dataRoot = join(scratch, 'data');
    await removeContainers(names);
    await waitForPortsFree(Object.values(ports).flatMap((base) => range(base, 5)));
    bundle = generate(ensemble(3, '64m'), scratch);
  });

  afterAll(async () => {
    await removeContainers(names);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('super-user.sh and run.sh: three members serve, none in a compose project, and a client writes', async (ctx) => {
    steps.gate(ctx);
    for (const script of ['super-user.sh', 'run.sh']) {
      const done = await runScript(bundle, script, { timeoutMs: 120_000 });
      expect(done.code, `${script}: ${done.stdout}${done.stderr}`).toBe(0);
    }
    await waitForEnsemble(bundle, { timeoutMs: 90_000 });
    expect((await containers(names.slice(0, 3))).map((c) => c.project)).toEqual(['', '', '']);
    const client = await connectClient(connect);
    try {
      await ledger.write(client, '/before-recreate', 'written before rolling-restart.sh --recreate');
    } finally {
      closeClient(client);
    }
  });

  test('the heap changed in the ensemble file: rolling-restart.sh --recreate creates every member again from it, one at a time, and the writing client loses nothing', async (ctx) => {
    steps.gate(ctx);
    const members = names.slice(0, 3);
    expect(await heaps(members)).toEqual(['64m', '64m', '64m']);
    bundle = rewritten(bundle, ensemble(3));
    expect(existsSync(join(bundle.dir, 'reconfigure.sh')), 'the same members: no move').toBe(false);
    const before = await containers(members);
    const { script, ms, acknowledged } = await writingWhile(connect, 'recreate', ctx.signal, () =>
      run(join(bundle.dir, 'rolling-restart.sh'), ['--recreate'], { env: engineEnv(), cwd: bundle.dir, timeoutMs: 150_000, signal: ctx.signal }),
    );
    console.log(`run.sh's members recreated in ${seconds(ms)}, ${acknowledged} writes acknowledged:\n${script.stdout}`);
    // One at a time: each member serves again before the next is recreated.
    const events = [...script.stdout.matchAll(/^(?:recreating (\S+) |(\S+) serves again as )/gm)].map((m) => (m[1] ? `recreate ${m[1]}` : `serves ${m[2]}`));
    const order = events.filter((e) => e.startsWith('recreate ')).map((e) => e.slice('recreate '.length));
    expect([...order].sort()).toEqual(members);
    expect(events).toEqual(order.flatMap((name) => [`recreate ${name}`, `serves ${name}`]));
    expect(script.stdout).toMatch(/^ok: rs1 rs2 rs3 created again from this bundle, one at a time$/m);
    const after = await containers(members);
    for (const [i, name] of members.entries()) expect(after[i]!.id, `${name} is a new container`).not.toBe(before[i]!.id);
    expect(after.map((c) => c.project)).toEqual(['', '', '']);
    expect(await heaps(members)).toEqual(['96m', '96m', '96m']);
    await waitForEnsemble(bundle, { timeoutMs: 30_000 });
    expect(await listed(portOf('rs1'))).toEqual(['1:participant', '2:participant', '3:participant']);
    await expectLedgerOn(members);
  });

  test('3 → 5: reconfigure.sh creates rs4 and rs5 as run.sh does and adds them, and the writing client loses nothing', async (ctx) => {
    steps.gate(ctx);
    bundle = rewritten(bundle, ensemble(5));
    const { script, ms, acknowledged } = await writingWhile(connect, 'grow', ctx.signal, () => runScript(bundle, 'reconfigure.sh', { timeoutMs: 150_000, signal: ctx.signal }));
    console.log(`3 → 5 on run.sh's members in ${seconds(ms)}, ${acknowledged} writes acknowledged`);
    expect(script.stdout).toMatch(/^step 1\/4 \(start rs4 rs5\)$/m);
    expect((await containers(['rs4', 'rs5'])).map((c) => c.project)).toEqual(['', '']);
    expect(await heaps(['rs4', 'rs5'])).toEqual(['96m', '96m']);
    await waitForEnsemble(bundle, { timeoutMs: 30_000 });
    expect(await listed(portOf('rs5'))).toEqual(range(1, 5).map((id) => `${id}:participant`));
    await expectLedgerOn(['rs4', 'rs5']);
    expectFresh(bundle);
  });
});
