// backup.sh and restore.sh, for real, on every dialect's stand-in (garland included): a few
// thousand znodes written while a client keeps writing; backup.sh; a subtree deleted and more
// written; restore.sh --yes of the archive. Then every write acknowledged before backup.sh started
// is back, the deleted subtree is back, writes acknowledged after backup.sh finished are gone, the
// members' former data folders are still on disk, and bitnami's (uid 1001) and confluent's (uid
// 1000) restored folders belong to the image's user. A truncated archive is refused with the
// ensemble untouched and serving; restore.sh without --yes changes nothing (exit 2).
// The official ensemble is started with docker-compose, the others with run.sh: restore.sh starts
// each as it was started.
//
// THE IMAGES ARE LOCAL STAND-INS (test/e2e/images/build.sh), Debian's ZooKeeper 3.8 inside each:
// backup.sh reads archives with the formatters of the image's own jar, which the stand-ins carry
// as the real images do. Cost: about a minute per dialect (see docs/backups.md).
//
// Ports (loopback, below the ephemeral range, apart from the other suites'): official 6181..,
// bitnami 8181.., confluent 10181.., garland 15181.., each with its peer, election (and admin)
// ports above them.
import { closeSync, copyFileSync, cpSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type Bundle, generate, scratchDir } from './bundle.js';
import { type Acknowledged, closeClient, connectClient, createAll, createRetrying, keepCreating, zk } from './client.js';
import { compose, dockerOk, ensureImage, removeContainers, run, engineEnv, useEngine } from './engine.js';
import { waitForPortsFree } from './ports.js';
import { scenarioSteps, waitForEnsemble } from './scenario.js';
import { modeOf } from './srvr.js';
import { range, seconds, sleep, waitFor } from './wait.js';

const skip = useEngine();
if (skip) test.skip(`e2e skipped: ${skip}`);

interface Scenario {
  dialect: string;
  image: string;
  base: { client: number; peer: number; election: number; admin?: number };
  /** The uid restored folders must belong to, for images that run without root. */
  owner?: number;
  compose: boolean;
}

const SCENARIOS: Scenario[] = [
  { dialect: 'official', image: 'zookeeper:3.9.4', base: { client: 6181, peer: 6888, election: 7888, admin: 6080 }, compose: true },
  { dialect: 'bitnami', image: 'bitnamilegacy/zookeeper:3.9', base: { client: 8181, peer: 8888, election: 9888 }, owner: 1001, compose: false },
  { dialect: 'confluent', image: 'confluentinc/cp-zookeeper:7.9.0', base: { client: 10181, peer: 10888, election: 11888, admin: 10080 }, owner: 1000, compose: false },
  { dialect: 'garland', image: 'garland/zookeeper:latest', base: { client: 15181, peer: 15888, election: 16888 }, compose: false },
];

const BULK = 2000;
const SUBTREE = 50;
const pad = (n: number) => String(n).padStart(5, '0');

/** A script of the bundle with arguments, as an operator runs it. */
const script = (bundle: Bundle, name: string, args: string[], timeoutMs = 180_000) =>
  run(join(bundle.dir, name), args, { env: engineEnv(), cwd: bundle.dir, timeoutMs });

