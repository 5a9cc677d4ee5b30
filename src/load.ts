// load: the ensemble file's text → a plain value. JSON is read strictly as JSON; YAML as YAML 1.2
// (so `on` and `no` stay strings), one document, no repeated keys.
import { parseDocument } from 'yaml';
import type { Problem } from './model.js';

export type Format = 'json' | 'yaml';

export type Loaded = { value: unknown; problems?: undefined } | { value?: undefined; problems: Problem[] };

/** The format a file name implies; anything not .json is read as YAML, of which JSON is a subset. */
export function formatOf(fileName: string): Format {
  return /\.json$/i.test(fileName) ? 'json' : 'yaml';
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

export function load(text: string, format: Format): Loaded {
  if (text.trim() === '') return { problems: [{ pointer: '', message: 'the file is empty: it must hold an ensemble object' }] };
  if (format === 'json') {
    try {
      return { value: JSON.parse(text) };
    } catch (error) {
      // V8's message quotes the whole input after the first line; keep the sentence only.
      const raw = (error as Error).message;
      const sentence = raw.replace(/, ".*$/s, '').replace(/ in JSON at position \d+.*$/s, '');
      const at = /at position (\d+)/.exec(raw);
      const where = at ? lineAndColumn(text, Number(at[1])) : undefined;
      return { problems: [{ pointer: '', message: `not valid JSON: ${sentence}`, ...(where && { position: where }) }] };
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, version: '1.2' });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return {
          pointer: '',
          message: `not valid YAML: ${e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '')}`,
          ...(at && { position: { line: at.line, column: at.col } }),
        };
      }),
    };
  }
  return { value: doc.toJS() };
}
