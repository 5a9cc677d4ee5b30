// Folding the compose file's long lines changes its layout, never a value: over random values
// (spaces, escapes, any code point), the folded line reads the same as the long one to yaml and to
// PyYAML (docker-compose 1.x's reader), and fits in 80 columns.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { foldLongLines } from '../src/render/fold.js';
import { QUOTING_HELPERS } from '../src/quote.js';
import { hasCommand, PROPERTY_RUNS } from './helpers.js';

// The yaml helper as templates call it.
const { yaml } = QUOTING_HELPERS;

const SEED = Number(process.env.ZKGEN_PROPERTY_SEED ?? 20261126);
const RUNS = PROPERTY_RUNS;

const word = fc.oneof(
  fc.stringMatching(/^[a-z0-9.=:;/-]{1,12}$/),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('"', '\\', '$', '\n', '\t', 'é', '😀', '   ', 'x'.repeat(90), 'y'.repeat(90)),
  // Words too long for a line, so broken inside: never inside an escape or a surrogate pair.
  fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u0001', 'é', '😀'), minLength: 20, maxLength: 120 }),
);
// U+0085, U+2028 and U+2029 are line breaks to PyYAML even inside a quoted scalar: keeping them out
// of a compose file is src/quote.ts's job, before any folding, so they are left out here.
const valueArb = fc
  .array(word, { minLength: 1, maxLength: 30 })
  .map((words) => words.join(' '))
  .filter((v) => !/[\u0085\u2028\u2029]/.test(v));
const lineArb = fc.record({
  indent: fc.constantFrom('', '  ', '      '),
  key: fc.constantFrom('ZOO_SERVERS', 'image', 'ZOO_CFG_EXTRA', 'x'),
  value: valueArb,
  flow: fc.boolean(),
});

// The line as the template writes it: a mapping value, or the last item of a flow sequence.
const render = ({ indent, key, value, flow }: { indent: string; key: string; value: string; flow: boolean }) =>
  `${indent}${key}: ${flow ? `[CMD, ${yaml(value)}]` : yaml(value)}\n`;

describe('folding long compose lines', () => {
  const cases = fc.sample(lineArb, { seed: SEED, numRuns: RUNS * 2 });

  it('keeps every value for yaml, and every line within the width', () => {
    let folded = 0;
    for (const c of cases) {
      const line = render(c);
      const text = foldLongLines(line);
      if (text !== line) folded++;
      expect(parseYaml(text), text).toEqual(parseYaml(line));
      for (const l of text.split('\n')) expect(l.length, text).toBeLessThanOrEqual(80);
    }
    expect(folded).toBeGreaterThanOrEqual(cases.length / 3);
  });

  it.runIf(hasCommand('python3') && spawnSync('python3', ['-c', 'import yaml']).status === 0)('keeps every value for PyYAML', () => {
    const texts = cases.map((c) => foldLongLines(render(c)));
    const read = spawnSync('python3', ['-c', 'import json, sys, yaml\nprint(json.dumps([yaml.safe_load(t) for t in json.load(sys.stdin)]))'], {
      input: JSON.stringify(texts),
      encoding: 'utf8',
    });
    expect(read.stderr).toBe('');
    expect(JSON.parse(read.stdout)).toEqual(cases.map((c): unknown => parseYaml(render(c))));
  });

  it('breaks after a space where it can, and leaves short lines and comments alone', () => {
    const long = `  ZOO_SERVERS: ${yaml(Array.from({ length: 6 }, (_, i) => `server.${i + 1}=localhost:${2888 + i}:${3888 + i};${2181 + i}`).join(' '))}`;
    expect(foldLongLines(long)).toBe(
      [
        '  ZOO_SERVERS: "server.1=localhost:2888:3888;2181 \\',
        '    server.2=localhost:2889:3889;2182 server.3=localhost:2890:3890;2183 \\',
        '    server.4=localhost:2891:3891;2184 server.5=localhost:2892:3892;2185 \\',
        '    server.6=localhost:2893:3893;2186"',
      ].join('\n'),
    );
    const comment = `# ${'word '.repeat(30)}`;
    expect(foldLongLines(comment)).toBe(comment);
    expect(foldLongLines('a: "short"\n')).toBe('a: "short"\n');
  });
});
