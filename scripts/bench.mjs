// npm run bench: how close zkgen's start-up is to Node's own. Runs the built CLI (dist/cli.js) on
// examples/tutorial.json and on ensembles of 3, 9, 51 and 255 members, alternating every run with
// `node -e 0`, and prints the median wall time and peak memory (RSS) of each beside its ratio to
// `node -e 0`, then the goals: the tutorial within 1.5× of `node -e 0`, 255 members within 2× of 3,
// and one machine's compose file printed (--host) from 255 members on 85 machines within 2× of 3.
// Then what installing zkgen costs a user: the package as `npm pack` makes it, installed offline
// (it has no dependencies) into an empty project with an empty npm cache, median wall time of 3,
// and the packages and bytes that land in node_modules (`du`'s disk usage too), goal under 1 MB.
//
// Wall time is taken around each child's whole life (spawn to exit, stdout to /dev/null) with no
// wrapper in between. Peak RSS is what GNU time reports for the same command in a separate run of
// its own (so its cost never lands in the timings); without /usr/bin/time it is left out.
//
//   node scripts/bench.mjs [--runs N] [--image IMAGE]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The image of the sized ensembles: the official image takes any number of members. */
const IMAGE = 'zookeeper:3.9.4';
const SIZES = [3, 9, 51, 255];
const DEFAULT_RUNS = 15;
const GOAL_TUTORIAL = 1.5; // × node -e 0
const GOAL_INSTALLED = 1_000_000; // bytes of the installed package
const GOAL_SCALING = 2; // 255 members × 3 members
const GOAL_HOST = 2; // --host of 255 members on 85 machines × 3 members
const MACHINES = 85;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
}
const runs = Number(option('runs', DEFAULT_RUNS));
const image = option('image', IMAGE);
if (!Number.isInteger(runs) || runs < 10) throw new Error('bench: --runs takes a whole number, at least 10');
if (!existsSync(cli)) throw new Error('bench: no dist/cli.js: run npm run build (npm run bench does)');

const GNU_TIME = '/usr/bin/time';
const hasTime = spawnSync(GNU_TIME, ['-f', '%M', process.execPath, '-e', '0'], { encoding: 'utf8' }).status === 0;

/** One run: wall milliseconds, exit status and stderr; stdout goes to /dev/null. */
function timed(args) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, status: run.status, stderr: run.stderr };
}

