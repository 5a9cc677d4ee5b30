// The suite's private Docker engine (started by test/e2e/setup.ts) and the programs run against
// it: docker, docker-compose and a bundle's scripts, each bounded in time and killed by its own pid
// when it overruns or the test that started it ends first.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import { ROOT } from '../helpers.js';
import type { Bundle } from './bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DOCKER_HOST of the suite's private engine; empty when the suite is skipped. */
    e2eDockerHost: string;
    /** Why the whole suite is skipped, or empty when it runs. */
    e2eSkip: string;
    /** Why the docker-compose scenarios are skipped, or empty when they run. */
    e2eComposeSkip: string;
    /** The Prometheus the global setup started (prometheus.ts's PrometheusRun as JSON), or empty. */
    e2ePrometheus: string;
  }
}

export { ROOT };

// --- the engine ------------------------------------------------------------------------------

let dockerHost = '';

/**
 * Reads what the global setup provided. Returns the reason the suite is skipped, or '' when an
 * engine runs; from then on every docker command of these helpers talks to that engine.
 */
export function useEngine(): string {
  const skip = inject('e2eSkip');
  if (skip) return skip;
  dockerHost = inject('e2eDockerHost');
  return '';
}

/** The environment for docker, docker-compose and the generated scripts. */
export function engineEnv(): NodeJS.ProcessEnv {
  if (!dockerHost) throw new Error('useEngine() was not called, or the suite is skipped');
  return { ...process.env, DOCKER_HOST: dockerHost, NO_COLOR: '1' };
}

// --- processes -------------------------------------------------------------------------------

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed (by its pid) after this long; the result then has code null. Default 120 s. */
  timeoutMs?: number;
  /**
   * Killed (by its pid) when this aborts: pass the test's ctx.signal, so that a program the test
   * started does not outlive a test that timed out.
   */
  signal?: AbortSignal;
}

/**
 * Runs a program without blocking the event loop (a ZooKeeper client in this process keeps its
 * session alive meanwhile), bounded in time.
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeoutMs ?? 120_000} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    const abort = () => {
      stderr += '\n[killed: the test ended first]';
      child.kill('SIGKILL');
    };
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
    };
    child.on('error', (error) => {
      settle();
      reject(error);
    });
    child.on('close', (code) => {
      settle();
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** docker against the suite's engine. */
export function docker(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run('docker', args, { env: engineEnv(), ...options });
}

/** docker that must succeed: its stdout, or an error naming the command and its stderr. */
export async function dockerOk(args: string[], options: RunOptions = {}): Promise<string> {
  const result = await docker(args, options);
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** docker-compose (1.29, the Python one) against the suite's engine. */
export function compose(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run('docker-compose', ['-f', file, ...args], { env: engineEnv(), ...options });
}

/** One of a bundle's scripts, run as a user would: ./status.sh in the bundle's folder. */
export function runScript(bundle: Bundle, script: string, options: RunOptions = {}): Promise<RunResult> {
  return run(join(bundle.dir, script), [], { env: engineEnv(), cwd: bundle.dir, ...options });
}

/** Names of every container the engine has, running or not (`docker ps -a`). */
export async function containerNames(): Promise<string[]> {
  const out = await dockerOk(['ps', '-a', '--format', '{{.Names}}']);
  return out.split('\n').filter(Boolean).sort();
}

/** `docker inspect`'s State.Status of a container, or 'absent'. */
export async function containerState(name: string): Promise<string> {
  const result = await docker(['inspect', '--format', '{{.State.Status}}', name]);
  return result.code === 0 ? result.stdout.trim() : 'absent';
}

/** Removes containers by name, whether they exist or not. */
export async function removeContainers(names: string[]): Promise<void> {
  if (names.length) await docker(['rm', '-f', ...names]);
}

/**
 * Removes a docker-compose project's containers — its members and its one-shot services (bitnami's
 * and confluent's zkgen-prepare) alike — and `names` besides, whether they exist or not: the end
 * of docker-compose down, without its start-up and its stop timeout per member.
 */
export async function removeComposeProject(project: string, names: string[] = []): Promise<void> {
  const labelled = await dockerOk(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]);
  await removeContainers([...names, ...labelled.split('\n').filter(Boolean)]);
}

/** The last lines of a container's log, for failure messages. */
export async function logTail(name: string, lines = 20): Promise<string> {
  const result = await docker(['logs', '--tail', String(lines), name]);
  return `--- docker logs ${name} ---\n${result.stdout}${result.stderr}`;
}

/** Images ensureImage has seen built in this engine, from this test file. */
const ensured = new Set<string>();

/**
 * Builds the stand-in images a suite runs beyond the global setup's: build.sh skips those already
 * built (and pulls the real ones under ZKGEN_REAL_IMAGES=1). Asked again for the same image, it
 * does not run build.sh again (that check alone takes most of a second).
 */
export function ensureImage(image: string): void {
  if (ensured.has(image)) return;
  const built = spawnSync('bash', [join(ROOT, 'test', 'e2e', 'images', 'build.sh'), image], { env: engineEnv(), encoding: 'utf8', timeout: 300_000 });
  if (built.status !== 0) throw new Error(`build.sh ${image} exited ${String(built.status)}:\n${built.stderr}`);
  ensured.add(image);
}

/** A container's health as Docker reports it: healthy, unhealthy, starting, none, or absent. */
export async function health(name: string): Promise<string> {
  const result = await docker(['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', name]);
  return result.code === 0 ? result.stdout.trim() : 'absent';
}
