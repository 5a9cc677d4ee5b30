#!/usr/bin/env node
// zkgen's command line: the only place that reads files, writes files and exits. Exit status:
// 0 done, 1 the ensemble file is invalid (or --check found stale files), 2 usage or I/O.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import pkg from '../package.json' with { type: 'json' };
import { connectString, formatOf, generate, parse, type Problem } from './index.js';
import { showPointer } from './pointer.js';
import { RefusedError, staleFiles, writeBundle } from './write.js';

const INVALID = 1;
const USAGE = 2;

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function problemLine(file: string, p: Problem, kind = ''): string {
  const where = p.position ? `${file}:${p.position.line}:${p.position.column}` : `${file}: ${showPointer(p.pointer)}`;
  return `${where}: ${kind}${p.message}`;
}

function fail(code: number, line: string): never {
  say(`zkgen: ${line}`);
  throw new Exit(code);
}

function readEnsemble(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a folder' : (e.code ?? e.message);
    fail(USAGE, `cannot read ${file}: ${why}`);
  }
  const parsed = parse(text, file === '-' ? 'yaml' : formatOf(file));
  if (!parsed.ok) {
    for (const p of parsed.errors) say(problemLine(displayName(file), p));
    throw new Exit(INVALID);
  }
  return parsed.value;
}

const displayName = (file: string) => (file === '-' ? '<stdin>' : file);

function report<T extends { ok: boolean; warnings: Problem[] }>(file: string, outcome: T): asserts outcome is T & { ok: true } {
  for (const w of outcome.warnings) say(problemLine(displayName(file), w, 'warning: '));
  if (!outcome.ok) {
    for (const e of (outcome as unknown as { errors: Problem[] }).errors) say(problemLine(displayName(file), e));
    throw new Exit(INVALID);
  }
}

function runGenerate(file: string, out: string | undefined, checkOnly: boolean): void {
  if (checkOnly && out === undefined) fail(USAGE, '--check compares with a folder: give it with --out DIR');
  const outcome = generate(readEnsemble(file));
  report(file, outcome);
  if (out === undefined) {
    const compose = outcome.files.find((f) => f.path === 'docker-compose.yml');
    process.stdout.write(compose!.content);
    return;
  }
  if (checkOnly) {
    const stale = staleFiles(out, outcome.files);
    if (stale.length > 0) {
      for (const p of stale) say(`${out}/${p}: stale: run zkgen ${file} --out ${out}`);
      throw new Exit(1);
    }
    return;
  }
  try {
    writeBundle(out, outcome.files);
  } catch (error) {
    if (error instanceof RefusedError) fail(USAGE, error.message);
    fail(USAGE, `cannot write ${out}: ${(error as Error).message}`);
  }
}

// The tutorial's ensemble, which is where most people start.
const STARTER = { image: 'garland/zookeeper', servers: 3 };

function runInit(file: string, force: boolean): void {
  const text =
    formatOf(file) === 'json' || file === '-' ? `${JSON.stringify(STARTER, null, 2)}\n` : `image: ${STARTER.image}\nservers: ${STARTER.servers}\n`;
  if (file === '-') {
    process.stdout.write(text);
    return;
  }
  if (existsSync(file) && !force) fail(USAGE, `${file} exists: give --force to replace it`);
  try {
    writeFileSync(file, text);
  } catch (error) {
    fail(USAGE, `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  say(`wrote ${file}: run zkgen ${file} --out DIR`);
}

function runConnectString(file: string): void {
  const outcome = connectString(readEnsemble(file));
  report(file, outcome);
  process.stdout.write(`${outcome.connectString}\n`);
}

// yargs reads a lone "-" as nothing at all; zkgen means stdin (or stdout, for init) by it.
const DASH = '\u0000-';
const undash = (file: string) => (file === DASH ? '-' : file);

export function main(argv: string[]): number {
  try {
    yargs(argv.map((a) => (a === '-' ? DASH : a)))
      .scriptName('zkgen')
      .usage('Usage: $0 <ensemble-file> [--out DIR [--check]]\n\nGenerate docker-compose.yml and docker run scripts for a ZooKeeper ensemble on one host with host networking.')
      .command(
        '$0 <file>',
        'print docker-compose.yml for the ensemble file (JSON or YAML; - for stdin), or write the whole bundle with --out',
        (y) =>
          y
            .positional('file', { type: 'string', demandOption: true, describe: 'ensemble file' })
            .option('out', { type: 'string', describe: 'write docker-compose.yml, the scripts and conf/ into DIR', requiresArg: true })
            .option('check', { type: 'boolean', default: false, describe: 'write nothing: exit 1 when DIR differs from what zkgen would write' }),
        (args) => runGenerate(undash(args.file), args.out, args.check),
      )
      .command(
        'init [file]',
        "write a starter ensemble file (the tutorial's three members)",
        (y) =>
          y
            .positional('file', { type: 'string', default: 'ensemble.json', describe: 'file to write (.json, .yaml or .yml; - for stdout)' })
            .option('force', { type: 'boolean', default: false, describe: 'replace the file if it exists' }),
        (args) => runInit(undash(args.file), args.force),
      )
      .command(
        'connect-string <file>',
        "print the client connect string (host:clientPort of every member)",
        (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'ensemble file' }),
        (args) => runConnectString(undash(args.file)),
      )
      .example('$0 ensemble.json > docker-compose.yml', 'then: docker compose up -d')
      .example('$0 ensemble.json --out zk', 'docker-compose.yml, run.sh, status.sh, smoke-test.sh, remove.sh, conf/')
      .example('$0 ensemble.json --out zk --check', 'in CI: fail when zk/ is stale')
      .strict()
      .version(pkg.version)
      .help()
      .alias('h', 'help')
      .alias('v', 'version')
      .wrap(Math.min(100, process.stdout.columns || 100))
      .fail((message, error) => {
        if (error instanceof Exit) throw error;
        if (error) throw error;
        fail(USAGE, `${message} (see zkgen --help)`);
      })
      .parseSync();
    return 0;
  } catch (error) {
    if (error instanceof Exit) return error.code;
    // A bug in zkgen, not a user's mistake: still one line, but say where to look.
    say(`zkgen: internal error: ${(error as Error).message}`);
    return 70;
  }
}

process.exitCode = main(hideBin(process.argv));
