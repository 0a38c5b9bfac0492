/**
 * nutdrv_qx as a driver object, with the link replaced by a scripted one
 * (QxLink): detection, what initInfo publishes, noisy/garbled replies
 * (fast-check) refused with a debug message and the data stale, never a
 * crash; recovery on the next good reply; instant commands and delays;
 * bad ups.conf values refused with a clear message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DriverInstance, settingsFor, STAT_FAILED, STAT_HANDLED, STAT_INVALID, STAT_UNKNOWN } from '../../../src/drivers/core/driver.js';
import type { DriverDefinition } from '../../../src/drivers/core/driver.js';
import { createQxDriver, nutdrvQx } from '../../../src/drivers/nutdrv_qx/driver.js';
import type { QxLink } from '../../../src/drivers/nutdrv_qx/link.js';
import { TransportError } from '../../../src/common/errors.js';
import { createLogger, MemorySink } from '../../../src/common/log.js';

const GOOD_Q1 = '(222.0 221.4 221.4 013 50.3 13.6 25.0 00001001\r';
const GOOD_F = '#220.0 003 12.00 50.0\r';
const GOOD_I = '#NOT_A_LIVE_UPS  TESTING    TESTING   \r';

class ScriptedLink implements QxLink {
  readonly name = 'scripted';
  sent: string[] = [];
  answer: (req: string) => string | Error = (req) => (req === 'Q1\r' ? GOOD_Q1 : req === 'F\r' ? GOOD_F : req === 'I\r' ? GOOD_I : req);
  async query(request: string): Promise<string> {
    this.sent.push(request);
    const a = this.answer(request);
    if (a instanceof Error) throw a;
    return a;
  }
  async close(): Promise<void> {}
}

async function make(extra: Array<{ key: string; value?: string }> = [], link = new ScriptedLink()) {
  const def: DriverDefinition = { ...nutdrvQx, create: (ctx) => createQxDriver(ctx, { link }) };
  const settings = settingsFor({ definition: def, upsName: 'qx', extra: [{ key: 'port', value: '/dev/null' }, ...extra] });
  const sink = new MemorySink();
  const inst = new DriverInstance(def, settings, { log: createLogger(sink, 3) });
  await inst.init();
  await inst.poll();
  return { inst, link, sink, st: inst.state };
}

test('autodetection walks the protocols (echoes refused) and settles on megatec; initInfo publishes F, I, delays, commands', async () => {
  const { st, link } = await make();
  assert.deepEqual(link.sent.slice(0, 5), ['M\r', 'QS\r', 'D\r', 'Q1\r', 'F\r']);
  assert.equal(st.getInfo('driver.version.data'), 'Megatec 0.06');
  assert.equal(st.getInfo('device.mfr'), 'NOT_A_LIVE_UPS');
  assert.equal(st.getInfo('device.model'), 'TESTING');
  assert.equal(st.getInfo('ups.firmware'), 'TESTING');
  assert.equal(st.getInfo('input.voltage.nominal'), '220');
  assert.equal(st.getInfo('battery.voltage.low'), '10.40');
  assert.equal(st.getInfo('battery.voltage.high'), '13.00');
  assert.equal(st.getInfo('battery.charge'), '100');
  assert.equal(st.getInfo('ups.status'), 'OL');
  assert.equal(st.getInfo('ups.delay.shutdown'), '30');
  assert.equal(st.getInfo('ups.delay.start'), '180');
  assert.equal(st.getInfo('driver.parameter.pollfreq'), '30');
  assert.equal(st.isStale, false);
  const dump = st.dumpAll();
  assert.match(dump, /SETFLAGS ups\.delay\.start RW NUMBER/);
  assert.match(dump, /ADDRANGE ups\.delay\.shutdown 12 600/);
  for (const c of ['beeper.toggle', 'load.off', 'load.on', 'shutdown.return', 'shutdown.stayoff', 'shutdown.stop', 'test.battery.start', 'test.battery.start.deep', 'test.battery.start.quick', 'test.battery.stop']) {
    assert.match(dump, new RegExp(`ADDCMD ${c.replace(/\./g, '\\.')}\\n`));
  }
});

test('other protocols: mustek (QS), megatec/old (D), voltronic-qs (M → V, QS)', async () => {
  for (const [proto, status, probe] of [
    ['mustek', 'QS', undefined],
    ['megatec/old', 'D', undefined],
    ['voltronic-qs', 'QS', 'M'],
  ] as const) {
    const link = new ScriptedLink();
    link.answer = (r) => (r === `${status}\r` ? GOOD_Q1 : probe && r === `${probe}\r` ? 'V\r' : r === 'F\r' ? GOOD_F : r);
    const { st } = await make([], link);
    assert.equal(st.getInfo('ups.status'), 'OL', proto);
    assert.match(st.getInfo('driver.version.data')!, new RegExp(proto.split('-')[0]!, 'i'));
  }
  const none = new ScriptedLink();
  none.answer = (r) => r;
  await assert.rejects(make([], none), /Device not supported/);
  await assert.rejects(make([{ key: 'protocol', value: 'bogus' }]), /protocol = bogus is not supported/);
});

test('fast-check: garbage on the line never crashes the driver; the data goes stale with a debug message, and recovers', async () => {
  const { inst, link, sink, st } = await make([{ key: 'protocol', value: 'megatec' }]);
  const noise = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a).toString('latin1')),
    fc.integer({ min: 0, max: GOOD_Q1.length - 2 }).map((n) => GOOD_Q1.slice(0, n)),
    fc.tuple(fc.integer({ min: 0, max: GOOD_Q1.length - 2 }), fc.integer({ min: 0, max: 31 })).map(([p, b]) => GOOD_Q1.slice(0, p) + String.fromCharCode(b) + GOOD_Q1.slice(p + 1)),
  );
  await fc.assert(
    fc.asyncProperty(noise, async (junk) => {
      link.answer = (r) => (r === 'Q1\r' ? junk : r);
      const before = sink.lines.length;
      await inst.poll();
      if (st.isStale) assert.ok(sink.lines.slice(before).some((l) => /status read refused|lost/.test(l.message)), `message for ${JSON.stringify(junk)}`);
      link.answer = (r) => (r === 'Q1\r' ? GOOD_Q1 : r);
      await inst.poll();
      assert.equal(st.isStale, false);
      assert.equal(st.getInfo('ups.status'), 'OL');
    }),
    { numRuns: 300 },
  );
  // the port gone: stale, "lost" once; back: "re-established"
  link.answer = () => new TransportError('disconnected', 'port gone');
  await inst.poll();
  await inst.poll();
  assert.equal(st.isStale, true);
  assert.equal(sink.lines.filter((l) => /Communications with the UPS lost/.test(l.message)).length >= 1, true);
  link.answer = (r) => (r === 'Q1\r' ? GOOD_Q1 : r);
  await inst.poll();
  assert.equal(st.isStale, false);
  assert.ok(sink.text().includes('re-established'));
});

test('instant commands: handled, refused (echo), invalid parameter, unknown; setvar of the delays', async () => {
  const { inst, link } = await make([
    { key: 'ondelay', value: '600' },
    { key: 'offdelay', value: '120' },
  ]);
  link.sent = [];
  link.answer = () => ''; // no reply: done
  assert.equal(await inst.instcmd('shutdown.return', undefined), STAT_HANDLED);
  assert.deepEqual(link.sent, ['S02R0010\r']);
  assert.equal(await inst.instcmd('test.battery.start', '59'), STAT_INVALID);
  assert.equal(await inst.instcmd('no.such.cmd', undefined), STAT_UNKNOWN);
  link.answer = (r) => r; // the unit echoes: not supported
  assert.equal(await inst.instcmd('beeper.toggle', undefined), STAT_FAILED);
  link.answer = () => new TransportError('disconnected', 'gone');
  assert.equal(await inst.instcmd('beeper.toggle', undefined), STAT_FAILED);
  link.answer = () => '';
  assert.equal(await inst.setvar('ups.delay.shutdown', '54'), STAT_HANDLED);
  assert.equal(await inst.setvar('ups.delay.shutdown', '601'), STAT_INVALID);
  assert.equal(await inst.setvar('ups.delay.start', 'x'), STAT_INVALID);
  assert.equal(await inst.setvar('ups.load', '1'), STAT_UNKNOWN);
  link.sent = [];
  assert.equal(await inst.instcmd('shutdown.stayoff', undefined), STAT_HANDLED);
  assert.deepEqual(link.sent, ['S.9R0000\r']);
  // -k: cancel, then shutdown.return
  link.sent = [];
  assert.equal(await inst.hooks.killpower!(), 0);
  assert.deepEqual(link.sent, ['C\r', 'S.9R0010\r']);
});

test('ups.conf: bad values are refused with the reason; override./default. feed the battery model', async () => {
  await assert.rejects(make([{ key: 'offdelay', value: '5' }]), /offdelay 5 is out of range 12-600/);
  await assert.rejects(make([{ key: 'runtimecal', value: '1,2' }]), /runtimecal must be four/);
  await assert.rejects(make([{ key: 'cablepower', value: 'odd' }]), /cablepower = odd/);
  await assert.rejects(make([{ key: 'idleload', value: '200' }]), /idleload/);
  assert.throws(() => settingsFor({ definition: nutdrvQx, upsName: 'q', extra: [{ key: 'port', value: 'x' }, { key: 'protcol', value: 'megatec' }] }), /did you mean protocol/);
  const { st } = await make([
    { key: 'default.battery.voltage.low', value: '11.0' },
    { key: 'override.battery.voltage.high', value: '14.0' },
  ]);
  assert.equal(st.getInfo('battery.voltage.low'), '11.0');
  assert.equal(st.getInfo('battery.voltage.high'), '14.0');
  assert.equal(st.getInfo('battery.charge'), String(Math.round((100 * (13.6 - 11)) / 3)));
  // per-cell unit (record 7's case): 2.23 V, nominal 48 V → × 24
  const link = new ScriptedLink();
  link.answer = (r) => (r === 'Q1\r' ? '(238.8 000.0 219.9 020 49.9 2.23 43.0 00000001\r' : r === 'F\r' ? '#230.0 010 48.00 50.0\r' : r);
  const cell = await make([{ key: 'protocol', value: 'megatec' }], link);
  assert.equal(cell.st.getInfo('battery.voltage'), '53.52');
  assert.equal(cell.st.getInfo('battery.charge'), '100');
  assert.equal(cell.st.getInfo('ups.type'), 'online');
  // bit 41 (UPS failed): ups.alarm, and ALARM first in the status; cleared with the bit
  link.answer = (r) => (r === 'Q1\r' ? '(238.8 000.0 219.9 020 49.9 2.23 43.0 00010001\r' : r);
  await cell.inst.poll();
  assert.equal(cell.st.getInfo('ups.alarm'), '[UPS selftest failed!]');
  assert.equal(cell.st.getInfo('ups.status'), 'ALARM OL');
  link.answer = (r) => (r === 'Q1\r' ? '(238.8 000.0 219.9 020 49.9 2.23 43.0 00000001\r' : r);
  await cell.inst.poll();
  assert.equal(cell.st.getInfo('ups.alarm'), undefined);
  assert.equal(cell.st.getInfo('ups.status'), 'OL');
  // USB port: a clear refusal
  const def = nutdrvQx;
  const settings = settingsFor({ definition: def, upsName: 'u', extra: [{ key: 'port', value: 'auto' }, { key: 'subdriver', value: 'cypress' }] });
  const inst = new DriverInstance(def, settings, {});
  await assert.rejects(inst.init(), /USB bridge subdrivers are not supported/);
});
