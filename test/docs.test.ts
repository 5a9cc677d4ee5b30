// What the documentation promises that a test can hold: docs/ensemble-file.md is what
// scripts/docs-ensemble.mjs makes from the schema's descriptions; every ensemble example (a fenced
// json or yaml block) in README.md, CONTRIBUTING.md and docs/*.md is one zkgen accepts, or, marked
// `invalid`, one it refuses; a `text stderr` block after an example is exactly what zkgen reports
// for it; and every relative link between these pages leads to a file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, parse, type Problem } from '../src/index.js';
import { showPointer } from '../src/pointer.js';
import { ROOT } from './helpers.js';
// @ts-expect-error: a build script in plain JavaScript, without declarations.
import { ensembleFilePage, PAGE_PATH, SCHEMA_PATH } from '../scripts/docs-ensemble.mjs';

const PAGES = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Block {
  readonly page: string;
  readonly line: number;
  readonly language: string;
  readonly flags: readonly string[];
  readonly text: string;
}

/** The fenced code blocks of a Markdown page, in order (indented ones, inside list items, too). */
function blocksOf(page: string): Block[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(?!`)(\S*)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!;
    const end = lines.findIndex((l, j) => j > i && l === `${indent}\`\`\``);
    if (end === -1) throw new Error(`${page}:${i + 1}: a fenced block that never closes`);
    const text = lines.slice(i + 1, end).map((l) => l.slice(indent.length)).join('\n');
    blocks.push({ page, line: i + 1, language: open[2]!, flags: open[3]!.trim().split(/\s+/).filter(Boolean), text: `${text}\n` });
    i = end;
  }
  return blocks;
}

const blocks = PAGES.flatMap(blocksOf);
const examples = blocks
  .map((block, i) => ({ block, stderr: blocks[i + 1]?.language === 'text' && blocks[i + 1]?.flags.includes('stderr') && blocks[i + 1]?.page === block.page ? blocks[i + 1] : undefined }))
  .filter(({ block }) => block.language === 'json' || block.language === 'yaml');

/** What zkgen reports for a file of this name, as the CLI prints it (without the file name). */
const lineOf = (p: Problem, kind: string) => `${showPointer(p.pointer)}: ${kind}${p.message}`;

function outcomeOf(block: Block): { ok: boolean; lines: string[] } {
  const parsed = parse(block.text, block.language === 'json' ? 'json' : 'yaml');
  if (!parsed.ok) return { ok: false, lines: parsed.errors.map((p) => lineOf(p, '')) };
  const generated = generate(parsed.value);
  const warnings = generated.warnings.map((p) => lineOf(p, 'warning: '));
  return generated.ok ? { ok: true, lines: warnings } : { ok: false, lines: [...warnings, ...generated.errors.map((p) => lineOf(p, ''))] };
}

describe('docs/ensemble-file.md', () => {
  it('is what scripts/docs-ensemble.mjs makes from the schema (npm run docs)', () => {
    const page = (ensembleFilePage as (schema: unknown) => string)(JSON.parse(readFileSync(SCHEMA_PATH as string, 'utf8')));
    expect(readFileSync(PAGE_PATH as string, 'utf8')).toBe(page);
  });

  it('describes every key of the schema', () => {
    const page = readFileSync(PAGE_PATH as string, 'utf8');
    const schema = JSON.parse(readFileSync(SCHEMA_PATH as string, 'utf8')) as { properties: Record<string, { description?: string }> };
    for (const [key, node] of Object.entries(schema.properties)) {
      if (key === '$schema') continue;
      expect(node.description, key).toBeTruthy();
      expect(page).toContain(`## \`${key}\``);
    }
  });
});

describe('the ensemble examples in the documentation', () => {
  it('are found (the extraction itself works)', () => {
    expect(examples.length).toBeGreaterThan(10);
    expect(examples.some(({ block }) => block.flags.includes('invalid'))).toBe(true);
    expect(examples.some(({ block }) => block.language === 'yaml')).toBe(true);
  });

  it.each(examples.map((e) => [`${e.block.page}:${e.block.line}${e.block.flags.length ? ` (${e.block.flags.join(' ')})` : ''}`, e] as const))(
    '%s',
    (_, { block, stderr }) => {
      const outcome = outcomeOf(block);
      expect(outcome.ok, outcome.lines.join('\n')).toBe(!block.flags.includes('invalid'));
      if (stderr !== undefined) {
        const file = block.language === 'json' ? 'ensemble.json' : 'ensemble.yaml';
        expect(outcome.lines.map((l) => `${file}: ${l}`).join('\n')).toBe(stderr.text.trimEnd());
      }
    },
  );
});

describe('links between the pages', () => {
  it.each(PAGES)('%s links only to files that exist', (page) => {
    const text = readFileSync(join(ROOT, page), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
    const missing = targets.filter((t) => !existsSync(join(ROOT, dirname(page), t)));
    expect(missing).toEqual([]);
  });
});
