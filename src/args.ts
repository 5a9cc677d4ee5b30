// Reading zkgen's command line: argv in, one Command out. Nothing here prints, exits or touches a
// file (whether a word names a file is asked through `isFile`): src/cli.ts runs what comes out.
import yargs from 'yargs';
import pkg from '../package.json' with { type: 'json' };
import { closest } from './suggest.js';

/** What a command line asks for. `usage` is a mistake in the command line itself: exit 2. */
export type Command =
  | { run: 'generate'; file: string; out: string | undefined; check: boolean; host: string | undefined; stopped: boolean }
  | { run: 'connect-string'; file: string }
  | { run: 'init'; file: string; force: boolean }
  | { run: 'print'; text: string }
  | { run: 'usage'; message: string };

export interface ArgsContext {
  /** Whether a word of the command line names an existing file (a mistyped command does not). */
  isFile(word: string): boolean;
  /** The terminal's width, for --help; asked only when help is printed. */
  columns?(): number | undefined;
}

const COMMANDS = ['init', 'connect-string'] as const;
const OPTIONS: Record<'generate' | 'init' | 'connect-string', string[]> = {
  generate: ['out', 'check', 'stopped', 'host', 'help', 'version'],
  init: ['force', 'help', 'version'],
  'connect-string': ['help', 'version'],
};

export function readArgs(argv: readonly string[], context: ArgsContext): Command {
  return switchValue(argv) ?? yargsCommand(argv, context);
}

// yargs reads `--check=X` as --check only for X "true", and as no check for any other X: `--check=1`
// would replace DIR instead of comparing it. A switch takes true or false after `=`, or nothing.
const SWITCHES = ['check', 'stopped', 'force'];

function switchValue(argv: readonly string[]): Command | undefined {
  const words = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  for (const word of words) {
    const [, name = '', value = ''] = /^--(?:no-)?([\w-]+)=(.*)$/s.exec(word) ?? [];
    if (SWITCHES.includes(name) && !['true', 'false'].includes(value)) {
      return { run: 'usage', message: `${word}: --${name} is a switch: give --${name} alone (--${name}=true and --${name}=false are read too)` };
    }
  }
  return undefined;
}

/** `FILE [--out DIR [--check] [--stopped] | --host HOST]`, checked as a whole. */
function generateCommand(file: string, out: string | undefined, check: boolean, host?: string, stopped = false): Command {
  if (check && out === undefined) return { run: 'usage', message: '--check compares with a folder: give it with --out DIR' };
  if (stopped && out === undefined) return { run: 'usage', message: '--stopped says the ensemble of the bundle in DIR is not running: give DIR with --out' };
  if (out === '-' || out === DASH) return { run: 'usage', message: '--out takes a folder; without --out, docker-compose.yml goes to stdout' };
  if (out === '') return { run: 'usage', message: '--out needs a folder: "" names none (--out . is the current folder)' };
  if (host !== undefined && out !== undefined) return { run: 'usage', message: "--host prints one host's docker-compose.yml; --out writes every host's: give one of them" };
  return { run: 'generate', file, out, check, host, stopped };
}

// yargs reads a lone "-" as nothing at all; zkgen means stdin (or stdout, for init) by it.
const DASH = '\u0000-';
const undash = (word: string) => (word === DASH ? '-' : word);

class UsageError extends Error {}

