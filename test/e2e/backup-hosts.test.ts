// Backup and restore across three machines, for real: the three namespace hosts of
// test/e2e/runtime/hosts.sh (10.77.0.11..13, one Docker engine each; see multihost.test.ts), an
// ensemble of the official image's stand-in with one member per host, started by each host's
// docker-compose.yml, data under DIR/machine (a different folder on each host).
// 1. A few hundred znodes; hosts/<host 1>/backup.sh run on host 1 while a client keeps writing; a
//    subtree deleted and more written after it.
// 2. The refusal: hosts 1 and 2 lay the archive in (restore.sh --yes: their members stopped, not
//    started), zk3 on host 3 still runs with newer data: the top-level restore.sh names it, prints
//    each machine's restore.sh and no start (exit 2); host 1's start-restored.sh, run out of turn
//    without the time the top-level script saw every member stopped, or with one from before its
//    restore.sh, starts nothing; zk1, zk2 stay stopped.
// 3. Host 3 lays it in too (host 1 again: nothing to do); the top-level restore.sh sees no member
//    answer, prints each machine's start-restored.sh, run on each host, and waits until the
//    ensemble serves: every write acknowledged before backup.sh started is back, the deleted
//    subtree is back, writes acknowledged after it finished are gone, each host keeps its
//    member's former data folder.
// 4. A quorum lost for good: hosts 3 then 2 lose their member's container and data. What is
//    promised is what the survivor, zk1, holds: every write acknowledged before it last caught up
//    (here seen through zk1 alone) and every write acknowledged while it was one of the two a
//    quorum needed (after host 3 was lost). The survivor's data folder, copied to the other two
//    hosts as the top-level restore.sh says, is laid into every member with --from-member-data;
//    hosts 2 and 3 create their members again from their compose files; every such write is back.
//
// THE IMAGE IS A LOCAL STAND-IN (test/e2e/images/build.sh, Debian's ZooKeeper 3.8 inside), built on
// host 1's engine and copied to the others. Cost: about 2 minutes, most of it the three engines and
// the image copies, and the formatters' JVMs reading the data back on each host.
//
// Everything it starts is stopped by pid (hosts.sh stop) and the namespaces and bridge removed, in
// afterAll, and at the start of a later run if this one crashed (its own /tmp/zkbh-* folders).
import { cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type Bundle, generate } from './bundle.js';
import { type Acknowledged, closeClient, connectClient, createAll, keepCreating, zk } from './client.js';
import { type RunResult, run, useEngine } from './engine.js';
import { Ledger, scenarioSteps } from './scenario.js';
import { HOSTS_SH, onEngine, startThreeHosts, threeHostSkip } from './hosts.js';
import { modeOf } from './srvr.js';
import { range, seconds, sleep, waitFor } from './wait.js';

const HOSTS = ['10.77.0.11', '10.77.0.12', '10.77.0.13'];
const IMAGE = 'zookeeper:3.9.4';
const PREFIX = '/tmp/zkbh-';
const BULK = 300;
const SUBTREE = 20;
const pad = (n: number) => String(n).padStart(5, '0');

const skip = threeHostSkip(useEngine(), 'three-host backup suite');
if (skip) test.skip(`e2e skipped: ${skip}`);

