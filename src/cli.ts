// zkgen's command line: the only place that reads files, writes files and decides the exit status.
// `main(argv, io)` runs one command line and returns its status: 0 done, 1 the ensemble file is
// invalid (or --check found stale files, or a move would be unsafe), 2 usage or I/O, 130/143 stopped by SIGINT/SIGTERM during
// --out, 70 a bug in zkgen itself. The bin (dist/cli.js, made by scripts/bundle.mjs) calls it with
// the process's own channels; tests call it in-process with theirs. How the command line is read is
// src/args.ts's.
import { existsSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { readArgs, type Command } from './args.js';
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

/** What a run reads and writes besides files: the process's channels, or a test's. */
export interface Io {
  /** Writes to stdout; settles once the text is written, or with the system's error (EPIPE: its reader is gone). */
  stdout(text: string): Promise<void>;
  /** Writes to stderr; a stderr that cannot be written leaves nothing to tell, so it never fails. */
  stderr(text: string): void;
  /** Standard input, whole (an ensemble file given as -). */
  stdin(): Uint8Array;
  /** Hears SIGINT and SIGTERM until the function it returns is called. */
  onSignal(handler: (signal: Signal) => void): () => void;
  /** The terminal's width, for --help. */
  columns(): number | undefined;
}

type Signal = keyof typeof SIGNAL_EXIT;

// Exit statuses of a run stopped by a signal, as shells report them.
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** The process's own channels. Failed writes are answered where they are awaited, not as stream 'error' events. */
function processIo(): Io {
  const quiet = () => undefined;
  process.stdout.on('error', quiet);
  let stderrStream: NodeJS.WriteStream | undefined;
  return {
    stdout: (text) => new Promise((done, failed) => process.stdout.write(text, (error) => (error ? failed(error) : done()))),
    // Straight to the descriptor, as Node's process.stderr itself writes a file or a pipe here,
    // without setting up that stream: for a pipe it is Node's socket machinery, a good part of
    // zkgen's start-up (npm run bench). What a full pipe left non-blocking by whoever started
    // zkgen does not take at once goes to that stream, which waits for it, and so does all that
    // follows, to keep the order.
    stderr: (text) => {
      const bytes = Buffer.from(text);
      let written = 0;
      if (!stderrStream) {
        try {
          written = writeSync(2, bytes);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return; // stderr gone: nothing left to tell
        }
      }
      if (written < bytes.length) {
        stderrStream ??= process.stderr.on('error', quiet);
        stderrStream.write(bytes.subarray(written));
      }
    },
    stdin: () => readFileSync(0),
    onSignal: (handler) => {
      const listeners = (Object.keys(SIGNAL_EXIT) as Signal[]).map((signal) => [signal, () => handler(signal)] as const);
      for (const [signal, listener] of listeners) process.on(signal, listener);
      return () => {
        for (const [signal, listener] of listeners) process.off(signal, listener);
      };
    },
    columns: () => process.stdout.columns,
  };
}

/** One run's channels: what it prints goes through here. */
class Output {
  constructor(readonly io: Io) {}

  /**
   * stdout's reader gone (EPIPE) is a quiet exit 0 (`zkgen big.json | head`: what it did not
   * read, it did not want); any other failure is exit 2 with one line.
   */
  async print(text: string): Promise<void> {
    try {
      await this.io.stdout(text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') throw new Exit(0);
      this.fail(USAGE, `cannot write to standard output: ${systemMessage(error as NodeJS.ErrnoException)}`);
    }
  }

  /** One line on stderr, whatever it echoes: control and line-separating characters escaped. */
  say(line: string): void {
    this.io.stderr(`${printable(line)}\n`);
  }

  fail(code: number, line: string): never {
    this.say(`zkgen: ${line}`);
    throw new Exit(code);
  }
}

/** Node's "ENOSPC: no space left on device, write" as "no space left on device". */
const systemMessage = (error: NodeJS.ErrnoException): string =>
  /^[A-Z0-9]+: (.+?)(?:, \w+(?: '.*')?)?$/.exec(error.message)?.[1] ?? error.code ?? error.message;

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

function readEnsemble(o: Output, file: string): unknown {
  // Bytes, not text: the core refuses what is not UTF-8 instead of reading it as U+FFFD.
  let bytes: Uint8Array;
  try {
    bytes = file === '-' ? o.io.stdin() : readFileSync(file);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a folder' : systemMessage(e);
    o.fail(USAGE, `cannot read ${file}: ${why}`);
  }
  const parsed = parse(bytes, file === '-' ? 'yaml' : formatOf(file));
  if (!parsed.ok) {
    for (const p of [...parsed.errors, ...otherProblems(parsed.errors, parsed.partial)]) o.say(problemLine(displayName(file), p));
    throw new Exit(INVALID);
  }
  return parsed.value;
}

/**
 * All problems at once: what a file's readable rest (`partial`, with null where it could not be
 * read) breaks besides, leaving out what is at or under a place already named.
 */
function otherProblems(named: readonly Problem[], partial: unknown): Problem[] {
  if (partial === undefined) return [];
  const checked = connectString(partial);
  if (checked.ok) return [];
  const covered = (at: string) => named.some((p) => at === p.pointer || at.startsWith(`${p.pointer}/`));
  return checked.errors.filter((e) => !covered(e.pointer));
}

const displayName = (file: string) => (file === '-' ? '<stdin>' : file);

function report<T extends { ok: boolean; warnings: Problem[] }>(o: Output, file: string, outcome: T): asserts outcome is T & { ok: true } {
  for (const w of outcome.warnings) o.say(problemLine(displayName(file), w, 'warning: '));
  if (!outcome.ok) {
    for (const e of (outcome as unknown as { errors: Problem[] }).errors) o.say(problemLine(displayName(file), e));
    throw new Exit(INVALID);
  }
}

type GenerateCommand = Extract<Command, { run: 'generate' }>;

async function runGenerate(o: Output, { file, out, check, host, stopped }: GenerateCommand): Promise<void> {
  // Printing needs the compose file alone (one machine's, with --host): the rest of the bundle would be rendered for nothing.
  const value = readEnsemble(o, file);
  const only = { only: ['docker-compose.yml'] as const, ...(host !== undefined && { machine: host.toLowerCase() }) };
  const running = out === undefined || stopped ? undefined : readRunning(o, file, out);
  const outcome = generate(value, out === undefined ? only : { ...(running && { running }), stopped });
  report(o, file, outcome);
  if (out === undefined) {
    const hosts = outcome.machines;
    const several = hosts.length > 1;
    if (several && host === undefined) {
      o.fail(USAGE, `${displayName(file)} runs members on several hosts (${hosts.join(', ')}): print one host's docker-compose.yml with --host HOST, or write every host's with --out DIR`);
    }
    if (host !== undefined && !hosts.includes(host.toLowerCase())) {
      o.fail(USAGE, `no member of ${displayName(file)} runs on ${host}: its hosts are ${hosts.join(', ')}`);
    }
    const path = several && host !== undefined ? `hosts/${host.toLowerCase()}/docker-compose.yml` : 'docker-compose.yml';
    const compose = outcome.files.find((f) => f.path === path);
    if (compose === undefined) throw new Error(`generate returned no ${path} for a valid ensemble`);
    await o.print(compose.content);
    return;
  }
  if (check) {
    // The hint repeats what this run was told about the bundle's ensemble (--stopped), or the run it names would be refused.
    checkBundle(o, out, outcome.files, `run zkgen ${sh(file)} --out ${sh(out)}${stopped ? ' --stopped' : ''}`);
    return;
  }
  await writeOut(o, out, outcome.files);
}

/**
 * What the core needs of the bundle in DIR to see a change of members (src/reconfig.ts): its record,
 * read through its manifest and validated. A bundle without one, or with one zkgen cannot read, is
 * refused (exit 2) with the command that writes it again: zkgen never guesses its members.
 */
function readRunning(o: Output, file: string, out: string): BundleRecord | undefined {
  let found: ReturnType<typeof recordIn>;
  try {
    found = recordIn(out);
  } catch (error) {
    o.fail(USAGE, `cannot read ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]}`);
  }
  const again = `write the ensemble file it was written from over it once more, with --stopped since nothing moves (zkgen ORIGINAL-FILE --out ${sh(out)} --stopped), then ${sh(file)} again`;
  if (found.kind === 'none') return undefined;
  if (found.kind === 'not listed') o.fail(USAGE, `${out} holds a bundle written before zkgen recorded its members (its manifest lists no ${RECORD}), so zkgen cannot tell which members run: ${again}`);
  if (found.kind !== 'record') o.fail(USAGE, `${out}/${RECORD} is missing or not a regular file, so zkgen cannot tell the members of the bundle in ${out}: put back the file zkgen wrote, or ${again}`);
  const parsed = parseRecord(found.text);
  if (!parsed.ok) o.fail(USAGE, `${out}/${RECORD} ${parsed.problem}, so zkgen cannot tell the members of the bundle in ${out}: put back the file zkgen wrote, or ${again}`);
  return parsed.record;
}

/**
 * The bundle into DIR. SIGINT and SIGTERM are heard only around the write, while it waits for
 * another run's lock or writes its staging folder: they stop it there (the run's staging folder and
 * lock are removed, DIR stays as it was) with the signal's exit status. The swap itself is a few
 * synchronous renames: a signal arriving then is not heard, and the run ends as if it had come a
 * moment later.
 */
async function writeOut(o: Output, out: string, files: GeneratedFile[]): Promise<void> {
  const controller = new AbortController();
  let caught: Signal | undefined;
  const stopListening = o.io.onSignal((signal) => {
    caught ??= signal;
    controller.abort();
  });
  try {
    await writeBundle(out, files, { signal: controller.signal });
  } catch (error) {
    if (error instanceof InterruptedError) o.fail(SIGNAL_EXIT[caught ?? 'SIGINT'], `--out ${out}: interrupted: ${out} left as it was`);
    if (error instanceof RefusedError) o.fail(USAGE, error.message);
    if (error instanceof IoError) o.fail(USAGE, error.message);
    const code = (error as NodeJS.ErrnoException).code;
    o.fail(USAGE, `cannot write ${out}: ${code ?? (error as Error).message.split('\n')[0]}`);
  } finally {
    stopListening();
  }
}

function checkBundle(o: Output, out: string, files: GeneratedFile[], rerun: string): void {
  let result: ReturnType<typeof compareBundle>;
  try {
    result = compareBundle(out, files);
  } catch (error) {
    o.fail(USAGE, `cannot read ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]}`);
  }
  if (result === 'missing') {
    o.say(`${out} does not exist: ${rerun}`);
    throw new Exit(1);
  }
  if (result === 'not a folder') {
    o.say(`${out} is not a folder: ${rerun} writes a folder`);
    throw new Exit(1);
  }
  for (const f of result) {
    if (f.kind === 'stale') o.say(`${out}/${f.path}: stale: ${rerun}`);
    else o.say(`${out}/${f.path}: not zkgen's (${f.why}): move it out of ${out}; zkgen replaces only a folder holding nothing but its own files`);
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

async function runInit(o: Output, file: string, force: boolean): Promise<void> {
  const schema = schemaReference(file);
  const text =
    formatOf(file) === 'json' || file === '-'
      ? `${JSON.stringify({ $schema: schema, image: STARTER_IMAGE, servers: STARTER_SERVERS }, null, 2)}\n`
      : `$schema: ${JSON.stringify(schema)}\nimage: ${STARTER_IMAGE}\nservers: ${STARTER_SERVERS}\n`;
  if (file === '-') {
    await o.print(text);
    return;
  }
  if (existsSync(file) && !force) o.fail(USAGE, `${file} exists: give --force to replace it`);
  try {
    writeFileSync(file, text);
  } catch (error) {
    o.fail(USAGE, `cannot write ${file}: ${systemMessage(error as NodeJS.ErrnoException)}`);
  }
  o.say(`wrote ${file}: run zkgen ${sh(file)} --out DIR`);
}

async function runConnectString(o: Output, file: string): Promise<void> {
  const outcome = connectString(readEnsemble(o, file));
  report(o, file, outcome);
  await o.print(`${outcome.connectString}\n`);
}

// A bug in zkgen (no input, file or command line may lead here: tests hold that): one line, and
// sysexits' EX_SOFTWARE, so that scripts can tell it from every answer zkgen means to give.
const INTERNAL = 70;

/**
 * Runs one command line (argv without node and the script) and returns its exit status; never
 * throws. Relative paths are the process's working folder's.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const o = new Output(io);
  try {
    const command = readArgs(argv, { isFile: existsSync, columns: () => io.columns() });
    if (command.run === 'usage') o.fail(USAGE, command.message);
    if (command.run === 'generate') await runGenerate(o, command);
    if (command.run === 'connect-string') await runConnectString(o, command.file);
    if (command.run === 'init') await runInit(o, command.file, command.force);
    if (command.run === 'print') await o.print(command.text);
    return 0;
  } catch (error) {
    if (error instanceof Exit) return error.code;
    const message = error instanceof Error ? error.message : String(error);
    o.say(`zkgen: internal error, a bug in zkgen (please report it with the command and the ensemble file): ${message}`);
    return INTERNAL;
  }
}
