// The fault suite on three hosts (issue 19): zkgen's several-machine procedures run while a host is
// cut off or its whole Docker engine stops, with the clients that keep a history
// (test/e2e/history.ts) and the checker (test/history/checker.ts) as test/e2e/faults.test.ts uses
// them. Each scenario prints its operations, faults, indeterminate count, verdict and time
// (docs/faults.md has the table).
//
// The hosts are runtime/hosts.sh's network namespaces zkh1..3 (10.77.0.11..13 behind veths
// zkv1..3 on the bridge zkbr0), each with its own Docker engine, as in multihost.test.ts. One setup
// for every scenario: members f1..f3, one per host, "reconfig" on and the restart policy
// "unless-stopped", data under DIR/machine (a folder of each host's own), started as
// docs/changing-members.md tells an operator (super-user.sh here, its server/ folder copied to each
// host as it prints, prepare.sh and docker-compose up -d on each host). Then:
//   1. the leader's host's whole engine stopped by its pid while the clients work: the two others
//      serve; started again (hosts.sh start-engine), its member comes back by the restart policy
//      alone and serves;
//   2. 3 → 5 (f4 joins host 2, f5 host 3, each machine's part run there as the top-level
//      reconfigure.sh prints it), host 3 cut off (zkv3 down) as the top-level reconfigure.sh
//      begins `reconfig -add`: it stops naming what it waited for, the members on hosts 1 and 2
//      keep a quorum and take writes; healed, reconfigure.sh again finishes, all five serve;
//   3. host 2's rolling-restart.sh (f2, f4) with host 1 (f1) cut off as it begins its first
//      restart: it restarts no other member and names f1; healed, a re-run restarts both.
// Each scenario's cost is printed with it (the whole file about 100 s, 7–19 s of it the setup).
// ZKGEN_FAULTS_LONG=1 (npm run test:faults -- --long) keeps the clients going 20 s after each.
//
// THE IMAGE IS A LOCAL STAND-IN, NOT THE REAL ONE (see multihost.test.ts): built once on host 1's
// engine and copied to the others. Everything started is stopped by pid in afterAll (hosts.sh
// stop: engines, namespaces, bridge) whatever happens, and at the start of the next run if a run
// crashed (this file's own /tmp/zkfh-* folders whose owner is gone).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runCli } from '../helpers.js';
import { type Bundle, generate } from './bundle.js';
import { closeClient, connectClient, getRetrying } from './client.js';
import { type RunResult, run, useEngine } from './engine.js';
import { Faults, watchScript } from './faults.js';
import { HistoryClients, judgeHistory } from './history.js';
import { scenarioSteps } from './scenario.js';
import { HOSTS_SH, onEngine, startThreeHosts, threeHostSkip } from './hosts.js';
import { modeOf } from './srvr.js';
import { seconds, sleep, waitFor } from './wait.js';

const HOSTS = ['10.77.0.11', '10.77.0.12', '10.77.0.13'];
const IMAGE = 'zookeeper:3.9.4';
const PREFIX = '/tmp/zkfh-';
const PORTS = { client: 2181, peer: 2888, election: 3888, admin: 8080 };
/** The host (index) of each member id: f4 joins host 2, f5 host 3. */
const HOST_OF: Record<number, number> = { 1: 0, 2: 1, 3: 2, 4: 1, 5: 2 };
const NAMES = ['f1', 'f2', 'f3', 'f4', 'f5'];
/**
 * How long a script waits for a step (ZKGEN_WAIT_SECONDS; an operator's default is 120 s): short
 * under the fault, since a member cut off longer rejoins later (ZooKeeper's election backs off up
 * to a minute), which the re-run, given an operator's 120 s, then waits for.
 */
const WAIT = { underCut: 10, restart: 15, start: 60, rerun: 120 };
const SERVING = new Set(['leader', 'follower']);
const LONG = ['1', 'yes', 'true'].includes(process.env.ZKGEN_FAULTS_LONG ?? '');
/** How long the clients keep going after a scenario's body (the soak, npm run test:faults -- --long, runs longer). */
const AFTER_MS = LONG ? 20_000 : 1_000;

