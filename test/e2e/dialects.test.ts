// Every image dialect, for real, from its generated docker-compose.yml: official (with an
// observer), bitnami, confluent and garland. For each: `docker-compose up -d` reaches a quorum;
// every AdminServer answers on its own port; the health checks turn healthy; status.sh and
// smoke-test.sh pass; each member runs with the generated conf/<member>/zoo.cfg and myid; and
// rolling-restart.sh restarts every member while a client writes in a loop (retrying on
// ConnectionLoss, as ZooKeeper clients do) without losing a write. For the official image the
// health check is also shown to follow the quorum: unhealthy once two of three participants are
// gone, healthy again when they are back.
//
// THE IMAGES ARE LOCAL STAND-INS, NOT THE REAL IMAGES: test/e2e/images/build.sh builds each from
// Debian's ZooKeeper 3.8 to reproduce that image's behaviour as its own scripts have it (variables
// read and ignored, defaults written, required variables, paths, the user it runs as: bitnami
// 1001 and confluent 1000 without root, so their data folders must be prepared), with bash and
// coreutils but no netcat. The configuration check is strict: each member's zoo.cfg equals
// conf/<member>/zoo.cfg key for key, with no per-image allowances.
// ZKGEN_REAL_IMAGES=1 npm run test:e2e pulls and runs the real ones where a registry is reachable.
//
// Ports (loopback, below the ephemeral range): official 20181.., bitnami 23181.., confluent
// 25181.., garland 27181.., bitnami 3.8 29181.., official 3.4 31181.. (peer 31281.., election
// 31381..), each with its peer, election and admin ports above them.
import { rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type Bundle, generate, parseStatus, scratchDir } from './bundle.js';
import { closeClient, connectClient, createRetrying, zk } from './client.js';
import { configProblems, imageLayout } from './config.js';
import { compose, ensureImage, health, logTail, removeComposeProject, removeContainers, runScript, useEngine } from './engine.js';
import { waitForPortsFree } from './ports.js';
import { scenarioSteps } from './scenario.js';
import { modeOf, waitForQuorum } from './srvr.js';
import { range, seconds, sleep, waitFor } from './wait.js';

const skip = useEngine();
// A test with no body, skipped, so that the reason shows in the run's report.
if (skip) test.skip(`e2e skipped: ${skip}`);

interface Scenario {
  dialect: string;
  /** Names the scenario's containers and compose project when one dialect runs twice. */
  label?: string;
  /** Ensemble-file settings beyond the scenario's own. */
  settings?: object;
  image: string;
  base: { client: number; peer: number; election: number; admin?: number };
  observer: boolean;
}

const SCENARIOS: Scenario[] = [
  {
    dialect: 'official',
    image: 'zookeeper:3.9.4',
    base: { client: 20181, peer: 20888, election: 21888, admin: 20080 },
    observer: true,
  },
  {
    dialect: 'bitnami',
    image: 'bitnamilegacy/zookeeper:3.9',
    base: { client: 23181, peer: 23888, election: 24888, admin: 23080 },
    observer: false,
  },
  {
    // The official image's 3.4 tags: clientPort=2181 from the entrypoint, each member's own after it in ZOO_CFG_EXTRA, 3.4 server lines, no AdminServer.
    dialect: 'official',
    label: 'official34',
    image: 'zookeeper:3.4.14',
    base: { client: 31181, peer: 31281, election: 31381 },
    observer: false,
  },
  {
    // 3.8 reads ALLOW_ANONYMOUS_LOGIN where 3.9 reads ALLOW_EMPTY_PASSWORD, and writes no
    // admin.serverAddress: its stand-in is built apart, as the real images are.
    dialect: 'bitnami',
    label: 'bitnami38',
    image: 'bitnami/zookeeper:3.8',
    // The image's session limit stays 40000 unless zkgen passes ZOO_MAX_SESSION_TIMEOUT.
    settings: { tickTime: 2500 },
    base: { client: 29181, peer: 29888, election: 30888, admin: 29080 },
    observer: false,
  },
  {
    dialect: 'confluent',
    image: 'confluentinc/cp-zookeeper:7.9.0',
    base: { client: 25181, peer: 25888, election: 26888, admin: 25080 },
    observer: false,
  },
  {
    dialect: 'garland',
    image: 'garland/zookeeper:latest',
    base: { client: 27181, peer: 27888, election: 28888 },
    observer: false,
  },
];

