// No export exists for tests alone: every value a module of src/ exports is imported by another
// module of src/ (tests go through those same doors), but for main(), which the bin calls. Types
// are left out: a type exported with the function whose signature it is belongs to that function.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const SRC = join(ROOT, 'src');
/** Called from outside src/: the bin (scripts/bundle.mjs writes it) calls main(). */
const ENTRY_POINTS = ['cli.ts#main'];

const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.startsWith('generated'))
  .map((f) => join(SRC, f));

/** The value names a module exports (functions, constants, classes, and names it re-exports). */
function exportsOf(text: string): string[] {
  const declared = [...text.matchAll(/^export (?:async )?(?:function|const|let|class)\s+(\w+)/gm)].map((m) => m[1]!);
  const listed = [...text.matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && !s.startsWith('type '))
      .map((s) => s.split(/\s+as\s+/).at(-1)!),
  );
  return [...declared, ...listed];
}

/** Each module's file → the value names other modules import from it (or re-export). */
function importedNames(): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export) (?!type )\{([^}]*)\} from '(\.[^']+)'/gm)) {
      const target = resolve(dirname(file), m[2]!).replace(/\.js$/, '.ts');
      const names = m[1]!
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '' && !s.startsWith('type '))
        .map((s) => s.split(/\s+as\s+/)[0]!);
      used.set(target, new Set([...(used.get(target) ?? []), ...names]));
    }
  }
  return used;
}

describe('exports of src/', () => {
  it('are each imported by another module of src/ (or are the bin’s main)', () => {
    const used = importedNames();
    const unused = sources.flatMap((file) =>
      exportsOf(readFileSync(file, 'utf8'))
        .map((name) => `${relative(SRC, file)}#${name}`)
        .filter((id) => !ENTRY_POINTS.includes(id) && !used.get(join(SRC, id.split('#')[0]!))?.has(id.split('#')[1]!)),
    );
    expect(unused).toEqual([]);
  });
});
