/**
 * Driver core without sockets: state rules, status tokens, DATAOK/DATASTALE,
 * overrides and defaults, the DUMPALL text, the poll loop on a ManualClock,
 * and the ups.conf checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/common/clock.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { parseUpsConf } from '../../src/config/ups-conf.js';
import type { FromDriver } from '../../src/protocol/sock/messages.js';
import { formatFromDriver } from '../../src/protocol/sock/messages.js';
import { FLAG_RW, FLAG_STRING } from '../../src/state/table.js';
import {
  DriverInstance,
  DriverState,
  resolveSettings,
  settingsFor,
  STAT_HANDLED,
  STAT_INVALID,
} from '../../src/drivers/core/index.js';
import type { DriverContext, DriverDefinition } from '../../src/drivers/core/index.js';

/** A small real driver: a battery that drains one percent per poll while on battery. */
function batteryDriver(): DriverDefinition & { polls: number[] } {
  const polls: number[] = [];
  return {
    name: 'test-ups',
    version: '1.0',
    description: 'test driver',
    options: [
      { name: 'startcharge', help: 'charge at start' },
      { name: 'secret', help: 'a password', sensitive: true },
    ],
    flags: [{ name: 'onbattery', help: 'start on battery' }],
    polls,
    create(ctx: DriverContext) {
      let charge = Number(ctx.option('startcharge') ?? '100');
      const ob = ctx.flag('onbattery');
      return {
        initInfo() {
          ctx.state.setInfo('ups.mfr', 'Acme');
          ctx.state.setInfo('ups.model', 'Test "1"');
          ctx.state.setInfo('battery.charge.low', '20');
          ctx.state.addCmd('test.battery.start');
        },
        update() {
          polls.push(ctx.clock.now());
          if (ob) charge--;
          ctx.state.setInfo('battery.charge', String(charge));
          ctx.state.statusInit();
          ctx.state.statusSet(ob ? 'OB' : 'OL');
          if (charge < 20) ctx.state.statusSet('LB');
          ctx.state.statusCommit();
          ctx.state.dataOk();
        },
        setvar(name, value) {
          ctx.state.setInfo(name, value);
          return STAT_HANDLED;
        },
      };
    },
  };
}

function instance(confText: string, ups = 'u1', clock = new ManualClock(1000)) {
  const def = batteryDriver();
  const conf = parseUpsConf(confText, '/etc/nut/ups.conf').value;
  const settings = settingsFor({ definition: def, upsName: ups, conf, confFile: '/etc/nut/ups.conf' });
  const sink = new MemorySink();
  const inst = new DriverInstance(def, settings, { clock, log: createLogger(sink, 0), confPath: '/etc/nut', env: {} });
  return { inst, def, clock, sink };
}

test('status tokens: deduplicated, space-joined, ALARM first while an alarm is set', () => {
  const st = new DriverState();
  st.statusInit();
  for (const t of ['OB', 'DISCHRG', 'OB', 'LB']) st.statusSet(t);
  st.statusCommit();
  assert.equal(st.getInfo('ups.status'), 'OB DISCHRG LB');
  st.alarmInit();
  st.alarmSet('Replace battery!');
  st.alarmCommit();
  assert.equal(st.getInfo('ups.alarm'), '[Replace battery!]');
  st.statusInit();
  st.statusSet('OL');
  st.statusCommit();
  assert.equal(st.getInfo('ups.status'), 'ALARM OL');
  st.alarmInit();
  st.alarmCommit();
  assert.equal(st.getInfo('ups.alarm'), undefined);
  st.statusInit();
  st.statusSet('OL');
  st.statusCommit();
  assert.equal(st.getInfo('ups.status'), 'OL');
});

test('ignorelb: LB from the device is dropped and computed from charge/runtime', () => {
  const st = new DriverState();
  st.ignoreLb = true;
  st.setInfo('battery.charge', '30');
  st.setInfo('battery.charge.low', '20');
  st.statusInit();
  st.statusSet('OB');
  st.statusSet('LB');
  st.statusCommit();
  assert.equal(st.getInfo('ups.status'), 'OB');
  st.setInfo('battery.charge', '19');
  st.statusInit();
  st.statusSet('OB');
  st.statusCommit();
  assert.equal(st.getInfo('ups.status'), 'OB LB');
});

test('DATASTALE until the first good update; DATAOK/DATASTALE broadcast only on change', () => {
  const st = new DriverState();
  const seen: FromDriver[] = [];
  st.onChange((m) => seen.push(m));
  assert.equal(st.isStale, true);
  assert.match(st.dumpAll(), /^DATASTALE\n/);
  st.dataStale();
  assert.equal(seen.length, 0);
  st.dataOk();
  st.dataOk();
  st.dataStale();
  st.dataStale();
  st.dataOk();
  assert.deepEqual(
    seen.map((m) => m.kind),
    ['dataok', 'datastale', 'dataok'],
  );
  assert.match(st.dumpAll(), /DATAOK\nDUMPDONE\n$/);
});

