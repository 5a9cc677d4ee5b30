// What the documentation promises that a test can hold: docs/ensemble-file.md is what
// scripts/docs-ensemble.mjs makes from the schema's descriptions; every ensemble example (a fenced
// json or yaml block) in README.md, CONTRIBUTING.md and docs/*.md is one zkgen accepts, or, marked
// `invalid`, one it refuses (marked `move`, it is written over the bundle of the example before
// it, and comes with reconfigure.sh); a `text stderr` block after an example is exactly what zkgen reports
// for it; every relative link between these pages leads to a file; and the command lines README
// and docs/command-line.md show run as written.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, parse, parseRecord, RECORD, type BundleRecord, type Problem } from '../src/index.js';
import { showPointer } from '../src/pointer.js';
import { ROOT, runMain, tempDir } from './helpers.js';
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
const isEnsemble = (block: Block | undefined) => block?.language === 'json' || block?.language === 'yaml';
const examples = blocks
  .map((block, i) => ({
    block,
    stderr: blocks[i + 1]?.language === 'text' && blocks[i + 1]?.flags.includes('stderr') && blocks[i + 1]?.page === block.page ? blocks[i + 1] : undefined,
    previous: blocks.slice(0, i).reverse().find((b) => b.page === block.page && isEnsemble(b) && !b.flags.includes('invalid')),
  }))
  .filter(({ block }) => isEnsemble(block));

/** What zkgen reports for a file of this name, as the CLI prints it (without the file name). */
const lineOf = (p: Problem, kind: string) => `${showPointer(p.pointer)}: ${kind}${p.message}`;

function valueOf(block: Block): unknown {
  const parsed = parse(block.text, block.language === 'json' ? 'json' : 'yaml');
  if (!parsed.ok) throw new Error(`${block.page}:${block.line}: ${parsed.errors.map((p) => lineOf(p, '')).join('; ')}`);
  return parsed.value;
}

/**
 * What zkgen makes of an example: a `move` is written over the bundle of the example before it on
 * its page (its running ensemble), and must come with reconfigure.sh unless it is refused.
 */
function outcomeOf(block: Block, previous: Block | undefined): { ok: boolean; lines: string[] } {
  const parsed = parse(block.text, block.language === 'json' ? 'json' : 'yaml');
  if (!parsed.ok) return { ok: false, lines: parsed.errors.map((p) => lineOf(p, '')) };
  let running: BundleRecord | undefined;
  if (block.flags.includes('move')) {
    if (previous === undefined) throw new Error(`${block.page}:${block.line}: a move needs an example before it on its page`);
    const before = generate(valueOf(previous));
    if (!before.ok) throw new Error(`${previous.page}:${previous.line}: the ensemble a move starts from is invalid`);
    const record = parseRecord(before.files.find((f) => f.path === RECORD)?.content ?? '');
    if (!record.ok) throw new Error(`${previous.page}:${previous.line}: its bundle's record ${record.problem}`);
    running = record.record;
  }
  const generated = generate(parsed.value, running && { running });
  const warnings = generated.warnings.map((p) => lineOf(p, 'warning: '));
  if (!generated.ok) return { ok: false, lines: [...warnings, ...generated.errors.map((p) => lineOf(p, ''))] };
  if (running && !generated.files.some((f) => f.path === 'reconfigure.sh')) return { ok: false, lines: [...warnings, 'no reconfigure.sh: not a move'] };
  return { ok: true, lines: warnings };
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
    expect(examples.some(({ block }) => block.flags.includes('move'))).toBe(true);
  });

  it.each(examples.map((e) => [`${e.block.page}:${e.block.line}${e.block.flags.length ? ` (${e.block.flags.join(' ')})` : ''}`, e] as const))(
    '%s',
    (_, { block, stderr, previous }) => {
      const outcome = outcomeOf(block, previous);
      expect(outcome.ok, outcome.lines.join('\n')).toBe(!block.flags.includes('invalid'));
      if (stderr !== undefined) {
        const file = block.language === 'json' ? 'ensemble.json' : 'ensemble.yaml';
        expect(outcome.lines.map((l) => `${file}: ${l}`).join('\n')).toBe(stderr.text.trimEnd());
      }
    },
  );
});

describe('README.md', () => {
  it('stays under 200 lines, a page a newcomer finishes (details go to docs/, maintainers\' matters to CONTRIBUTING.md)', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThan(200);
  });

  it('links every page of docs/', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const page of PAGES.filter((p) => p.startsWith('docs/'))) expect(readme).toContain(`](${page})`);
  });
});

