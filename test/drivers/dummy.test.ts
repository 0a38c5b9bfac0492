/**
 * dummy-ups without sockets: the data file rules (checked against real
 * dummy-ups 2.8.0, see the [obs] notes in src/drivers/dummy/data-file.ts),
 * modes, .seq TIMER on a ManualClock, dummy-once re-reading on mtime, SET and
 * INSTCMD handling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../src/common/clock.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { parseUpsConf } from '../../src/config/ups-conf.js';
import { FLAG_RW, FLAG_STRING } from '../../src/state/table.js';
import { DriverInstance, settingsFor, STAT_HANDLED, STAT_UNKNOWN } from '../../src/drivers/core/index.js';
import { dummyUps, dummyVarInfo, parseDataFile, resolveDataPath, selectMode } from '../../src/drivers/dummy/index.js';
import { tempDir } from '../support/tmp.js';

function dummy(dir: string, section: string, clock = new ManualClock(1_000_000)) {
  const file = path.join(dir, 'ups.conf');
  fs.writeFileSync(file, section);
  const conf = parseUpsConf(section, file).value;
  const settings = settingsFor({ definition: dummyUps, upsName: 'd', conf, confFile: file });
  const sink = new MemorySink();
  const inst = new DriverInstance(dummyUps, settings, { clock, log: createLogger(sink), confPath: dir, env: {} });
  return { inst, clock, sink, st: inst.state };
}

test('data file: NUT parsing rules', () => {
  const text = [
    'ups.id:x "a  b"   c',
    'ups.test.result: Done   and\tdusted # c',
    'battery.runtime:',
    'driver.name: ignored',
    'ups.status: OB LB',
    'ups.temperature:',
    'TIMER 5',
    'TIMERX 7',
    'ups.delay.start: ""',
    'ALARM Replace battery',
    'ALARM',
    'alarm.x: 1',
    'x.long: ' + 'a'.repeat(150),
    'ups.model: \xc2\xa0 \xc2\xa0  TRIPP LITE',
    'ups.status:',
    '',
  ].join('\n');
  const { steps, errors } = parseDataFile(Buffer.from(text, 'latin1'));
  assert.deepEqual(errors, []);
  assert.deepEqual(
    steps.map((s) => (s.kind === 'var' ? [s.name, s.value] : s.kind === 'status' ? ['status', s.tokens.join('|')] : s.kind === 'timer' ? ['TIMER', s.seconds] : ['ALARM', s.text ?? null])),
    [
      ['ups.id', 'a  b c'],
      ['ups.test.result', 'Done and dusted'],
      ['battery.runtime', 'Done and dusted'], // no value: the last value again [obs]
      ['status', 'OB|LB'],
      ['ups.temperature', 'Done and dusted'], // status lines do not touch the buffer [obs]
      ['TIMER', 5],
      ['TIMER', 7],
      ['ups.delay.start', ''],
      ['ALARM', 'Replace battery'],
      ['ALARM', null],
      ['alarm.x', '1'],
      ['x.long', 'a'.repeat(127)],
      ['ups.model', '  TRIPP LITE'], // words of dropped bytes count, empty [obs]
      ['status', ''],
    ],
  );
});

test('mode selection and port resolution', () => {
  assert.equal(selectMode('ups@host:3493', undefined), 'repeater');
  assert.equal(selectMode('a.seq', undefined), 'dummy-loop');
  assert.equal(selectMode('a.dev', undefined), 'dummy-once');
  assert.equal(selectMode('a.txt', undefined), 'dummy');
  assert.equal(selectMode('a.dev', 'dummy-loop'), 'dummy-loop');
  assert.throws(() => selectMode('a.dev', 'bogus'), /mode = bogus is not valid/);
  assert.equal(resolveDataPath('x.dev', '/etc/nut'), '/etc/nut/x.dev');
  assert.equal(resolveDataPath('/abs/x.dev', '/etc/nut'), '/abs/x.dev');
  assert.equal(resolveDataPath('./x.dev', '/etc/nut'), path.resolve('x.dev'));
});

test('built-in flags table (observed from dummy-ups 2.8.0)', () => {
  assert.deepEqual(dummyVarInfo('battery.charge'), { flags: FLAG_RW, aux: 0 });
  assert.deepEqual(dummyVarInfo('BATTERY.CHARGE'), { flags: FLAG_RW, aux: 0 });
  assert.deepEqual(dummyVarInfo('ups.firmware'), { flags: FLAG_RW | FLAG_STRING, aux: 16 });
  assert.deepEqual(dummyVarInfo('input.sensitivity'), { flags: FLAG_RW | FLAG_STRING, aux: 1 });
  assert.deepEqual(dummyVarInfo('foo.bar'), { flags: FLAG_RW | FLAG_STRING, aux: 32 });
  assert.deepEqual(dummyVarInfo('ups.status'), { flags: FLAG_RW | FLAG_STRING, aux: 32 });
});

test('dummy-once: start values, .dev content, SET, INSTCMD, re-read only when the mtime changes', async () => {
  const t = tempDir('walnut-dummy-');
  try {
    const dev = path.join(t.dir, 'x.dev');
    fs.writeFileSync(dev, 'ups.status: OB LB\nbattery.charge: 50\nfoo.bar: hello world\nups.serial: ab"c\n');
    fs.utimesSync(dev, 1000, 1000);
    const { inst, st } = dummy(t.dir, '[d]\n  driver = dummy-ups\n  port = x.dev\n');
    await inst.init();
    await inst.poll();
    assert.equal(st.getInfo('ups.mfr'), 'Dummy Manufacturer');
    assert.equal(st.getInfo('ups.model'), 'Dummy UPS');
    assert.equal(st.getInfo('ups.status'), 'OB LB');
    assert.equal(st.getInfo('driver.parameter.mode'), 'dummy-once');
    assert.equal(st.getInfo('device.serial'), 'ab\\"c', 'device.* copies are escaped, as NUT does');
    assert.ok(st.table.hasCmd('load.off'));
    assert.equal(st.isStale, false);
    const dump = st.dumpAll();
    assert.ok(dump.includes('SETINFO battery.charge "50"\nSETFLAGS battery.charge RW\n'));
    assert.ok(dump.includes('SETINFO foo.bar "hello world"\nSETAUX foo.bar 32\nSETFLAGS foo.bar RW STRING\n'));

    assert.equal(await inst.setvar('battery.charge', '40'), STAT_HANDLED);
    assert.equal(await inst.setvar('ups.status', 'OL CHRG'), STAT_HANDLED);
    assert.equal(await inst.setvar('foo.bar', ''), STAT_HANDLED);
    assert.equal(st.getInfo('foo.bar'), undefined, 'an empty SET deletes');
    assert.equal(await inst.instcmd('load.off', undefined), STAT_UNKNOWN);
    await inst.poll();
    assert.equal(st.getInfo('battery.charge'), '40', 'SET values persist while the file is unchanged');
    assert.equal(st.getInfo('ups.status'), 'OL CHRG');

    fs.writeFileSync(dev, 'ups.status: OL\nbattery.charge: 100\n');
    fs.utimesSync(dev, 1000.9, 1000.9);
    await inst.poll();
    assert.equal(st.getInfo('battery.charge'), '40', 'same whole-second mtime: not re-read');
    fs.utimesSync(dev, 1001, 1001);
    await inst.poll();
    assert.equal(st.getInfo('battery.charge'), '100');
    assert.equal(st.getInfo('ups.status'), 'OL');
    assert.equal(st.getInfo('foo.bar'), undefined, 'gone from the file: stays deleted');

    fs.rmSync(dev);
    await inst.poll();
    assert.equal(st.isStale, true, 'file gone: data stale');
    await inst.stop();
  } finally {
    t.cleanup();
  }
});

test('.seq (dummy-loop): TIMER pauses on the clock, then the file starts over', async () => {
  const t = tempDir('walnut-dummy-');
  try {
    fs.writeFileSync(
      path.join(t.dir, 'x.seq'),
      ['ups.status: OL', 'battery.charge: 100', 'TIMER 10', 'ups.status: OB', 'battery.charge: 80', 'TIMER 5', 'ups.status: OB LB', 'battery.charge: 10', 'TIMER 5', ''].join('\n'),
    );
    const { inst, st, clock } = dummy(t.dir, '[d]\n  driver = dummy-ups\n  port = x.seq\n  pollinterval = 1\n');
    await inst.init();
    assert.equal(st.getInfo('driver.parameter.mode'), 'dummy-loop');
    const seen: Array<[string, number]> = [];
    const tick = async () => {
      clock.advance(1000);
      await new Promise((r) => setImmediate(r));
      const s = st.getInfo('ups.status')!;
      if (seen.at(-1)![0] !== s) seen.push([s, (clock.now() - 1_000_000) / 1000]);
    };
    seen.push([st.getInfo('ups.status')!, 0]);
    inst.startLoop();
    for (let i = 0; i < 45; i++) await tick();
    await inst.stop();
    // the last TIMER ends at 20 s with nothing after it; the next poll (21 s) starts over
    assert.deepEqual(seen, [
      ['OL', 0],
      ['OB', 10],
      ['OB LB', 15],
      ['OL', 21],
      ['OB', 31],
      ['OB LB', 36],
      ['OL', 42],
    ]);
    assert.equal(st.getInfo('battery.charge'), '100');
  } finally {
    t.cleanup();
  }
});

test('ALARM lines (NUT 2.8.4+): ups.alarm set and ALARM first in ups.status, bare ALARM clears', async () => {
  const t = tempDir('walnut-dummy-');
  try {
    const dev = path.join(t.dir, 'a.dev');
    fs.writeFileSync(dev, 'ups.status: OL\nALARM Replace battery\n');
    fs.utimesSync(dev, 2000, 2000);
    const { inst, st } = dummy(t.dir, '[d]\n  driver = dummy-ups\n  port = a.dev\n');
    await inst.init();
    assert.equal(st.getInfo('ups.status'), 'ALARM OL');
    assert.equal(st.getInfo('ups.alarm'), '[Replace battery]');
    fs.writeFileSync(dev, 'ups.status: OB\nALARM\n');
    fs.utimesSync(dev, 2001, 2001);
    await inst.poll();
    assert.equal(st.getInfo('ups.status'), 'OB');
    assert.equal(st.getInfo('ups.alarm'), undefined);
    await inst.stop();
  } finally {
    t.cleanup();
  }
});

test('dummy-ups refuses: a missing data file, an unknown option, a bad mode', async () => {
  const t = tempDir('walnut-dummy-');
  try {
    const a = dummy(t.dir, '[d]\n  driver = dummy-ups\n  port = missing.dev\n');
    await assert.rejects(a.inst.init(), /can't open .*missing\.dev/);
    assert.throws(() => dummy(t.dir, '[d]\n  driver = dummy-ups\n  port = x.dev\n  mdoe = dummy-once\n'), /ups\.conf:4: 'mdoe' is not a valid variable name for driver dummy-ups \(did you mean mode\?\)/);
    fs.writeFileSync(path.join(t.dir, 'x.dev'), 'ups.status: OL\n');
    const c = dummy(t.dir, '[d]\n  driver = dummy-ups\n  port = x.dev\n  mode = loopy\n');
    await assert.rejects(c.inst.init(), /mode = loopy is not valid/);
  } finally {
    t.cleanup();
  }
});
