// Reading the command line (src/args.ts, through yargs): no command line, however odd, makes
// reading it throw (that would be exit 70, a bug, for a user's typing), a usage mistake is one line,
// and in the CLI the whole usage contract holds.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readArgs, type ArgsContext } from '../src/args.js';
import { PROPERTY_RUNS, runMain, tempDir } from './helpers.js';

const SEED = Number(process.env.ZKGEN_PROPERTY_SEED ?? 20261126);
const RUNS = PROPERTY_RUNS;
const settings = (numRuns = RUNS) => ({ seed: SEED, numRuns, endOnFailure: true });

const FILES = ['e.json', 'zk.yaml', 'conf/zk.yml', 'sp ace.json', 'zk', 'a=b', 'ensemble', 'ü.json', '.hidden'];
const context: ArgsContext = { isFile: (word) => FILES.includes(word), columns: () => 80 };

const fileWord = fc.constantFrom(...FILES, '-');
/** Every kind of word yargs might read in a way of its own. */
const anyWord = fc.oneof(
  fileWord,
  fc.constantFrom('--out', '--check', '--stopped', '--host', '--force', 'init', 'connect-string', 'connect', '--', '-h', '--help', '-v', '--version', 'help', '$0'),
  fc.constantFrom('0', '1', '-1', '1.5', '0x10', '1e3', '.5', '+2', '', ' ', '--out=x', '--out=', '--check=false', '--no-check', '--outt', '-o', '-', '-x1'),
  fc.string({ maxLength: 4 }),
);
/** Mostly the common forms' shapes with any word in a slot. */
const shapeArb = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(fc.tuple(fileWord), fc.tuple(fileWord, fc.constant('--out'), fileWord), fc.tuple(fileWord, fc.constant('--out'), fileWord, fc.constant('--check')), fc.tuple(fileWord, fc.constant('--host'), fileWord)) },
  fc.tuple(anyWord),
  fc.tuple(fileWord, fc.constant('--out'), anyWord),
  fc.tuple(fileWord, fc.constant('--host'), anyWord),
  fc.tuple(anyWord, fc.constant('--out'), fileWord),
  fc.tuple(fileWord, fc.constant('--out'), fileWord, anyWord),
  fc.tuple(fileWord, anyWord, fileWord, fc.constant('--check')),
  fc.tuple(fc.constant('connect-string'), anyWord),
  fc.tuple(anyWord, fileWord),
  fc.array(anyWord, { maxLength: 6 }),
);
/** Now and then a word or two more after the shape. */
const argvArb = fc
  .tuple(shapeArb, fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(anyWord, { minLength: 1, maxLength: 2 }) }))
  .map(([shape, tail]) => [...shape, ...tail]);