test('state changes: case-only SETINFO ignored, values cut at 255, IMMUTABLE never on the wire', () => {
  const st = new DriverState();
  const seen: string[] = [];
  st.onChange((m) => seen.push(formatFromDriver(m)));
  st.setInfo('ups.status', 'ol');
  st.setInfo('UPS.STATUS', 'OL');
  assert.equal(st.getInfo('ups.status'), 'ol');
  st.setInfo('x.long', 'y'.repeat(300));
  assert.equal(st.getInfo('x.long')!.length, 255);
  st.setOverride('battery.charge', '77');
  assert.equal(st.setInfo('battery.charge', '10'), false);
  assert.equal(st.setFlags('battery.charge', FLAG_RW), false);
  assert.equal(st.delInfo('battery.charge'), false);
  assert.equal(st.getInfo('battery.charge'), '77');
  assert.ok(!st.dumpAll().includes('SETFLAGS battery.charge'));
  st.setInfo('a.b', 'a"b\\c#d');
  assert.equal(seen.at(-1), 'SETINFO a.b "a\\"b\\\\c\\#d"\n');
  st.setInfo('n', '5');
  st.addRange('n', 1, 10);
  assert.deepEqual(seen.slice(-2), ['ADDRANGE n 1 10\n', 'SETFLAGS n NUMBER\n']);
});

test('DUMPALL is exactly NUT\'s layout', () => {
  const st = new DriverState();
  st.setInfo('ups.status', 'OL');
  st.setFlags('ups.status', FLAG_RW | FLAG_STRING);
  st.setAux('ups.status', 32);
  st.setInfo('Input.Sensitivity', 'high');
  st.addEnum('input.sensitivity', 'low');
  st.addEnum('input.sensitivity', 'high');
  st.setFlags('input.sensitivity', FLAG_RW);
  st.setInfo('battery.charge.low', '20');
  st.addRange('battery.charge.low', 5, 50);
  st.setInfo('device.model', 'a "b"');
  st.addCmd('test.battery.start');
  st.addCmd('beeper.disable');
  st.addCmd('Load.off');
  const before = st.dumpAll();
  assert.equal(
    before,
    [
      'DATASTALE',
      'SETINFO battery.charge.low "20"',
      'ADDRANGE battery.charge.low 5 50',
      'SETFLAGS battery.charge.low NUMBER',
      'SETINFO device.model "a \\"b\\""',
      'SETINFO Input.Sensitivity "high"',
      'ADDENUM Input.Sensitivity "low"',
      'ADDENUM Input.Sensitivity "high"',
      'SETFLAGS Input.Sensitivity RW',
      'SETINFO ups.status "OL"',
      'SETAUX ups.status 32',
      'SETFLAGS ups.status RW STRING',
      'ADDCMD beeper.disable',
      'ADDCMD Load.off',
      'ADDCMD test.battery.start',
      'DUMPDONE',
      '',
    ].join('\n'),
  );
  st.dataOk();
  assert.equal(st.dumpAll(), before.replace('DATASTALE\n', '').replace('DUMPDONE\n', 'DATAOK\nDUMPDONE\n'));
  assert.equal(st.dumpValue('UPS.STATUS'), 'SETINFO ups.status "OL"\n');
  assert.equal(st.dumpValue('nope'), undefined);
});

