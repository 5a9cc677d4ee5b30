// JSON pointers (RFC 6901) for problem messages, and the one way any text from the ensemble file
// is echoed in a message: a problem is one line, and nothing from the file reaches a terminal as a
// control or escape sequence.

// C0 and C1 controls and DEL (\p{Cc}), the line and paragraph separators (U+0085 is NEL, among
// the C1s), bidirectional controls that reorder what a reader sees, BOMs and non-characters, and
// lone surrogates (\p{Cs}: with the u flag a surrogate pair is one character, so only a lone one
// matches; no terminal can show it).
const UNSHOWABLE = /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\uffff]|\p{Cs}/gu;

const SHORT: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

/** Text as a message may show it: every character a terminal would act on or hide as a JSON-style escape. */
export function escaped(text: string): string {
  return text.replace(UNSHOWABLE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value from the file, quoted for a message: JSON's string syntax, with nothing unshowable left raw. */
export function quoted(text: string): string {
  return escaped(JSON.stringify(text));
}

export function pointer(...tokens: Array<string | number>): string {
  return tokens.map((t) => '/' + String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** The keys a pointer names, `pointer`'s inverse: none for the whole document. */
export function tokensOf(p: string): string[] {
  return p === '' ? [] : p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The pointer as a person reads it in a message: the whole document is "(root)". */
export function showPointer(p: string): string {
  return p === '' ? '(root)' : escaped(p);
}
