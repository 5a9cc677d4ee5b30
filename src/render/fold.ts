// The compose file's long lines, folded so that yamllint's default rules (which teams run over
// what they commit) pass: 80 columns. A double-quoted YAML scalar may go on over several lines: a
// backslash just before a line break joins the next line to it without adding anything, and the
// next line's indentation is not part of the value either (YAML 1.1 and 1.2 alike: PyYAML, which
// docker-compose 1.x reads with, and yaml). So the value stays byte for byte what it was; only
// the layout changes. A line is broken inside its last double-quoted scalar, after a space where
// there is one, else between two characters (never inside an escape sequence, never before a
// space, whose place at the start of a line would not count); the rest is indented two more than
// the line. Comments are the template's own, and kept within the width there.

const WIDTH = 80;

export function foldLongLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.length <= WIDTH || line.trimStart().startsWith('#') ? line : foldLine(line)))
    .join('\n');
}

/** The last double-quoted scalar of a line: where its opening and closing quotes are. */
function lastQuoted(line: string): { open: number; close: number } | undefined {
  let found: { open: number; close: number } | undefined;
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== '"') continue;
    let j = i + 1;
    while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
    if (j >= line.length) return found;
    found = { open: i, close: j };
    i = j;
  }
  return found;
}

// One character of the scalar as written: an escape sequence whole, or one code point.
const ATOM = /\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|[^\\]/gsu;

// A plain scalar ending the line (src/quote.ts keeps those to identifier and path characters, so
// it reads the same double-quoted): quoted, it can be folded like any other.
const PLAIN_LAST = /^(.*(?:: |- |\[|, ))([A-Za-z_/][A-Za-z0-9_./-]*)(\]?)$/;

function foldLine(long: string): string {
  const plain = lastQuoted(long) === undefined ? PLAIN_LAST.exec(long) : null;
  const line = plain ? `${plain[1]}"${plain[2]}"${plain[3]}` : long;
  const scalar = lastQuoted(line);
  if (scalar === undefined) return line;
  const indent = ' '.repeat(line.length - line.trimStart().length + 2);
  const atoms = line.slice(scalar.open + 1, scalar.close).match(ATOM) ?? [];
  const tail = line.slice(scalar.close); // the closing quote and what follows it
  const lines: string[] = [];
  let current = line.slice(0, scalar.open + 1);
  // after[k]: the length of atoms[k..] together, so each line asks what is left without joining it.
  const after = new Array<number>(atoms.length + 1).fill(0);
  for (let k = atoms.length - 1; k >= 0; k--) after[k] = (after[k + 1] ?? 0) + (atoms[k]?.length ?? 0);
  let start = 0; // atoms[start..] are not placed yet
  while (start < atoms.length) {
    // Room on this line: the width less the backslash, or less the tail on the last line.
    if (current.length + (after[start] ?? 0) + tail.length <= WIDTH) {
      current += atoms.slice(start).join('');
      break;
    }
    const room = WIDTH - 1 - current.length;
    let length = 0;
    let end = start; // atoms[start..end) fit
    for (let atom = atoms[end]; atom !== undefined && length + atom.length <= room; atom = atoms[end]) {
      length += atom.length;
      end++;
    }
    // Prefer the last space that fits; a break may never put a space first on the next line.
    let cut = end;
    for (let k = end; k > start; k--) {
      if (atoms[k - 1] === ' ' && atoms[k] !== ' ') {
        cut = k;
        break;
      }
    }
    while (cut > start && atoms[cut] === ' ') cut--;
    if (cut === start) {
      // Nothing fits before a break: the first word goes on whole, however long.
      cut = start + 1;
      while (cut < atoms.length && !(atoms[cut - 1] === ' ' && atoms[cut] !== ' ')) cut++;
      if (cut === atoms.length) {
        current += atoms.slice(start).join('');
        break;
      }
    }
    lines.push(`${current}${atoms.slice(start, cut).join('')}\\`);
    current = indent;
    start = cut;
  }
  lines.push(current + tail);
  return lines.join('\n');
}
