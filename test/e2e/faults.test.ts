// The fault suite (issue 19): zkgen's procedures run while things break, with clients that keep a
// history (test/e2e/history.ts) judged by the checker (test/history/checker.ts): writes and
// compare-and-sets linearizable, reads never back in time per session, every acknowledged create
// there at the end. Each scenario ends with the ensemble serving the intended members, the script
// done or stopped with a message naming what it waited for, and a re-run finishing the job; each
// prints its operations, faults, indeterminate count, verdict and time (docs/faults.md has the table).
//
// One ensemble of the official image's stand-in (zookeeper:3.9.4), "reconfig" on, started by
// docker-compose, zk2's data folder on a small tmpfs mounted by the test:
//   1. 3 → 5 with the leader killed as reconfigure.sh begins `reconfig -add`; it is started again
//      and reconfigure.sh run again;
//   2. 5 → 3 (zk1..zk3) with the leader frozen (docker pause) as reconfigure.sh begins
//      `reconfig -remove`, thawed once the script has ended; run again;
//   3. zk2's data folder full while clients write, then space freed and zk2 started again if it
//      stopped: it serves again, nothing acknowledged is lost;
//   4. rolling-restart.sh with a member killed as the first restart begins: no further restart, the
//      killed one named; started again, a re-run restarts every member;
//   5. backup.sh with the member it reads from killed as it begins: done or stopped naming it;
//      started again, a re-run makes the archive;
//   6. backup.sh with the leader killed as it begins syncing its source (a follower), which goes
//      through an election: done, or stopped with FAIL and a re-run makes the archive;
//   7. restore.sh --yes of that archive stopped at each step (SIGINT to its process group as Ctrl-C,
//      SIGKILL of the script alone), held there by a PausePoint, then run again: the ensemble
//      serves the archive's data, every file of the former data is still in a folder it moved
//      aside, and the history of 6, as far as an archive begun when backup.sh started must hold it
//      (asBackedUp), is valid. zk2's data folder stays a mount point (its tmpfs): restore.sh moves
//      its contents aside inside it, and one stop lands halfway through those moves. Then
//      --from-member-data with zk2's folder, stopped while laying it: run again the same, refused;
//      from the folder it moved aside, done;
//   8. backup.sh with the leader frozen (docker pause) as it begins syncing its source: done, or
//      stopped with FAIL naming what it waited for; thawed, a re-run makes the archive; that
//      archive, restored, holds every write acknowledged before its run started (asBackedUp).
// ZKGEN_FAULTS_LONG=1 (npm run test:faults -- --long) runs the clients longer in each.
//
// THE IMAGE IS A LOCAL STAND-IN, NOT THE REAL IMAGE (see reconfig.test.ts).
// Ports (loopback): client 37181.., peer 37281.., election 37381.., AdminServer 37481.. (ids 1..5).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { runCli } from '../helpers.js';
import { type History, asBackedUp, checkHistory } from '../history/checker.js';
import { type Bundle, clientPortOf, generate, readMembers, scratchDir } from './bundle.js';
import { closeClient, connectClient, createRetrying, retrying, zk } from './client.js';
import { compose, containerState, ensureImage, removeContainers, run, type RunResult, useEngine } from './engine.js';
import { Faults, PausePoint, watchScript } from './faults.js';
import { HistoryClients, judgeHistory } from './history.js';
import { waitForPortsFree } from './ports.js';
import { scenarioSteps, withLogs } from './scenario.js';
import { leaderPort, waitForQuorum } from './srvr.js';
import { range, seconds, sleep, waitFor } from './wait.js';

const skip = useEngine() || inject('e2eComposeSkip');
const IMAGE = 'zookeeper:3.9.4';
const PORTS = { client: 37181, peer: 37281, election: 37381, admin: 37481 };
const PROJECT = 'zkgen-e2e-faults';
const NAMES = range(1, 5).map((i) => `zk${i}`);
const ALL_PORTS = Object.values(PORTS).flatMap((base) => range(base, 5));
const clientPort = (id: number) => PORTS.client + id - 1;
const LONG = ['1', 'yes', 'true'].includes(process.env.ZKGEN_FAULTS_LONG ?? '');
/** How long the clients keep going after a script ends (the soak runs longer). */
const AFTER_MS = LONG ? 20_000 : 1_000;
const WAIT = { ZKGEN_WAIT_SECONDS: '25' };

