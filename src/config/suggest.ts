/**
 * "Did you mean …?" for config typos: a small edit distance (optimal string
 * alignment, so a swap of two neighbours such as MONTIOR → MONITOR costs 1).
 * Comparison ignores case: `Driver` is one step from nothing, it *is* driver.
 */

/** Edit distance with adjacent transpositions, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const n = s.length;
  const m = t.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // three rolling rows: i-2, i-1, i
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/** How far a word may be from a candidate and still count as a typo of it. */
export function maxDistance(word: string): number {
  if (word.length <= 3) return 1;
  if (word.length <= 8) return 2;
  return 3;
}

/**
 * The closest candidate to `word` within the typo threshold, or undefined.
 * A candidate equal to `word` ignoring case wins at once.
 */
export function closest(word: string, candidates: Iterable<string>, limit = maxDistance(word)): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lw = word.toLowerCase();
  for (const c of candidates) {
    if (c.toLowerCase() === lw) return c;
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** "did you mean X?" for the closest candidate, or undefined. */
export function didYouMean(word: string, candidates: Iterable<string>, limit?: number): string | undefined {
  const c = closest(word, candidates, limit);
  return c === undefined ? undefined : `did you mean ${c}?`;
}
