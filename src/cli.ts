#!/usr/bin/env node
// zkgen's command line: the only place that reads files, writes files and exits. Exit status:
// 0 done, 1 the ensemble file is invalid (or --check found stale files), 2 usage or I/O, 70 a bug
// in zkgen itself. How the command line is read is src/args.ts's.
import { existsSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { readArgs } from './args.js';
import { connectString, formatOf, generate, parse, parseRecord, RECORD, type BundleRecord, type GeneratedFile, type Problem } from './index.js';
import { escaped, showPointer } from './pointer.js';
import { sh } from './quote.js';
import { compareBundle } from './write/check.js';
import { InterruptedError, IoError, RefusedError } from './write/errors.js';
import { recordIn } from './write/ownership.js';
import { writeBundle } from './write/swap.js';

const INVALID = 1;
const USAGE = 2;

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

// Output goes straight to the file descriptor, as process.stdout and process.stderr themselves do
// for a file, without setting those streams up: that takes a couple of milliseconds each (npm run
// bench). Only a full non-blocking pipe (EAGAIN) hands the rest to the stream, and everything
// written after it to that descriptor, so nothing overtakes it. Any other failure ends the run the
// same way on both paths: stdout's reader gone (EPIPE) is a quiet exit 0 (`zkgen big.json | head`:
// what it did not read, it did not want); any other is exit 2 with one line; stderr gone leaves
// nothing to tell, so the run goes on and keeps its own exit status.
const handedToStream = new Set<1 | 2>();
const gone = new Set<1 | 2>();

function write(fd: 1 | 2, text: string): void {
  if (gone.has(fd)) return;
  const bytes = Buffer.from(text);
  let done = 0;
  if (!handedToStream.has(fd)) {
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
        outputFailed(fd, error as NodeJS.ErrnoException);
        return;
      }
      handedToStream.add(fd);
    }
  }
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (stream.listenerCount('error') === 0) {
    // Runs after main has returned: an exit status is all that is left to set.
    stream.on('error', (error: NodeJS.ErrnoException) => {
      try {
        outputFailed(fd, error);
      } catch (exit) {
        if (!(exit instanceof Exit)) throw exit;
        if (exit.code !== 0) process.exitCode = exit.code;
      }
    });
  }
  stream.write(bytes.subarray(done));
}

function outputFailed(fd: 1 | 2, error: NodeJS.ErrnoException): void {
  gone.add(fd);
  if (fd === 2) return;
  if (error.code === 'EPIPE') throw new Exit(0);
  fail(USAGE, `cannot write to standard output: ${systemMessage(error)}`);
}

/** Node's "ENOSPC: no space left on device, write" as "no space left on device". */
const systemMessage = (error: NodeJS.ErrnoException): string =>
  /^[A-Z0-9]+: (.+?)(?:, \w+(?: '.*')?)?$/.exec(error.message)?.[1] ?? error.code ?? error.message;

function say(line: string): void {
  write(2, `${line}\n`);
}

function problemLine(file: string, p: Problem, kind = ''): string {
  const where = p.position
    ? `${file}:${p.position.line}:${p.position.column}${p.pointer === '' ? '' : `: ${showPointer(p.pointer)}`}`
    : `${file}: ${showPointer(p.pointer)}`;
  // Messages quote what they echo; escaping the whole line again keeps it one line whatever a message forgot.
  return `${where}: ${kind}${escaped(p.message)}`;
}

// What zkgen echoes from its input (file names, words of the command line) is shown with its
// control (\p{Cc}: C0, DEL and C1) and line-separating characters escaped: one line stays one
// line, and the terminal's.
const printable = (text: string): string => text.replace(/[\p{Cc}\u2028\u2029]/gu, (c) => JSON.stringify(c).slice(1, -1));

function fail(code: number, line: string): never {
  say(`zkgen: ${printable(line)}`);
  throw new Exit(code);
}

function readEnsemble(file: string): unknown {
  // Bytes, not text: the core refuses what is not UTF-8 instead of reading it as U+FFFD.
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file === '-' ? 0 : file);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a folder' : systemMessage(e);
    fail(USAGE, `cannot read ${file}: ${why}`);
  }
  const parsed = parse(bytes, file === '-' ? 'yaml' : formatOf(file));
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

