// JSON pointers (RFC 6901) for problem messages.

export function pointer(...tokens: Array<string | number>): string {
  return tokens.map((t) => '/' + String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** The pointer as a person reads it in a message: the whole document is "(root)". */
export function showPointer(p: string): string {
  return p === '' ? '(root)' : p;
}