describe.skipIf(skip)('backup and restore on three hosts (network namespaces, one Docker engine each; official image stand-in)', () => {
  let dir = '';
  let engines: string[] = [];
  let bundle: Bundle;
  let archive = '';
  const steps = scenarioSteps();
  const started = performance.now();
  beforeEach((ctx) => steps.check(ctx));

  const on = (i: number): NodeJS.ProcessEnv => onEngine(engines[i]!);
  const dockerOn = (i: number, args: string[]) => run('docker', args, { env: on(i), timeoutMs: 120_000 });
  const said = (what: string, r: RunResult) => `${what} exited ${r.code}:\n${r.stdout}${r.stderr}`;
  const hostDir = (i: number) => join(bundle.dir, 'hosts', HOSTS[i]!);
  /** Host i's data root as this process sees it (DIR/machine there is DIR/h<i>/machine here). */
  const dataOn = (i: number) => join(dir, `h${i + 1}`, 'machine', 'data');
  /** A command run on host i as if logged in there: in its engine's mount and network namespaces, with its engine. */
  const onHost = (i: number, args: string[], timeoutMs = 150_000) => {
    const pid = readFileSync(join(dir, `h${i + 1}`, 'dockerd.pid'), 'utf8').trim();
    return run('nsenter', ['--target', pid, '--mount', '--net', '--', ...args], { env: on(i), timeoutMs });
  };
  /** hosts/<host i>/SCRIPT ARGS, run on host i. */
  const onMachine = (i: number, script: string, args: string[] = []) => onHost(i, [join(hostDir(i), script), ...args]);
  const running = async (i: number) => (await dockerOn(i, ['inspect', '--format', '{{.State.Running}}', `zk${i + 1}`])).stdout.trim();

  /** The top-level restore.sh, its output in a file: step 2 is read from it before the hosts start their members. */
  function topLevel(args: string[], label: string): { done: Promise<RunResult>; output: string } {
    const output = join(dir, `${label}.out`);
    const done = run('bash', ['-c', '"$0" "${@:2}" >"$1" 2>&1', join(bundle.dir, 'restore.sh'), output, ...args], { timeoutMs: 200_000 });
    return { done, output };
  }
  /** Waits until the top-level restore.sh prints step 2, and returns each host's start command's argument (the time it saw every member stopped). */
  async function untilStep2(output: string, done: Promise<RunResult>): Promise<string[]> {
    let finished: RunResult | undefined;
    void done.then((r) => (finished = r));
    await waitFor('the top-level restore.sh to print step 2', () => Promise.resolve(finished || (existsSync(output) && /^step 2\/2/m.test(readFileSync(output, 'utf8'))) ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    if (finished) throw new Error(`${said('restore.sh', finished)}${readFileSync(output, 'utf8')}`);
    const printed = readFileSync(output, 'utf8');
    return HOSTS.map((host) => {
      const seen = new RegExp(`^  on ${host}: hosts/${host}/start-restored\\.sh (\\d{8}T\\d{6}Z)$`, 'm').exec(printed)?.[1];
      if (!seen) throw new Error(`restore.sh printed no start for ${host}:\n${printed}`);
      return seen;
    });
  }

  async function waitForQuorum(hosts: number[]): Promise<void> {
    let last: string[] = [];
    await waitFor(
      `a quorum of ${hosts.map((i) => HOSTS[i]).join(', ')}`,
      async () => {
        last = await Promise.all(hosts.map((i) => modeOf(2181, HOSTS[i])));
        return last.every((m) => m === 'leader' || m === 'follower') && last.filter((m) => m === 'leader').length === 1 ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, describe: () => last.join(', ') },
    );
  }

  beforeAll(async () => {
    ({ dir, engines } = await startThreeHosts(PREFIX, IMAGE));
    bundle = generate({ dataRoot: join(dir, 'machine', 'data'), heap: '64m', servers: HOSTS.map((host) => ({ host })) }, dir);
    console.log(`three engines with ${IMAGE} in ${seconds(performance.now() - started)}`);
  }, 900_000);

  afterAll(async () => {
    if (!dir) return;
    const stopped = await run('bash', [HOSTS_SH, 'stop', dir], { timeoutMs: 300_000 });
    if (stopped.code !== 0) console.log(said('hosts.sh stop', stopped));
    rmSync(dir, { recursive: true, force: true });
    console.log(`the three-host backup suite took ${seconds(performance.now() - started)} in all`);
  }, 360_000);

  /** Live writes: each path with when it was acknowledged. */
  const acknowledged: Acknowledged[] = [];
  let backupStarted = 0;
  let backupFinished = 0;

  test("each host's compose file up; a few hundred znodes; hosts/<host 1>/backup.sh, run there while a client keeps writing", async (ctx) => {
    steps.gate(ctx);
    for (const i of [0, 1, 2]) {
      expect((await onMachine(i, 'prepare.sh')).code).toBe(0);
      const composed = await run('docker-compose', ['-f', join(hostDir(i), 'docker-compose.yml'), 'up', '-d'], { env: on(i), timeoutMs: 180_000 });
      expect(composed.code, said('docker-compose up -d', composed)).toBe(0);
    }
    await waitForQuorum([0, 1, 2]);
    const client = await connectClient(bundle.connectString);
    await createAll(client, ['/bulk', '/live', '/bulk/sub']);
    await createAll(client, [...range(0, BULK).map((i) => `/bulk/n${pad(i)}`), ...range(0, SUBTREE).map((i) => `/bulk/sub/s${pad(i)}`)]);
    const writer = keepCreating(client, '/live', acknowledged);
    try {
      await sleep(500);
      backupStarted = performance.now();
      const backup = await onMachine(0, 'backup.sh', [join(dir, 'backups')]);
      backupFinished = performance.now();
      expect(backup.code, said('backup.sh', backup)).toBe(0);
      console.log(`hosts/${HOSTS[0]}/backup.sh took ${seconds(backupFinished - backupStarted)}`);
      archive = backup.stdout.trim().split('\n').at(-1)!;
      expect(archive).toMatch(/\/zkgen-backup-\d{8}T\d{6}Z-zk1\.tar\.gz$/);
      await sleep(500);
    } finally {
      await writer.stop();
    }
    try {
      for (const child of await zk.children(client, '/bulk/sub')) await zk.remove(client, `/bulk/sub/${child}`);
      await zk.remove(client, '/bulk/sub');
      await createAll(client, ['/after', ...range(0, 50).map((i) => `/after/a${pad(i)}`)]);
    } finally {
      closeClient(client);
    }
  });

  test('zk3 still runs with newer data: hosts 1 and 2 lay the archive in and start nothing, and the top-level restore.sh names zk3 and offers no start', async (ctx) => {
    steps.gate(ctx);
    for (const i of [0, 1]) {
      const laid = await onMachine(i, 'restore.sh', ['--yes', archive]);
      expect(laid.code, said(`hosts/${HOSTS[i]}/restore.sh --yes`, laid)).toBe(0);
      expect(laid.stdout).toContain(`ok: laid in and stopped: zk${i + 1}, with ${archive}`);
      expect(await running(i)).toBe('false');
    }
    const refused = await run(join(bundle.dir, 'restore.sh'), [archive], { timeoutMs: 60_000 });
    const context = said('restore.sh', refused);
    expect(refused.code, context).toBe(2);
    expect(refused.stdout, context).toMatch(/^step 1\/2: these members answer, so no restored member may start yet: zk3 \(on 10\.77\.0\.13\)$/m);
    for (const host of HOSTS) expect(refused.stdout, context).toContain(`  on ${host}: hosts/${host}/restore.sh --yes ${archive}`);
    expect(refused.stdout, context).not.toContain('start-restored.sh');
    // Run on host 1 out of turn, start-restored.sh starts nothing: not without the time the
    // top-level script saw every member stopped, nor with one from before host 1's restore.sh.
    const untold = await onMachine(0, 'start-restored.sh');
    expect([untold.code, untold.stderr]).toEqual([2, expect.stringContaining('run it as the top-level restore.sh prints it')]);
    const stale = await onMachine(0, 'start-restored.sh', ['20000101T000000Z']);
    expect([stale.code, stale.stderr]).toEqual([1, expect.stringMatching(/^FAIL: every member was seen stopped at 20000101T000000Z, before this folder's restore\.sh began at \d{8}T\d{6}Z/m)]);
    expect([await running(0), await running(1), await modeOf(2181, HOSTS[2])]).toEqual(['false', 'false', 'not-serving']);
  });

  test('host 3 lays it in; the top-level restore.sh then prints each host its start, and the ensemble serves the data backup.sh saw', async (ctx) => {
    steps.gate(ctx);
    const laid = await onMachine(2, 'restore.sh', ['--yes', archive]);
    expect(laid.code, said('hosts/10.77.0.13/restore.sh --yes', laid)).toBe(0);
    const again = await onMachine(0, 'restore.sh', ['--yes', archive]);
    expect(again.code, said('hosts/10.77.0.11/restore.sh --yes, again', again)).toBe(0);
    expect(again.stdout).toContain('zk1: holds this data already (laid in by an earlier run): left as it is');
    const since = performance.now();
    const top = topLevel([archive], 'restore');
    const seen = await untilStep2(top.output, top.done);
    for (const i of [0, 1, 2]) {
      const start = await onMachine(i, 'start-restored.sh', [seen[i]!]);
      expect(start.code, said('start-restored.sh', start)).toBe(0);
    }
    const done = await top.done;
    expect(done.code, `${said('restore.sh', done)}${readFileSync(top.output, 'utf8')}`).toBe(0);
    expect(readFileSync(top.output, 'utf8')).toMatch(/^ok: every member serves the restored data/m);
    console.log(`from the top-level restore.sh's step 2 to serving: ${seconds(performance.now() - since)}`);

    const client = await connectClient(bundle.connectString);
    try {
      expect((await zk.children(client, '/bulk')).filter((c) => c.startsWith('n'))).toHaveLength(BULK);
      expect(await zk.children(client, '/bulk/sub')).toHaveLength(SUBTREE);
      expect(await zk.exists(client, '/after')).toBe(false);
      const live = new Set(await zk.children(client, '/live'));
      const before = acknowledged.filter((w) => w.at < backupStarted);
      const after = acknowledged.filter((w) => w.at > backupFinished);
      expect([before.length > 0, after.length > 0]).toEqual([true, true]);
      expect(before.filter((w) => !live.has(w.path.slice('/live/'.length)))).toEqual([]);
      expect(after.filter((w) => live.has(w.path.slice('/live/'.length)))).toEqual([]);
    } finally {
      closeClient(client);
    }
    for (const i of [0, 1, 2]) expect(readdirSync(dataOn(i)).filter((f) => f.startsWith(`zk${i + 1}.before-restore-`)), HOSTS[i]).toHaveLength(1);
  });

  test("two hosts lost for good: the survivor's data folder, laid into every member with --from-member-data, brings back every write it held", async (ctx) => {
    steps.gate(ctx);
    const ledger = new Ledger();
    let client = await connectClient(bundle.connectString);
    for (let n = 0; n < 10; n++) await ledger.write(client, `/lost-a${n}`, `all three up (${n})`);
    // The survivor caught up: read through zk1 alone.
    const alone = await connectClient(`${HOSTS[0]}:2181`);
    await waitFor('zk1 to have /lost-a9', async () => ((await zk.exists(alone, '/lost-a9')) ? true : undefined), { timeoutMs: 10_000 });
    closeClient(alone);
    const lose = async (i: number) => {
      expect((await dockerOn(i, ['rm', '-f', `zk${i + 1}`])).code).toBe(0);
      rmSync(dataOn(i), { recursive: true, force: true });
    };
    await lose(2);
    await waitForQuorum([0, 1]);
    closeClient(client);
    client = await connectClient(`${HOSTS[0]}:2181,${HOSTS[1]}:2181`);
    // Acknowledged by a quorum of two of three with host 3 gone: zk1 logged each.
    for (let n = 0; n < 10; n++) await ledger.write(client, `/lost-b${n}`, `host 3 lost (${n})`, { timeoutMs: 60_000 });
    closeClient(client);
    await lose(1);
    await waitFor('zk1 to stop serving', async () => ((await modeOf(2181, HOSTS[0])) === 'not-serving' ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });

    const folder = join(dir, 'machine', 'data', 'zk1');
    const first = await run(join(bundle.dir, 'restore.sh'), ['--from-member-data', folder], { timeoutMs: 60_000 });
    expect(first.code, said('restore.sh --from-member-data', first)).toBe(2);
    expect(first.stdout).toContain(`${folder} must be on every machine`);
    // Copied to the other two hosts, to the same path, as it says.
    for (const i of [1, 2]) cpSync(join(dataOn(0), 'zk1'), join(dataOn(i), 'zk1'), { recursive: true });
    const since = performance.now();
    for (const i of [0, 1, 2]) {
      const laid = await onMachine(i, 'restore.sh', ['--yes', '--from-member-data', folder]);
      expect(laid.code, said(`hosts/${HOSTS[i]}/restore.sh --yes --from-member-data`, laid)).toBe(0);
    }
    const top = topLevel(['--from-member-data', folder], 'lost');
    const seen = await untilStep2(top.output, top.done);
    for (const i of [0, 1, 2]) {
      const start = await onMachine(i, 'start-restored.sh', [seen[i]!]);
      expect(start.code, said('start-restored.sh', start)).toBe(0);
      if (i > 0) expect(start.stdout).toContain(`created zk${i + 1} from docker-compose.yml (it had no container)`);
    }
    const done = await top.done;
    expect(done.code, `${said('restore.sh', done)}${readFileSync(top.output, 'utf8')}`).toBe(0);
    console.log(`lost quorum: from the first machine's restore.sh to serving ${seconds(performance.now() - since)}`);
    const back = await connectClient(bundle.connectString);
    try {
      await ledger.expectAll(back);
      expect((await zk.children(back, '/bulk')).filter((c) => c.startsWith('n'))).toHaveLength(BULK);
    } finally {
      closeClient(back);
    }
  });
});