const skip = threeHostSkip(useEngine(), 'three-host fault suite');
if (skip) test.skip(`e2e skipped: ${skip}`);

describe.skipIf(skip)('fault suite on three hosts (network namespaces, one Docker engine each; official image stand-in)', () => {
  let dir: string;
  let engines: string[] = [];
  let bundle: Bundle;
  const faults = new Faults();
  let clients: HistoryClients | undefined;
  const steps = scenarioSteps();
  beforeEach((ctx) => steps.check(ctx));
  const report: string[] = [];
  const started = performance.now();

  const on = (i: number): NodeJS.ProcessEnv => onEngine(engines[i]!);
  const dockerOn = (i: number, args: string[], timeoutMs = 120_000) => run('docker', args, { env: on(i), timeoutMs });
  const ok = (what: string, result: RunResult) => {
    expect(result.code, `${what} exited ${result.code}:\n${result.stdout}${result.stderr}`).toBe(0);
    return result.stdout;
  };
  /** A command run on host i as if logged in there: in its engine's mount and network namespaces. */
  const onHostArgs = (i: number) => ['nsenter', '--target', readFileSync(join(dir, `h${i + 1}`, 'dockerd.pid'), 'utf8').trim(), '--mount', '--net', '--'];
  const onHost = (i: number, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; signal?: AbortSignal } = {}) => {
    const [command, ...rest] = [...onHostArgs(i), ...args];
    return run(command!, rest, { env: on(i), timeoutMs: 150_000, ...options });
  };

  const servers = (ids: number[]) =>
    ids.map((id) => ({
      id,
      name: `f${id}`,
      host: HOSTS[HOST_OF[id]!]!,
      // f2 and f3 keep the base ports when f4 and f5 join their hosts (members sharing a machine are spread by id).
      ...(id === 2 || id === 3 ? { ports: PORTS } : {}),
    }));
  const ensemble = (ids: number[]) => ({ image: IMAGE, heap: '64m', reconfig: true, restart: 'unless-stopped', ports: PORTS, dataRoot: join(dir, 'machine', 'fdata'), servers: servers(ids) });
  /** zkgen FILE --out over the running ensemble's bundle, as an operator edits and regenerates. */
  const rewrite = (ids: number[]) => {
    writeFileSync(bundle.ensembleFile, `${JSON.stringify(ensemble(ids), null, 2)}\n`);
    const written = runCli([bundle.ensembleFile, '--out', bundle.dir]);
    expect(written.code, written.stderr).toBe(0);
  };
  /** Each member's client address (host:port), by id, from the bundle's connect-string. */
  const addresses = () => readFileSync(join(bundle.dir, 'connect-string'), 'utf8').trim().split(',');
  const modeAt = (address: string) => modeOf(Number(address.slice(address.lastIndexOf(':') + 1)), address.slice(0, address.lastIndexOf(':')));

  /** Waits (bounded) until members `ids` serve with exactly one leader among them; returns the leader's id. */
  async function serving(ids: number[], timeoutMs = 90_000): Promise<number> {
    let last: string[] = [];
    const all = addresses();
    await waitFor(
      `f${ids.join(', f')} to serve`,
      async () => {
        last = await Promise.all(ids.map((id) => modeAt(all[id - 1]!)));
        return last.every((m) => SERVING.has(m)) && last.filter((m) => m === 'leader').length === 1 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, describe: () => ids.map((id, k) => `f${id} ${last[k]}`).join(', ') },
    );
    return ids[last.indexOf('leader')]!;
  }

  /** Starts the history clients on their own root, runs `body`, stops them and checks the history. */
  async function underHistory(label: string, body: (tookWrites: (from: number, to: number, what: string) => void) => Promise<void>): Promise<void> {
    const since = performance.now();
    const faultsBefore = faults.log.length;
    const root = `/faults-${label.replace(/[^a-z0-9]+/g, '-')}`;
    clients = await HistoryClients.start({ connect: addresses().join(','), root, maxMs: LONG ? 600_000 : 150_000 });
    const running = clients;
    let failed: Error | undefined;
    /** Spans (performance.now()) in which the ensemble must have acknowledged some write. */
    const spans: Array<{ from: number; to: number; what: string }> = [];
    try {
      await sleep(1_000);
      await body((from, to, what) => spans.push({ from, to, what }));
      await sleep(AFTER_MS);
    } catch (error) {
      failed = error instanceof Error ? error : new Error(String(error));
    }
    // The scenario's own failure comes first; the history is still read and judged when it can be.
    const history = await running.stop().catch((error: unknown) => {
      throw failed ?? error;
    });
    clients = undefined;
    const summary = judgeHistory(label, running, history, { faults: faults.log.slice(faultsBefore), since, report, failed });
    for (const { from, to, what } of spans) {
      const writes = history.operations.filter((op) => op.kind !== 'read' && op.outcome === 'ok' && op.completed! > from && op.completed! < to);
      expect(writes.length, `writes acknowledged ${what}`).toBeGreaterThan(0);
    }
    const lastFault = faults.log.at(-1)!;
    expect(summary.lastInvoked, `the clients were still working after the last fault (${lastFault.fault})`).toBeGreaterThan(lastFault.t);
  }

  /**
   * The top-level reconfigure.sh, run here (the password is here; its zkCli on host 1's engine),
   * every line offered to `onLine`; `waitSeconds` for each step (an operator's default is 120).
   */
  const reconfigure = (signal: AbortSignal, waitSeconds: number, onLine?: (line: string) => void) =>
    watchScript(bundle, 'reconfigure.sh', {
      env: { ZKGEN_WAIT_SECONDS: String(waitSeconds), DOCKER_HOST: engines[0] },
      abort: signal,
      timeoutMs: 150_000,
      ...(onLine ? { onLine } : {}),
    }).result;

  /** Runs each `  on HOST: COMMAND` the top-level script printed on that host, in the bundle's folder there. */
  async function runPrinted(printed: string, signal: AbortSignal): Promise<string[]> {
    const commands: string[] = [];
    for (const [, host, command] of printed.matchAll(/^ {2}on (\S+): (.*)$/gm)) {
      const i = HOSTS.indexOf(host!);
      expect(i, printed).toBeGreaterThanOrEqual(0);
      commands.push(`${host}: ${command}`);
      ok(`${command} on ${host}`, await onHost(i, ['bash', '-c', `cd "$0" && ${command!}`, bundle.dir], { env: { ...on(i), ZKGEN_WAIT_SECONDS: String(WAIT.start) }, signal }));
    }
    return commands;
  }

  /** id:role of every member /zookeeper/config lists, read through `address`. */
  async function listed(address: string): Promise<string[]> {
    const c = await connectClient(address);
    try {
      const config = (await getRetrying(c, '/zookeeper/config')).value;
      return [...config.matchAll(/^server\.(\d+)=[^;\n]*:(participant|observer)/gm)].map((m) => `${m[1]}:${m[2]}`).sort();
    } finally {
      closeClient(c);
    }
  }

  beforeAll(async () => {
    ({ dir, engines } = await startThreeHosts(PREFIX, IMAGE));
    const t2 = performance.now();
    bundle = generate(ensemble([1, 2, 3]), dir);
    // As docs/changing-members.md says: super-user.sh where the password stays, server/ copied to each host as it prints.
    const made = ok('super-user.sh', await run(join(bundle.dir, 'super-user.sh'), [], { cwd: bundle.dir }));
    const copies = [...made.matchAll(/^ {2}(tar .*) \| ssh root@(\S+) (.*)$/gm)];
    expect(copies.map((m) => m[2]), made).toEqual(HOSTS);
    for (const [i, copy] of copies.entries()) {
      ok(`the copy to ${HOSTS[i]}`, await run('bash', ['-o', 'pipefail', '-c', `${copy[1]} | ${onHostArgs(i).join(' ')} sh -c ${copy[3]}`]));
    }
    await Promise.all(
      [0, 1, 2].map(async (i) => {
        const hostDir = join(bundle.dir, 'hosts', HOSTS[i]!);
        ok(`prepare.sh on ${HOSTS[i]}`, await onHost(i, [join(hostDir, 'prepare.sh')]));
        ok(`docker-compose up -d on ${HOSTS[i]}`, await run('docker-compose', ['-f', join(hostDir, 'docker-compose.yml'), 'up', '-d'], { env: on(i), timeoutMs: 180_000 }));
      }),
    );
    await serving([1, 2, 3]);
    console.log(`setup: f1..f3 serve ${seconds(performance.now() - t2)} after the engines and image`);
  }, 900_000);

  afterAll(async () => {
    clients?.close();
    if (report.length) console.log(`fault suite on three hosts:\n${report.join('\n')}`);
    if (!dir) return;
    try {
      await faults.heal().catch((error: unknown) => console.log(String(error)));
      // Removed first, so that no engine waits for its containers to stop on its way out.
      await Promise.all(
        engines.map(async (_, i) => {
          const removed = await dockerOn(i, ['rm', '-f', ...NAMES], 60_000);
          if (removed.code !== 0 && !removed.stderr.includes('No such container')) console.log(`docker rm on ${HOSTS[i]}: ${removed.stderr}`);
        }),
      );
    } finally {
      const stopped = await run('bash', [HOSTS_SH, 'stop', dir], { timeoutMs: 300_000 });
      if (stopped.code !== 0) console.log(`hosts.sh stop exited ${stopped.code}: ${stopped.stderr}`);
      rmSync(dir, { recursive: true, force: true });
      console.log(`the three-host fault suite took ${seconds(performance.now() - started)} in all`);
    }
  }, 400_000);

  test("the leader's host's whole engine stopped by its pid while clients work: the two others serve; started again, its member comes back by its restart policy", async (ctx) => {
    steps.gate(ctx);
    await underHistory("engine of the leader's host stopped", async (tookWrites) => {
      const leader = await serving([1, 2, 3]);
      const host = HOST_OF[leader]! + 1;
      const others = [1, 2, 3].filter((id) => id !== leader);
      const since = performance.now();
      await faults.stopEngine(dir, host);
      await serving(others, 60_000);
      console.log(`f${others.join(' and f')} serve ${seconds(performance.now() - since)} after host ${host}'s engine was stopped`);
      await sleep(2_000);
      const down = performance.now();
      tookWrites(since, down, `while host ${host}'s engine was down`);
      await faults.startEngine(dir, host);
      // No docker start: the container comes back because its restart policy says so.
      await serving([1, 2, 3], 90_000);
      console.log(`f${leader} serves again ${seconds(performance.now() - down)} after its engine was started`);
      const state = ok('docker inspect', await dockerOn(host - 1, ['inspect', '--format', '{{.State.Status}} {{.HostConfig.RestartPolicy.Name}}', `f${leader}`])).trim();
      expect(state).toBe('running unless-stopped');
    });
  });

  test("3 → 5, host 3 (f5's) cut off as reconfigure.sh begins reconfig -add: it stops naming what it waited for, hosts 1 and 2 keep a quorum; healed, reconfigure.sh again finishes", async (ctx) => {
    steps.gate(ctx);
    rewrite([1, 2, 3, 4, 5]);
    await underHistory('3 → 5, host 3 cut off', async (tookWrites) => {
      // Step 1 is each machine's: the top-level script prints the command for hosts 2 and 3.
      const first = await reconfigure(ctx.signal, WAIT.start);
      expect(first.code, first.stdout + first.stderr).toBe(2);
      const commands = await runPrinted(first.stdout, ctx.signal);
      expect(commands.map((c) => c.split(':')[0])).toEqual([HOSTS[1], HOSTS[2]]);
      let cutting: Promise<void> | undefined;
      let cutAt = 0;
      const second = await reconfigure(ctx.signal, WAIT.underCut, (line) => {
        if (line.startsWith('step 2/4 ')) {
          cutAt = performance.now();
          cutting ??= faults.cut('zkv3');
        }
      });
      await cutting;
      const context = second.stdout + second.stderr;
      expect(cutting, context).toBeDefined();
      const said = /^FAIL: .*$/m.exec(second.stderr)?.[0];
      console.log(`reconfigure.sh under the cut: ${second.code === 0 ? 'finished' : `exit ${second.code}, ${said ?? 'no FAIL line'}`}`);
      // f5 cannot serve cut off: the move cannot be done, and the script must say what it waited for.
      expect(second.code, context).toBe(1);
      // Which depends on whether the leader was on host 3: reconfig -add then waits for an election.
      expect(said, context).toMatch(/^FAIL: step 2\/4 \(reconfig -add .*\): did not converge within \d+s: (\/zookeeper\/config does not list .*|f5 does not serve as a participant)$/);
      // Neither the old membership nor the new one lost its quorum: f1, f2 and f4 serve, and took writes.
      await serving([1, 2, 4], 30_000);
      const mended = performance.now();
      tookWrites(cutAt, mended, 'while host 3 was cut off');
      await faults.mend('zkv3');
      // Run again at once, as an operator would, with an operator's patience (WAIT above).
      let again = await reconfigure(ctx.signal, WAIT.rerun);
      // A step left to a machine (none is expected) is run there, then the script again.
      if (again.code === 2) {
        await runPrinted(again.stdout, ctx.signal);
        again = await reconfigure(ctx.signal, WAIT.rerun);
      }
      console.log(`reconfigure.sh again, healed: exit ${again.code} in ${seconds(again.ms)}`);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^ok: the ensemble runs f1 f2 f3 f4 f5 /m);
      await serving([1, 2, 3, 4, 5]);
    });
    expect(await listed(addresses()[4]!)).toEqual(['1:participant', '2:participant', '3:participant', '4:participant', '5:participant']);
    const checked = runCli([bundle.ensembleFile, '--out', bundle.dir, '--check']);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
  });

  test("host 2's rolling-restart.sh with host 1 cut off as it begins its first restart: no other restart, f1 named; healed, a re-run restarts both", async (ctx) => {
    steps.gate(ctx);
    const script = `hosts/${HOSTS[1]}/rolling-restart.sh`;
    // Host 1, whose one member leaves four: with the one restarting, three of five still serve.
    const leader = await serving([1, 2, 3, 4, 5]);
    const link = 'zkv1';
    await underHistory('host 2 rolling restart, host 1 cut off', async () => {
      console.log(`rolling restart of host 2 (f2, f4) with f${leader} leading; host 1 (f1) to be cut off`);
      let first: string | undefined;
      let cutting: Promise<void> | undefined;
      const result = await watchScript(bundle, script, {
        env: { ZKGEN_WAIT_SECONDS: String(WAIT.restart), DOCKER_HOST: engines[1] },
        abort: ctx.signal,
        timeoutMs: 150_000,
        onLine: (line) => {
          const restarting = /^restarting (\S+) /.exec(line)?.[1];
          if (restarting && first === undefined) {
            first = restarting;
            cutting = faults.cut(link);
          }
        },
      }).result;
      await cutting;
      const context = result.stdout + result.stderr;
      expect(first, context).toBeDefined();
      expect(result.code, context).toBe(1);
      expect([...result.stdout.matchAll(/^restarting (\S+) /gm)].map((m) => m[1]), context).toEqual([first]);
      expect(result.stderr, context).toMatch(/^FAIL: f1 does not serve: /m);
      console.log(`rolling-restart.sh under the cut: exit 1, ${/^FAIL: .*$/m.exec(result.stderr)?.[0]}`);
      await faults.mend(link);
      const again = await watchScript(bundle, script, { env: { ZKGEN_WAIT_SECONDS: String(WAIT.rerun), DOCKER_HOST: engines[1] }, abort: ctx.signal, timeoutMs: 150_000 }).result;
      console.log(`rolling-restart.sh again, healed: exit ${again.code} in ${seconds(again.ms)}`);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect([...again.stdout.matchAll(/^restarting (\S+) /gm)].map((m) => m[1]).sort()).toEqual(['f2', 'f4']);
      await serving([1, 2, 3, 4, 5]);
    });
  });
});
