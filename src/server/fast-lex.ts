/**
 * A fast path for the usual request chunk: whole lines of plain words.
 * When a chunk ends with LF and holds only printable ASCII without the
 * lexer's special characters (`"`, `#`, `=`, `\`) plus blanks and LF, NUT's
 * lexer reduces to "split on blanks"; this does that with one string
 * conversion per chunk instead of a per-byte state machine. Anything else
 * returns false and the caller uses the shared StreamLexer, so results are
 * identical (test/server/fast-lex.test.ts checks it against the lexer).
 */
import { MAX_WORDS, MAX_WORD_LEN } from '../common/lexer.js';

type LatinSliceable = Buffer & { latin1Slice(start: number, end: number): string };

/** Lexes `buf` if it is simple; returns false (having done nothing) otherwise. */
export function lexSimpleChunk(buf: Buffer, onLine: (words: string[]) => void, length = buf.length): boolean {
  const n = length;
  if (n === 0 || buf[n - 1] !== 0x0a) return false;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c >= 0x20) {
      if (c >= 0x7f || c === 0x22 || c === 0x23 || c === 0x3d || c === 0x5c) return false;
    } else if (c !== 0x0a && c !== 0x09 && c !== 0x0d && c !== 0x0b && c !== 0x0c) return false;
  }
  // Buffer#latin1Slice: the cheapest bytes → string (no argument checks, no new view)
  const str = (buf as LatinSliceable).latin1Slice(0, n);
  let words: string[] = [];
  let ws = -1;
  for (let i = 0; i < n; i++) {
    const c = str.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c) {
      if (ws >= 0) {
        if (words.length < MAX_WORDS) words.push(i - ws > MAX_WORD_LEN ? str.slice(ws, ws + MAX_WORD_LEN) : str.slice(ws, i));
        ws = -1;
      }
      if (c === 0x0a) {
        onLine(words);
        words = [];
      }
    } else if (ws < 0) ws = i;
  }
  return true;
}
