import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lexLine } from '../../src/common/lexer.js';
import {
  formatFromDriver,
  formatToDriver,
  parseFromDriver,
  parseToDriver,
  atoi,
  type FromDriver,
  type ToDriver,
} from '../../src/protocol/sock/messages.js';

const name = fc.stringMatching(/^[a-z][a-z0-9._-]{0,30}$/);
const value = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
const int = fc.integer({ min: -100000, max: 100000 });
const flags = fc.integer({ min: 0, max: 7 });

const fromDriver: fc.Arbitrary<FromDriver> = fc.oneof(
  fc.constantFrom<FromDriver>({ kind: 'pong' }, { kind: 'dumpdone' }, { kind: 'dataok' }, { kind: 'datastale' }),
  name.map((cmd) => ({ kind: 'addcmd' as const, cmd })),
  name.map((cmd) => ({ kind: 'delcmd' as const, cmd })),
  fc.record({ kind: fc.constant('setinfo' as const), name, value }),
  name.map((n) => ({ kind: 'delinfo' as const, name: n })),
  fc.record({ kind: fc.constant('setflags' as const), name, flags: flags.filter((f) => f !== 0) }),
  fc.record({ kind: fc.constant('addenum' as const), name, value }),
  fc.record({ kind: fc.constant('delenum' as const), name, value }),
  fc.record({ kind: fc.constant('setaux' as const), name, aux: int }),
  fc.record({ kind: fc.constant('addrange' as const), name, min: int, max: int }),
  fc.record({ kind: fc.constant('delrange' as const), name, min: int, max: int }),
  fc.record({ kind: fc.constant('tracking' as const), id: fc.uuid().map((u) => u.toUpperCase()), status: fc.integer({ min: -1, max: 4 }) }),
);

const toDriver: fc.Arbitrary<ToDriver> = fc.oneof(
  fc.constantFrom<ToDriver>({ kind: 'dumpall' }, { kind: 'ping' }, { kind: 'getpid' }, { kind: 'dumpstatus' }, { kind: 'logout' }, { kind: 'nobroadcast' }),
  fc.record({ kind: fc.constant('set' as const), name, value }),
  fc.record({ kind: fc.constant('set' as const), name, value, tracking: fc.uuid() }),
  fc.record({ kind: fc.constant('instcmd' as const), cmd: name }),
  fc.record({ kind: fc.constant('instcmd' as const), cmd: name, param: value }),
  fc.record({ kind: fc.constant('instcmd' as const), cmd: name, param: value, tracking: fc.uuid() }),
  fc.record({ kind: fc.constant('instcmd' as const), cmd: name, tracking: fc.uuid() }),
  name.map((n) => ({ kind: 'dumpvalue' as const, name: n })),
);

test('property: driver → upsd messages round-trip through the lexer', () => {
  fc.assert(
    fc.property(fromDriver, (m) => {
      const line = formatFromDriver(m);
      assert.ok(line.endsWith('\n'));
      assert.deepEqual(parseFromDriver(lexLine(line.slice(0, -1))!), { ...m });
    }),
    { numRuns: 2000 },
  );
});

test('property: upsd → driver messages round-trip (INSTCMD params with spaces stay one word)', () => {
  fc.assert(
    fc.property(toDriver, (m) => {
      const line = formatToDriver(m);
      assert.deepEqual(parseToDriver(lexLine(line.slice(0, -1))!), { ...m });
    }),
    { numRuns: 2000 },
  );
});

test('a C driver\'s argument rules for INSTCMD and SET', () => {
  assert.equal(parseToDriver(['INSTCMD']), undefined);
  assert.equal(parseToDriver(['INSTCMD', 'a', 'b', 'c']), undefined);
  assert.equal(parseToDriver(['INSTCMD', 'a', 'b', 'c', 'd']), undefined);
  assert.deepEqual(parseToDriver(['instcmd', 'a', 'tracking', 'X']), { kind: 'instcmd', cmd: 'a', tracking: 'X' });
  assert.equal(parseToDriver(['SET', 'a']), undefined);
  assert.equal(parseToDriver(['SET', 'a', 'b', 'NOTTRACKING', 'x']), undefined);
  assert.equal(parseToDriver(['WHAT']), undefined);
});

test('upsd ignores short or unknown driver lines', () => {
  assert.equal(parseFromDriver(['SETINFO', 'x']), undefined);
  assert.equal(parseFromDriver(['ADDRANGE', 'x', '1']), undefined);
  assert.equal(parseFromDriver(['BOGUS', 'x', 'y']), undefined);
  assert.deepEqual(parseFromDriver(['setinfo', 'x', 'y', 'extra']), { kind: 'setinfo', name: 'x', value: 'y' });
  assert.deepEqual(parseFromDriver(['SETFLAGS', 'x', 'RW', 'FOO', 'string']), { kind: 'setflags', name: 'x', flags: 3 });
});

test('atoi behaves like C', () => {
  assert.equal(atoi('145abc'), 145);
  assert.equal(atoi('xyz'), 0);
  assert.equal(atoi('  -12'), -12);
  assert.equal(atoi('+7'), 7);
  assert.equal(atoi('99999999999'), 2147483647);
});

test('property: arbitrary words never make the parsers throw', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 8 }), (words) => {
      parseFromDriver(words);
      parseToDriver(words);
    }),
    { numRuns: 3000 },
  );
});
