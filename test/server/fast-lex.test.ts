/** The fast path for plain request chunks gives exactly what the shared lexer gives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StreamLexer } from '../../src/common/lexer.js';
import { lexSimpleChunk } from '../../src/server/fast-lex.js';

function viaLexer(buf: Buffer): string[][] {
  const out: string[][] = [];
  const lx = new StreamLexer((w) => out.push(w), () => out.push(['<error>']), { emptyLines: true, droppedWords: true });
  lx.push(buf);
  return out;
}

function viaFast(buf: Buffer): string[][] | null {
  const out: string[][] = [];
  return lexSimpleChunk(buf, (w) => out.push(w)) ? out : null;
}

test('fast path: same lines as the lexer whenever it accepts a chunk', () => {
  const alphabet = fc.constantFrom(...'GETVARLIST dummy.ups_status-0123\t\r\n\x0b\x0c "#=\\\x00\x7f\xffé'.split(''));
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 200 }), fc.boolean(), (chars, endLf) => {
      const buf = Buffer.from(chars.join('') + (endLf ? '\n' : ''), 'latin1');
      const fast = viaFast(buf);
      if (fast !== null) assert.deepEqual(fast, viaLexer(buf));
    }),
    { numRuns: 5000 },
  );
});

test('fast path: accepts plain lines, caps words and word counts like the lexer; refuses special bytes', () => {
  const plain = Buffer.from('GET VAR dummy ups.status\n\n   \nLIST\tUPS\r\n');
  assert.deepEqual(viaFast(plain), [['GET', 'VAR', 'dummy', 'ups.status'], [], [], ['LIST', 'UPS']]);
  const long = Buffer.from('GET VAR dummy ' + 'A'.repeat(2000) + ' ' + Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ') + '\n');
  assert.deepEqual(viaFast(long), viaLexer(long));
  assert.equal(viaFast(long)![0]!.length, 32);
  assert.equal(viaFast(long)![0]![3]!.length, 512);
  for (const s of ['GET VAR dummy "x"\n', 'a#b\n', 'a=b\n', 'a\\b\n', 'a\x00b\n', 'a\xffb\n', 'a\x7fb\n', 'no newline']) {
    assert.equal(viaFast(Buffer.from(s, 'latin1')), null, JSON.stringify(s));
  }
});
