// Global setup of the `e2e` vitest project: a private Docker engine and the images the suites run.
//
// - Takes the machine-wide e2e lock first (run-lock.mjs; scripts/bench-backup.mjs takes the same),
//   waiting up to 10 min for a run that holds it.
// - Starts the engine with test/e2e/runtime/engine.sh (host networking only, every piece of state in
//   one folder: $ZKGEN_ENGINE_DIR when set, else a fresh /tmp/zkgen-e2e-XXXXXX), and stops it by its
//   pid afterwards (engine.sh stop). An engine already running in $ZKGEN_ENGINE_DIR before the
//   suite is reused and left running.
// - Builds the images with test/e2e/images/build.sh: LOCAL STAND-INS made from Debian's ZooKeeper
//   3.8 that reproduce each real image's behaviour as its own scripts have it, tagged with the
//   real names — not the real images. ZKGEN_REAL_IMAGES=1 makes build.sh pull the real ones.
// - Removes every container a failed earlier run left behind, first in this engine, then engines of
//   earlier runs whose vitest process is gone (found by their folder's owner.pid, stopped by pid).
// - Provides DOCKER_HOST to the suites (inject('e2eDockerHost'); engine.ts's useEngine()).
// - Starts, first of all, the Prometheus monitoring.test.ts reads (prometheus.ts), and stops it.
//
// Where no engine can be had (no dockerd, not root, not Linux, the engine does not start), the suite
// is SKIPPED with the reason printed and in a skipped test's name, so `npm test` passes on a machine
// without Docker — unless ZKGEN_E2E=required (CI), where that is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROOT, hasCommand } from '../helpers.js';
import './engine.js';
import { startPrometheus } from './prometheus.js';
import { acquireRunLock, alive, readPid } from './run-lock.mjs';

/** The images the e2e suites run; build.sh makes a stand-in for each (or pulls it). */
export const E2E_IMAGES = ['garland/zookeeper'];

const ENGINE = join(ROOT, 'test', 'e2e', 'runtime', 'engine.sh');
const BUILD = join(ROOT, 'test', 'e2e', 'images', 'build.sh');
const INSTALL_HINT = 'run test/e2e/runtime/install-deps.sh';
const TEMP_PREFIX = '/tmp/zkgen-e2e-';

function say(line: string): void {
  console.log(`e2e: ${line}`);
}

/** Why the suite cannot run on this machine at all, or undefined. */
function missingPrerequisite(): string | undefined {
  if (process.platform !== 'linux') return `host networking needs Linux, and this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'not root: the suite starts its own dockerd, which needs root';
  if (!hasCommand('dockerd')) return `dockerd is not installed; ${INSTALL_HINT}`;
  if (!hasCommand('docker')) return `the docker client is not installed; ${INSTALL_HINT}`;
  if (process.env.ZKGEN_REAL_IMAGES !== '1') {
    if (!hasCommand('jlink')) return 'jlink (a JDK 17 or newer) is not installed: the stand-in images are assembled with it';
    for (const [tool, what] of [
      ['busybox', 'busybox'],
      ['/usr/share/zookeeper/bin/zkServer.sh', "Debian's zookeeper package"],
      ['/usr/share/java/servlet-api.jar', 'libservlet-api-java'],
    ] as const) {
      if (!(tool.startsWith('/') ? existsSync(tool) : hasCommand(tool))) return `${what} is not installed; ${INSTALL_HINT}`;
    }
  }
  return undefined;
}

function sh(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  // A program that cannot be started leaves stdout and stderr null, whatever the typings say.
  const { stdout, stderr } = result as { stdout: string | null; stderr: string | null };
  return { code: result.status, stdout: stdout ?? '', stderr: `${stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

function engineEnv(dockerHost: string): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: dockerHost };
}

/** Removes every container of the engine (all of them are the suites'), and their anonymous volumes. */
function removeAllContainers(dockerHost: string): string[] {
  const env = engineEnv(dockerHost);
  const names = sh('docker', ['ps', '-a', '--format', '{{.Names}}'], env, 30_000).stdout.split('\n').filter(Boolean);
  if (names.length) sh('docker', ['rm', '-f', '-v', ...names], env, 120_000);
  sh('docker', ['volume', 'prune', '-f'], env, 60_000);
  return names;
}

function stopEngine(dir: string): void {
  const stopped = sh('bash', [ENGINE, 'stop', dir], process.env, 120_000);
  if (stopped.code !== 0) say(`engine.sh stop ${dir} exited ${stopped.code}: ${stopped.stderr.trim()}`);
}

/**
 * Engines of earlier runs that died before their teardown (their owner.pid names a process that is
 * gone) still hold the fixed ports through their containers: remove those and stop the engine.
 */
