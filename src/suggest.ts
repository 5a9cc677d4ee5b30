// "Did you mean": the one way zkgen guesses what a mistyped name was meant to be, for ensemble
// keys (src/validate/schema.ts) and for the command line's options and commands (src/args.ts).

/** The known name one or two edits away from `word` (letter case aside), if there is one. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  // A name one or two edits away from a known one is almost always that name mistyped.
  // Edit distance (Levenshtein), one row at a time: in the row for a's first i letters, the entry
  // at j is the distance to b's first j letters.
  const distance = (a: string, b: string): number => {
    let above = Array.from({ length: b.length + 1 }, (_, j) => j);
    let last = b.length;
    for (let i = 1; i <= a.length; i++) {
      const letter = a.charAt(i - 1).toLowerCase();
      const row = [i];
      let diagonal = i - 1;
      let left = i;
      for (const [k, up] of above.slice(1).entries()) {
        left = Math.min(up + 1, left + 1, diagonal + (letter === b.charAt(k).toLowerCase() ? 0 : 1));
        row.push(left);
        diagonal = up;
      }
      above = row;
      last = left;
    }
    return last;
  };
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}
