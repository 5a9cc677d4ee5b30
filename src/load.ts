// load: the ensemble file's bytes → a plain JSON value, or problems that say where it went wrong.
// The bytes must be UTF-8 (a leading byte order mark is dropped). JSON is read strictly as JSON,
// with no key given twice; YAML as YAML 1.2 (so `on` and `no` stay strings), one document, no
// repeated keys, and nothing JSON cannot hold: only the core schema's tags, keys that are scalars,
// finite numbers, and aliases that resolve within a bound. Whatever the input, load returns: a
// parser's own failure is a problem with the file, never a crash.
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Alias, type Document, type Node } from 'yaml';
import type { Problem } from './model.js';
import { pointer, quoted, tokensOf } from './pointer.js';

export type Format = 'json' | 'yaml';

/**
 * `partial`, with problems: the value with what could not be read replaced by null, where the rest
 * of the file could be read, so that its other problems are found in the same run.
 */
export type Loaded = { value: unknown; problems?: undefined } | { value?: undefined; problems: Problem[]; partial?: unknown };

/** The format a file name implies; anything not .json is read as YAML, of which JSON is a subset. */
export function formatOf(fileName: string): Format {
  return /\.json$/i.test(fileName) ? 'json' : 'yaml';
}

interface Position {
  line: number;
  column: number;
}

function lineAndColumn(text: string, offset: number): Position {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

/** The first byte that is not part of a well-formed UTF-8 sequence, and its offset, if any. */
function firstInvalidByte(bytes: Uint8Array): { offset: number; byte: number } | undefined {
  let i = 0;
  for (;;) {
    const b = bytes[i];
    if (b === undefined) return undefined; // past the end: every byte was part of a character
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte → number of continuation bytes, and the range the first of them must lie in
    // (which rules out overlong forms, surrogates and code points past U+10FFFF).
    const [count, low, high] =
      b >= 0xc2 && b <= 0xdf ? [1, 0x80, 0xbf]
      : b === 0xe0 ? [2, 0xa0, 0xbf]
      : b === 0xed ? [2, 0x80, 0x9f]
      : b >= 0xe1 && b <= 0xef ? [2, 0x80, 0xbf]
      : b === 0xf0 ? [3, 0x90, 0xbf]
      : b === 0xf4 ? [3, 0x80, 0x8f]
      : b >= 0xf1 && b <= 0xf3 ? [3, 0x80, 0xbf]
      : [0, 0, 0];
    if (count === 0) return { offset: i, byte: b };
    for (let k = 1; k <= count; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return { offset: i, byte: b };
    }
    i += count + 1;
  }
}

/** Bytes → text, refusing what is not UTF-8 rather than reading it as U+FFFD. */
function decode(bytes: Uint8Array): { text: string; problem?: undefined } | { text?: undefined; problem: Problem } {
  const invalid = firstInvalidByte(bytes);
  // The byte order mark is kept: load() drops one, and only one (a TextDecoder would drop it first).
  if (invalid === undefined) return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
  const bad = invalid.offset;
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
  const hex = invalid.byte.toString(16).toUpperCase().padStart(2, '0');
  return {
    problem: {
      pointer: '',
      message: `not valid UTF-8: byte 0x${hex} at byte offset ${bad} is not part of a UTF-8 character; save the file as UTF-8`,
      position: lineAndColumn(before, before.length),
    },
  };
}

const WHITESPACE = ' \t\n\r';

/**
 * Keys given twice in one JSON object. JSON.parse keeps the last silently, other readers the
 * first: like YAML, zkgen refuses both. Runs on text JSON.parse has accepted, without recursion,
 * so nesting depth cannot overflow the stack.
 */
function repeatedJsonKeys(text: string): Problem[] {
  const problems: Problem[] = [];
  const open: Array<{ path: string; keys?: Set<string>; index: number }> = [];
  let next = ''; // the pointer of the value that comes next
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '{' || c === '[') {
      open.push({ path: next, index: 0, ...(c === '{' && { keys: new Set<string>() }) });
      if (c === '[') next = `${next}/0`;
      i++;
    } else if (c === '}' || c === ']') {
      open.pop();
      i++;
    } else if (c === ',') {
      // JSON.parse accepted the text: a comma outside a string is always inside an object or array.
      const top = open.at(-1);
      if (top === undefined) throw new Error(`a comma outside any object or array at offset ${i}, in JSON that parsed`);
      top.index++;
      if (!top.keys) next = `${top.path}/${top.index}`;
      i++;
    } else if (c === '"') {
      const start = i++;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      let after = i;
      while (after < text.length && WHITESPACE.includes(text.charAt(after))) after++;
      const top = open.at(-1);
      if (top?.keys && text[after] === ':') {
        const key = JSON.parse(text.slice(start, i)) as string;
        next = top.path + pointer(key);
        if (top.keys.has(key)) {
          problems.push({ pointer: next, message: `key ${quoted(key)} is given twice: JSON readers differ on which one counts`, position: lineAndColumn(text, start) });
        }
        top.keys.add(key);
        i = after + 1;
      }
    } else {
      i++;
    }
  }
  return problems;
}