describe('the command line', () => {
  it('reads every command line without throwing, a usage mistake in one line', () => {
    let usage = 0;
    fc.assert(
      fc.property(argvArb, (argv) => {
        const command = readArgs(argv, context);
        if (command.run !== 'usage') return;
        usage++;
        expect(command.message, JSON.stringify(argv)).not.toMatch(/\n/);
      }),
      settings(RUNS * 2),
    );
    // A generator of nothing but mistakes (or of none) would hold little.
    expect(usage).toBeGreaterThan(RUNS / 5);
    expect(usage).toBeLessThan(RUNS * 2);
  });

  it('reads the common forms', () => {
    expect(readArgs(['e.json'], context)).toEqual({ run: 'generate', file: 'e.json', out: undefined, check: false, host: undefined, stopped: false });
    expect(readArgs(['-', '--out', 'zk', '--check'], context)).toEqual({ run: 'generate', file: '-', out: 'zk', check: true, host: undefined, stopped: false });
    expect(readArgs(['connect-string', 'e.json'], context)).toEqual({ run: 'connect-string', file: 'e.json' });
    expect(readArgs(['e.json', '--host', 'zk-b.internal'], context)).toEqual({ run: 'generate', file: 'e.json', out: undefined, check: false, host: 'zk-b.internal', stopped: false });
  });

  // yargs reads --check=X as no check for any X but "true": --check=1 would replace DIR.
  it('reads a switch given a value as the switch for true and false, and refuses any other value', () => {
    const read = (argv: string[]) => readArgs(argv, context);
    expect(read(['e.json', '--out', 'zk', '--check=true'])).toMatchObject({ run: 'generate', check: true });
    expect(read(['e.json', '--out', 'zk', '--check=false'])).toMatchObject({ run: 'generate', check: false });
    for (const value of ['1', 'yes', 'on', '0', 'no', 'off', '', 'TRUE']) {
      expect(read(['e.json', '--out', 'zk', `--check=${value}`]), value).toEqual({
        run: 'usage',
        message: `--check=${value}: --check is a switch: give --check alone (--check=true and --check=false are read too)`,
      });
    }
    expect(read(['e.json', '--out', 'zk', '--stopped=1'])).toMatchObject({ run: 'usage', message: '--stopped=1: --stopped is a switch: give --stopped alone (--stopped=true and --stopped=false are read too)' });
    expect(read(['init', '--force=yes'])).toMatchObject({ run: 'usage', message: '--force=yes: --force is a switch: give --force alone (--force=true and --force=false are read too)' });
    expect(read(['e.json', '--no-check=1', '--out', 'zk'])).toMatchObject({ run: 'usage' });
    // After --, a word is no option.
    expect(read(['e.json', '--out', 'zk', '--', '--check=1'])).toEqual({ run: 'usage', message: 'unexpected argument "--check=1" (see zkgen --help)' });
  });

  it('answers usage mistakes with one line naming the mistake', () => {
    const usage = (argv: string[]) => {
      const command = readArgs(argv, context);
      return command.run === 'usage' ? command.message : command;
    };
    expect(usage(['e.json', '--out'])).toBe('--out needs a value: --out DIR (see zkgen --help)');
    expect(usage(['e.json', '--out', 'a', '--out', 'b'])).toBe('--out is given twice: give it once');
    expect(usage(['e.json', '--check'])).toBe('--check compares with a folder: give it with --out DIR');
    expect(usage(['e.json', '--stopped'])).toBe('--stopped says the ensemble of the bundle in DIR is not running: give DIR with --out');
    expect(usage(['e.json', '--outt', 'x'])).toBe('unknown option --outt (did you mean --out?)');
    expect(usage(['e.json', '--outt=x'])).toBe('unknown option --outt (did you mean --out?)');
    expect(usage(['init', '--forse'])).toBe('unknown option --forse (did you mean --force?)');
    expect(usage(['e.json', '-q'])).toBe('unknown option -q (see zkgen --help)');
    expect(usage(['connect', 'e.json'])).toBe('unknown command connect (did you mean connect-string?)');
    expect(usage(['conect-string', 'e.json'])).toBe('unknown command conect-string (did you mean connect-string?)');
    expect(usage(['e.json', 'zk.yaml'])).toBe('unexpected argument "zk.yaml" (see zkgen --help)');
    expect(usage(['e.json', '--', '--out'])).toBe('unexpected argument "--out" (see zkgen --help)');
    expect(usage([])).toBe('no ensemble file given (see zkgen --help)');
    // A file that happens to look like a command is a file: the extra word is what is wrong.
    expect(usage(['ensemble', 'e.json'])).toBe('unexpected argument "e.json" (see zkgen --help)');
  });

  // The CLI (in-process) over a sample of the same command lines: the whole contract, not the
  // reading alone. A usage mistake is exit 2, one line, nothing on stdout, nothing written; nothing at all
  // is a stack trace or an internal error.
  it('keeps the usage contract in the CLI', async () => {
    // The same command lines, most of them with a typical mistake appended.
    const mistake = fc.constantFrom<string[]>([], ['--out'], ['--out', 'a', '--out', 'b'], ['--outt', 'x'], ['x.json'], ['--', 'y'], ['--check'], ['-q'], ['--force']);
    const sample = fc.sample(
      fc.oneof(
        argvArb,
        fc.tuple(argvArb, mistake).map(([argv, extra]) => [...argv, ...extra]),
        mistake.map((extra) => ['connect', 'e.json', ...extra]),
      ),
      { seed: SEED, numRuns: RUNS },
    );
    let usage = 0;
    for (const argv of sample) {
      const dir = tempDir('argv');
      writeFileSync(join(dir, 'e.json'), '{ "image": "zookeeper:3.9.4", "servers": 3 }\n');
      writeFileSync(join(dir, 'zk.yaml'), 'image: zookeeper:3.9.4\nservers: 1\n');
      const result = await runMain(argv, { cwd: dir });
      const why = JSON.stringify(argv);
      expect([0, 1, 2], why).toContain(result.code);
      expect(result.stderr, why).not.toMatch(/internal error|\n\s+at /);
      if (readArgs(argv, { isFile: (w) => ['e.json', 'zk.yaml'].includes(w) }).run !== 'usage') continue;
      usage++;
      expect(result.code, why).toBe(2);
      expect(result.stdout, why).toBe('');
      expect(result.stderr, why).toMatch(/^zkgen: [^\n]+\n$/);
      expect(readdirSync(dir).sort(), why).toEqual(['e.json', 'zk.yaml']);
    }
    // Both kinds must be there: mistakes, and command lines that run.
    expect(usage).toBeGreaterThan(sample.length / 10);
    expect(usage).toBeLessThan(sample.length);
  });
});