/** GET http://127.0.0.1:PORT/commands/ruok: the AdminServer's status line, or undefined. */
function adminStatus(port: number, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('GET /commands/ruok HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n'));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => done(answer.split('\r\n')[0]));
    socket.on('error', () => done(undefined));
  });
}


async function waitForHealth(names: string[], wanted: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let last: string[] = [];
  await waitFor(`${names.join(', ')} to be ${wanted}`, async () => ((last = await Promise.all(names.map(health))).every((h) => h === wanted) ? true : undefined), {
    timeoutMs,
    intervalMs: 250,
    describe: () => names.map((n, i) => `${n} ${last[i]}`).join(', '),
  });
  return performance.now() - started;
}

for (const scenario of SCENARIOS) {
  const { image, base } = scenario;
  const dialect = scenario.label ?? scenario.dialect;
  const participants = 3;
  const size = participants + (scenario.observer ? 1 : 0);
  const names = range(1, size).map((i) => `${dialect}${i}`);
  const clientPorts = range(base.client, size);
  const participantPorts = clientPorts.slice(0, participants);
  const adminPorts = base.admin === undefined ? [] : range(base.admin, size);
  const project = `zkgen-e2e-${dialect}`;

  describe.skipIf(skip)(`${dialect}: ${image} stand-in, ${participants} participants${scenario.observer ? ' and an observer' : ''}, through docker-compose`, () => {
    let bundle: Bundle;
    let file: string;
    let scratch: string | undefined;
    const steps = scenarioSteps();
    beforeEach((ctx) => steps.check(ctx));

    beforeAll(async () => {
      ensureImage(image);
      scratch = scratchDir(dialect);
      bundle = generate(
        {
          image,
          servers: names.map((name, i) => ({ name, ...(i >= participants && { role: 'observer' }) })),
          ports: base,
          // bitnami's AdminServer is off unless asked; the others' are on by default.
          ...(base.admin !== undefined && { adminServer: true }),
          dataRoot: join(scratch, 'data'),
          heap: '64m',
          healthcheck: true,
          ...scenario.settings,
        },
        scratch,
      );
      file = join(bundle.dir, 'docker-compose.yml');
      await removeContainers(names);
      await waitForPortsFree([...clientPorts, ...range(base.peer, size), ...range(base.election, size), ...adminPorts]);
    }, 600_000);

    afterAll(async () => {
      // Rather than docker-compose down: the same end (every container of the project gone, the
      // data folders kept), without its start-up and a stop timeout per member.
      await removeComposeProject(project, names);
      // The members' data folders are in here; the containers that wrote them are gone.
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    test('docker-compose up -d reaches a quorum, the observer observing', async (ctx) => {
      steps.gate(ctx);
      const started = performance.now();
      const up = await compose(file, ['-p', project, 'up', '-d']);
      expect(up.stderr + up.stdout, 'docker-compose up').not.toMatch(/ERROR/);
      expect(up.code).toBe(0);
      try {
        const quorum = await waitForQuorum(participantPorts, { since: started, timeoutMs: 90_000 });
        console.log(`${dialect}: quorum ${seconds(quorum.seconds * 1000)} after docker-compose up`);
        if (scenario.observer) {
          await waitFor('the observer to observe', async () => ((await modeOf(clientPorts[participants]!)) === 'observer' ? true : undefined), { timeoutMs: 60_000 });
        }
      } catch (error) {
        throw new Error(`${String(error)}\n${(await Promise.all(names.map((n) => logTail(n)))).join('\n')}`);
      }
    });

    test.runIf(adminPorts.length > 0)('every AdminServer answers on its own port', async () => {
      for (const port of adminPorts) {
        const status = await waitFor(`the AdminServer on ${port}`, async () => adminStatus(port), { timeoutMs: 30_000, intervalMs: 250 });
        expect(status, `admin port ${port}`).toMatch(/^HTTP\/1\.[01] 200/);
      }
    });

    test('health checks turn healthy with the quorum', async () => {
      const ms = await waitForHealth(names, 'healthy', 60_000);
      console.log(`${dialect}: every member healthy ${seconds(ms)} after the quorum`);
    });

    test('status.sh shows every member serving, smoke-test.sh passes', async () => {
      const status = await runScript(bundle, 'status.sh');
      expect(status.code, status.stdout + status.stderr).toBe(0);
      const rows = parseStatus(status.stdout);
      expect(rows.map((r) => r.member)).toEqual(names);
      expect(rows.every((r) => r.container === 'running')).toBe(true);
      expect(rows.filter((r) => r.mode === 'leader')).toHaveLength(1);
      if (scenario.observer) expect(rows.at(-1)!.mode).toBe('observer');
      const smoke = await runScript(bundle, 'smoke-test.sh');
      expect(smoke.code, smoke.stdout + smoke.stderr).toBe(0);
      expect(smoke.stdout).toMatch(/^ok: /m);
    });

    test('each member runs with the generated conf/<member>/zoo.cfg and myid', async () => {
      for (const name of names) expect(await configProblems(bundle, name, imageLayout(image))).toEqual([]);
    });

    test.runIf(dialect === 'official')('the health check follows the quorum: unhealthy without it, healthy again with it', async (ctx) => {
      // It stops two participants: if they do not come back, the rolling restart cannot run.
      steps.gate(ctx);
      const [survivor, ...gone] = names.slice(0, participants) as [string, ...string[]];
      const stop = await compose(file, ['-p', project, 'stop', '-t', '1', ...gone]);
      expect(stop.code).toBe(0);
      const down = await waitForHealth([survivor], 'unhealthy', 60_000);
      console.log(`${dialect}: ${survivor} unhealthy ${seconds(down)} after losing the quorum`);
      const start = await compose(file, ['-p', project, 'start', ...gone]);
      expect(start.code).toBe(0);
      await waitForQuorum(participantPorts, { timeoutMs: 90_000 });
      const up = await waitForHealth(names, 'healthy', 60_000);
      console.log(`${dialect}: healthy again ${seconds(up)} after the quorum came back`);
    });

    test('rolling-restart.sh restarts every member, leader last, and a writing client loses nothing', async (ctx) => {
      const client = await connectClient(bundle.connectString);
      const restarted = new AbortController();
      // However the test ends — passed, failed, or timed out (240 s, vitest.config.ts), even while
      // still connecting — the writer stops and the client closes; a timeout also aborts
      // ctx.signal, which kills the script.
      const stop = () => {
        restarted.abort();
        closeClient(client);
      };
      if (ctx.signal.aborted) stop();
      else ctx.signal.addEventListener('abort', stop, { once: true });
      try {
        await createRetrying(client, '/rolling', '');
        let acknowledged = 0;
        let losses = 0;
        const started = performance.now();
        const writer = (async () => {
          // Bounded: at most 100,000 writes, and it stops when the restart is done.
          for (let i = 0; !restarted.signal.aborted && i < 100_000; i++) {
            const done = await createRetrying(client, `/rolling/w${String(i).padStart(6, '0')}`, String(i), { timeoutMs: 30_000 });
            losses += done.connectionLosses;
            acknowledged = i + 1;
          }
        })();
        await sleep(500);
        // Bounded well inside the test's 240 s, leaving room for the writer's last write (30 s)
        // and the quorum check after it (30 s).
        const restart = await runScript(bundle, 'rolling-restart.sh', { timeoutMs: 150_000, signal: ctx.signal });
        restarted.abort();
        await writer;
        const ms = performance.now() - started;
        expect(restart.code, restart.stdout + restart.stderr).toBe(0);
        const order = [...restart.stdout.matchAll(/^restarting (\S+) \((\w+)\)$/gm)].map((m) => [m[1], m[2]]);
        expect(order.map(([name]) => name).sort()).toEqual([...names].sort());
        expect(order.at(-1)![1], 'the leader goes last').toBe('leader');
        const children = await zk.children(client, '/rolling');
        expect(children).toHaveLength(acknowledged);
        console.log(
          `${dialect}: rolling restart of ${size} members in ${seconds(ms)}; ${acknowledged} writes acknowledged, ${children.length} found, ` +
            `${losses} retried after ConnectionLoss`,
        );
        await waitForQuorum(participantPorts, { timeoutMs: 30_000 });
      } finally {
        stop();
      }
    });
  });
}

// Hierarchical quorums: three groups of one participant each, with weights, for each image that
// can say them (official through ZOO_CFG_EXTRA, bitnami through ZOO_CFG_group_N, confluent through
// ZOOKEEPER_GROUPS and ZOOKEEPER_WEIGHTS). ZooKeeper refuses to start on a group or weight line it
// finds wrong, so a quorum, and each member running with the generated conf/, prove the lines.
for (const scenario of SCENARIOS.filter((s) => s.dialect !== 'garland' && s.label === undefined)) {
  const { dialect, image, base } = scenario;
  const names = range(1, 3).map((i) => `${dialect}g${i}`);
  const clientPorts = range(base.client, 3);
  const project = `zkgen-e2e-${dialect}-groups`;

  describe.skipIf(skip)(`${dialect}: hierarchical quorum (three groups), through docker-compose`, () => {
    let bundle: Bundle;
    let file: string;
    let scratch: string | undefined;

    beforeAll(async () => {
      ensureImage(image);
      scratch = scratchDir(`${dialect}-groups`);
      bundle = generate(
        {
          image,
          servers: names.map((name, i) => ({ name, group: i + 1, weight: i + 1 })),
          ports: base,
          adminServer: true,
          dataRoot: join(scratch, 'data'),
          heap: '64m',
        },
        scratch,
      );
      file = join(bundle.dir, 'docker-compose.yml');
      await removeContainers(names);
      await waitForPortsFree([...clientPorts, ...range(base.peer, 3), ...range(base.election, 3), ...range(base.admin!, 3)]);
    }, 600_000);

    afterAll(async () => {
      // Rather than docker-compose down: the same end (every container of the project gone, the
      // data folders kept), without its start-up and a stop timeout per member.
      await removeComposeProject(project, names);
      // The members' data folders are in here; the containers that wrote them are gone.
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    test('reaches a quorum, each member running with the generated group and weight lines', async () => {
      const started = performance.now();
      const up = await compose(file, ['-p', project, 'up', '-d']);
      expect(up.code, up.stderr).toBe(0);
      try {
        const quorum = await waitForQuorum(clientPorts, { since: started, timeoutMs: 90_000 });
        console.log(`${dialect}: hierarchical quorum ${seconds(quorum.seconds * 1000)} after docker-compose up`);
      } catch (error) {
        throw new Error(`${String(error)}\n${(await Promise.all(names.map((n) => logTail(n)))).join('\n')}`);
      }
      for (const name of names) expect(await configProblems(bundle, name, imageLayout(image))).toEqual([]);
      const smoke = await runScript(bundle, 'smoke-test.sh');
      expect(smoke.code, smoke.stdout + smoke.stderr).toBe(0);
    });
  });
}
