// Where a generated ensemble can be reached, for real: each member's client port and AdminServer
// listen on its own address only, never on a wildcard address, unless the file says
// `"listen": "all"`.
//
// - A default ensemble (host localhost) on the official image's stand-in: no client or AdminServer
//   port of the ensemble on 0.0.0.0 or [::] (read from /proc/net/tcp and tcp6); from another
//   network namespace, on a bridge this file creates (10.78.0.0/24), a connection to the machine's
//   bridge address reaches a port the test opens there but none of the members' ports; from the
//   host, each member answers at its own address. status.sh and smoke-test.sh pass. The same for
//   the bitnami and confluent stand-ins, which are told through their own variables, and the
//   official image's 3.4 tags at the bridge address (clientPortAddress in ZOO_CFG_EXTRA).
// - An ensemble whose host is the bridge address 10.78.0.1: members listen there and not on
//   127.0.0.1; the other namespace reaches them there; health checks, status.sh and smoke-test.sh
//   work, because they dial the member's own address inside its container.
//
// - TLS on the official, bitnami and confluent images' stand-ins, SASL on the official one's: see the
//   sections below.
//
// THE IMAGES ARE LOCAL STAND-INS, NOT THE REAL IMAGES (see test/e2e/images/build.sh).
// Needs root (namespaces and a bridge, created here and removed afterwards: names zksec*).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Bundle,
  compose,
  configProblems,
  docker,
  ensureImage,
  health,
  imageLayout,
  expectSmokeTestOk,
  expectStatusServing,
  generate,
  logTail,
  modeOf,
  range,
  removeComposeProject,
  removeContainers,
  runScript,
  scratchDir,
  seconds,
  useEngine,
  waitFor,
  waitForPortsFree,
  waitForQuorum,
} from './support.js';
import { unauthenticatedCreate } from './client.js';

/** spawnSync's output: a string by its typings, but null when the program could not be started. */
const text = (output: string | null): string => output ?? '';

const skip = useEngine();
if (skip) test.skip(`e2e skipped: ${skip}`, () => undefined);

const IMAGE = 'zookeeper:3.9.4';
const NS = 'zksec1';
const BRIDGE = 'zksecbr0';
const VETH = 'zksecv1';
const BRIDGE_ADDRESS = '10.78.0.1';
const NS_ADDRESS = '10.78.0.2';

// --- the other network namespace -------------------------------------------------------------

function ip(args: string[]): { code: number | null; stderr: string } {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
  return { code: result.status, stderr: text(result.stderr) };
}

