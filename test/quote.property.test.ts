// No value may mean one thing to a YAML reader and another to bash: random strings, from an
// alphabet weighted towards what YAML 1.1 and 1.2 readers and shells treat specially, are quoted
// for the compose file and for run.sh, and what PyYAML (docker-compose 1.x's reader) and bash read
// back must be the string itself. Sized like the other property tests (ZKGEN_PROPERTY_RUNS): quoting
// is cheap, so each run draws 15 strings, read back in batches of 200, one python3 and one bash
// process a batch.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUOTING_HELPERS, sh } from '../src/quote.js';
import { PROPERTY_RUNS, tempDir } from './helpers.js';

// The yaml helper as templates call it.
const { yaml } = QUOTING_HELPERS;

const SEED = Number(process.env.ZKGEN_PROPERTY_SEED ?? 20261126);
const STRINGS = PROPERTY_RUNS * 15;
const BATCH = 200;
const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;

// Line and paragraph separators, C0 (but NUL, which no bash string holds) and C1 controls, DEL,
// bidi controls, BOMs, non-characters, quotes, YAML indicators and shell metacharacters, letters
// of other scripts and astral characters. The runs are taken one code point at a time, on purpose:
// a lone control, mark or separator is the point.
const SPECIAL = [
  ...Array.from('\u0085\u2028\u2029\u000b\u000c\r\n\t\u001b\u0001\u007f\u0080\u009f\u00a0\u200e\u202e\u2066\ufeff\ufffe\uffff'),
  ...Array.from(`'"\\$\`!*?~#&;|<>(){}[]%=,:@^-+. /`),
  'é', 'ß', 'ж', '中', '😀', '\u{10ffff}', 'yes', 'No', 'null', '~', '0x1F', '1e3', '2888:3888', '<<', '---', '...', '*a', '&a', '!tag', '%YAML',
];
const textArb = fc.array(fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ unit: 'grapheme', maxLength: 3 })), { maxLength: 12 }).map((parts) => parts.join(''));

describe('quoting for YAML and for bash', () => {
  it.runIf(hasPyYaml)('reads back as the same string in PyYAML and in bash', () => {
    const dir = tempDir('quote-property');
    const drawn = fc.sample(textArb, { seed: SEED, numRuns: STRINGS });
    const batches = Array.from({ length: Math.ceil(drawn.length / BATCH) }, (_, i) => drawn.slice(i * BATCH, (i + 1) * BATCH));
    for (const values of batches) {
      // Compose reads `$$` as `$`: the YAML side is compared after that step.
      writeFileSync(join(dir, 'values.yml'), values.map((v) => `- ${yaml(v)}\n`).join(''));
      const read = spawnSync('python3', ['-c', 'import json, sys, yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1], encoding="utf-8")) or []))', join(dir, 'values.yml')], {
        encoding: 'utf8',
      });
      expect(read.stderr).toBe('');
      const fromYaml = (JSON.parse(read.stdout) as unknown[]).map((v) => String(v).replace(/\$\$/g, '$'));
      writeFileSync(join(dir, 'values.sh'), values.map((v) => `printf '%s\\0' ${sh(v)}\n`).join(''));
      const fromBash = spawnSync('bash', [join(dir, 'values.sh')], { encoding: 'utf8' }).stdout.split('\0').slice(0, -1);
      for (const [i, value] of values.entries()) {
        expect({ value, yaml: fromYaml[i] }).toEqual({ value, yaml: value });
        expect({ value, bash: fromBash[i] }).toEqual({ value, bash: value });
      }
    }
  });
});
