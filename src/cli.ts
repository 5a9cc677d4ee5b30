#!/usr/bin/env node
// zkgen's command line: the only place that reads files, writes files and exits. Exit status:
// 0 done, 1 the ensemble file is invalid (or --check found stale files), 2 usage or I/O.
import { existsSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
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

// Output goes straight to the file descriptor, as process.stdout and process.stderr themselves do
// for a file, without setting those streams up: that takes a couple of milliseconds each (npm run
// bench). Whatever writeSync cannot finish (a full non-blocking pipe, an error) is handed to the
// stream after all, and so is everything written after it to that descriptor, so nothing overtakes
// it: the same bytes in the same order, and the same failures, as with the streams alone.
const handedToStream = new Set<1 | 2>();

function write(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text);
  let done = 0;
  if (!handedToStream.has(fd)) {
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done);
      return;
    } catch (error) {
      // The reader is gone (`zkgen big.json | head`): what it did not read, it did not want.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') throw new Exit(0);
      handedToStream.add(fd);
    }
  }
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (stream.listenerCount('error') === 0) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  stream.write(bytes.subarray(done));
}

function say(line: string): void {
  write(2, `${line}\n`);
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

function runGenerate(file: string, out: string | undefined, checkOnly: boolean, host?: string): void {
  if (checkOnly && out === undefined) fail(USAGE, '--check compares with a folder: give it with --out DIR');
  if (out === '-' || out === DASH) fail(USAGE, '--out takes a folder; without --out, docker-compose.yml goes to stdout');
  if (host !== undefined && out !== undefined) fail(USAGE, "--host prints one host's docker-compose.yml; --out writes every host's: give one of them");
  // Printing needs the compose file alone: the rest of the bundle would be rendered for nothing.
  const outcome = generate(readEnsemble(file), out === undefined ? { only: ['docker-compose.yml'] } : {});
  report(file, outcome);
  if (out === undefined) {
    const hosts = outcome.machines;
    const several = hosts.length > 1;
    if (several && host === undefined) {
      fail(USAGE, `${displayName(file)} runs members on several hosts (${hosts.join(', ')}): print one host's docker-compose.yml with --host HOST, or write every host's with --out DIR`);
    }
    if (host !== undefined && !hosts.includes(host.toLowerCase())) {
      fail(USAGE, `no member of ${displayName(file)} runs on ${host}: its hosts are ${hosts.join(', ')}`);
    }
    const path = several ? `hosts/${host!.toLowerCase()}/docker-compose.yml` : 'docker-compose.yml';
    write(1, outcome.files.find((f) => f.path === path)!.content);
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
    write(1, text);
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
  write(1, `${outcome.connectString}\n`);
}

// yargs reads a lone "-" as nothing at all; zkgen means stdin (or stdout, for init) by it.
const DASH = '\u0000-';
const undash = (file: string) => (file === DASH ? '-' : file);

// The plain forms — FILE, FILE --out DIR, FILE --out DIR --check, connect-string FILE — are what
// zkgen runs all day, and building yargs' parser costs more than generating a bundle (see npm run
// bench). So they are answered here; yargs stays the parser of record for everything else: help,
// version, init, any other option or spelling, every usage error. A word is taken here only when
// yargs could read it no other way: not empty, not option-like, not a number, and not a word yargs
// acts on as a positional (a command's name, "$0" for the default command, "help" as the last one).
const YARGS_WORDS = new Set(['init', 'connect-string', '$0', 'help']);
const NUMBER_LIKE = /^(?:0x[0-9a-f]+|[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)$/i;
const plainWord = (word: string | undefined): word is string =>
  word !== undefined && word !== '' && !word.startsWith('-') && !NUMBER_LIKE.test(word) && !YARGS_WORDS.has(word);
const fileWord = (word: string | undefined): word is string => word === '-' || plainWord(word);

function plainForm(argv: string[]): (() => void) | undefined {
  const [first, second, third, fourth] = argv;
  if (first === 'connect-string') return argv.length === 2 && fileWord(second) ? () => runConnectString(second) : undefined;
  if (!fileWord(first)) return undefined;
  if (argv.length === 1) return () => runGenerate(first, undefined, false);
  if (second !== '--out' || !plainWord(third)) return undefined;
  if (argv.length === 3) return () => runGenerate(first, third, false);
  if (argv.length === 4 && fourth === '--check') return () => runGenerate(first, third, true);
  return undefined;
}

export function main(argv: string[]): number {
  try {
    const plain = plainForm(argv);
    if (plain) {
      plain();
      return 0;
    }
    yargs(argv.map((a) => (a === '-' ? DASH : a)))
      .scriptName('zkgen')
      .usage('Usage: $0 <ensemble-file> [--out DIR [--check] | --host HOST]\n\nGenerate docker-compose.yml and docker run scripts for a ZooKeeper ensemble with host networking: on one host, or per host and as a Swarm stack on several.')
      .command(
        '$0 <file>',
        'print docker-compose.yml for the ensemble file (JSON or YAML; - for stdin), or write the whole bundle with --out',
        (y) =>
          y
            .positional('file', { type: 'string', demandOption: true, describe: 'ensemble file' })
            .option('out', { type: 'string', describe: 'write docker-compose.yml, the scripts and conf/ into DIR', requiresArg: true })
            .option('check', { type: 'boolean', default: false, describe: 'write nothing: exit 1 when DIR differs from what zkgen would write' })
            .option('host', { type: 'string', describe: "print the docker-compose.yml of one host of an ensemble on several hosts", requiresArg: true }),
        (args) => runGenerate(undash(args.file), args.out, args.check, args.host),
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
      .example('$0 ensemble.json --out zk', 'docker-compose.yml, run.sh, status.sh, smoke-test.sh, rolling-restart.sh, remove.sh, conf/')
      .example('$0 ensemble.json --out zk --check', 'in CI: fail when zk/ is stale')
      .example('$0 ensemble.json --host zk-a', "on several hosts: zk-a's docker-compose.yml (= zk/hosts/zk-a/docker-compose.yml)")
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