/** One run under GNU time: peak RSS in MB. */
function peakRss(args) {
  const run = spawnSync(GNU_TIME, ['-f', '%M', process.execPath, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const kb = Number(run.stderr.trim().split('\n').at(-1));
  if (run.status !== 0 || !Number.isFinite(kb)) throw new Error(`bench: ${args.join(' ')} under ${GNU_TIME}: ${run.stderr.trim()}`);
  return kb / 1024;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const work = mkdtempSync(join(tmpdir(), 'zkgen-bench-'));
try {
  const cases = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'tutorial', args: [cli, join(root, 'examples', 'tutorial.json')] },
    ...SIZES.map((n) => {
      const file = join(work, `servers-${n}.json`);
      writeFileSync(file, `${JSON.stringify({ image, servers: n })}\n`);
      return { name: `${n} members`, size: n, args: [cli, file] };
    }),
    (() => {
      // Three members a machine, at addresses of their own: --host prints one machine's compose file.
      const file = join(work, `servers-255-on-${MACHINES}.json`);
      const servers = Array.from({ length: 255 }, (_, i) => ({ host: `10.0.${Math.floor(i / 3)}.1` }));
      writeFileSync(file, `${JSON.stringify({ image, servers })}\n`);
      return { name: `255 --host`, host: true, args: [cli, file, '--host', `10.0.${MACHINES >> 1}.1`] };
    })(),
  ];

  // One untimed run each: warms the file cache, and finds the ensembles zkgen refuses (exit 1),
  // which are reported as skipped. Anything else but success is a broken build: stop.
  for (const c of cases) {
    const probe = timed(c.args);
    if (probe.status === 1) c.skipped = probe.stderr.trim().split('\n')[0].replaceAll(`${work}/`, '');
    else if (probe.status !== 0) throw new Error(`bench: ${c.name}: exit ${probe.status}: ${probe.stderr.trim()}`);
    c.ms = [];
    c.mb = [];
  }
  const active = cases.filter((c) => !c.skipped);

  // Rounds: each runs every case once, in an order that rotates, so drift in the machine's load
  // reaches every case alike.
  for (let round = 0; round < runs; round++) {
    const order = active.map((_, i) => active[(round + i) % active.length]);
    for (const c of order) {
      const run = timed(c.args);
      if (run.status !== 0) throw new Error(`bench: ${c.name}: exit ${run.status} on run ${round + 1}: ${run.stderr.trim()}`);
      c.ms.push(run.ms);
    }
    if (hasTime) for (const c of order) c.mb.push(peakRss(c.args));
  }

  const floor = cases[0];
  const floorMs = median(floor.ms);
  const floorMb = hasTime ? median(floor.mb) : NaN;
  const fixed = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
  const row = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(12) : cell.padStart(i === 1 ? 10 : 9))).join('  ');

  console.log(`zkgen start-up, median of ${runs} runs each, alternating with node -e 0`);
  console.log(`node ${process.version}, ${process.platform} ${process.arch}, ${availableParallelism()} cores; sized ensembles: ${image}`);
  console.log('');
  console.log(row(['case', 'wall ms', 'min ms', '× node', 'RSS MB', '× node']));
  for (const c of cases) {
    if (c.skipped) {
      console.log(`${c.name.padEnd(12)}  skipped: ${c.skipped}`);
      continue;
    }
    const ms = median(c.ms);
    const mb = hasTime ? median(c.mb) : NaN;
    console.log(row([c.name, fixed(ms, 1), fixed(Math.min(...c.ms), 1), fixed(ms / floorMs, 2), fixed(mb, 1), fixed(mb / floorMb, 2)]));
  }
  if (!hasTime) console.log(`(peak RSS left out: no GNU time at ${GNU_TIME})`);

  const tutorial = cases[1];
  const three = cases.find((c) => c.size === 3);
  const largest = cases.find((c) => c.size === 255);
  const host = cases.find((c) => c.host);
  const verdict = (ratio, goal) => `${fixed(ratio, 2)}×, goal ≤ ${goal}×: ${ratio <= goal ? 'met' : 'NOT met'}`;
  console.log('');
  console.log(`tutorial vs node -e 0:     ${tutorial.skipped ? 'skipped' : verdict(median(tutorial.ms) / floorMs, GOAL_TUTORIAL)}`);
  console.log(
    `255 vs 3 members:          ${three.skipped || largest.skipped ? 'skipped (a size was refused)' : verdict(median(largest.ms) / median(three.ms), GOAL_SCALING)}`,
  );
  console.log(
    `--host, ${MACHINES} machines vs 3:  ${three.skipped || host.skipped ? 'skipped (a size was refused)' : verdict(median(host.ms) / median(three.ms), GOAL_HOST)}`,
  );

  installCost();
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Packages (folders holding a package.json under some node_modules) and bytes below a folder. */
function footprint(dir) {
  let packages = 0;
  let bytes = 0;
  const walk = (d, inModules) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        const isPackage = inModules && !entry.name.startsWith('@') && !entry.name.startsWith('.') && existsSync(join(path, 'package.json'));
        if (isPackage) packages++;
        walk(path, entry.name === 'node_modules' || (inModules && entry.name.startsWith('@')));
      } else if (entry.isFile()) bytes += statSync(path).size;
    }
  };
  walk(dir, true);
  return { packages, bytes };
}

function installCost() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const dir = mkdtempSync(join(tmpdir(), 'zkgen-install-'));
  try {
    const pack = spawnSync(npm, ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], { cwd: root, encoding: 'utf8' });
    if (pack.status !== 0) throw new Error(`bench: npm pack: ${pack.stderr.trim()}`);
    const tarball = join(dir, pack.stdout.trim().split('\n').at(-1));
    const times = [];
    let installed;
    for (let i = 0; i < 3; i++) {
      const app = join(dir, `app-${i}`);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
      const start = process.hrtime.bigint();
      const run = spawnSync(npm, ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--cache', join(dir, `cache-${i}`), tarball], { cwd: app, encoding: 'utf8' });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (run.status !== 0) throw new Error(`bench: npm install of the packed zkgen: ${run.stderr.trim()}`);
      installed = footprint(join(app, 'node_modules'));
      installed.du = Number(spawnSync('du', ['-sk', join(app, 'node_modules')], { encoding: 'utf8' }).stdout.split('\t')[0]) * 1024;
    }
    console.log('');
    console.log(`clean npm install of the packed zkgen (${(statSync(tarball).size / 1024).toFixed(0)} kB tarball), median of 3:`);
    console.log(`  ${fixedMs(median(times))} ms, ${installed.packages} package${installed.packages === 1 ? '' : 's'}, ${(installed.bytes / 1e6).toFixed(2)} MB in node_modules (du: ${(installed.du / 1e6).toFixed(2)} MB on disk)`);
    const met = installed.bytes < GOAL_INSTALLED;
    console.log(`installed size:            ${(installed.bytes / 1e6).toFixed(2)} MB, goal < ${GOAL_INSTALLED / 1e6} MB: ${met ? 'met' : 'NOT met'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fixedMs(ms) {
  return ms.toFixed(0);
}