function mustIp(args: string[]): void {
  const result = ip(args);
  if (result.code !== 0) throw new Error(`ip ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
}

/** A bridge holding 10.78.0.1 in this namespace, and namespace zksec1 at 10.78.0.2 on it. */
function createNamespace(): void {
  removeNamespace();
  mustIp(['link', 'add', BRIDGE, 'type', 'bridge']);
  mustIp(['addr', 'add', `${BRIDGE_ADDRESS}/24`, 'dev', BRIDGE]);
  mustIp(['link', 'set', BRIDGE, 'up']);
  mustIp(['netns', 'add', NS]);
  mustIp(['link', 'add', VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS]);
  mustIp(['link', 'set', VETH, 'master', BRIDGE, 'up']);
  mustIp(['netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_ADDRESS}/24`, 'dev', 'eth0']);
  mustIp(['netns', 'exec', NS, 'ip', 'link', 'set', 'eth0', 'up']);
  mustIp(['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);
}

/** Removes what createNamespace made (the veth pair goes with the namespace). */
function removeNamespace(): void {
  ip(['netns', 'del', NS]);
  ip(['link', 'del', VETH]);
  ip(['link', 'del', BRIDGE]);
}

/** Whether a TCP connection from the other namespace to host:port succeeds within 3 s. */
function connectsFromNamespace(host: string, port: number): boolean {
  const result = spawnSync('ip', ['netns', 'exec', NS, 'timeout', '3', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', host, String(port)], {
    timeout: 10_000,
    killSignal: 'SIGKILL',
  });
  return result.status === 0;
}

/** srvr asked from the other namespace: the answer, or '' when nothing answers. */
function srvrFromNamespace(host: string, port: number): string {
  const result = spawnSync('ip', ['netns', 'exec', NS, 'timeout', '3', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1" && printf srvr >&3 && cat <&3', host, String(port)], {
    encoding: 'utf8',
    timeout: 10_000,
    killSignal: 'SIGKILL',
  });
  return text(result.stdout);
}

// --- what listens where ----------------------------------------------------------------------

/** /proc/net/tcp's HEX address → dotted IPv4 (little-endian words). */
function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

/** /proc/net/tcp6's HEX address → '::' for the wildcard, a dotted IPv4 for v4-mapped, else hex. */
function ipv6(hex: string): string {
  if (/^0{32}$/.test(hex)) return '::';
  if (hex.startsWith('0000000000000000FFFF0000')) return ipv4(hex.slice(24));
  return hex;
}

/** Every listening TCP socket on these ports in this namespace (shared with host-networked containers). */
function listenersOn(ports: number[]): Array<{ port: number; address: string }> {
  const found: Array<{ port: number; address: string }> = [];
  for (const [table, decode] of [
    ['/proc/net/tcp', ipv4],
    ['/proc/net/tcp6', ipv6],
  ] as const) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A' || !fields[1]) continue;
      const [hexAddress, hexPort] = fields[1].split(':');
      const port = parseInt(hexPort ?? '', 16);
      if (ports.includes(port)) found.push({ port, address: decode(hexAddress ?? '') });
    }
  }
  return found.sort((a, b) => a.port - b.port || a.address.localeCompare(b.address));
}

const WILDCARDS = ['0.0.0.0', '::'];

/**
 * How long a member refused by the others (another CA's key, another quorum secret) is watched not
 * serving, from its first answer on. A member that can join does so within 1–2 s of answering
 * (each such test prints how long its member took to rejoin once given back its own key or
 * secret): the window is several times that.
 */
const REFUSED_WATCH_MS = 10_000;

// --- scenarios -------------------------------------------------------------------------------


interface Scenario {
  label: string;
  image: string;
  host?: string;
  /** `"listen": "all"`: the file's explicit choice of every interface. */
  all?: boolean;
  /** The address each member must listen on. */
  own: string;
  /** admin: the AdminServer's first port, for images that have one (not 3.4). */
  base: { client: number; peer: number; election: number; admin?: number };
}

const SCENARIOS: Scenario[] = [
  { label: 'localhost', image: IMAGE, own: '127.0.0.1', base: { client: 29181, peer: 29281, election: 29381, admin: 29481 } },
  { label: 'bridge', image: IMAGE, host: BRIDGE_ADDRESS, own: BRIDGE_ADDRESS, base: { client: 29581, peer: 29681, election: 29781, admin: 29881 } },
  // The other images that can bind, each through its own variables.
  { label: 'bitnami', image: 'bitnami/zookeeper:3.9', own: '127.0.0.1', base: { client: 31181, peer: 31281, election: 31381, admin: 31481 } },
  { label: 'confluent', image: 'confluentinc/cp-zookeeper:7.9.0', own: '127.0.0.1', base: { client: 31581, peer: 31681, election: 31781, admin: 31881 } },
  // The official 3.4 tags: clientPortAddress after the entrypoint's lines (ZOO_CFG_EXTRA); no AdminServer.
  { label: 'official34', image: 'zookeeper:3.4.14', host: BRIDGE_ADDRESS, own: BRIDGE_ADDRESS, base: { client: 32581, peer: 32681, election: 32781 } },
  // The explicit choice does open them: every interface (Java binds the IPv6 wildcard).
  { label: 'all', image: IMAGE, all: true, own: '::', base: { client: 32081, peer: 32181, election: 32281, admin: 32381 } },
];

const namesOf = (scenario: Scenario) => range(1, 3).map((i) => `sec-${scenario.label}${i}`);
const projectOf = (scenario: Scenario) => `zkgen-e2e-sec-${scenario.label}`;

