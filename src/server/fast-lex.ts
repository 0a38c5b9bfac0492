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

/**
 * The last simple chunk lexed and its lines. Clients repeat the same request
 * (upsmon, polling tools, the same poll on many connections), so a chunk equal
 * to the last one byte for byte gets the same word arrays again, without
 * building strings. The arrays are frozen: request handlers only read words.
 */
const MEMO_MAX = 256;
const memoBytes = Buffer.alloc(MEMO_MAX);
let memoLen = 0;
let memoLines: string[][] = [];

/** Lexes `buf` if it is simple; returns false (having done nothing) otherwise. */
export function lexSimpleChunk(buf: Buffer, onLine: (words: string[]) => void, length = buf.length): boolean {
  const n = length;
  if (n === 0 || buf[n - 1] !== 0x0a) return false;
  if (n === memoLen) {
    let i = 0;
    while (i < n && buf[i] === memoBytes[i]) i++;
    if (i === n) {
      const lines = memoLines;
      for (let k = 0; k < lines.length; k++) onLine(lines[k]!);
      return true;
    }
  }
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c >= 0x20) {
      if (c >= 0x7f || c === 0x22 || c === 0x23 || c === 0x3d || c === 0x5c) return false;
    } else if (c !== 0x0a && c !== 0x09 && c !== 0x0d && c !== 0x0b && c !== 0x0c) return false;
  }
  // Buffer#latin1Slice: the cheapest bytes → string (no argument checks, no new view)
  const str = (buf as LatinSliceable).latin1Slice(0, n);
  const memo = n <= MEMO_MAX;
  const lines: string[][] = [];
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
        if (memo) lines.push(Object.freeze(words) as string[]);
        onLine(words);
        words = [];
      }
    } else if (ws < 0) ws = i;
  }
  if (memo) {
    for (let i = 0; i < n; i++) memoBytes[i] = buf[i]!;
    memoLen = n;
    memoLines = lines;
  }
  return true;
}