function loadJson(text: string): Loaded {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the whole input after the first line; keep the sentence only.
    const raw = (error as Error).message;
    const sentence = raw.replace(/, ".*$/s, '').replace(/ in JSON at position \d+.*$/s, '');
    const at = /at position (\d+)/.exec(raw);
    const where = at ? lineAndColumn(text, Number(at[1])) : undefined;
    return { problems: [{ pointer: '', message: `not valid JSON: ${sentence}`, ...(where && { position: where }) }] };
  }
  const repeated = repeatedJsonKeys(text);
  return repeated.length > 0 ? { problems: repeated, partial: value } : { value };
}

// The YAML 1.2 core schema's tags: exactly what JSON can hold. `!!omap`, `!!set`, `!!binary`,
// `!!timestamp` and custom tags would become Maps, Sets, bytes or dates that the schema cannot see.
const CORE_TAGS = new Set(['map', 'seq', 'str', 'int', 'float', 'bool', 'null'].map((t) => `tag:yaml.org,2002:${t}`));
// Aliases may repeat a value, within reason: a few anchors can otherwise expand into gigabytes.
const MAX_ALIASES = 100;

/** What JSON cannot hold in a YAML document's nodes, each at its pointer and place. */
function nodesOutsideCoreSchema(doc: Document, at: (offset: number) => Position): Problem[] {
  const problems: Problem[] = [];
  const where = (node: { range?: [number, number, number] | null }) => (node.range ? { position: at(node.range[0]) } : {});
  const pending: Array<{ node: unknown; path: string }> = [{ node: doc.contents, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, path } = next;
    if (node === null || node === undefined || isAlias(node)) continue;
    const n = node as Node;
    if (n.tag !== undefined && !CORE_TAGS.has(n.tag)) {
      problems.push({ pointer: path, message: `the tag ${quoted(n.tag.replace(/^tag:yaml\.org,2002:/, '!!'))} makes a value JSON cannot hold: write plain mappings, lists and scalars`, ...where(n) });
      continue;
    }
    if (isMap(n)) {
      for (const pair of n.items) {
        if (!isScalar(pair.key)) {
          problems.push({ pointer: path, message: 'a key must be a scalar, not a list, mapping or alias', ...where(pair.key as Node) });
          continue;
        }
        pending.push({ node: pair.value, path: path + pointer(keyText(pair.key.value)) });
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, index) => pending.push({ node: item, path: `${path}/${index}` }));
    } else if (isScalar(n) && typeof n.value === 'number' && !Number.isFinite(n.value)) {
      problems.push({ pointer: path, message: `${quoted(String(n.source ?? n.value))} is not a number JSON can hold`, ...where(n) });
    }
  }
  return problems.reverse();
}

/**
 * A scalar key as its pointer names it. With only the core schema's tags a key's value is a string,
 * number, boolean or null (which names the empty key, as no value does).
 */
function keyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return '';
}

function loadYaml(text: string): Loaded {
  const at = (offset: number) => lineAndColumn(text, offset);
  // logLevel silent: the library would otherwise print warnings (collection keys) to the process.
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true, version: '1.2', logLevel: 'silent' });
  const [doc, second] = docs;
  if (doc === undefined) return { problems: [{ pointer: '', message: 'the file is empty: it must hold an ensemble object' }] };
  if (second !== undefined) {
    return { problems: [{ pointer: '', message: `not valid YAML: the file holds ${docs.length} documents; an ensemble file is one`, position: at(second.range[0]) }] };
  }
  // A %YAML 1.1 directive would bring back what 1.2 leaves out: `on` as true, dates, base 60.
  if (doc.directives.yaml.explicit && doc.directives.yaml.version !== '1.2') {
    return { problems: [{ pointer: '', message: `not valid YAML: zkgen reads YAML 1.2, not ${doc.directives.yaml.version}: remove the %YAML directive`, position: { line: 1, column: 1 } }] };
  }
  const found = [...doc.errors, ...doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')];
  if (found.length > 0) {
    return {
      problems: found.map((e) => {
        const p = e.linePos?.[0];
        return {
          pointer: '',
          message: `not valid YAML: ${e.message.includes('call stack') ? 'nested too deeply' : e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '')}`,
          ...(p && { position: { line: p.line, column: p.col } }),
        };
      }),
    };
  }
  const outsideCoreSchema = nodesOutsideCoreSchema(doc, at);
  if (outsideCoreSchema.length > 0) return { problems: outsideCoreSchema, ...partialOf(() => doc.toJS({ maxAliasCount: MAX_ALIASES }), outsideCoreSchema) };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('Unresolved alias')) {
      const alias = firstAlias(doc, (a) => a.resolve(doc) === undefined);
      return {
        problems: [
          {
            pointer: '',
            message: `not valid YAML: the alias ${quoted(`*${alias?.source ?? ''}`)} names no anchor set before it`,
            ...(alias?.range && { position: at(alias.range[0]) }),
          },
        ],
      };
    }
    if (message.includes('alias count')) {
      const alias = firstAlias(doc, () => true);
      return {
        problems: [
          { pointer: '', message: `not valid YAML: aliases expand past ${MAX_ALIASES} references: write the values out`, ...(alias?.range && { position: at(alias.range[0]) }) },
        ],
      };
    }
    return { problems: [{ pointer: '', message: `not valid YAML: ${message}` }] };
  }
  // The tree was checked; the value is checked again, so that nothing but JSON data ever leaves load.
  const notJsonData = valuesJsonCannotHold(value);
  return notJsonData.length > 0 ? { problems: notJsonData, ...partialOf(() => value, notJsonData) } : { value };
}

