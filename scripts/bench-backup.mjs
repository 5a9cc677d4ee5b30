// npm run bench's backup half: backup.sh and restore.sh on about 100 MB of znode data, against
// what an operator would otherwise do by hand on the same machine.
//   backup.sh DEST                 vs  tar -czf of one member's data folder
//   restore.sh --yes (to serving)  vs  stop and remove the members, extract that tar into each
//                                      member's folder, ./run.sh, wait until every member serves
// On the official image's LOCAL STAND-IN (test/e2e/images/build.sh), in a private Docker engine
// (test/e2e/runtime/engine.sh), under the e2e lock that the e2e suites take (test/e2e/run-lock.mjs):
//   node scripts/bench-backup.mjs [--megabytes N] [--runs N] [--text]
// Each znode holds one byte repeated (which gzip packs unusually fast), or with --text random
// base64 text (which packs about as slowly as real data).
// Prints each figure (the median of --runs runs, 3 by default) and its ratio; the goal is within 2×
// of the manual way for both.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zookeeper from 'node-zookeeper-client';
import { acquireRunLock } from '../test/e2e/run-lock.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--megabytes');
const megabytes = at === -1 ? 100 : Number(process.argv[at + 1]);
const runsAt = process.argv.indexOf('--runs');
/** Each figure is the median of this many runs, zkgen's and the manual way's taken in turn (the machine is shared: one run says little). */
const runs = runsAt === -1 ? 3 : Number(process.argv[runsAt + 1]);
const IMAGE = 'zookeeper:3.9.4';
const BASE = { client: 6181, peer: 6888, election: 7888, admin: 6080 };
const NAMES = ['zk1', 'zk2', 'zk3'];
const VALUE = 100 * 1024;
const text = process.argv.includes('--text');
const valueOf = (n) => (text ? Buffer.from(randomBytes((VALUE / 4) * 3).toString('base64')) : Buffer.alloc(VALUE, n % 251));

// The fixed ports and the stand-in images are the e2e suites' too: wait for a running suite.
const releaseLock = await acquireRunLock(600_000, (line) => console.log(`bench: ${line}`));
process.on('exit', releaseLock);

const scratch = mkdtempSync('/tmp/zkgen-bench-backup-');
const engineDir = `${scratch}/engine`;
const dataRoot = join(scratch, 'data');
const bundle = join(scratch, 'bundle');

const sh = (command, args, options = {}) => execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
const dockerHost = sh(join(root, 'test/e2e/runtime/engine.sh'), ['start', engineDir]).trim();
const env = { ...process.env, DOCKER_HOST: dockerHost };
const inBundle = (script, args = []) => sh(join(bundle, script), args, { env, cwd: bundle });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (f) => {
  const start = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - start) / 1e9;
};
/** Until every member answers srvr with a mode (bounded). */
function waitServing() {
  for (let i = 0; i < 600; i++) {
    const up = NAMES.every((_, k) => /Mode: /.test(spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${BASE.client + k} && printf srvr >&3 && cat <&3`], { encoding: 'utf8' }).stdout ?? ''));
    if (up) return;
    spawnSync('sleep', ['0.2']);
  }
  throw new Error('the ensemble does not serve');
}

async function fill() {
  const client = zookeeper.createClient(NAMES.map((_, k) => `127.0.0.1:${BASE.client + k}`).join(','), { sessionTimeout: 30000 });
  await new Promise((resolve) => client.once('connected', resolve).connect());
  const create = (path, data) => new Promise((resolve, reject) => client.create(path, data, (e) => (e ? reject(e) : resolve())));
  await create('/bench', Buffer.alloc(0));
  const count = Math.round((megabytes * 1024 * 1024) / VALUE);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) await create(`/bench/n${next}`, valueOf(next++));
    }),
  );
  client.close();
  return count;
}

try {
  sh('bash', [join(root, 'test/e2e/images/build.sh'), IMAGE], { env });
  writeFileSync(join(scratch, 'ensemble.json'), JSON.stringify({ image: IMAGE, servers: NAMES.map((name) => ({ name })), ports: BASE, dataRoot, heap: '256m' }));
  sh(process.execPath, [join(root, 'dist/cli.js'), join(scratch, 'ensemble.json'), '--out', bundle]);
  inBundle('run.sh');
  waitServing();
  const count = await fill();
  console.log(`bench: ${count} znodes of ${VALUE / 1024} KiB (${megabytes} MB, ${text ? 'random base64 text' : 'one byte repeated'}) in a 3-member ensemble of ${IMAGE}'s stand-in`);

  const tarGz = join(scratch, 'zk1.tar.gz');
  const backups = [];
  const tars = [];
  for (let run = 0; run < runs; run++) {
    backups.push(seconds(() => inBundle('backup.sh', ['--keep', '1', join(scratch, 'backups')])));
    tars.push(seconds(() => sh('tar', ['-C', join(dataRoot, 'zk1'), '-czf', tarGz, '.'])));
  }
  const archive = sh('bash', ['-c', `ls ${join(scratch, 'backups')}/zkgen-backup-*.tar.gz`]).trim();
  const [backup, tar] = [median(backups), median(tars)];
  console.log(`backup.sh ${backup.toFixed(1)} s, tar -czf of zk1's folder ${tar.toFixed(1)} s: ${(backup / tar).toFixed(2)}× (goal ≤ 2×; medians of ${runs}: ${backups.map((b) => b.toFixed(1)).join(', ')} and ${tars.map((t) => t.toFixed(1)).join(', ')})`);

  const restores = [];
  const manuals = [];
  for (let run = 0; run < runs; run++) {
    restores.push(seconds(() => inBundle('restore.sh', ['--yes', archive])));
    manuals.push(
      seconds(() => {
        sh('docker', ['rm', '-f', ...NAMES], { env });
        for (const name of NAMES) {
          rmSync(join(dataRoot, name), { recursive: true, force: true });
          sh('mkdir', ['-p', join(dataRoot, name)]);
          sh('tar', ['-C', join(dataRoot, name), '-xzf', tarGz]);
          writeFileSync(join(dataRoot, name, 'myid'), `${NAMES.indexOf(name) + 1}\n`);
        }
        inBundle('run.sh');
        waitServing();
      }),
    );
  }
  const [restore, manual] = [median(restores), median(manuals)];
  console.log(`restore.sh --yes ${restore.toFixed(1)} s, tar extract + run.sh to serving ${manual.toFixed(1)} s: ${(restore / manual).toFixed(2)}× (goal ≤ 2×; medians of ${runs}: ${restores.map((r) => r.toFixed(1)).join(', ')} and ${manuals.map((m) => m.toFixed(1)).join(', ')})`);
} finally {
  spawnSync('docker', ['rm', '-f', ...NAMES], { env });
  spawnSync(join(root, 'test/e2e/runtime/engine.sh'), ['stop', engineDir]);
  rmSync(scratch, { recursive: true, force: true });
}