/** GitHub's anchors for the headings of a Markdown page (outside fenced blocks). */
function anchorsOf(path: string): Set<string> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of lines) {
    if (/^ *```/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.+)$/.exec(line);
    if (heading) anchors.add(heading[1]!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  }
  return anchors;
}

describe('links between the pages', () => {
  it.each(PAGES)('%s links only to files and headings that exist', (page) => {
    const text = readFileSync(join(ROOT, page), 'utf8');
    const links = [...text.matchAll(/\]\(([^)#\s]*)(?:#([^)\s]*))?\)/g)].map((m) => ({ file: m[1]!, anchor: m[2] })).filter((l) => !/^[a-z]+:/.test(l.file));
    const broken = links.filter(({ file, anchor }) => {
      const target = file === '' ? join(ROOT, page) : join(ROOT, dirname(page), file);
      if (!existsSync(target)) return true;
      return anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor);
    });
    expect(broken).toEqual([]);
  });
});

/** The lines of the first `sh` block under a heading of a page. */
function shLinesUnder(page: string, heading: string): string[] {
  const block = blocks.find((b) => b.page === page && b.language === 'sh' && b.line > headingLine(page, heading));
  if (block === undefined) throw new Error(`${page}: no sh block under ${heading}`);
  return block.text.trim().split('\n');
}

function headingLine(page: string, heading: string): number {
  const index = readFileSync(join(ROOT, page), 'utf8').split('\n').indexOf(heading);
  if (index === -1) throw new Error(`${page}: no heading ${heading}`);
  return index + 1;
}

/** A line `command args  # comment` as its words, what it redirects stdout to, and its comment. */
function commandOf(line: string): { words: string[]; redirect?: string; comment: string } {
  const [command, comment = ''] = line.split(/\s+# /) as [string, string?];
  const [words, redirect] = command.trim().split(/\s*>\s*/) as [string, string | undefined];
  return { words: words.split(/\s+/), ...(redirect !== undefined && { redirect }), comment };
}

const WROTE = 'wrote ensemble.json: run zkgen ensemble.json --out DIR\n';

describe('the command lines the documentation shows', () => {
  it('docs/command-line.md: run as written, in order, in an empty folder, and print what their comments say', async () => {
    const lines = shLinesUnder('docs/command-line.md', '## Printing and writing');
    const dir = tempDir('docs');
    expect(await runMain(['init'], { cwd: dir })).toMatchObject({ code: 0, stderr: WROTE });
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      const { words: [name, ...args], redirect, comment } = commandOf(line);
      expect(name).toBe('zkgen');
      const result = await runMain(args, { cwd: dir });
      expect(result, line).toMatchObject({ code: 0, stderr: '' });
      if (redirect) writeFileSync(join(dir, redirect), result.stdout);
      if (args[0] === 'connect-string') expect(result.stdout.trim()).toBe(comment.trim());
    }
  });

  it("README's walk-through is five commands: zkgen's run as written, and the scripts it names are in the bundle", async () => {
    const lines = shLinesUnder('README.md', '## Five commands: from nothing to a tested ensemble');
    expect(lines).toHaveLength(5);
    const dir = tempDir('docs');
    for (const line of lines) {
      const { words, comment } = commandOf(line);
      if (words[0] === 'npx') {
        expect(words[1]).toBe('zkgen');
        const result = await runMain(words.slice(2), { cwd: dir });
        expect(result, line).toMatchObject({ code: 0, stderr: words[2] === 'init' ? WROTE : '' });
        if (words[2] === 'init') expect(comment).toContain((JSON.parse(readFileSync(join(dir, 'ensemble.json'), 'utf8')) as { image: string }).image);
      } else {
        const script = join(dir, words[0]!);
        expect(statSync(script).mode & 0o111, line).not.toBe(0);
      }
    }
  });

  it("README's quick start installs and runs zkgen on the shipped example, then runs the tests CI runs", async () => {
    const lines = shLinesUnder('README.md', '## Quick start, from a clone of this repository');
    expect(lines).toHaveLength(2);
    const [install, example] = commandOf(lines[0]!).words.join(' ').split(' && ') as [string, string];
    expect(install).toBe('npm ci');
    const [npx, zkgen, ...args] = example.split(' ');
    expect([npx, zkgen]).toEqual(['npx', 'zkgen']);
    expect(await runMain(args)).toMatchObject({ code: 0, stdout: readFileSync(join(ROOT, 'generated/tutorial/docker-compose.yml'), 'utf8') });
    expect(commandOf(lines[1]!).words).toEqual(['npm', 'test']);
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8').trim().split('\n');
    expect(ci.at(-1)).toBe('npm test');
  });
});