test('driver instance: core variables, overrides, defaults, device.* copies, poll loop on the clock', async () => {
  const { inst, def, clock } = instance(
    [
      'pollinterval = 5',
      '[u1]',
      '  driver = test-ups',
      '  port = /dev/null',
      '  desc = "Test"',
      '  startcharge = 22',
      '  secret = hunter2',
      '  onbattery',
      '  default.ups.load = 9',
      '  default.battery.charge = 50',
      '  override.ups.model = Fixed',
      '',
    ].join('\n'),
  );
  await inst.init();
  const st = inst.state;
  assert.equal(st.getInfo('ups.model'), 'Fixed');
  assert.equal(st.getInfo('battery.charge'), '50');
  await inst.poll();
  assert.equal(st.getInfo('battery.charge'), '21');
  assert.equal(st.getInfo('ups.load'), '9');
  assert.equal(st.getInfo('device.model'), 'Fixed');
  assert.equal(st.getInfo('device.mfr'), 'Acme');
  assert.equal(st.getInfo('device.type'), 'ups');
  assert.equal(st.getInfo('driver.name'), 'test-ups');
  assert.equal(st.getInfo('driver.version'), '2.8.0');
  assert.equal(st.getInfo('driver.version.internal'), '1.0');
  assert.equal(st.getInfo('driver.parameter.port'), '/dev/null');
  assert.equal(st.getInfo('driver.parameter.startcharge'), '22');
  assert.equal(st.getInfo('driver.parameter.pollinterval'), '5');
  assert.equal(st.getInfo('driver.parameter.synchronous'), 'auto');
  assert.equal(st.getInfo('driver.parameter.secret'), undefined, 'sensitive values are not published');
  assert.equal(st.getInfo('driver.parameter.desc'), undefined);
  assert.equal(st.getInfo('driver.flag.onbattery'), 'enabled');
  assert.equal(st.getInfo('ups.status'), 'OB');
  assert.equal(await inst.setvar('ups.model', 'x'), STAT_INVALID, 'override.* values are immutable');
  assert.equal(await inst.setvar('ups.load', '10'), STAT_HANDLED);

  inst.startLoop();
  clock.advance(4999);
  assert.equal(def.polls.length, 1);
  clock.advance(1);
  await new Promise((r) => setImmediate(r));
  assert.equal(def.polls.length, 2);
  for (let i = 0; i < 3; i++) {
    clock.advance(5000);
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(def.polls, [1000, 6000, 11000, 16000, 21000]);
  assert.equal(st.getInfo('ups.status'), 'OB LB');
  await inst.stop();
  clock.advance(60000);
  assert.equal(def.polls.length, 5, 'no polls after stop');
});

test('ups.conf: an option or flag the driver did not declare is refused with FILE:LINE', () => {
  const def = batteryDriver();
  const conf = parseUpsConf('[u1]\n  driver = test-ups\n  port = x\n  startchrge = 5\n  bogusflag\n', '/etc/nut/ups.conf').value;
  const r = resolveSettings({ upsName: 'u1', driverName: def.name, options: def.options, flags: def.flags, conf, confFile: '/etc/nut/ups.conf' });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.errors.length, 2);
  assert.match(r.errors[0]!, /^\/etc\/nut\/ups\.conf:4: 'startchrge' is not a valid variable name for driver test-ups \(did you mean startcharge\?\)/);
  assert.match(r.errors[1]!, /^\/etc\/nut\/ups\.conf:5: 'bogusflag' is not a valid flag for driver test-ups/);
  assert.throws(() => settingsFor({ definition: def, upsName: 'u1', conf, confFile: '/etc/nut/ups.conf' }), /ups\.conf:4/);
});

test('ups.conf: wrong driver, missing port, bad pollinterval, missing section; -x overrides', () => {
  const def = batteryDriver();
  const file = 'ups.conf';
  const conf = parseUpsConf('[u1]\n  driver = other\n  pollinterval = 0\n[u2]\n  driver = test-ups\n  port = a\n  startcharge = 1\n', file).value;
  const r1 = resolveSettings({ upsName: 'u1', driverName: def.name, options: def.options, flags: def.flags, conf, confFile: file });
  assert.equal(r1.ok, false);
  if (!r1.ok) {
    assert.ok(r1.errors.some((e) => e.includes('ups.conf:2') && e.includes('driver other')));
    assert.ok(r1.errors.some((e) => e.includes('ups.conf:3') && e.includes('pollinterval')));
    assert.ok(r1.errors.some((e) => e.includes('no port')));
  }
  const r3 = resolveSettings({ upsName: 'nope', driverName: def.name, options: def.options, flags: def.flags, conf, confFile: file });
  assert.equal(r3.ok, false);
  const r2 = resolveSettings({
    upsName: 'u2',
    driverName: def.name,
    options: def.options,
    flags: def.flags,
    conf,
    confFile: file,
    extra: [{ key: 'startcharge', value: '42' }, { key: 'onbattery' }],
  });
  assert.ok(r2.ok);
  if (r2.ok) {
    assert.equal(r2.settings.options.get('startcharge'), '42');
    assert.ok(r2.settings.flags.has('onbattery'));
  }
});

test('an update that hangs makes the data stale; the next good one makes it fresh again', async () => {
  const clock = new ManualClock(0);
  let release: (() => void) | undefined;
  let hang = false;
  const def: DriverDefinition = {
    name: 'hang-ups',
    version: '1',
    description: 'hangs on demand',
    options: [],
    flags: [],
    create(ctx) {
      return {
        initInfo() {
          ctx.state.setInfo('ups.status', 'OL');
        },
        async update() {
          if (hang) await new Promise<void>((r) => (release = r));
          ctx.state.dataOk();
        },
      };
    },
  };
  const r = resolveSettings({ upsName: 'h', driverName: def.name, options: [], flags: [], extra: [{ key: 'port', value: 'x' }] });
  assert.ok(r.ok);
  if (!r.ok) return;
  const inst = new DriverInstance(def, r.settings, { clock, env: {} });
  await inst.init();
  await inst.poll();
  assert.equal(inst.state.isStale, false);
  hang = true;
  const p = inst.poll();
  clock.advance(inst.hangLimitMs - 1);
  assert.equal(inst.state.isStale, false);
  clock.advance(1);
  assert.equal(inst.state.isStale, true, 'stale after the hang limit');
  hang = false;
  release!();
  await p;
  assert.equal(inst.state.isStale, false);
  await inst.stop();
});