/**
 * The value with null where each problem is, when none is the whole file and what is left is JSON
 * data; or nothing. (null is no value the ensemble file takes anywhere: each place is then a schema
 * error at the problem's own pointer, which the caller leaves out.)
 */
function partialOf(read: () => unknown, problems: readonly Problem[]): { partial?: unknown } {
  if (problems.some((p) => p.pointer === '')) return {};
  let value: unknown;
  try {
    value = read();
  } catch {
    return {};
  }
  for (const { pointer: at } of problems) {
    const keys = tokensOf(at);
    const last = keys.pop();
    let holder: unknown = value;
    for (const key of keys) holder = typeof holder === 'object' && holder !== null ? (holder as Record<string, unknown>)[key] : undefined;
    if (last === undefined || typeof holder !== 'object' || holder === null) return {};
    (holder as Record<string, unknown>)[last] = null;
  }
  return valuesJsonCannotHold(value).length === 0 ? { partial: value } : {};
}

/** Values JSON cannot hold (a Map, Set, Date, bytes, a non-finite number), each at its pointer. */
function valuesJsonCannotHold(value: unknown): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<object>();
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: v, path } = next;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number' && Number.isFinite(v)) continue;
    const prototype: unknown = typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
    if (typeof v === 'object' && (Array.isArray(v) || prototype === Object.prototype || prototype === null)) {
      if (seen.has(v)) continue; // an alias: already looked at
      seen.add(v);
      if (Array.isArray(v)) v.forEach((item, index) => pending.push({ value: item, path: `${path}/${index}` }));
      else for (const [k, item] of Object.entries(v)) pending.push({ value: item, path: path + pointer(k) });
      continue;
    }
    const what = typeof v === 'object' ? constructorName(v) : typeof v;
    problems.push({ pointer: path, message: `a value of type ${quoted(what)} is not JSON data: write plain mappings, lists and scalars` });
  }
  return problems.reverse();
}

/** The name of what made `value` (Map, Set, Date, Uint8Array), or "object" when nothing says. */
function constructorName(value: object): string {
  // Read as unknown: an object with no ordinary prototype may have no constructor at all.
  const made: unknown = Reflect.get(value, 'constructor');
  return typeof made === 'function' ? made.name : 'object';
}

/** The first alias in the text for which `wanted` holds. */
function firstAlias(doc: Document, wanted: (alias: Alias) => boolean): Alias | undefined {
  const pending: unknown[] = [doc.contents];
  let first: Alias | undefined;
  while (pending.length > 0) {
    const node = pending.pop();
    if (isAlias(node)) {
      if (wanted(node) && (!first || (node.range?.[0] ?? 0) < (first.range?.[0] ?? 0))) first = node;
    } else if (isMap(node)) {
      for (const pair of node.items) pending.push(pair.key, pair.value);
    } else if (isSeq(node)) {
      pending.push(...node.items);
    }
  }
  return first;
}

/** Bytes (or text already decoded) in the given format → a plain JSON value, or its problems. */
export function load(input: string | Uint8Array, format: Format): Loaded {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const decoded = decode(input);
    if (decoded.problem) return { problems: [decoded.problem] };
    text = decoded.text;
  }
  // A byte order mark says nothing to a JSON or YAML reader: editors on some systems add one.
  if (text.startsWith('\ufeff')) text = text.slice(1);
  if (text.trim() === '') return { problems: [{ pointer: '', message: 'the file is empty: it must hold an ensemble object' }] };
  try {
    return format === 'json' ? loadJson(text) : loadYaml(text);
  } catch (error) {
    // A parser's own limit (a stack overflow on deep nesting, say) is still a problem with the file.
    const why = error instanceof RangeError ? 'nested too deeply' : (error as Error).message;
    return { problems: [{ pointer: '', message: `not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${why}` }] };
  }
}