/**
 * A scenario's ensemble, generated and started with docker-compose up -d, once every member serves
 * as status.sh sees it. Its bundle, or the error with the members' last log lines.
 */
async function startScenario(scenario: Scenario, scratch: string): Promise<Bundle> {
  const names = namesOf(scenario);
  const bundle = generate(
    {
      image: scenario.image,
      servers: names.map((name) => ({ name })),
      ...(scenario.host && { host: scenario.host }),
      ...(scenario.all && { listen: 'all' }),
      ports: scenario.base,
      // Every AdminServer on, bitnami's too (its image leaves it off): its port is checked as well.
      adminServer: scenario.base.admin !== undefined,
      dataRoot: join(scratch, 'data'),
      heap: '64m',
    },
    scratch,
  );
  await removeContainers(names);
  const { base } = scenario;
  await waitForPortsFree([base.client, base.peer, base.election, ...(base.admin === undefined ? [] : [base.admin])].flatMap((first) => range(first, 3)));
  const up = await compose(join(bundle.dir, 'docker-compose.yml'), ['-p', projectOf(scenario), 'up', '-d']);
  if (up.code !== 0) throw new Error(`docker-compose up -d exited ${up.code}: ${up.stderr}`);
  try {
    // status.sh dials each member's own address inside its container: serving through it is the
    // quorum, seen the way the bundle sees it.
    await waitFor('every member to serve (status.sh)', async () => ((await runStatus(bundle)) === 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 250 });
  } catch (error) {
    throw new Error(`${String(error)}\n${(await Promise.all(names.map((n) => logTail(n)))).join('\n')}`);
  }
  return bundle;
}

describe.skipIf(skip)('nothing listens beyond the member\'s own address', () => {
  /** Each scenario's scratch folder, and its ensemble once started. */
  const scratches = new Map<string, string>();
  const started = new Map<string, PromiseSettledResult<Bundle>>();

  // The six ensembles start at once (their names and ports are apart), rather than each waiting
  // for the one before it to be started, checked and removed; each is removed after its checks.
  beforeAll(async () => {
    for (const image of new Set(SCENARIOS.map((s) => s.image))) ensureImage(image);
    createNamespace();
    for (const scenario of SCENARIOS) scratches.set(scenario.label, scratchDir(`sec-${scenario.label}`));
    const results = await Promise.allSettled(SCENARIOS.map((scenario) => startScenario(scenario, scratches.get(scenario.label)!)));
    results.forEach((result, i) => started.set(SCENARIOS[i]!.label, result));
  }, 600_000);

  afterAll(async () => {
    // Whatever a failed start left.
    for (const scenario of SCENARIOS) await removeComposeProject(projectOf(scenario), namesOf(scenario));
    for (const scratch of scratches.values()) rmSync(scratch, { recursive: true, force: true });
    removeNamespace();
  });

  for (const scenario of SCENARIOS) {
    const names = namesOf(scenario);
    const clientPorts = range(scenario.base.client, 3);
    const adminPorts = scenario.base.admin === undefined ? [] : range(scenario.base.admin, 3);

    describe(`${scenario.image} stand-in, host ${scenario.host ?? 'localhost (default)'}${scenario.all ? ', "listen": "all"' : ''}`, () => {
      let bundle: Bundle;

      beforeAll(() => {
        const result = started.get(scenario.label);
        if (result?.status !== 'fulfilled') throw result?.reason ?? new Error('the scenario was not started');
        bundle = result.value;
      });

      afterAll(async () => {
        // Rather than docker-compose down: the same end (every container of the project gone, the
        // data folders kept), without its start-up and a stop timeout per member.
        await removeComposeProject(projectOf(scenario), names);
      });

      test('no client or AdminServer port of the ensemble on a wildcard address; each on its own', () => {
        const listening = listenersOn([...clientPorts, ...adminPorts]);
        // Every port is open somewhere: an absent listener would pass the wildcard check for nothing.
        expect(new Set(listening.map((l) => l.port))).toEqual(new Set([...clientPorts, ...adminPorts]));
        if (!scenario.all) expect(listening.filter((l) => WILDCARDS.includes(l.address))).toEqual([]);
        expect(listening.every((l) => l.address === scenario.own), JSON.stringify(listening)).toBe(true);
      });

      test('from another namespace, only the member\'s own address is reachable', async () => {
        // The path works: a port the test opens on the bridge address is reachable from there.
        const server = net.createServer((socket) => socket.end());
        await new Promise<void>((resolve) => server.listen(29999, BRIDGE_ADDRESS, resolve));
        try {
          expect(connectsFromNamespace(BRIDGE_ADDRESS, 29999)).toBe(true);
        } finally {
          server.close();
        }
        for (const port of [...clientPorts, ...adminPorts]) {
          expect(connectsFromNamespace(BRIDGE_ADDRESS, port), `${BRIDGE_ADDRESS}:${port}`).toBe(scenario.own === BRIDGE_ADDRESS || scenario.all === true);
        }
        if (scenario.own === BRIDGE_ADDRESS) {
          for (const port of clientPorts) expect(srvrFromNamespace(BRIDGE_ADDRESS, port)).toMatch(/^Mode: (leader|follower)$/m);
        }
      });

      test('from this machine, each member answers at its own address and nowhere else', async () => {
        if (scenario.own === '127.0.0.1' || scenario.all) {
          await waitForQuorum(clientPorts, { timeoutMs: 30_000 });
        } else {
          // Bound to the bridge address, a member is not on 127.0.0.1.
          for (const port of clientPorts) {
            const refused = await new Promise<boolean>((resolve) => {
              const socket = net.connect({ host: '127.0.0.1', port });
              socket.on('connect', () => {
                socket.destroy();
                resolve(false);
              });
              socket.on('error', () => resolve(true));
            });
            expect(refused, `127.0.0.1:${port}`).toBe(true);
          }
        }
      });

      test('status.sh, smoke-test.sh and the health checks work at the member\'s own address', async () => {
        await expectStatusServing(bundle);
        await expectSmokeTestOk(bundle);
        await waitFor('every member healthy', async () => ((await Promise.all(names.map(health))).every((h) => h === 'healthy') ? true : undefined), {
          timeoutMs: 90_000,
          intervalMs: 250,
        });
      });
    });
  }
});

