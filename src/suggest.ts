// "Did you mean": the one way zkgen guesses what a mistyped name was meant to be, for ensemble
// keys (src/validate/schema.ts) and for the command line's options and commands (src/args.ts).

/** The known name one or two edits away from `word` (letter case aside), if there is one. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  // A name one or two edits away from a known one is almost always that name mistyped.
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length]!;
  };
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}
