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

test('fast path: a repeated chunk (same or reused buffer) gives the same lines, never a stale one', () => {
  const shared = Buffer.alloc(64);
  const lexShared = (text: string): string[][] | null => {
    const n = shared.write(text, 'latin1');
    const out: string[][] = [];
    return lexSimpleChunk(shared, (w) => out.push(w), n) ? out : null;
  };
  const lines = fc.constantFrom('GET VAR dummy ups.status\n', 'GET VAR dummy ups.statuS\n', 'GET VAR dummy ups.load\n', 'LIST UPS\nVER\n', 'GET VAR dummy ups.status\nGET VAR dummy ups.status\n', 'x\n', 'a "b"\n');
  fc.assert(
    fc.property(fc.array(fc.tuple(lines, fc.boolean()), { minLength: 1, maxLength: 30 }), (seq) => {
      for (const [text, reuse] of seq) {
        const buf = Buffer.from(text, 'latin1');
        const fast = reuse ? lexShared(text) : viaFast(buf);
        if (fast !== null) assert.deepEqual(fast, viaLexer(buf), text);
        else assert.ok(text.includes('"'));
      }
    }),
    { numRuns: 500 },
  );
  // the word arrays handed out may be handed out again: they are frozen
  const first = viaFast(Buffer.from('GET VAR dummy ups.status\n'))!;
  const again = viaFast(Buffer.from('GET VAR dummy ups.status\n'))!;
  assert.deepEqual(again, first);
  assert.ok(Object.isFrozen(again[0]));
});
