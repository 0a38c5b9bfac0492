import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lexText, StreamLexer, encodeValue, quote, MAX_WORDS, MAX_WORD_LEN } from '../../src/common/lexer.js';

const words = (s: string) => lexText(s).lines.map((l) => l.words);

test('NUT lexer: the transcript cases', () => {
  assert.deepEqual(words('GET VAR dummy ups.status # comment'), [['GET', 'VAR', 'dummy', 'ups.status']]);
  assert.deepEqual(words('GET VAR dummy "ups.status"'), [['GET', 'VAR', 'dummy', 'ups.status']]);
  assert.deepEqual(words('GET VAR "dummy" ups.st\\atus'), [['GET', 'VAR', 'dummy', 'ups.status']]);
  assert.deepEqual(words('GET VAR dummy ups.sta\\\ntus'), [['GET', 'VAR', 'dummy', 'ups.status']]);
  assert.deepEqual(words('GET VAR dummy=ups.status'), [['GET', 'VAR', 'dummy', '=', 'ups.status']]);
  assert.deepEqual(words('GET VAR dummy ups.\x00status\r'), [['GET', 'VAR', 'dummy', 'ups.status']]);
  assert.deepEqual(words('GET\tVAR dummy ups.st\xffatus'), [['GET', 'VAR', 'dummy', 'ups.status']]);
  assert.deepEqual(words('x ups.st\x7fatus'), [['x', 'ups.st\x7fatus']]);
  assert.deepEqual(words('du"mmy ""'), [['du"mmy', '']]);
  assert.deepEqual(words('a "tab\there" b'), [['a', 'tabhere', 'b']]);
  assert.deepEqual(words('key=value'), [['key', '=', 'value']]);
});

test('NUT lexer: an unbalanced quote swallows lines until the next quote', () => {
  assert.deepEqual(words('GET VAR dummy "ups.status\nVER\nVER\n"\nNETVER\n'), [
    ['GET', 'VAR', 'dummy', 'ups.statusVERVER'],
    ['NETVER'],
  ]);
});

test('NUT lexer: # inside quotes is a parse error that skips the rest of the line', () => {
  const r = lexText('GET VAR dummy "ups#status" more\nVER\n');
  assert.deepEqual(r.lines.map((l) => l.words), [['VER']]);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.line, 1);
  assert.deepEqual(r.lines[0]!.line, 2);
});

test('NUT lexer: limits of 32 words and 512 chars per word', () => {
  const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
  assert.equal(words(many)[0]!.length, MAX_WORDS);
  assert.equal(words('x'.repeat(2000))[0]![0]!.length, MAX_WORD_LEN);
});

test('NUT lexer: line numbers count continuations', () => {
  const r = lexText('a\n\n# c\nb \\\n c\nd\n');
  assert.deepEqual(r.lines.map((l) => [l.line, l.words]), [
    [1, ['a']],
    [4, ['b', 'c']],
    [6, ['d']],
  ]);
});

test('property: any split of the input yields the same lines', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 6 }), (bytes, cuts) => {
      const whole: string[][] = [];
      const a = new StreamLexer((w) => whole.push(w));
      a.push(bytes);
      a.end();
      const parts: string[][] = [];
      const b = new StreamLexer((w) => parts.push(w));
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
      let prev = 0;
      for (const p of points) {
        b.push(bytes.subarray(prev, p));
        prev = p;
      }
      b.push(bytes.subarray(prev));
      b.end();
      assert.deepEqual(parts, whole);
    }),
  );
});

test('property: quote() round-trips printable ASCII through the lexer', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }), { minLength: 1, maxLength: 8 }), (vals) => {
      const line = vals.map(quote).join(' ') + '\n';
      assert.deepEqual(words(line), [vals]);
    }),
  );
});

test('encodeValue escapes exactly ", \\ and #', () => {
  assert.equal(encodeValue('a"b\\c#d e=f'), 'a\\"b\\\\c\\#d e=f');
});