if (skip) test.skip(`e2e skipped: ${skip}`);

describe.skipIf(skip)(`fault suite on the ${IMAGE} stand-in: procedures under faults, checked histories`, () => {
  let scratch: string;
  let dataRoot: string;
  let bundle: Bundle;
  const faults = new Faults();
  let clients: HistoryClients | undefined;
  const steps = scenarioSteps();
  beforeEach((ctx) => steps.check(ctx));
  const report: string[] = [];

  const ensemble = (servers: unknown) => ({ image: IMAGE, servers, ports: PORTS, dataRoot, reconfig: true });
  const rewrite = (servers: unknown) => {
    writeFileSync(bundle.ensembleFile, `${JSON.stringify(ensemble(servers), null, 2)}\n`);
    const written = runCli([bundle.ensembleFile, '--out', bundle.dir]);
    expect(written.code, written.stderr).toBe(0);
    bundle = { ...bundle, members: readMembers(bundle.dir) };
  };
  const leaderOf = async (ids: number[]) => {
    const { modes } = await waitForQuorum(ids.map(clientPort), { timeoutMs: 60_000 });
    return `zk${leaderPort(modes)! - PORTS.client + 1}`;
  };
  const serving = (ids: number[]) => withLogs(bundle.members, waitForQuorum(ids.map(clientPort), { timeoutMs: 90_000 }));

  const rootOf = (label: string) => `/faults-${label.replace(/[^a-z0-9]+/g, '-')}`;

  /** Starts the history clients on their own root, runs `body`, then stops them and checks the history. */
  async function underHistory(label: string, body: (clients: HistoryClients) => Promise<void>): Promise<History> {
    const started = performance.now();
    const faultsBefore = faults.log.length;
    const root = rootOf(label);
    // Through the members the bundle has now (a removed member's port answers nothing).
    const connect = bundle.members.map((m) => `127.0.0.1:${clientPortOf(bundle, m)}`).join(',');
    clients = await HistoryClients.start({ connect, root, maxMs: LONG ? 600_000 : 150_000 });
    const running = clients;
    let failed: Error | undefined;
    const asError = (error: unknown) => (error instanceof Error ? error : new Error(JSON.stringify(error)));
    try {
      await sleep(1_000);
      await body(running);
      await sleep(AFTER_MS);
    } catch (error) {
      failed = asError(error);
    }
    // The scenario's own failure comes first; the history is still read and judged when it can be.
    const history = await running.stop().catch((error: unknown) => {
      throw failed ?? asError(error);
    });
    clients = undefined;
    const summary = judgeHistory(label, running, history, { faults: faults.log.slice(faultsBefore), since: started, report, failed });
    const lastFault = faults.log.at(-1);
    if (faults.log.length > faultsBefore && lastFault) {
      expect(summary.lastInvoked, `the clients were still working after the last fault (${lastFault.fault})`).toBeGreaterThan(lastFault.t);
    }
    return history;
  }

  /**
   * reconfigure.sh with `inject` run once as it prints the line beginning `step` (and awaited): done
   * or stopped naming what it waited for (doneOrNamed); then `heal`, and a re-run must finish, its
   * ok line matching `ok`.
   */
  async function reconfigureUnderFault(signal: AbortSignal, step: string, inject: () => Promise<void>, heal: () => Promise<void>, ok: RegExp) {
    let injecting: Promise<void> | undefined;
    const first = await reconfigure(signal, (line) => {
      if (line.startsWith(step)) injecting ??= inject();
    });
    await injecting;
    expect(injecting, first.stdout + first.stderr).toBeDefined();
    doneOrNamed(first);
    await heal();
    const again = await reconfigure(signal);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(ok);
  }
  /** How a script run under a fault ended, for the scenario's line: finished, or its exit and FAIL line. */
  const outcome = (result: RunResult) => (result.code === 0 ? 'finished' : `exit ${result.code}, ${/^FAIL: .*$/m.exec(result.stderr)?.[0] ?? 'no FAIL line'}`);
  /** backup.sh into `dest`, as an operator runs it. */
  const backup = (dest: string, signal: AbortSignal) => watchScript(bundle, 'backup.sh', { args: [dest], env: WAIT, abort: signal }).result;
  /**
   * The archive a backup scenario ends with, and when the run that made it started: `first`'s (begun
   * at `startedAt`) when it finished, else a re-run's, which must finish.
   */
  async function archiveOf(first: RunResult, startedAt: number, dest: string, signal: AbortSignal): Promise<{ archive: string; startedAt: number }> {
    let made = first;
    let madeAt = startedAt;
    if (first.code !== 0) {
      madeAt = performance.now();
      made = await backup(dest, signal);
      expect(made.code, made.stdout + made.stderr).toBe(0);
    }
    const archive = made.stdout.trim().split('\n').at(-1)!;
    expect(existsSync(archive), made.stdout).toBe(true);
    return { archive, startedAt: madeAt };
  }
  /**
   * backup.sh into `dest` with `inject` run once, given the member backup.sh names as its source,
   * as soon as it names it; returns when both are done, with that source (undefined if none named).
   */
  async function backupUnderFault(dest: string, signal: AbortSignal, inject: (source: string) => Promise<void>, timeoutMs?: number) {
    let source: string | undefined;
    let injecting: Promise<void> | undefined;
    const first = await watchScript(bundle, 'backup.sh', {
      args: [dest],
      env: WAIT,
      abort: signal,
      ...(timeoutMs ? { timeoutMs } : {}),
      onLine: (line) => {
        source ??= /^backing up from (\S+) /.exec(line)?.[1];
        if (source && !injecting) injecting = inject(source);
      },
    }).result;
    await injecting;
    return { first, source };
  }

  /** reconfigure.sh, with `onLine` offered every line; bounded. */
  const reconfigure = (signal: AbortSignal, onLine?: (line: string) => void) =>
    watchScript(bundle, 'reconfigure.sh', { env: WAIT, abort: signal, timeoutMs: 200_000, ...(onLine ? { onLine } : {}) }).result;
  /** A script either finished, or stopped with a FAIL line naming what it waited for (a member, the
   * ensemble's listing, or the commit of a reconfig the killed leader never answered). */
  const doneOrNamed = (result: RunResult) => {
    const context = result.stdout + result.stderr;
    console.log(`the script under the fault: ${outcome(result)}`);
    if (result.code !== 0) {
      expect(result.code, context).toBe(1);
      expect(result.stderr, context).toMatch(/^FAIL: .*(does not serve|did not converge|does not list|still lists|no member|was not committed)/m);
    }
  };

  /** A backup scenario's archive and what judges it: the history, and when the run that made it started. */
  interface BackedUp {
    archive: string;
    startedAt: number;
    history: History;
    root: string;
  }

  /**
   * Judges the data a restore brought back: the backup scenario's history, as far as an archive
   * begun at its startedAt must hold it (asBackedUp), against the registers read now. Prints the
   * scenario's line (`extra` before its time) and fails on any verdict but valid.
   */
  async function judgeRestored(label: string, backedUp: BackedUp, began: number, faultsBefore: number, extra = ''): Promise<void> {
    const { startedAt, history, root } = backedUp;
    const connect = range(1, 3).map((id) => `127.0.0.1:${clientPort(id)}`).join(',');
    const { final, present } = await HistoryClients.readState(connect, root, Object.keys(history.initial));
    const judged = asBackedUp({ ...history, final, present }, startedAt);
    const verdict = checkHistory(judged);
    const line =
      `${label}: ${judged.operations.length} operations of the backup scenario the archive holds, judged against the restored data ` +
      `(${judged.operations.filter((op) => op.outcome === 'indeterminate').length} indeterminate, ${judged.acknowledgedCreates?.length ?? 0} acknowledged creates before the backup); ` +
      `faults: ${faults.log.slice(faultsBefore).map((e) => e.fault).join(', ') || 'none'}; verdict ${verdict.verdict} (${verdict.steps} search steps); ` +
      `${extra ? `${extra}; ` : ''}${seconds(performance.now() - began)}`;
    report.push(line);
    console.log(line);
    for (const problem of verdict.problems) console.log(`  ${problem}`);
    expect(verdict.problems).toEqual([]);
    expect(verdict.verdict).toBe('valid');
  }

  beforeAll(async () => {
    ensureImage(IMAGE);
    scratch = scratchDir('faults');
    dataRoot = join(scratch, 'data');
    await removeContainers(NAMES);
    await waitForPortsFree(ALL_PORTS);
    bundle = generate(ensemble(3), scratch);
    // zk2's data folder (and its datalog below it) on a small disk of its own.
    await faults.smallDisk(join(dataRoot, 'zk2'), 160);
    const superUser = await run(join(bundle.dir, 'super-user.sh'), [], { cwd: bundle.dir });
    expect(superUser.code, superUser.stderr).toBe(0);
    const up = await compose(join(bundle.dir, 'docker-compose.yml'), ['-p', PROJECT, 'up', '-d'], { timeoutMs: 120_000 });
    expect(up.code, up.stderr).toBe(0);
    await serving([1, 2, 3]);
  });

  afterAll(async () => {
    clients?.close();
    if (report.length) console.log(`fault suite:\n${report.join('\n')}`);
    try {
      // Thawed, freed and unmounted (lazily: zk2 may still hold it) first, then removed.
      await faults.heal().catch((error: unknown) => console.log(String(error)));
      await removeContainers(NAMES);
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('3 → 5, the leader killed as reconfigure.sh begins reconfig -add: done or stopped naming it; started again, a re-run finishes', async (ctx) => {
    steps.gate(ctx);
    rewrite(5);
    await underHistory('grow, leader killed', async () => {
      const leader = await leaderOf([1, 2, 3]);
      await reconfigureUnderFault(ctx.signal, 'step 2/4 ', () => faults.kill(leader), () => faults.start(leader), /^ok: the ensemble runs zk1 zk2 zk3 zk4 zk5 /m);
      await serving([1, 2, 3, 4, 5]);
    });
  });

  test('5 → zk1..zk3, the leader frozen as reconfigure.sh begins reconfig -remove: done or stopped naming it; thawed, a re-run finishes', async (ctx) => {
    steps.gate(ctx);
    rewrite([{ id: 1 }, { id: 2 }, { id: 3 }]);
    await underHistory('shrink, leader frozen', async () => {
      const leader = await leaderOf([1, 2, 3, 4, 5]);
      await reconfigureUnderFault(ctx.signal, 'step 3/4 ', () => faults.freeze(leader), () => faults.thaw(leader), /^ok: the ensemble runs zk1 zk2 zk3 /m);
      await serving([1, 2, 3]);
      expect(await containerState('zk4')).toBe('absent');
      expect(await containerState('zk5')).toBe('absent');
    });
    const checked = runCli([bundle.ensembleFile, '--out', bundle.dir, '--check']);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
  });

  test("zk2's data folder full while clients write, then freed: zk2 serves again (started again if it stopped), nothing acknowledged lost", async (ctx) => {
    steps.gate(ctx);
    const folder = join(dataRoot, 'zk2');
    await underHistory('zk2 disk full', async () => {
      await faults.fill(folder);
      await sleep(LONG ? 30_000 : 6_000);
      await faults.free(folder);
      if ((await containerState('zk2')) !== 'running') await faults.start('zk2');
      await serving([1, 2, 3]);
    });
  });

  test('rolling-restart.sh with a member killed as the first restart begins: no further restart, the member named; started again, a re-run finishes', async (ctx) => {
    steps.gate(ctx);
    await underHistory('rolling restart, member killed', async () => {
      const leader = await leaderOf([1, 2, 3]);
      let first: string | undefined;
      let killed: string | undefined;
      let killing: Promise<void> | undefined;
      const result = await watchScript(bundle, 'rolling-restart.sh', {
        env: WAIT,
        abort: ctx.signal,
        onLine: (line) => {
          const restarting = /^restarting (\S+) /.exec(line)?.[1];
          if (restarting && first === undefined) {
            first = restarting;
            killed = ['zk1', 'zk2', 'zk3'].find((n) => n !== restarting && n !== leader);
            killing = faults.kill(killed!);
          }
        },
      }).result;
      await killing;
      const context = result.stdout + result.stderr;
      expect(first, context).toBeDefined();
      expect(result.code, context).toBe(1);
      expect([...result.stdout.matchAll(/^restarting (\S+) /gm)].map((m) => m[1])).toEqual([first]);
      expect(result.stderr).toMatch(new RegExp(`^FAIL: ${killed} does not serve: `, 'm'));
      await faults.start(killed!);
      await serving([1, 2, 3]);
      const again = await watchScript(bundle, 'rolling-restart.sh', { env: WAIT, abort: ctx.signal }).result;
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^ok: /m);
      await serving([1, 2, 3]);
    });
  });

  test('backup.sh with the member it reads from killed as it begins: done or stopped naming it; started again, a re-run makes the archive', async (ctx) => {
    steps.gate(ctx);
    const dest = join(scratch, 'backups');
    mkdirSync(dest, { recursive: true });
    await underHistory('backup, source killed', async () => {
      const { first, source } = await backupUnderFault(dest, ctx.signal, (member) => faults.kill(member));
      const context = first.stdout + first.stderr;
      expect(source, context).toBeDefined();
      console.log(`backup.sh under the fault: ${outcome(first)}`);
      if (first.code !== 0) expect(first.stderr, context).toMatch(/^FAIL: /m);
      await faults.start(source!);
      await serving([1, 2, 3]);
      const again = await backup(dest, ctx.signal);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      const archive = again.stdout.trim().split('\n').at(-1)!;
      expect(existsSync(archive), again.stdout).toBe(true);
    });
  });

  /** The archive the next scenario made, for the interrupted restore to bring back and judge. */
  let backedUp: BackedUp | undefined;

  test('backup.sh while the member it reads from loses its leader: done, or stopped with FAIL and a re-run makes the archive; every write acknowledged before it started is in it (read back by the restore below)', async (ctx) => {
    steps.gate(ctx);
    const dest = join(scratch, 'backups-leader-lost');
    mkdirSync(dest, { recursive: true });
    const label = 'backup, its source loses the leader';
    let archive = '';
    let startedAt = 0;
    const history = await underHistory(label, async () => {
      const leader = await leaderOf([1, 2, 3]);
      // The source (a follower) goes through an election while backup.sh syncs it with the leader.
      startedAt = performance.now();
      const { first, source } = await backupUnderFault(dest, ctx.signal, () => faults.kill(leader));
      const context = first.stdout + first.stderr;
      expect(source, context).toBeDefined();
      expect(source, `backup.sh reads from a follower when there is one, and chose the leader:\n${context}`).not.toBe(leader);
      console.log(`backup.sh under the fault: ${outcome(first)}`);
      if (first.code !== 0) expect(first.stderr, context).toMatch(/^FAIL: /m);
      await faults.start(leader);
      const { modes } = await serving([1, 2, 3]);
      console.log(`${source} followed ${leader}; after the election it serves as ${modes.get(clientPort(Number(source!.slice(2))))}`);
      ({ archive, startedAt } = await archiveOf(first, startedAt, dest, ctx.signal));
    });
    backedUp = { archive, startedAt, history, root: rootOf(label) };
  });

  // Where restore.sh --yes is stopped: each at one call it makes, held there while the signal lands.
  // zk1 and zk3's data folders are renamed whole (`mv zkN zkN.before-restore-STAMP`); zk2's, a mount
  // point, keeps its place and has each entry moved into it (`mv zk2/ENTRY zk2/zkgen-before-restore-STAMP/`:
  // datalog, then myid, then version-2), so its second such mv is halfway through them.
  const RESTORE_STEPS: Array<{ step: string; at: PausePoint['at'] }> = [
    { step: 'after stopping the members', at: { command: 'mv', contains: '.before-restore-', nth: 1 } },
    { step: "while moving zk2's data aside inside its mount point", at: { command: 'mv', contains: '/zkgen-before-restore-', nth: 2 } },
    { step: 'while laying the archive into zk2', at: { command: 'cp', contains: '-p --sparse=always', nth: 2 } },
    { step: 'while starting the members', at: { command: 'docker', first: 'start', nth: 2 } },
    { step: 'while waiting for them to serve', at: { command: 'docker', first: 'exec', nth: 1 } },
  ];

  test("restore.sh --yes interrupted (SIGINT, SIGKILL) at each step, zk2's data folder a mount point, then run again: the archive served, every write acknowledged before the backup in it, no former data lost", async (ctx) => {
    steps.gate(ctx);
    expect(backedUp, 'the backup scenario made no archive').toBeDefined();
    const { archive } = backedUp!;
    const label = 'restore interrupted, run again';
    const began = performance.now();
    const faultsBefore = faults.log.length;
    const memberFolders = ['zk1', 'zk2', 'zk3'].map((name) => join(dataRoot, name));
    // The restore's mount-point path for real: zk2's data folder is its own disk (the tmpfs).
    const mounted = await run('mountpoint', ['-q', memberFolders[1]!]);
    expect(mounted.code, `${memberFolders[1]} is not a mount point`).toBe(0);
    // Written after the archive was made: the restore takes it away.
    const connect = range(1, 3).map((id) => `127.0.0.1:${clientPort(id)}`).join(',');
    const writer = await connectClient(connect);
    try {
      await createRetrying(writer, '/faults-after-archive', '');
    } finally {
      closeClient(writer);
    }
    /**
     * A data folder's files ZooKeeper wrote (myid, snapshots, logs), each with what makes it that
     * file and no copy of it: its inode and birth time (a rename keeps both; a copy gets its own).
     */
    const files = (folder: string) =>
      new Map(
        ['myid', ...['version-2', 'datalog/version-2'].flatMap((sub) => (existsSync(join(folder, sub)) ? readdirSync(join(folder, sub)).map((f) => `${sub}/${f}`) : []))]
          .filter((f) => existsSync(join(folder, f)))
          .map((f) => [f, `${statSync(join(folder, f)).ino}@${statSync(join(folder, f)).birthtimeMs}`]),
      );
    const originals = memberFolders.map(files);
    /**
     * The folders restore.sh moved a member's data aside to, oldest first: `<folder>.before-restore-STAMP`
     * beside a plain folder, `<folder>/zkgen-before-restore-STAMP` inside a mount point.
     */
    const asideOf = (folder: string) => {
      const name = folder.split('/').at(-1)!;
      const beside = readdirSync(dataRoot).filter((f) => f.startsWith(`${name}.before-restore-`)).map((f) => join(dataRoot, f));
      const inside = existsSync(folder) ? readdirSync(folder).filter((f) => f.startsWith('zkgen-before-restore-')).map((f) => join(folder, f)) : [];
      const stamp = (f: string) => f.replace(/^.*before-restore-/, '');
      return [...beside, ...inside].sort((a, b) => stamp(a).localeCompare(stamp(b)));
    };
    const tmp = join(scratch, 'restore-tmp');
    mkdirSync(tmp, { recursive: true });
    const restore = (env: NodeJS.ProcessEnv = {}, args = ['--yes', archive]) =>
      watchScript(bundle, 'restore.sh', { args, env: { ...WAIT, TMPDIR: tmp, ...env }, abort: ctx.signal, timeoutMs: 200_000 });
    const said: string[] = [];
    const finish = async () => {
      const again = await restore().result;
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^ok: the ensemble serves the data of /m);
      said.push(...again.stdout.split('\n'));
    };
    // In the suite: one run stopped at each step, SIGINT and SIGKILL in turn, each next run going
    // past where the one before stopped, the last run finishing. The soak: every step with each
    // signal, each followed by a run that finishes.
    const plan = LONG
      ? RESTORE_STEPS.flatMap((s) => (['SIGINT', 'SIGKILL'] as const).map((signal) => ({ ...s, signal, thenFinish: true })))
      : RESTORE_STEPS.map((s, i) => ({ ...s, signal: i % 2 === 0 ? ('SIGINT' as const) : ('SIGKILL' as const), thenFinish: i === RESTORE_STEPS.length - 1 }));
    /** A run of restore.sh held at `at`, stopped there by `signal`: what it printed, and the held call. */
    const stoppedAt = async (what: string, at: PausePoint['at'], signal: 'SIGINT' | 'SIGKILL', args?: string[]) => {
      const point = new PausePoint(join(scratch, 'pause'), at);
      const running = restore(point.env, args);
      let exited: RunResult | undefined;
      void running.result.then((r) => (exited = r));
      const held = await waitFor(`restore.sh reaching the point ${what}`, () => Promise.resolve(point.reachedCall() ?? (exited ? '' : undefined)), {
        timeoutMs: 120_000,
      });
      expect(held, `restore.sh ended before ${what}: ${exited?.stdout}${exited?.stderr}`).not.toBe('');
      faults.note(`${signal} restore.sh${args ? ` ${args.slice(1).join(' ')}` : ''} ${what}`);
      if (signal === 'SIGINT') {
        // Ctrl-C: the script and the call it is in.
        running.signalGroup('SIGINT');
        point.release();
      } else {
        // kill -9 of the script alone: the call it was in runs to its end.
        running.signal('SIGKILL');
        point.release();
        await point.done();
      }
      return { held, stopped: await running.result };
    };
    for (const { step, at, signal, thenFinish } of plan) {
      const { held, stopped } = await stoppedAt(step, at, signal);
      said.push(...stopped.stdout.split('\n'));
      console.log(`restore.sh, ${signal} ${step} (held at: ${held.replace(/^(\S+ \S+).*$/, '$1 …')}): exit ${stopped.code ?? 'by the signal'}`);
      expect(stopped.stdout, `restore.sh ${step}`).not.toMatch(/^ok: /m);
      // Ctrl-C: it says where it was and how to finish.
      if (signal === 'SIGINT') expect(stopped.stderr).toMatch(new RegExp(`^INTERRUPTED while .*; to finish, run again: \\S+ --yes ${archive} `, 'm'));
      if (thenFinish) await finish();
    }
    await serving([1, 2, 3]);
    // No former data lost: every folder a run said it moved data to is there, and every file a
    // member had before the first run is, the same file (not a copy), at its place in one of the
    // member's folders aside (a mount point stopped halfway through has it split over two).
    const toldAside = said.map((line) => /^zk\d: its former data is in (.+)$/.exec(line)?.[1]).filter((f): f is string => !!f);
    for (const folder of toldAside) expect(existsSync(folder), `${folder}, which restore.sh said holds former data`).toBe(true);
    expect(toldAside.filter((f) => f.startsWith(`${memberFolders[1]}/zkgen-before-restore-`)), "zk2's contents moved aside inside its mount point").not.toEqual([]);
    memberFolders.forEach((folder, i) => {
      const aside = asideOf(folder);
      expect(aside, `${folder} was never moved aside`).not.toEqual([]);
      const kept = new Set(aside.flatMap((a) => [...files(a)].map(([f, id]) => `${f} ${id}`)));
      const lost = [...originals[i]!].filter(([f, id]) => !kept.has(`${f} ${id}`)).map(([f]) => f);
      expect(lost, `${folder}'s files from before the restore, in none of ${aside.join(', ')}`).toEqual([]);
      expect(originals[i]!.size, `${folder} had no data before the restore`).toBeGreaterThan(1);
    });
    const left = readdirSync(tmp).length;
    // The archive's data: the marker written after it is gone, and the history of the backup
    // scenario, as far as an archive begun at startedAt must hold it, is whole.
    const reader = await connectClient(connect);
    try {
      expect((await retrying('exists /faults-after-archive', () => zk.exists(reader, '/faults-after-archive'))).value, 'a znode written after the archive is still there').toBe(false);
    } finally {
      closeClient(reader);
    }
    // --from-member-data with a member's own folder (a survivor's data for all), zk2's on its mount
    // point, stopped while laying that very folder: run again as it was, it must not take the
    // half-laid folder for the survivor's data (it refuses: no myid); with the folder it moved the
    // survivor's data to (inside the mount point, which a run leaves where it is), it finishes.
    const survivor = memberFolders[1]!;
    const marker = '/faults-in-the-survivor-log';
    const logWriter = await connectClient(connect);
    try {
      await createRetrying(logWriter, marker, '');
    } finally {
      closeClient(logWriter);
    }
    const fromSurvivor = ['--yes', '--from-member-data', survivor];
    const { held, stopped } = await stoppedAt('while laying it', { command: 'cp', contains: '-p --sparse=always', nth: 2 }, 'SIGINT', fromSurvivor);
    expect(held, 'the held call lays zk2').toContain(survivor);
    const moved = new RegExp(`^INTERRUPTED while .*; to finish, run again: \\S+ --yes --from-member-data (${survivor}/zkgen-before-restore-\\S+) `, 'm').exec(stopped.stderr)?.[1];
    expect(moved, stopped.stdout + stopped.stderr).toBeDefined();
    const rerun = await restore({}, fromSurvivor).result;
    console.log(`restore.sh --from-member-data ${survivor} run again: exit ${rerun.code}, ${/^(REFUSED|FAIL|ok): .*$/m.exec(rerun.stdout + rerun.stderr)?.[0]}`);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(1);
    expect(rerun.stderr).toMatch(/^REFUSED: .* has no myid: /m);
    const finished = await restore({}, ['--yes', '--from-member-data', moved!]).result;
    expect(finished.code, finished.stdout + finished.stderr).toBe(0);
    await serving([1, 2, 3]);
    const checker = await connectClient(connect);
    try {
      expect((await retrying(`exists ${marker}`, () => zk.exists(checker, marker))).value, `${marker}, in the survivor's log only, is lost`).toBe(true);
    } finally {
      closeClient(checker);
    }

    await judgeRestored(
      label,
      backedUp!,
      began,
      faultsBefore,
      `${asideOf(memberFolders[0]!).length + asideOf(memberFolders[1]!).length + asideOf(memberFolders[2]!).length} folders aside, ${left} work folders left by SIGKILL`,
    );
  });

  test('backup.sh with the leader frozen as it begins syncing its source: done with an archive holding every write acknowledged before it started, or stopped with FAIL naming what it waited for; thawed, a re-run makes that archive', async (ctx) => {
    steps.gate(ctx);
    const began = performance.now();
    const faultsBefore = faults.log.length;
    const dest = join(scratch, 'backups-leader-frozen');
    mkdirSync(dest, { recursive: true });
    const label = 'backup, leader frozen';
    let archive = '';
    let startedAt = 0;
    const history = await underHistory(label, async () => {
      const leader = await leaderOf([1, 2, 3]);
      // Frozen, the leader keeps its sessions and its place: the source (a follower) notices only
      // after syncLimit ticks without an answer, while backup.sh waits on its sync. Its wait is
      // bounded: killed past 90 s (exit null), it fails the scenario.
      startedAt = performance.now();
      const { first, source } = await backupUnderFault(dest, ctx.signal, () => faults.freeze(leader), 90_000);
      const context = `exit ${first.code} after ${seconds(first.ms)}:\n${first.stdout}${first.stderr}`;
      expect(source, context).toBeDefined();
      expect(source, `backup.sh reads from a follower when there is one, and chose the leader:\n${context}`).not.toBe(leader);
      console.log(`backup.sh under the fault: ${outcome(first)} in ${seconds(first.ms)}`);
      if (first.code !== 0) {
        expect(first.code, context).toBe(1);
        expect(first.stderr, context).toMatch(/^FAIL: .*(could not sync \S+ with the leader|does not say its zxid|serves)/m);
      }
      await faults.thaw(leader);
      await serving([1, 2, 3]);
      ({ archive, startedAt } = await archiveOf(first, startedAt, dest, ctx.signal));
    });
    // The archive, restored, holds every write acknowledged before the run that made it started.
    const restored = await watchScript(bundle, 'restore.sh', { args: ['--yes', archive], env: WAIT, abort: ctx.signal, timeoutMs: 200_000 }).result;
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    await serving([1, 2, 3]);
    await judgeRestored(`${label}, its archive restored`, { archive, startedAt, history, root: rootOf(label) }, began, faultsBefore);
  });
});