describe.each(SCENARIOS)('backup and restore on $dialect', (scenario) => {
  const { dialect, image, base } = scenario;
  const names = ['zk1', 'zk2', 'zk3'];
  const project = `zkgen-backup-${dialect}`;
  let bundle: Bundle;
  let scratch = '';
  let dataRoot = '';
  let archive = '';
  const steps = scenarioSteps();
  beforeEach((ctx) => steps.check(ctx));

  /** Live writes: each path with when it was acknowledged. */
  const acknowledged: Acknowledged[] = [];
  let backupStarted = 0;
  let backupFinished = 0;

  beforeAll(async () => {
    ensureImage(image);
    scratch = scratchDir(`backup-${dialect}`);
    dataRoot = join(scratch, 'data');
    bundle = generate({ image, servers: names.map((name) => ({ name })), ports: base, dataRoot, heap: '64m' }, scratch);
    await removeContainers(names);
    await waitForPortsFree([...range(base.client, 3), ...range(base.peer, 3), ...range(base.election, 3), ...(base.admin ? range(base.admin, 3) : [])]);
  }, 600_000);

  afterAll(async () => {
    if (scenario.compose && scratch) await compose(join(bundle.dir, 'docker-compose.yml'), ['-p', project, 'down', '-t', '1']);
    await removeContainers(names);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('the ensemble starts and takes a few thousand znodes', async (ctx) => {
    steps.gate(ctx);
    const started = scenario.compose
      ? await compose(join(bundle.dir, 'docker-compose.yml'), ['-p', project, 'up', '-d'])
      : await script(bundle, 'run.sh', []);
    expect(started.code, started.stdout + started.stderr).toBe(0);
    await waitForEnsemble(bundle, { timeoutMs: 90_000 });
    const client = await connectClient(bundle.connectString);
    try {
      const t = performance.now();
      await createAll(client, ['/bulk', '/live', '/bulk/sub']);
      await createAll(client, [...range(0, BULK).map((i) => `/bulk/n${pad(i)}`), ...range(0, SUBTREE).map((i) => `/bulk/sub/s${pad(i)}`)]);
      console.log(`${dialect}: ${BULK + SUBTREE} znodes written in ${seconds(performance.now() - t)}`);
    } finally {
      closeClient(client);
    }
  });

  test('backup.sh takes a read-back archive while a client keeps writing', async (ctx) => {
    steps.gate(ctx);
    const client = await connectClient(bundle.connectString);
    const writer = keepCreating(client, '/live', acknowledged);
    try {
      await sleep(500);
      backupStarted = performance.now();
      const dest = join(scratch, 'backups');
      const backup = await script(bundle, 'backup.sh', ['--keep', '2', dest]);
      backupFinished = performance.now();
      expect(backup.code, backup.stdout + backup.stderr).toBe(0);
      console.log(`${dialect}: backup.sh took ${seconds(backupFinished - backupStarted)}\n${backup.stdout}`);
      const lines = backup.stdout.trim().split('\n');
      archive = lines.at(-1)!;
      expect(archive.startsWith(`${dest}/zkgen-backup-`) && archive.endsWith('.tar.gz')).toBe(true);
      expect(existsSync(archive)).toBe(true);
      expect(backup.stdout).toMatch(/read back with ZooKeeper's own classes: whole to zxid 0x[0-9a-f]+, \d+ znodes/);
      // From a follower: a backup leaves the leader alone.
      const source = /backing up from (\S+) \((\w+)\)/.exec(backup.stdout);
      expect(source?.[2]).toBe('follower');
      await sleep(500);
    } finally {
      await writer.stop();
      closeClient(client);
    }
  });

  test('a subtree is deleted and more is written after the backup', async (ctx) => {
    steps.gate(ctx);
    const client = await connectClient(bundle.connectString);
    try {
      for (const child of await zk.children(client, '/bulk/sub')) await zk.remove(client, `/bulk/sub/${child}`);
      await zk.remove(client, '/bulk/sub');
      await createAll(client, ['/after', ...range(0, 100).map((i) => `/after/a${pad(i)}`)]);
      expect(await zk.exists(client, '/bulk/sub')).toBe(false);
    } finally {
      closeClient(client);
    }
  });

  test('restore.sh without --yes prints its plan, changes nothing and exits 2', async (ctx) => {
    steps.gate(ctx);
    const plan = await script(bundle, 'restore.sh', [archive]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/zk1: stop; move .* aside/);
    expect(readdirSync(dataRoot).filter((f) => f.includes('before-restore'))).toEqual([]);
    expect(await modeOf(base.client)).not.toBe('not-serving');
  });

  test('a truncated archive is refused, with the ensemble untouched and serving', async (ctx) => {
    steps.gate(ctx);
    const truncated = join(scratch, 'truncated.tar.gz');
    copyFileSync(archive, truncated);
    truncateSync(truncated, Math.floor(statSync(archive).size / 2));
    const refused = await script(bundle, 'restore.sh', ['--yes', truncated]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/^REFUSED: .*truncated or damaged.*nothing was changed$/m);
    expect(readdirSync(dataRoot).filter((f) => f.includes('before-restore'))).toEqual([]);
    await waitForEnsemble(bundle, { timeoutMs: 10_000 });
  });

  test('a data folder with a damaged log entry is refused by the read-back, with the ensemble untouched and serving', async (ctx) => {
    steps.gate(ctx);
    // zk3's folder copied, one byte of its newest log's first entry changed: that entry's checksum no longer matches.
    const damaged = join(scratch, 'damaged');
    cpSync(join(dataRoot, 'zk3'), damaged, { recursive: true });
    const log = (readdirSync(damaged, { recursive: true }) as string[])
      .filter((f) => /(^|\/)log\.[0-9a-f]+$/.test(f))
      .sort((a, b) => (BigInt(`0x${a.replace(/.*log\./, '')}`) < BigInt(`0x${b.replace(/.*log\./, '')}`) ? 1 : -1))[0]!;
    const fd = openSync(join(damaged, log), 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 40);
    writeSync(fd, Buffer.from([byte[0]! ^ 0x55]), 0, 1, 40);
    closeSync(fd);
    const refused = await script(bundle, 'restore.sh', ['--yes', '--from-member-data', damaged]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/^REFUSED: .*cannot read every snapshot and log.*nothing was changed$/m);
    expect(readdirSync(dataRoot).filter((f) => f.includes('before-restore'))).toEqual([]);
    await waitForEnsemble(bundle, { timeoutMs: 10_000 });
  });

  test('restore.sh --yes brings back the data as backup.sh saw it', async (ctx) => {
    steps.gate(ctx);
    const t = performance.now();
    const restored = await script(bundle, 'restore.sh', ['--yes', archive]);
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    console.log(`${dialect}: restore.sh --yes took ${seconds(performance.now() - t)}\n${restored.stdout}`);
    expect(restored.stdout).toMatch(/^ok: the ensemble serves/m);
    await waitForEnsemble(bundle, { timeoutMs: 60_000 });
    const client = await connectClient(bundle.connectString);
    try {
      const bulk = await zk.children(client, '/bulk');
      expect(bulk.filter((c) => c.startsWith('n'))).toHaveLength(BULK);
      expect((await zk.children(client, '/bulk/sub')).sort()).toEqual(range(0, SUBTREE).map((i) => `s${pad(i)}`));
      expect(await zk.exists(client, '/after')).toBe(false);
      const live = new Set(await zk.children(client, '/live'));
      const before = acknowledged.filter((w) => w.at < backupStarted);
      const after = acknowledged.filter((w) => w.at > backupFinished);
      expect(before.length).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
      expect(before.filter((w) => !live.has(w.path.slice('/live/'.length)))).toEqual([]);
      expect(after.filter((w) => live.has(w.path.slice('/live/'.length)))).toEqual([]);
    } finally {
      closeClient(client);
    }
    for (const name of names) {
      const aside = readdirSync(dataRoot).filter((f) => f.startsWith(`${name}.before-restore-`));
      expect(aside, `${name}'s former data folder`).toHaveLength(1);
      if (scenario.owner !== undefined) {
        expect(statSync(join(dataRoot, name)).uid, `${name}'s restored folder`).toBe(scenario.owner);
        for (const f of readdirSync(join(dataRoot, name), { recursive: true }) as string[]) {
          expect(statSync(join(dataRoot, name, f)).uid, `${name}/${f}`).toBe(scenario.owner);
        }
      }
    }
  });
  // Two of three members' disks lost for good: the survivor's data folder becomes everyone's.
  test.runIf(dialect === 'official')('restore.sh --from-member-data brings a quorum back from the one surviving member', async (ctx) => {
    steps.gate(ctx);
    const client = await connectClient(bundle.connectString);
    try {
      await createRetrying(client, '/survived', 'yes');
    } finally {
      closeClient(client);
    }
    // The survivor has it before the others go.
    const survivor = await connectClient(`127.0.0.1:${base.client + 2}`);
    try {
      await waitFor('zk3 to have /survived', async () => ((await zk.exists(survivor, '/survived')) ? true : undefined), { timeoutMs: 10_000 });
    } finally {
      closeClient(survivor);
    }
    await dockerOk(['stop', '-t', '1', 'zk1', 'zk2']);
    rmSync(join(dataRoot, 'zk1'), { recursive: true, force: true });
    rmSync(join(dataRoot, 'zk2'), { recursive: true, force: true });
    const t = performance.now();
    const restored = await script(bundle, 'restore.sh', ['--yes', '--from-member-data', join(dataRoot, 'zk3')]);
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    console.log(`${dialect}: restore.sh --yes --from-member-data took ${seconds(performance.now() - t)}`);
    await waitForEnsemble(bundle, { timeoutMs: 60_000 });
    const after = await connectClient(bundle.connectString);
    try {
      expect(await zk.getData(after, '/survived')).toBe('yes');
      expect((await zk.children(after, '/bulk')).filter((c) => c.startsWith('n'))).toHaveLength(BULK);
    } finally {
      closeClient(after);
    }
  });
  test.runIf(dialect === 'official')('--keep N removes only the oldest archives backup.sh made', async (ctx) => {
    steps.gate(ctx);
    const dest = join(scratch, 'backups');
    // Not backup.sh's: a file of the operator's, and a name that only starts alike.
    writeFileSync(join(dest, 'notes.txt'), 'mine');
    writeFileSync(join(dest, 'zkgen-backup-mine.tar.gz'), 'mine');
    const before = readdirSync(dest).filter((f) => /^zkgen-backup-\d{8}T\d{6}Z-/.test(f)).sort();
    for (let i = 0; i < 2; i++) {
      await sleep(1100); // archives are named to the second
      const backup = await script(bundle, 'backup.sh', ['--keep', '2', dest]);
      expect(backup.code, backup.stdout + backup.stderr).toBe(0);
    }
    const made = readdirSync(dest).filter((f) => /^zkgen-backup-\d{8}T\d{6}Z-/.test(f)).sort();
    expect(made).toHaveLength(2);
    expect(made.some((f) => before.includes(f))).toBe(false);
    expect(readdirSync(dest)).toEqual(expect.arrayContaining(['notes.txt', 'zkgen-backup-mine.tar.gz']));
  });
});

// Where only the AdminServer answers: with client TLS the plaintext client port is closed, so no
// four-letter word can be asked at all. backup.sh then learns each member's mode and zxid from the
// AdminServer's srvr command (JSON, the zxid in decimal) and syncs through zkCli over TLS. Official
// image's stand-in, clients over TLS only, started with run.sh. Cost: about 30 s (tls.sh's keys, the
// start, smoke-test.sh's write through TLS, one backup).
describe('backup.sh where only the AdminServer answers (client TLS, no plaintext client port)', () => {
  const image = 'zookeeper:3.9.4';
  const base = { client: 17181, peer: 17281, election: 17381, admin: 17481, secureClient: 17581 };
  const names = ['adm1', 'adm2', 'adm3'];
  let bundle: Bundle;
  let scratch = '';

  beforeAll(async () => {
    ensureImage(image);
    scratch = scratchDir('backup-admin-only');
    const ensemble = { image, servers: names.map((name) => ({ name })), ports: base, dataRoot: join(scratch, 'data'), heap: '64m', tls: { client: true } };
    bundle = generate(ensemble, scratch);
    await removeContainers(names);
    await waitForPortsFree(Object.values(base).flatMap((port) => range(port, 3)));
  }, 600_000);

  afterAll(async () => {
    await removeContainers(names);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The highest last_processed_zxid the members' AdminServers report. */
  async function highestZxid(): Promise<bigint> {
    const answers = await Promise.all(range(base.admin, 3).map(async (port) => (await fetch(`http://127.0.0.1:${port}/commands/srvr`)).text()));
    return answers.reduce((high, answer) => {
      const z = BigInt(/"last_processed_zxid"\s*:\s*(\d+)/.exec(answer)?.[1] ?? '0');
      return z > high ? z : high;
    }, 0n);
  }

  test('backup.sh backs up from a follower it found through the AdminServer, with every write acknowledged before it', async () => {
    expect(readFileSync(join(bundle.dir, 'backup.sh'), 'utf8')).toMatch(/^requests=\('GET \/commands\/srvr /m);
    for (const [step, args] of [['tls.sh', []], ['run.sh', []]] as const) {
      const done = await script(bundle, step, [...args]);
      expect(done.code, `${step}: ${done.stdout}${done.stderr}`).toBe(0);
    }
    await waitFor('every member to serve (status.sh, through the AdminServer)', async () => ((await script(bundle, 'status.sh', [])).code === 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 1000 });
    expect(await modeOf(base.client)).toBe('no-answer');
    // A write acknowledged through TLS before backup.sh starts.
    const smoke = await script(bundle, 'smoke-test.sh', []);
    expect(smoke.code, smoke.stdout + smoke.stderr).toBe(0);
    const znode = /^create (\S+) through/m.exec(smoke.stdout)?.[1];
    expect(znode).toBeDefined();
    const acknowledged = await highestZxid();

    const backup = await script(bundle, 'backup.sh', [join(scratch, 'backups')]);
    expect(backup.code, backup.stdout + backup.stderr).toBe(0);
    console.log(`admin-only: backup.sh\n${backup.stdout}`);
    expect(/backing up from (\S+) \((\w+)\)/.exec(backup.stdout)?.[2]).toBe('follower');
    const archive = backup.stdout.trim().split('\n').at(-1)!;
    const manifest = await run('tar', ['-xzOf', archive, './zkgen-backup.txt']);
    const synced = BigInt(/^zxid=(0x[0-9a-f]+)$/m.exec(manifest.stdout)?.[1] ?? '0');
    expect(synced >= acknowledged, `synced at ${synced.toString(16)}, the members had ${acknowledged.toString(16)}`).toBe(true);
    const whole = BigInt(/whole to zxid (0x[0-9a-f]+)/.exec(backup.stdout)?.[1] ?? '0');
    expect(whole >= synced).toBe(true);
    // The write itself, in the archive's transaction log.
    const logs = await run('bash', ['-c', 'tar -xzOf "$1" --wildcards "./logs/log.*" | grep -a -c -F "$2"', 'logs', archive, znode!]);
    expect(Number(logs.stdout.trim())).toBeGreaterThan(0);
  }, 300_000);
});
