// Shared by the tests: running the CLI (in-process through main(argv, io), or the built bin as a
// process), and checking generated files for validity (not only for sameness): compose files
// against the compose specification and through yamllint, scripts through bash and shellcheck.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { Io } from '../src/cli.js';
import { generate, parseRecord, RECORD, type BundleRecord, type Ensemble } from '../src/index.js';
import { resolve } from '../src/resolve.js';
import { checkRules } from '../src/validate/rules.js';
import { validateSchema } from '../src/validate/schema.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

/**
 * How many inputs each property test draws: a few dozen by default, so that the unit tier runs
 * while you think; CI sets more (.ci/run). Every property test keeps its acceptance floors as a
 * share of this number. Draws are seeded (ZKGEN_PROPERTY_SEED, each file's default) and reproducible.
 */
export const PROPERTY_RUNS = Number(process.env.ZKGEN_PROPERTY_RUNS ?? 40);

const made: string[] = [];

/** A fresh folder under the system's temporary folder, removed after the test file (test/cleanup.ts). */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `zkgen-${label}-`));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) {
    // A test may have left a folder unwritable on purpose.
    try {
      chmodSync(dir, 0o755);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The working folder of the run (the repository's root by default). */
  cwd?: string;
  /** Standard input. */
  input?: string;
  /** Where SIGINT and SIGTERM come from, in-process: the run hears nothing by default. */
  onSignal?: Io['onSignal'];
}

// In-process runs take turns: each runs in its own working folder, which is the process's.
let turn: Promise<unknown> = Promise.resolve();

/**
 * zkgen run in-process: main(argv, io) with stdout and stderr collected, as the bin would run it
 * in `cwd` (Node's test pool runs each test file in a process of its own, so changing the working
 * folder for the run is this file's business alone).
 */
export function runMain(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const run = turn.then(async (): Promise<CliResult> => {
    let stdout = '';
    let stderr = '';
    const io: Io = {
      stdout: (text) => {
        stdout += text;
        return Promise.resolve();
      },
      stderr: (text) => {
        stderr += text;
      },
      stdin: () => Buffer.from(options.input ?? ''),
      onSignal: options.onSignal ?? (() => () => undefined),
      columns: () => undefined,
    };
    // Imported here, not above: test files that never run the CLI (every one loads this file
    // through test/cleanup.ts) do not pay for loading it.
    const { main } = await import('../src/cli.js');
    const before = process.cwd();
    process.chdir(options.cwd ?? ROOT);
    try {
      const code = await main(args, io);
      return { code, stdout, stderr };
    } finally {
      process.chdir(before);
    }
  });
  turn = run.catch(() => undefined);
  return run;
}

/**
 * What zkgen says of an ensemble file's value, its errors or its warnings, with no file rendered:
 * generate asked for no output judges the value as every run does.
 */
export function verdict(value: unknown): ReturnType<typeof generate> {
  return generate(value, { only: [] });
}

/**
 * The frozen model of a valid ensemble file's value, made by the core's own phases in generate's
 * order (schema, resolve, the named rules); throws with the problems of an invalid one.
 */
export function resolved(value: unknown): Ensemble {
  const schema = validateSchema(value);
  if (schema.problems) throw new Error(`invalid: ${JSON.stringify(schema.problems)}`);
  const model = resolve(schema.file);
  if (model.problems) throw new Error(`invalid: ${JSON.stringify(model.problems)}`);
  const { errors } = checkRules(model.ensemble);
  if (errors.length > 0) throw new Error(`invalid: ${JSON.stringify(errors)}`);
  return model.ensemble;
}

/** The built bin (dist/cli.js) as a process of its own: for what only a process has (signals, pipes, the installed package, e2e). */
export function runCli(args: string[], options: { cwd?: string; input?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

let composeValidator: ValidateFunction | undefined;

/** Problems of a document against the compose specification's schema. */
function specProblems(doc: unknown): string[] {
  if (!composeValidator) {
    const spec = JSON.parse(readFileSync(join(ROOT, 'test', 'data', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
    delete spec.$schema; // its https draft-07 address is not one ajv knows by name
    composeValidator = new Ajv({ allErrors: true, strict: false }).compile(spec);
  }
  return composeValidator(doc) ? [] : (composeValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/**
 * Problems of a Swarm stack file: the specification's schema, then what a stack of ZooKeeper
 * members on the hosts' networks needs and the schema does not state: each service on the external
 * network "host", pinned by a zkgen.host label, one task, restarted, updated one task at a time
 * stopping first, and nothing that stacks ignore (network_mode, container_name, ports).
 */
export function stackProblems(text: string): string[] {
  type Service = {
    networks?: unknown;
    deploy?: { mode?: string; replicas?: number; placement?: { constraints?: string[] }; restart_policy?: { condition?: string }; update_config?: { parallelism?: number; order?: string } };
  } & Record<string, unknown>;
  const doc = parseYaml(text, { merge: true }) as { services?: Record<string, Service>; networks?: Record<string, { external?: boolean; name?: string }>; version?: unknown };
  const problems = specProblems(doc);
  // Obsolete for compose, but docker stack deploy of Docker 20.10 (Debian's) refuses a file without it.
  if (doc.version !== '3.8') problems.push('has no top-level version "3.8", which docker stack deploy of Docker 20.10 needs');
  const hostnet = doc.networks?.hostnet;
  if (hostnet?.external !== true || hostnet.name !== 'host') problems.push('networks.hostnet is not the external network "host"');
  for (const [service, def] of Object.entries(doc.services ?? {})) {
    if (JSON.stringify(def.networks) !== '["hostnet"]') problems.push(`${service}: networks is not [hostnet]`);
    for (const key of ['network_mode', 'container_name', 'ports', 'command']) if (key in def) problems.push(`${service}: has ${key}:, which a stack of host-network members must not`);
    const d = def.deploy;
    if (d?.mode !== 'replicated' || d.replicas !== 1) problems.push(`${service}: is not one replicated task`);
    if ((d?.placement?.constraints ?? []).filter((c) => /^node\.labels\.zkgen\.host == \S+$/.test(c)).length !== 1) problems.push(`${service}: is not pinned by one zkgen.host label`);
    if (!d?.restart_policy?.condition) problems.push(`${service}: has no restart policy`);
    if (d?.update_config?.parallelism !== 1 || d.update_config.order !== 'stop-first') problems.push(`${service}: updates are not one task at a time, stopping first`);
  }
  return problems;
}

/** Problems of a compose file: the specification's schema, then host-networking rules it does not state. */
export function composeProblems(text: string): string[] {
  const doc = parseYaml(text, { merge: true }) as { services?: Record<string, Record<string, unknown>>; version?: unknown };
  const problems = specProblems(doc);
  if (doc.version !== undefined) problems.push('has the obsolete top-level version key');
  const names = new Set<string>();
  for (const [service, def] of Object.entries(doc.services ?? {})) {
    if (def.network_mode !== 'host') problems.push(`${service}: network_mode is not host`);
    for (const key of ['ports', 'networks', 'command', 'expose', 'links']) {
      if (key in def) problems.push(`${service}: has ${key}: which host networking ignores or refuses`);
    }
    const name = String(def.container_name);
    if (names.has(name)) problems.push(`${service}: container_name ${name} is repeated`);
    names.add(name);
  }
  return problems;
}

/** Problems of a shell script: bash -n always, shellcheck where installed (required in CI). */
export function scriptProblems(path: string): string[] {
  const problems: string[] = [];
  const syntax = spawnSync('bash', ['-n', path], { encoding: 'utf8' });
  if (syntax.status !== 0) problems.push(`bash -n: ${syntax.stderr}`);
  if (hasCommand('shellcheck')) {
    // -x: a script is checked with the library it sources beside it (lib.sh), as the bundle has it.
    const lint = spawnSync('shellcheck', ['--severity=style', '--external-sources', '--source-path=SCRIPTDIR', path], { encoding: 'utf8' });
    if (lint.status !== 0) problems.push(`shellcheck: ${lint.stdout}${lint.stderr}`);
  } else if (process.env.CI) {
    problems.push('shellcheck is not installed, and CI must lint every generated script');
  }
  return problems;
}

/** Problems yamllint finds with its default rules (the ones teams run over committed files); where installed (required in CI). */
export function yamllintProblems(path: string): string[] {
  if (!hasCommand('yamllint')) return process.env.CI ? ['yamllint is not installed, and CI must lint every generated compose file'] : [];
  const lint = spawnSync('yamllint', ['--strict', '--format', 'parsable', '--config-data', 'extends: default', path], { encoding: 'utf8' });
  return lint.status === 0 ? [] : [`yamllint: ${lint.stdout}${lint.stderr}`];
}

/** What zkgen names everything it makes beside DIR with (its lock, its work folders): `.<name of DIR>.zkgen-`. */
export const workPrefix = (dir: string): string => `.${basename(dir)}.zkgen-`;

/** The record of a bundle the core rendered (zkgen-bundle.json, read back): what a move is written over. */
export function recordOfBundle(files: ReadonlyArray<{ path: string; content: string }>): BundleRecord {
  const read = parseRecord(files.find((f) => f.path === RECORD)?.content ?? '');
  if (!read.ok) throw new Error(`the bundle's ${RECORD} ${read.problem}`);
  return read.record;
}

/** The bundle of `value` written under `dir`/bundle, as zkgen would write it: its path. */
export function writeBundle(value: object, dir: string): string {
  const outcome = generate(value);
  if (!outcome.ok) throw new Error(outcome.errors.map((e) => `${e.pointer}: ${e.message}`).join('\n'));
  const out = join(dir, 'bundle');
  for (const f of outcome.files) {
    mkdirSync(join(out, f.path, '..'), { recursive: true });
    writeFileSync(join(out, f.path), f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  return out;
}