async function runStatus(bundle: Bundle): Promise<number | null> {
  return (await runScript(bundle, 'status.sh', { timeoutMs: 60_000 })).code;
}

// --- TLS -------------------------------------------------------------------------------------
// An ensemble with `"tls": { "quorum": true, "client": true }` on each image that takes TLS:
// tls.sh makes the keys outside the bundle, `docker-compose up -d` reaches a quorum over TLS,
// status.sh (through the AdminServer) and smoke-test.sh (zkCli as a TLS client) pass, a TLS
// handshake with the ensemble's CA succeeds on each secure client port and election port, a
// plaintext srvr to the secure port gets no answer, the plaintext client port is closed, and (on
// the official image, which the others share ZooKeeper's quorum code with) a member given a key
// from another CA cannot join.

/** `openssl s_client` to 127.0.0.1:port with the CA and a client certificate: whether the handshake verifies. */
function handshake(port: number, caFile: string, pemFile: string): { ok: boolean; output: string } {
  const result = spawnSync(
    'timeout',
    ['10', 'openssl', 's_client', '-connect', `127.0.0.1:${port}`, '-CAfile', caFile, '-cert', pemFile, '-key', pemFile, '-verify_return_error', '-brief'],
    { input: '', encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' },
  );
  const output = `${text(result.stdout)}${text(result.stderr)}`;
  return { ok: result.status === 0 && output.includes('Verification: OK'), output };
}

/** GET /commands/srvr on a member's AdminServer at 127.0.0.1: its server_state, or undefined. */
function adminState(port: number, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => done(), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(/"server_state" *: *"([a-z]+)"/.exec(answer)?.[1]);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('GET /commands/srvr HTTP/1.0\r\n\r\n'));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', done);
    socket.on('error', done);
  });
}

/** The AdminServer's HTTP status line for ruok (answered whether or not the member serves), or ''. */
function adminStatusLine(port: number): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => done(), 2000);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer.split('\r\n')[0] ?? '');
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('GET /commands/ruok HTTP/1.0\r\n\r\n'));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', done);
    socket.on('error', done);
  });
}

