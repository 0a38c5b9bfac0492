import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateTable, FLAG_RW, FLAG_STRING, FLAG_NUMBER, flagWords, parseFlagWords } from '../../src/state/table.js';

test('names ignore case, keep the first spelling and list sorted ignoring case', () => {
  const t = new StateTable();
  t.setInfo('ups.status', 'OL');
  t.setInfo('Battery.Charge', '100');
  t.setInfo('battery.charge', '99');
  t.setInfo('ambient.temperature', '20');
  assert.equal(t.get('BATTERY.CHARGE')!.name, 'Battery.Charge');
  assert.equal(t.value('battery.charge'), '99');
  assert.deepEqual(t.list().map((v) => v.name), ['ambient.temperature', 'Battery.Charge', 'ups.status']);
});

test('version moves on every change, not on a no-op', () => {
  const t = new StateTable();
  t.setInfo('a', '1');
  const v = t.version;
  assert.equal(t.setInfo('a', '1'), false);
  assert.equal(t.version, v);
  assert.equal(t.setInfo('a', '2'), true);
  assert.ok(t.version > v);
});

test('ranges follow NUT: min or max equal counts as a duplicate; min > max refused', () => {
  const t = new StateTable();
  t.setInfo('x', '5');
  assert.equal(t.addRange('x', 1, 10), true);
  assert.equal(t.addRange('x', 1, 20), false);
  assert.equal(t.addRange('x', 0, 10), false);
  assert.equal(t.addRange('x', 30, 20), false);
  assert.equal(t.addRange('x', 15, 20), true);
  assert.deepEqual(t.get('x')!.ranges, [[1, 10], [15, 20]]);
  assert.equal(t.delRange('x', 99, 20), true);
  assert.deepEqual(t.get('x')!.ranges, [[1, 10]]);
});

test('enums: duplicates ignored, delete ignores case', () => {
  const t = new StateTable();
  t.setInfo('x', 'a');
  t.addEnum('x', 'On');
  t.addEnum('x', 'On');
  t.addEnum('x', 'off');
  assert.deepEqual(t.get('x')!.enums, ['On', 'off']);
  t.delEnum('x', 'ON');
  assert.deepEqual(t.get('x')!.enums, ['off']);
  assert.equal(t.addEnum('missing', 'x'), false);
});

test('commands are a sorted set ignoring case', () => {
  const t = new StateTable();
  t.addCmd('test.battery.start');
  t.addCmd('load.off');
  t.addCmd('LOAD.OFF');
  assert.deepEqual(t.cmds(), ['load.off', 'test.battery.start']);
  assert.equal(t.hasCmd('Load.Off'), true);
});

test('flag words in NUT order', () => {
  assert.deepEqual(flagWords(FLAG_NUMBER | FLAG_RW | FLAG_STRING), ['RW', 'STRING', 'NUMBER']);
  assert.equal(parseFlagWords(['number', 'rw', 'bogus']), FLAG_RW | FLAG_NUMBER);
});
