/**
 * dummy-ups data files (.dev, .seq), parsed with NUT's lexer into a list of
 * steps. Pure: no file system, no clock.
 *
 * NUT's rules (nut-protocol.md §6.2, checked against dummy-ups 2.8.0):
 * - `<var>[:] <words…>`: the first word is cut at its first `:`; the value
 *   is the other words joined with one space, cut to 127 characters;
 * - `TIMER <s>` and `ALARM [text]` are recognised by their first 5 characters
 *   (case-sensitive); `driver.*` lines are skipped;
 * - a variable line without a value reuses the value of the last variable
 *   line that had one (the C driver's buffer is never reset) [obs]; status,
 *   TIMER and driver.* lines do not touch that buffer [obs]. A quoted empty
 *   value ("") is an empty value: the variable is deleted.
 */
import { lexText } from '../../common/lexer.js';
import type { LexError } from '../../common/lexer.js';
import { atoi } from '../../protocol/sock/messages.js';

export const MAX_DUMMY_VALUE = 127;

export type DataStep =
  | { kind: 'var'; name: string; value: string; line: number }
  | { kind: 'status'; tokens: string[]; line: number }
  | { kind: 'timer'; seconds: number; line: number }
  | { kind: 'alarm'; text: string | undefined; line: number };

export interface ParsedData {
  steps: DataStep[];
  errors: LexError[];
}

/**
 * Parses a data file. `carry` is the value buffer left by the previous
 * parse (for the no-value quirk); the returned `carry` is the new one.
 */
export function parseDataFile(text: string | Uint8Array, carry = ''): ParsedData & { carry: string } {
  const { lines, errors } = lexText(text, { droppedWords: true });
  const steps: DataStep[] = [];
  let buf = carry;
  for (const { words, line } of lines) {
    const w0 = words[0]!;
    if (w0.startsWith('TIMER')) {
      steps.push({ kind: 'timer', seconds: words.length > 1 ? Math.max(0, atoi(words[1]!)) : 0, line });
      continue;
    }
    if (w0.startsWith('ALARM')) {
      steps.push({ kind: 'alarm', text: words.length > 1 ? cut(words.slice(1).join(' ')) : undefined, line });
      continue;
    }
    const colon = w0.indexOf(':');
    const name = colon >= 0 ? w0.slice(0, colon) : w0;
    if (name === '' || name.startsWith('driver.')) continue;
    if (name.toLowerCase() === 'ups.status') {
      steps.push({ kind: 'status', tokens: words.slice(1).flatMap((w) => w.split(' ')).filter((t) => t !== ''), line });
      continue;
    }
    if (words.length > 1) buf = cut(words.slice(1).join(' '));
    steps.push({ kind: 'var', name, value: buf, line });
  }
  return { steps, errors, carry: buf };
}

function cut(v: string): string {
  return v.length > MAX_DUMMY_VALUE ? v.slice(0, MAX_DUMMY_VALUE) : v;
}