/**
 * Whatever a port answers to a plaintext srvr within 1.5 s ('' for nothing): a plaintext client
 * port answers in milliseconds.
 */
function plaintextAnswer(port: number): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => done(), 1500);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('srvr'));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', done);
    socket.on('error', done);
  });
}

function runTlsScript(bundle: Bundle): { code: number | null; output: string } {
  const result = spawnSync(join(bundle.dir, 'tls.sh'), [], { cwd: bundle.dir, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
  return { code: result.status, output: `${text(result.stdout)}${text(result.stderr)}` };
}

function filesUnder(dir: string): string[] {
  const result = spawnSync('find', [dir, '-type', 'f'], { encoding: 'utf8' });
  return text(result.stdout).split('\n').filter(Boolean).sort();
}

interface TlsCase {
  /** Names members (`<label>1..3`), the compose project and the scratch folder. */
  label: string;
  image: string;
  base: { client: number; peer: number; election: number; admin: number; secureClient: number };
  /** Where the secure client ports listen: the member's own address, or '::' where the image cannot say. */
  secureAddress: string;
  /** Whether the case also swaps a member's keys for another CA's (the slowest check). */
  otherCa: boolean;
}

const TLS_CASES: TlsCase[] = [
  { label: 'tls', image: IMAGE, base: { client: 30181, peer: 30281, election: 30381, admin: 30481, secureClient: 30581 }, secureAddress: '127.0.0.1', otherCa: true },
  {
    label: 'tlsbit',
    image: 'bitnami/zookeeper:3.9',
    base: { client: 35181, peer: 35281, election: 35381, admin: 35481, secureClient: 35581 },
    secureAddress: '127.0.0.1',
    otherCa: false,
  },
  // cp-zookeeper has no variable for secureClientPortAddress (zkgen warns).
  {
    label: 'tlscfl',
    image: 'confluentinc/cp-zookeeper:7.9.0',
    base: { client: 36181, peer: 36281, election: 36381, admin: 36481, secureClient: 36581 },
    secureAddress: '::',
    otherCa: false,
  },
];

for (const tlsCase of TLS_CASES) {
  describe.skipIf(skip)(`TLS: ${tlsCase.image} stand-in, quorum and clients over TLS`, () => {
    const { base } = tlsCase;
    const names = range(1, 3).map((i) => `${tlsCase.label}${i}`);
    const clientPorts = range(base.client, 3);
    const securePorts = range(base.secureClient, 3);
    const electionPorts = range(base.election, 3);
    const adminPorts = range(base.admin, 3);
    const project = `zkgen-e2e-${tlsCase.label}`;
    let bundle: Bundle;
    let file: string;
    let scratch: string;
    let keys: string;
    let ensemble: { tls: object } & Record<string, unknown>;

    beforeAll(async () => {
      ensureImage(tlsCase.image);
      scratch = scratchDir(tlsCase.label);
      ensemble = {
        image: tlsCase.image,
        servers: names.map((name) => ({ name })),
        ports: base,
        // bitnami's AdminServer is off unless asked; the probes need it once the plaintext port is closed.
        adminServer: true,
        dataRoot: join(scratch, 'data'),
        heap: '64m',
        tls: { quorum: true, client: true },
      };
      bundle = generate(ensemble, scratch);
      keys = join(scratch, 'data', 'tls');
      file = join(bundle.dir, 'docker-compose.yml');
      await removeContainers(names);
      await waitForPortsFree([...clientPorts, ...securePorts, ...electionPorts, ...adminPorts, ...range(base.peer, 3)]);
    }, 600_000);

    afterAll(async () => {
      // Rather than docker-compose down: the same end (every container of the project gone, the
      // data folders kept), without its start-up and a stop timeout per member.
      await removeComposeProject(project, names);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    test('tls.sh makes the keys outside the bundle, mode 0600, and keeps them when run again', () => {
      const first = runTlsScript(bundle);
      expect(first.code, first.output).toBe(0);
      const made = filesUnder(keys);
      expect(made).toEqual(
        expect.arrayContaining([join(keys, 'ca', 'ca.crt'), ...names.flatMap((n) => ['keystore.p12', 'keystore.pass', 'truststore.p12', 'truststore.pass'].map((f) => join(keys, 'members', n, f)))]),
      );
      for (const f of made) expect(text(spawnSync('stat', ['-c', '%a', f], { encoding: 'utf8' }).stdout).trim(), f).toBe('600');
      // No password, key or certificate is in the bundle.
      const secrets = made.filter((f) => f.endsWith('.pass')).map((f) => readFileSync(f, 'utf8'));
      const bundleText = filesUnder(bundle.dir).map((f) => readFileSync(f, 'latin1')).join('\n');
      for (const s of secrets) {
        expect(s.length).toBeGreaterThan(20);
        expect(bundleText.includes(s)).toBe(false);
      }
      expect(bundleText).not.toMatch(/BEGIN (RSA |EC )?PRIVATE KEY|BEGIN CERTIFICATE/);
      const before = made.map((f) => readFileSync(f, 'latin1'));
      const again = runTlsScript(bundle);
      expect(again.code, again.output).toBe(0);
      expect(filesUnder(keys)).toEqual(made);
      expect(made.map((f) => readFileSync(f, 'latin1'))).toEqual(before);
    });

    test('docker-compose up -d: every member serves (status.sh, through the AdminServer) and smoke-test.sh passes through TLS', async () => {
      const up = await compose(file, ['-p', project, 'up', '-d']);
      expect(up.code, up.stderr).toBe(0);
      try {
        await waitFor('every member to serve (status.sh)', async () => ((await runStatus(bundle)) === 0 ? true : undefined), { timeoutMs: 150_000, intervalMs: 250 });
      } catch (error) {
        throw new Error(`${String(error)}\n${(await Promise.all(names.map((n) => logTail(n, 40)))).join('\n')}`);
      }
      await expectStatusServing(bundle);
      await expectSmokeTestOk(bundle);
    }, 300_000);

    test('each member runs with the generated conf/<member>/zoo.cfg and myid', async () => {
      for (const name of names) expect(await configProblems(bundle, name, imageLayout(tlsCase.image))).toEqual([]);
    });

    test('a TLS handshake with the ensemble\'s CA succeeds on each secure client port and election port', () => {
      const pem = join(scratch, 'client.pem');
      const exported = spawnSync(
        'openssl',
        ['pkcs12', '-in', join(keys, 'members', names[0]!, 'keystore.p12'), '-passin', `file:${join(keys, 'members', names[0]!, 'keystore.pass')}`, '-nodes', '-out', pem],
        { encoding: 'utf8' },
      );
      expect(exported.status, exported.stderr).toBe(0);
      for (const port of [...securePorts, ...electionPorts]) {
        const result = handshake(port, join(keys, 'ca', 'ca.crt'), pem);
        expect(result.ok, `port ${port}: ${result.output}`).toBe(true);
      }
    });

    test('a plaintext srvr to a secure port gets no answer, and the plaintext client port is closed', async () => {
      // Asked at once: each waits out its 1.5 s for an answer that never comes.
      const answers = await Promise.all(securePorts.map((port) => plaintextAnswer(port)));
      answers.forEach((answer, i) => expect(answer, `secure port ${securePorts[i]}`).not.toMatch(/Mode:/));
      expect(listenersOn(clientPorts)).toEqual([]);
      const secure = listenersOn(securePorts);
      expect(new Set(secure.map((l) => l.port)), JSON.stringify(secure)).toEqual(new Set(securePorts));
      expect(secure.every((l) => l.address === tlsCase.secureAddress), JSON.stringify(secure)).toBe(true);
    });

    test.skipIf(!tlsCase.otherCa)('a member given a key from another CA cannot join the quorum', async () => {
      // Keys from another CA: the same ensemble's tls.sh with another keys folder (on one machine,
      // tls.sh makes keys only where the members mount them).
      const other = join(scratch, 'other-ca');
      const made = runTlsScript(generate({ ...ensemble, tls: { ...ensemble.tls, keys: other } }, join(scratch, 'other')));
      expect(made.code, made.output).toBe(0);
      const victim = names[2]!;
      await docker(['stop', '-t', '1', victim]);
      const own = join(keys, 'members', victim);
      rmSync(`${own}.kept`, { recursive: true, force: true });
      spawnSync('mv', [own, `${own}.kept`]);
      spawnSync('cp', ['-a', join(other, 'members', victim), own]);
      await docker(['start', victim]);
      // Its AdminServer comes up; it never serves, while the other two do.
      await waitFor(`${victim}'s AdminServer`, async () => ((await adminStatusLine(adminPorts[2]!)) ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 500,
      });
      const deadline = performance.now() + REFUSED_WATCH_MS;
      while (performance.now() < deadline) {
        expect(await adminState(adminPorts[2]!), `${victim} serves with another CA's key`).toBeUndefined();
        await new Promise((r) => setTimeout(r, 500));
      }
      const log = await logTail(victim, 200);
      console.log(`tls: ${victim} with another CA's key: ${/SSLHandshakeException|certificate_unknown|PKIX path|unable to find valid certification path/i.exec(log)?.[0] ?? 'no handshake failure in its log'}`);
      const states = await Promise.all(adminPorts.slice(0, 2).map((p) => adminState(p)));
      expect(states.sort()).toEqual(['follower', 'leader']);
      // With its own key back, it joins.
      await docker(['stop', '-t', '1', victim]);
      rmSync(own, { recursive: true, force: true });
      spawnSync('mv', [`${own}.kept`, own]);
      const restarted = performance.now();
      await docker(['start', victim]);
      await waitFor(`${victim}'s AdminServer`, async () => ((await adminStatusLine(adminPorts[2]!)) ? true : undefined), { timeoutMs: 60_000, intervalMs: 100 });
      const answered = performance.now();
      await waitFor(`${victim} to rejoin`, async () => ((await adminState(adminPorts[2]!)) === 'follower' ? true : undefined), { timeoutMs: 90_000, intervalMs: 100 });
      console.log(`tls: ${victim} with its own key again: AdminServer up ${seconds(answered - restarted)} after docker start, following ${seconds(performance.now() - answered)} after that`);
    }, 300_000);
  });
}

// --- SASL authentication ---------------------------------------------------------------------
// An official-image ensemble with `"auth": { "quorum": true, "client": true }`: auth.sh makes the
// JAAS file outside the bundle; the members reach a quorum through quorum SASL; status.sh (srvr,
// which needs no session) and smoke-test.sh (zkCli authenticating with the JAAS file's Client
// section) pass; a node-zookeeper-client session without credentials cannot write or read.

describe.skipIf(skip)(`auth: ${IMAGE} stand-in, quorum and client SASL`, () => {
  const names = range(1, 3).map((i) => `auth${i}`);
  const base = { client: 30681, peer: 30781, election: 30881, admin: 30981 };
  const clientPorts = range(base.client, 3);
  const project = 'zkgen-e2e-auth';
  let bundle: Bundle;
  let file: string;
  let scratch: string;
  let secrets: string;

  beforeAll(async () => {
    ensureImage(IMAGE);
    scratch = scratchDir('auth');
    bundle = generate(
      { image: IMAGE, servers: names.map((name) => ({ name })), ports: base, dataRoot: join(scratch, 'data'), heap: '64m', auth: { quorum: true, client: true } },
      scratch,
    );
    secrets = join(scratch, 'data', 'auth');
    file = join(bundle.dir, 'docker-compose.yml');
    await removeContainers(names);
    await waitForPortsFree([...clientPorts, ...range(base.peer, 3), ...range(base.election, 3), ...range(base.admin, 3)]);
  }, 600_000);

  afterAll(async () => {
    // Rather than docker-compose down: the same end (every container of the project gone, the
    // data folders kept), without its start-up and a stop timeout per member.
    await removeComposeProject(project, names);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('auth.sh makes the secrets outside the bundle, mode 0600, and keeps them when run again', () => {
    const run = () => spawnSync(join(bundle.dir, 'auth.sh'), [], { cwd: bundle.dir, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    const first = run();
    expect(first.status, `${first.stdout}${first.stderr}`).toBe(0);
    const jaas = join(secrets, 'jaas.conf');
    expect(text(spawnSync('stat', ['-c', '%a', jaas], { encoding: 'utf8' }).stdout).trim()).toBe('600');
    const jaasText = readFileSync(jaas, 'utf8');
    const passwords = [...jaasText.matchAll(/"([0-9a-f]{48})"/g)].map((m) => m[1]!);
    expect(new Set(passwords).size).toBe(2);
    const bundleText = filesUnder(bundle.dir).map((f) => readFileSync(f, 'latin1')).join('\n');
    for (const p of passwords) expect(bundleText.includes(p)).toBe(false);
    const again = run();
    expect(again.status).toBe(0);
    expect(readFileSync(jaas, 'utf8')).toBe(jaasText);
  });

  test('docker-compose up -d reaches a quorum through quorum SASL; status.sh and smoke-test.sh pass', async () => {
    const up = await compose(file, ['-p', project, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    try {
      await waitForQuorum(clientPorts, { timeoutMs: 120_000 });
    } catch (error) {
      throw new Error(`${String(error)}\n${(await Promise.all(names.map((n) => logTail(n, 40)))).join('\n')}`);
    }
    await expectStatusServing(bundle);
    await expectSmokeTestOk(bundle);
  }, 300_000);

  test('a server without the ensemble\'s quorum secret cannot join', async () => {
    // The same ensemble with secrets of its own, for the third member only.
    const other = generate(
      {
        image: IMAGE,
        servers: names.map((name) => ({ name })),
        ports: base,
        dataRoot: join(scratch, 'data'),
        heap: '64m',
        auth: { quorum: true, client: true, secrets: join(scratch, 'other-secrets') },
      },
      scratch,
      'other',
    );
    const made = spawnSync(join(other.dir, 'auth.sh'), [], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(made.status, made.stderr).toBe(0);
    const victim = names[2]!;
    const otherFile = join(other.dir, 'docker-compose.yml');
    const swapped = await compose(otherFile, ['-p', project, 'up', '-d', victim]);
    expect(swapped.code, swapped.stderr).toBe(0);
    await waitFor(`${victim} to answer srvr`, async () => ((await modeOf(clientPorts[2]!)) !== 'no-answer' ? true : undefined), { timeoutMs: 60_000, intervalMs: 500 });
    const deadline = performance.now() + REFUSED_WATCH_MS;
    while (performance.now() < deadline) {
      expect(await modeOf(clientPorts[2]!), `${victim} serves with another quorum secret`).toBe('not-serving');
      await new Promise((r) => setTimeout(r, 500));
    }
    const log = await logTail(victim, 200);
    console.log(`auth: ${victim} with another quorum secret: ${/SaslException|Authentication failed|auth failed|SASL/i.exec(log)?.[0] ?? 'no SASL failure in its log'}`);
    expect((await Promise.all(clientPorts.slice(0, 2).map((p) => modeOf(p)))).sort()).toEqual(['follower', 'leader']);
    // With the ensemble's secret again, it joins.
    const back = await compose(file, ['-p', project, 'up', '-d', victim]);
    expect(back.code, back.stderr).toBe(0);
    await waitFor(`${victim} to answer srvr`, async () => ((await modeOf(clientPorts[2]!)) !== 'no-answer' ? true : undefined), { timeoutMs: 60_000, intervalMs: 100 });
    const answered = performance.now();
    await waitForQuorum(clientPorts, { timeoutMs: 90_000 });
    console.log(`auth: ${victim} with the ensemble's secret again: serving ${seconds(performance.now() - answered)} after its first srvr answer`);
  }, 300_000);

  test('a client without credentials is refused', async () => {
    for (const port of clientPorts) {
      // -124: SessionClosedRequireAuth, ZooKeeper's answer to a session that has not authenticated.
      expect(await unauthenticatedCreate(port), `create through ${port} without credentials`).toBe(-124);
    }
  });
});