function yargsCommand(argv: readonly string[], context: ArgsContext): Command {
  let command: Command | undefined;
  let printed: string | undefined;
  // Words after `--` are not options, and no zkgen command takes more words than yargs reads as
  // its own positionals: any left over is a mistake, not something to ignore.
  const leftOver = (words: Array<string | number>, skip: number): Command | undefined => {
    const extra = words.slice(skip)[0];
    return extra === undefined ? undefined : { run: 'usage', message: `unexpected argument ${JSON.stringify(undash(String(extra)))} (see zkgen --help)` };
  };
  const once = (name: string, value: unknown): Command | undefined =>
    Array.isArray(value) ? { run: 'usage', message: `--${name} is given ${value.length === 2 ? 'twice' : `${value.length} times`}: give it once` } : undefined;
  const parser = yargs()
    .scriptName('zkgen')
    // Messages and help in English whatever the locale: the same input, the same bytes.
    .locale('en')
    .usage(
      'Usage: $0 <ensemble-file> [--out DIR [--check] [--stopped] | --host HOST]\n\nGenerate docker-compose.yml and docker run scripts for a ZooKeeper ensemble with host networking: on one host, or per host and as a Swarm stack on several.',
    )
    .command(
      '$0 <file>',
      'print docker-compose.yml for the ensemble file (JSON or YAML; - for stdin), or write the whole bundle with --out',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'ensemble file' })
          .option('out', { type: 'string', describe: 'write docker-compose.yml, the scripts and conf/ into DIR', requiresArg: true })
          .option('check', { type: 'boolean', default: false, describe: 'write nothing: exit 1 when DIR differs from what zkgen would write' })
          .option('stopped', {
            type: 'boolean',
            default: false,
            describe: 'the ensemble of the bundle in DIR is not running: change its members without reconfigure.sh',
          })
          .option('host', { type: 'string', describe: 'print the docker-compose.yml of one host of an ensemble on several hosts', requiresArg: true }),
      (args) => {
        command =
          leftOver(args._, 0) ??
          once('out', args.out) ??
          once('check', args.check) ??
          once('host', args.host) ??
          once('stopped', args.stopped) ??
          generateCommand(
            undash(args.file),
            args.out === undefined ? undefined : undash(args.out),
            args.check,
            args.host === undefined ? undefined : undash(args.host),
            args.stopped,
          );
      },
    )
    .command(
      'init [file]',
      "write a starter ensemble file (the tutorial's three members, on a pinned image)",
      (y) =>
        y
          .positional('file', { type: 'string', default: 'ensemble.json', describe: 'file to write (.json, .yaml or .yml; - for stdout)' })
          .option('force', { type: 'boolean', default: false, describe: 'replace the file if it exists' }),
      (args) => {
        command = leftOver(args._, 1) ?? once('force', args.force) ?? { run: 'init', file: undash(args.file), force: args.force };
      },
    )
    .command(
      'connect-string <file>',
      'print the client connect string (host:clientPort of every member)',
      (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'ensemble file' }),
      (args) => {
        command = leftOver(args._, 1) ?? { run: 'connect-string', file: undash(args.file) };
      },
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
    // yargs' typings say a message always comes, but a failure yargs reports as an Error alone (a
    // command handler's rejected promise) comes with a null one.
    .fail((message: string | null) => {
      throw new UsageError(message ?? 'cannot read the command line');
    });
  try {
    // With a callback, yargs hands over what it would print (help, version) instead of printing
    // it and exiting. No command handler is asynchronous: parseSync says so, and throws if one were.
    parser
      .wrap(helpWidth(context.columns?.()))
      .parseSync(
        argv.map((a) => (a === '-' ? DASH : a)),
        {},
        (_error, _args, output) => {
          printed = output;
        },
      );
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { run: 'usage', message: usageMessage(error.message, argv, context) };
  }
  if (command) return command;
  return { run: 'print', text: printed ? `${printed}\n` : '' };
}

/** Help fits the terminal, up to 100 columns; without one (no width, or 0) it is 100 wide. */
const helpWidth = (columns: number | undefined): number => (columns !== undefined && columns > 0 ? Math.min(100, columns) : 100);

/** yargs' message for a usage error, said as zkgen says it: what is wrong, and a guess when near. */
function usageMessage(message: string, argv: readonly string[], context: ArgsContext): string {
  const see = ' (see zkgen --help)';
  const words = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  const commandName = COMMANDS.find((c) => c === words.find((w) => !w.startsWith('-'))) ?? 'generate';
  const missingValue = /^Not enough arguments following: (.+)$/.exec(message);
  if (missingValue) return `--${missingValue[1]} needs a value${missingValue[1] === 'out' ? ': --out DIR' : ''}${see}`;
  if (message.startsWith('Not enough non-option arguments')) return `no ensemble file given${see}`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (!unknown) return `${message}${see}`;
  // A first word that is no file but a command's shape, followed by more: a mistyped command.
  const [first] = argv;
  if (first !== undefined && commandName === 'generate' && /^[a-z][a-z-]*$/.test(first) && !context.isFile(first)) {
    const guess = COMMANDS.find((c) => c.startsWith(first)) ?? closest(first, COMMANDS);
    return `unknown command ${first}${guess ? ` (did you mean ${guess}?)` : ` (commands: ${COMMANDS.join(', ')}; see zkgen --help)`}`;
  }
  // The regular expression's group always matches, and split always gives a first part.
  const [, names = ''] = unknown;
  const [firstName = ''] = names.split(', ');
  const name = undash(firstName);
  if (words.includes(name)) return `unexpected argument ${JSON.stringify(name)}${see}`;
  // An option: say it as it was typed (`--outt`, `-q`), and the known one it is nearest to.
  const typed = words.find((w) => new RegExp(`^--?(?:no-)?${name.replace(/[^\w]/g, '\\$&')}(?:=|$)`).test(w));
  const option = typed?.split('=')[0] ?? (name.length === 1 ? `-${name}` : `--${name}`);
  const shown = /^[\w-]+$/.test(option) ? option : JSON.stringify(option);
  const guess = closest(name, OPTIONS[commandName]);
  return `unknown option ${shown}${guess ? ` (did you mean --${guess}?)` : see}`;
}