function runGenerate(file: string, out: string | undefined, checkOnly: boolean, host?: string, stopped = false): void | Promise<void> {
  // Printing needs the compose file alone: the rest of the bundle would be rendered for nothing.
  const value = readEnsemble(file);
  const running = out === undefined || stopped ? undefined : readRunning(file, out);
  const outcome = generate(value, out === undefined ? { only: ['docker-compose.yml'] } : { ...(running && { running }), stopped });
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
    const path = several && host !== undefined ? `hosts/${host.toLowerCase()}/docker-compose.yml` : 'docker-compose.yml';
    const compose = outcome.files.find((f) => f.path === path);
    if (compose === undefined) throw new Error(`generate returned no ${path} for a valid ensemble`);
    write(1, compose.content);
    return;
  }
  if (checkOnly) {
    checkBundle(file, out, outcome.files);
    return;
  }
  return writeOut(out, outcome.files);
}

/**
 * What the core needs of the bundle in DIR to see a change of members (src/reconfig.ts): its record,
 * read through its manifest and validated. A bundle without one, or with one zkgen cannot read, is
 * refused (exit 2) with the command that writes it again: zkgen never guesses its members.
 */
function readRunning(file: string, out: string): BundleRecord | undefined {
  let found: ReturnType<typeof recordIn>;
  try {
    found = recordIn(out);
  } catch (error) {
    fail(USAGE, `cannot read ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]}`);
  }
  const again = `write the ensemble file it was written from over it once more, with --stopped since nothing moves (zkgen ORIGINAL-FILE --out ${sh(out)} --stopped), then ${sh(file)} again`;
  if (found.kind === 'none') return undefined;
  if (found.kind === 'not listed') fail(USAGE, `${out} holds a bundle written before zkgen recorded its members (its manifest lists no ${RECORD}), so zkgen cannot tell which members run: ${again}`);
  if (found.kind !== 'record') fail(USAGE, `${out}/${RECORD} is missing or not a regular file, so zkgen cannot tell the members of the bundle in ${out}: put back the file zkgen wrote, or ${again}`);
  const parsed = parseRecord(found.text);
  if (!parsed.ok) fail(USAGE, `${out}/${RECORD} ${parsed.problem}, so zkgen cannot tell the members of the bundle in ${out}: put back the file zkgen wrote, or ${again}`);
  return parsed.record;
}

// Exit statuses of a run stopped by a signal, as shells report them.
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * The bundle into DIR. SIGINT and SIGTERM are heard only around the write, while it waits for
 * another run's lock or writes its staging folder: they stop it there (the run's staging folder and
 * lock are removed, DIR stays as it was) with the signal's exit status. The swap itself is a few
 * synchronous renames: a signal arriving then is not heard, and the run ends as if it had come a
 * moment later.
 */