function reapAbandonedEngines(current: string): void {
  const candidates = readdirSync('/tmp')
    .map((name) => `/tmp/${name}`)
    .filter((dir) => dir.startsWith(TEMP_PREFIX));
  if (process.env.ZKGEN_ENGINE_DIR) candidates.push(process.env.ZKGEN_ENGINE_DIR);
  for (const dir of candidates) {
    if (dir === current && !process.env.ZKGEN_ENGINE_DIR) continue;
    const owner = readPid(join(dir, 'owner.pid'));
    if (owner === undefined || alive(owner)) continue;
    const engine = readPid(join(dir, 'dockerd.pid'));
    if (engine !== undefined && alive(engine)) {
      const removed = removeAllContainers(`unix://${dir}/docker.sock`);
      say(`an earlier run (pid ${owner}, gone) left its engine in ${dir} with ${removed.join(', ') || 'no containers'}: removed them`);
    }
    if (dir === process.env.ZKGEN_ENGINE_DIR) {
      // Reused below; this run stops it at its end.
      rmSync(join(dir, 'owner.pid'), { force: true });
    } else {
      // engine.sh stop also unmounts what a dead engine left mounted under the folder.
      stopEngine(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // First, before the lock: Prometheus needs neither, and its alert's minute then runs while the
  // files before monitoring.test.ts do (prometheus.ts).
  const prometheus = startPrometheus();
  project.provide('e2ePrometheus', prometheus ? JSON.stringify(prometheus.run) : '');
  let teardown: (() => void) | undefined;
  try {
    teardown = await setupEngine(project);
  } catch (error) {
    await prometheus?.stop();
    throw error;
  }
  return async () => {
    teardown?.();
    await prometheus?.stop();
  };
}

async function setupEngine(project: TestProject): Promise<(() => void) | undefined> {
  const required = process.env.ZKGEN_E2E === 'required';
  project.provide('e2eDockerHost', '');
  project.provide('e2eSkip', '');
  project.provide('e2eComposeSkip', '');

  const skip = (reason: string): void => {
    if (required) throw new Error(`ZKGEN_E2E=required, but the real-container suite cannot run: ${reason}`);
    say(`skipped: ${reason}`);
    project.provide('e2eSkip', reason);
  };

  const missing = missingPrerequisite();
  if (missing) {
    skip(missing);
    return undefined;
  }
  if (!hasCommand('docker-compose')) {
    const reason = `docker-compose is not installed; ${INSTALL_HINT}`;
    if (required) throw new Error(`ZKGEN_E2E=required, but ${reason}`);
    say(`compose scenarios skipped: ${reason}`);
    project.provide('e2eComposeSkip', reason);
  }

  const releaseLock = await acquireRunLock(600_000, say);
  try {
    return startEngine(project, skip, releaseLock);
  } catch (error) {
    releaseLock();
    throw error;
  }
}

function startEngine(project: TestProject, skip: (reason: string) => void, releaseLock: () => void): (() => void) | undefined {
  const started = performance.now();
  // An empty ZKGEN_ENGINE_DIR counts as unset.
  const given = process.env.ZKGEN_ENGINE_DIR;
  const ownDir = given === undefined || given === '';
  const dir = ownDir ? mkdtempSync(TEMP_PREFIX) : given;
  const owner = readPid(join(dir, 'owner.pid'));
  if (owner !== undefined && owner !== process.pid && alive(owner)) {
    throw new Error(`another e2e run (pid ${owner}) is using the engine in ${dir}: wait for it, or set another ZKGEN_ENGINE_DIR`);
  }
  reapAbandonedEngines(dir);

  // An engine someone started by hand in ZKGEN_ENGINE_DIR stays running; one an earlier run of the
  // suite left (its owner.pid named a process now gone) is this run's to stop.
  const running = readPid(join(dir, 'dockerd.pid'));
  const engineWasRunning = owner === undefined && running !== undefined && alive(running);
  const start = sh('bash', [ENGINE, 'start', dir], process.env, 120_000);
  if (start.code !== 0) {
    if (!engineWasRunning) stopEngine(dir);
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    const why = start.stderr.trim().split('\n').slice(-3).join(' / ');
    releaseLock();
    skip(`the Docker engine did not start (engine.sh start exited ${start.code}: ${why})`);
    return undefined;
  }
  const dockerHost = start.stdout.trim();
  writeFileSync(join(dir, 'owner.pid'), `${process.pid}\n`);

  const teardown = () => {
    const removed = removeAllContainers(dockerHost);
    if (removed.length) say(`teardown removed ${removed.join(', ')}`);
    if (engineWasRunning) {
      say(`left the engine in ${dir} running: it was running before the suite`);
    } else {
      stopEngine(dir);
    }
    rmSync(join(dir, 'owner.pid'), { force: true });
    if (ownDir) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch (error) {
        say(`could not remove ${dir}: ${String(error)}`);
      }
    }
    releaseLock();
  };

  const leftovers = removeAllContainers(dockerHost);
  if (leftovers.length) say(`removed containers an earlier run left: ${leftovers.join(', ')}`);

  const build = sh('bash', [BUILD, ...E2E_IMAGES], engineEnv(dockerHost), 600_000);
  if (build.code !== 0) {
    // Every prerequisite is there and the engine answers: a failing build is a real failure.
    teardown();
    throw new Error(`test/e2e/images/build.sh ${E2E_IMAGES.join(' ')} exited ${build.code}:\n${build.stderr}`);
  }
  const kind = process.env.ZKGEN_REAL_IMAGES === '1' ? 'the real images (ZKGEN_REAL_IMAGES=1)' : 'local stand-ins, not the real images';
  say(`engine ${dockerHost} ready with ${E2E_IMAGES.join(', ')} as ${kind}, in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  project.provide('e2eDockerHost', dockerHost);
  return teardown;
}