async function writeOut(out: string, files: GeneratedFile[]): Promise<void> {
  const controller = new AbortController();
  let caught: keyof typeof SIGNAL_EXIT | undefined;
  const handlers = (Object.keys(SIGNAL_EXIT) as Array<keyof typeof SIGNAL_EXIT>).map((signal) => {
    const handler = () => {
      caught ??= signal;
      controller.abort();
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  try {
    await writeBundle(out, files, { signal: controller.signal });
  } catch (error) {
    if (error instanceof InterruptedError) fail(SIGNAL_EXIT[caught ?? 'SIGINT'], `--out ${out}: interrupted: ${out} left as it was`);
    if (error instanceof RefusedError) fail(USAGE, error.message);
    if (error instanceof IoError) fail(USAGE, error.message);
    const code = (error as NodeJS.ErrnoException).code;
    fail(USAGE, `cannot write ${out}: ${code ?? (error as Error).message.split('\n')[0]}`);
  } finally {
    for (const off of handlers) off();
  }
}

function checkBundle(file: string, out: string, files: GeneratedFile[]): void {
  const rerun = `run zkgen ${sh(file)} --out ${sh(out)}`;
  let result: ReturnType<typeof compareBundle>;
  try {
    result = compareBundle(out, files);
  } catch (error) {
    fail(USAGE, `cannot read ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]}`);
  }
  if (result === 'missing') {
    say(`${out} does not exist: ${rerun}`);
    throw new Exit(1);
  }
  if (result === 'not a folder') {
    say(`${out} is not a folder: ${rerun} writes a folder`);
    throw new Exit(1);
  }
  for (const f of result) {
    if (f.kind === 'stale') say(`${out}/${f.path}: stale: ${rerun}`);
    else say(`${out}/${f.path}: not zkgen's (${f.why}): move it out of ${out}; zkgen replaces only a folder holding nothing but its own files`);
  }
  if (result.length > 0) throw new Exit(1);
}

// Where most people start: the tutorial's three members, on an image that is pinned (so the first
// run has nothing to warn about) and published. The tutorial's own garland/zookeeper has no version
// tag to pin (its ZooKeeper 3.4.6 on Java 7 is long past its end of life): the official image at its
// newest published release is what a newcomer should run. examples/tutorial.json stays the tutorial.
const STARTER_IMAGE = 'zookeeper:3.9.4';
const STARTER_SERVERS = 3;

// The schema inside the zkgen package, found the way Node finds a package: in the nearest
// node_modules/zkgen at or above the ensemble file's folder, where `npm install --save-dev zkgen`
// puts it. Without one (npx, a global install) the path is where that install would put it beside
// the file. Relative, so the reference holds wherever the project is checked out.
const SCHEMA_IN_PACKAGE = ['node_modules', 'zkgen', 'schema', 'ensemble.schema.json'];

function schemaReference(file: string): string {
  const from = resolve(file === '-' ? '.' : dirname(file));
  for (let dir = from; ; dir = dirname(dir)) {
    const schema = join(dir, ...SCHEMA_IN_PACKAGE);
    if (existsSync(schema)) return relative(from, schema).split(sep).join('/');
    if (dirname(dir) === dir) return SCHEMA_IN_PACKAGE.join('/');
  }
}

function runInit(file: string, force: boolean): void {
  const schema = schemaReference(file);
  const text =
    formatOf(file) === 'json' || file === '-'
      ? `${JSON.stringify({ $schema: schema, image: STARTER_IMAGE, servers: STARTER_SERVERS }, null, 2)}\n`
      : `$schema: ${JSON.stringify(schema)}\nimage: ${STARTER_IMAGE}\nservers: ${STARTER_SERVERS}\n`;
  if (file === '-') {
    write(1, text);
    return;
  }
  if (existsSync(file) && !force) fail(USAGE, `${file} exists: give --force to replace it`);
  try {
    writeFileSync(file, text);
  } catch (error) {
    fail(USAGE, `cannot write ${file}: ${systemMessage(error as NodeJS.ErrnoException)}`);
  }
  say(`wrote ${file}: run zkgen ${file} --out DIR`);
}

function runConnectString(file: string): void {
  const outcome = connectString(readEnsemble(file));
  report(file, outcome);
  write(1, `${outcome.connectString}\n`);
}

// A bug in zkgen (no input, file or command line may lead here: tests hold that): one line, and
// sysexits' EX_SOFTWARE, so that scripts can tell it from every answer zkgen means to give.
const INTERNAL = 70;

/** The exit status of a run that ended in `error`. */
function statusOf(error: unknown): number {
  if (error instanceof Exit) return error.code;
  const message = error instanceof Error ? error.message : String(error);
  say(`zkgen: internal error, a bug in zkgen (please report it with the command and the ensemble file): ${printable(message)}`);
  return INTERNAL;
}

// Most runs end synchronously; writing a bundle (--out) is asynchronous, so that SIGINT and
// SIGTERM are heard while it waits for another run's lock or writes.
const settled = (run: void | Promise<void>): number | Promise<number> => (run instanceof Promise ? run.then(() => 0, statusOf) : 0);

export function main(argv: string[]): number | Promise<number> {
  try {
    const command = readArgs(argv, { isFile: existsSync, columns: () => process.stdout.columns });
    if (command.run === 'usage') fail(USAGE, command.message);
    if (command.run === 'generate') return settled(runGenerate(command.file, command.out, command.check, command.host, command.stopped));
    if (command.run === 'connect-string') runConnectString(command.file);
    if (command.run === 'init') runInit(command.file, command.force);
    if (command.run === 'print') write(1, command.text);
    return 0;
  } catch (error) {
    return statusOf(error);
  }
}

const status = main(hideBin(process.argv));
if (typeof status === 'number') process.exitCode = status;
else void status.then((code) => (process.exitCode = code));
