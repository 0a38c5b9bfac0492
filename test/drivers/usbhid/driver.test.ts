/**
 * usbhid-ups runtime on the simulated unit (test/support/hid-sim.ts, the one
 * mock): the real descriptors and recorded reports of shared/hid give the
 * same variables as NUT's usbhid-ups did; polling (pollinterval/pollfreq),
 * the interrupt pipe, instant commands as report bytes, -k, unplug/replug,
 * and fuzzed reports, all on a ManualClock (no sockets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock, systemClock } from '../../../src/common/clock.js';
import type { Clock } from '../../../src/common/clock.js';
import { DriverInstance, settingsFor, STAT_HANDLED, STAT_UNKNOWN } from '../../../src/drivers/core/driver.js';
import { createUsbhidUps } from '../../../src/drivers/usbhid/driver.js';
import type { UsbhidRuntime } from '../../../src/drivers/usbhid/driver-runtime.js';
import { skipUnless } from '../../support/peers.js';
import { SimUps, cyberPowerSim, expectedUpsc, loadFixture, type FixtureName } from '../../support/hid-sim.js';

const SKIP = skipUnless('shared');

/**
 * Variables allowed to differ from expected-upsc.txt, each with the reason.
 * Everything else must be equal, and nothing may be missing or extra.
 */
const FROM_ELSEWHERE: Record<string, string> = {
  'driver.version': 'the NUT build string of the reporter ("2.8.0-Windows-355-gbce06545a"); Walnut publishes NUT_VERSION 2.8.0',
  'driver.version.internal': "that build's usbhid-ups version (0.49 on the Windows build); Walnut says 2.8.0's 0.47",
  'driver.version.usb': 'the libusb version of the reporter; the simulated transport names itself',
  'driver.version.data': "the APC subdriver's version in that NUT build (0.98 / 0.100)",
  'driver.state': 'published by the 2.8.0-Windows core only (Debian 2.8.0, which Walnut follows, has no driver.state)',
};
const PER_UNIT: Record<FixtureName, Record<string, string>> = {
  'apc-back-ups-cs-500': {},
  'apc-back-ups-bk650m2-ch': {
    'ups.serial': 'masked to "xxxx" by the reporter; device.serial in the same dump shows the USB serial string 9B2019A14274',
    'ups.load': "the log's report 0x50 (PercentLoad) reads 00: the explore run was at another moment than the upsc capture (5 %)",
  },
};

/** The ups.conf of each capture (driver.parameter.* in expected-upsc.txt). */
const CONF: Record<FixtureName, Array<{ key: string; value: string }>> = {
  'apc-back-ups-cs-500': [{ key: 'port', value: 'auto' }],
  'apc-back-ups-bk650m2-ch': [
    { key: 'port', value: 'auto' },
    { key: 'bus', value: '001' },
    { key: 'pollfreq', value: '40' },
    { key: 'pollinterval', value: '10' },
    { key: 'product', value: 'BK650M2-CH' },
    { key: 'productid', value: '0002' },
    { key: 'serial', value: '9B2019A14274' },
    { key: 'vendor', value: 'American Power Conversion' },
    { key: 'vendorid', value: '051D' },
  ],
};

interface Rig {
  sim: SimUps;
  inst: DriverInstance;
  rt: UsbhidRuntime;
  clock: ManualClock;
  get(name: string): string | undefined;
}

async function rig(sim: SimUps, extra: Array<{ key: string; value?: string }>, clock: Clock = new ManualClock(1_000_000)): Promise<Rig> {
  const def = createUsbhidUps(sim.open);
  const settings = settingsFor({ definition: def, upsName: 'ups', extra });
  const inst = new DriverInstance(def, settings, { clock });
  await inst.init();
  await inst.poll();
  return { sim, inst, rt: inst.hooks as UsbhidRuntime, clock: clock as ManualClock, get: (n) => inst.state.getInfo(n) };
}

const settle = () => new Promise((r) => setImmediate(r));
const hex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, '0')).join(' ');

for (const unit of ['apc-back-ups-cs-500', 'apc-back-ups-bk650m2-ch'] as const) {
  test(`${unit}: descriptor + recorded reports give real usbhid-ups's variables`, { skip: SKIP }, async () => {
    const r = await rig(new SimUps(loadFixture(unit)), CONF[unit]);
    try {
      const expected = expectedUpsc(unit);
      const got = new Map(r.inst.state.table.list().map((v) => [v.name, v.value]));
      const allowed = { ...FROM_ELSEWHERE, ...PER_UNIT[unit] };
      const problems: string[] = [];
      for (const k of [...new Set([...expected.keys(), ...got.keys()])].sort()) {
        if (k in allowed) continue;
        if (expected.get(k) !== got.get(k)) problems.push(`${k}: NUT ${JSON.stringify(expected.get(k))}, Walnut ${JSON.stringify(got.get(k))}`);
      }
      assert.deepEqual(problems, []);
      // the allowances are about values that exist on both sides (none hides a missing variable)
      for (const k of Object.keys(PER_UNIT[unit])) assert.ok(got.has(k) && expected.has(k), k);
      assert.equal(r.inst.state.isStale, false);
    } finally {
      await r.inst.stop();
    }
  });
}

test('pollinterval reads the status reports, pollfreq everything; the interrupt pipe applies at once', { skip: SKIP }, async () => {
  const sim = new SimUps(loadFixture('apc-back-ups-bk650m2-ch'));
  const r = await rig(sim, [{ key: 'port', value: 'auto' }, { key: 'pollfreq', value: '30' }]);
  try {
    assert.equal(r.get('ups.status'), 'OL DISCHRG');
    const full = sim.getCount;
    r.clock.advance(2000);
    await r.inst.poll();
    const quick = sim.getCount - full;
    assert.ok(quick > 0 && quick < full / 2, `a quick poll reads the status reports only (${quick} of ${full})`);
    r.clock.advance(30_000);
    const before = sim.getCount;
    await r.inst.poll();
    assert.ok(sim.getCount - before > quick, 'after pollfreq everything is read again');

    // status change on the interrupt pipe: AC lost (PresentStatus report 0x16: Discharging + BatteryPresent)
    const polls = r.inst.updateCount;
    assert.ok(sim.pushInterrupt([0x16, 0x0a, 0x00]));
    await settle();
    assert.equal(r.get('ups.status'), 'OB DISCHRG');
    assert.equal(r.inst.updateCount, polls, 'no poll was needed');
    // and back
    sim.pushInterrupt([0x16, 0x0d, 0x00]);
    await settle();
    assert.equal(r.get('ups.status'), 'OL CHRG');
    // a change seen by polling only (pollonly-like: no interrupt)
    sim.setReport([0x16, 0x0a, 0x00]);
    r.clock.advance(2000);
    await r.inst.poll();
    assert.equal(r.get('ups.status'), 'OB DISCHRG');
  } finally {
    await r.inst.stop();
  }
});

test('pollonly: no interrupt listener; status still follows the polls', { skip: SKIP }, async () => {
  const sim = new SimUps(loadFixture('apc-back-ups-cs-500'));
  const r = await rig(sim, [{ key: 'port', value: 'auto' }, { key: 'pollonly' }]);
  try {
    assert.equal(sim.listening, false);
    assert.equal(r.get('ups.status'), 'OL');
    sim.setReport([0x13, 0x00]); // ACPresent 0
    sim.setReport([0x06, 0x00, 0x01, 0x08]); // Discharging 1
    r.clock.advance(2000);
    await r.inst.poll();
    assert.equal(r.get('ups.status'), 'OB DISCHRG');
  } finally {
    await r.inst.stop();
  }
});

test('interruptonly: no status polling between full reads; a unit answering nothing is stale until it answers again', { skip: SKIP }, async () => {
  const sim = new SimUps(loadFixture('apc-back-ups-bk650m2-ch'));
  const r = await rig(sim, [{ key: 'port', value: 'auto' }, { key: 'interruptonly' }, { key: 'pollfreq', value: '10' }]);
  try {
    const n = sim.getCount;
    r.clock.advance(2000);
    await r.inst.poll();
    assert.equal(sim.getCount, n, 'no quick poll');
    sim.pushInterrupt([0x16, 0x0a, 0x00]);
    await settle();
    assert.equal(r.get('ups.status'), 'OB DISCHRG');
    // every GET_REPORT stalls: the next full read fails, the data goes stale (the driver keeps running)
    const saved = new Map(sim.reports);
    sim.reports.clear();
    r.clock.advance(10_000);
    await r.inst.poll();
    assert.equal(r.inst.state.isStale, true);
    for (const [k, v] of saved) sim.reports.set(k, v);
    r.clock.advance(10_000);
    await r.inst.poll();
    assert.equal(r.inst.state.isStale, false);
    assert.equal(sim.opens, 1, 'no reconnect was needed');
  } finally {
    await r.inst.stop();
  }
});

test('a hung unit (GET_REPORT timeouts): the round stops after 3, data stale; answers again: fresh', { skip: SKIP }, async () => {
  const sim = new SimUps(loadFixture('apc-back-ups-cs-500'));
  const r = await rig(sim, [{ key: 'port', value: 'auto' }]);
  try {
    sim.failReads = 'timeout';
    const n = sim.getCount;
    r.clock.advance(31_000);
    await r.inst.poll();
    assert.equal(sim.getCount - n, 3);
    assert.equal(r.inst.state.isStale, true);
    sim.failReads = undefined;
    r.clock.advance(2000);
    await r.inst.poll();
    assert.equal(r.inst.state.isStale, false);
    assert.equal(r.get('ups.status'), 'OL');
  } finally {
    await r.inst.stop();
  }
});

test('beeper commands write AudibleAlarmControl (report 0x18) and the next full poll reads it back', { skip: SKIP }, async () => {
  const sim = new SimUps(loadFixture('apc-back-ups-bk650m2-ch'));
  const r = await rig(sim, [{ key: 'port', value: 'auto' }]);
  try {
    assert.equal(r.get('ups.beeper.status'), 'disabled');
    assert.equal(await r.inst.instcmd('beeper.enable', undefined), STAT_HANDLED);
    assert.equal(await r.inst.instcmd('beeper.disable', undefined), STAT_HANDLED);
    assert.equal(await r.inst.instcmd('beeper.mute', undefined), STAT_HANDLED);
    assert.deepEqual(sim.writes.map((w) => `${w.type} ${hex(w.bytes)}`), ['feature 18 02', 'feature 18 01', 'feature 18 03']);
    assert.equal(await r.inst.instcmd('no.such.command', undefined), STAT_UNKNOWN);
    r.clock.advance(31_000);
    await r.inst.poll();
    assert.equal(r.get('ups.beeper.status'), 'muted');
  } finally {
    await r.inst.stop();
  }
});

test('upsrw: writable variables (RW, enums) become feature reports, read back at once; vendor paths by name', { skip: SKIP }, async () => {
  const sim = new SimUps(loadFixture('apc-back-ups-bk650m2-ch'));
  const r = await rig(sim, [{ key: 'port', value: 'auto' }]);
  try {
    const rw = r.inst.state.table.list().filter((v) => v.flags & 1).map((v) => v.name);
    assert.ok(rw.includes('battery.charge.low') && rw.includes('input.sensitivity'), rw.join(' '));
    assert.deepEqual(r.inst.state.table.get('input.sensitivity')?.enums, ['low', 'medium', 'high']);
    assert.equal(await r.inst.setvar('battery.charge.low', '40'), STAT_HANDLED);
    // APCSensitivity is the vendor usage ff860061 (report 0x35); the descriptor's Report Count 23
    // (left over from the padding before it) makes that report 24 bytes, all sent as NUT does
    assert.equal(await r.inst.setvar('input.sensitivity', 'high'), STAT_HANDLED);
    assert.deepEqual(sim.writes.map((w) => hex(w.bytes)), ['11 28', '35 02' + ' 00'.repeat(22)]);
    assert.equal(r.get('battery.charge.low'), '40');
    assert.equal(r.get('input.sensitivity'), 'high');
    assert.equal(await r.inst.setvar('no.such.var', '1'), STAT_UNKNOWN);
  } finally {
    await r.inst.stop();
  }
});

const cpsSim = cyberPowerSim;

test('shutdown.return: DelayBeforeStartup = ondelay, 125 ms later DelayBeforeShutdown = offdelay (bytes)', { skip: SKIP }, async () => {
  const sim = cpsSim();
  const r = await rig(sim, [{ key: 'port', value: 'auto' }, { key: 'vendorid', value: '0764' }, { key: 'offdelay', value: '60' }, { key: 'ondelay', value: '180' }], systemClock);
  try {
    const times: number[] = [];
    sim.onWrite = () => times.push(performance.now());
    assert.equal(await r.inst.instcmd('shutdown.return', undefined), STAT_HANDLED);
    // report 0x16 DelayBeforeStartup, 0x15 DelayBeforeShutdown: 16-bit little-endian; this
    // descriptor maps logical 1 to 60 s (Physical Min/Max -60 .. 0x1dffc4), so 180 s = 3, 60 s = 1
    assert.deepEqual(sim.writes.map((w) => `${w.type} ${hex(w.bytes)}`), ['feature 16 03 00', 'feature 15 01 00']);
    assert.ok(times[1]! - times[0]! >= 120, 'the two writes are 125 ms apart');
  } finally {
    await r.inst.stop();
  }
});

test('-k (killpower): sdcommands order, the first command the UPS takes; offdelay/ondelay from ups.conf', { skip: SKIP }, async () => {
  const sim = cpsSim();
  const r = await rig(sim, [{ key: 'port', value: 'auto' }, { key: 'vendorid', value: '0764' }, { key: 'offdelay', value: '120' }, { key: 'ondelay', value: '240' }], systemClock);
  try {
    assert.equal(await r.rt.killpower(), 0);
    assert.deepEqual(sim.writes.map((w) => hex(w.bytes)), ['16 04 00', '15 02 00'], 'shutdown.return: 240 s and 120 s in minutes');
  } finally {
    await r.inst.stop();
  }
  const sim2 = cpsSim();
  const r2 = await rig(sim2, [{ key: 'port', value: 'auto' }, { key: 'vendorid', value: '0764' }, { key: 'sdcommands', value: 'no.such.cmd,load.off' }], systemClock);
  try {
    assert.equal(await r2.rt.killpower(), 0);
    assert.deepEqual(sim2.writes.map((w) => hex(w.bytes)), ['15 00 00'], 'load.off = DelayBeforeShutdown 0');
  } finally {
    await r2.inst.stop();
  }
  const sim3 = new SimUps(loadFixture('apc-back-ups-cs-500'));
  const r3 = await rig(sim3, [{ key: 'port', value: 'auto' }, { key: 'sdcommands', value: 'shutdown.stayoff' }]);
  try {
    assert.equal(await r3.rt.killpower(), 1, 'the CS 500 has no shutdown delays');
    assert.equal(sim3.writes.length, 0);
  } finally {
    await r3.inst.stop();
  }
});

test('unplug: data stale at once; each poll retries; replug: fresh again without a restart', { skip: SKIP }, async () => {
  const sim = new SimUps(loadFixture('apc-back-ups-bk650m2-ch'));
  const r = await rig(sim, [{ key: 'port', value: 'auto' }, { key: 'vendorid', value: '051d' }]);
  try {
    assert.equal(r.inst.state.isStale, false);
    sim.unplug();
    await settle();
    assert.equal(r.inst.state.isStale, true);
    r.clock.advance(2000);
    await r.inst.poll();
    assert.equal(r.inst.state.isStale, true, 'still gone');
    sim.setReport([0x16, 0x0a, 0x00]); // it comes back on battery
    sim.replug();
    r.clock.advance(2000);
    await r.inst.poll();
    assert.equal(r.inst.state.isStale, false);
    assert.equal(sim.opens, 2);
    assert.equal(r.get('ups.status'), 'OB DISCHRG');
    assert.equal(r.rt.stats.reconnects, 1);
    // the interrupt pipe works on the new session
    sim.pushInterrupt([0x16, 0x0e, 0x00]);
    await settle();
    assert.equal(r.get('ups.status'), 'OL DISCHRG');
  } finally {
    await r.inst.stop();
  }
});

test('matching options: a unit the options reject is not opened (regex, whole field, any case)', { skip: SKIP }, async () => {
  const sim = new SimUps(loadFixture('apc-back-ups-cs-500'));
  await assert.rejects(
    rig(sim, [{ key: 'port', value: 'auto' }, { key: 'serial', value: 'XYZ.*' }]),
    /No matching HID UPS found.*serial/,
  );
  await assert.rejects(rig(sim, [{ key: 'port', value: 'auto' }, { key: 'product', value: 'Back-UPS' }]), /product/);
  const ok = await rig(sim, [{ key: 'port', value: 'auto' }, { key: 'product', value: 'back-ups 500.*' }, { key: 'bus', value: '00[0-3]' }]);
  await ok.inst.stop();
  assert.equal(sim.opens, 1);
});

test('port = auto opens only units a subdriver claims; vendorid points at any unit; a non-UPS HID device is refused', { skip: SKIP }, async () => {
  const apc = loadFixture('apc-back-ups-cs-500');
  const unknown = new SimUps({ ...apc, info: { ...apc.info, vendorId: 0x1234, productId: 0x5678 } });
  await assert.rejects(rig(unknown, [{ key: 'port', value: 'auto' }]), /No matching HID UPS found/);
  assert.equal(unknown.opens, 0);
  const explored = await rig(new SimUps(apc), [{ key: 'port', value: 'auto' }, { key: 'explore' }]);
  assert.match(explored.get('driver.version.data') ?? '', /^Generic HID/, 'explore: the generic table even for an APC unit');
  await explored.inst.stop();
  const pointed = await rig(unknown, [{ key: 'port', value: 'auto' }, { key: 'vendorid', value: '1234' }]);
  try {
    assert.equal(pointed.get('ups.vendorid'), '1234');
    assert.equal(pointed.get('battery.charge'), '100');
    assert.equal(pointed.get('ups.status'), 'OL');
  } finally {
    await pointed.inst.stop();
  }
  // a boot keyboard's report descriptor (HID 1.11 appendix B.1): usage page 1 and 7 only
  const kbd = Uint8Array.from(
    '05 01 09 06 a1 01 05 07 19 e0 29 e7 15 00 25 01 75 01 95 08 81 02 95 01 75 08 81 01 95 05 75 01 05 08 19 01 29 05 91 02 95 01 75 03 91 01 95 06 75 08 15 00 25 65 05 07 19 00 29 65 81 00 c0'
      .split(' ')
      .map((h) => parseInt(h, 16)),
  );
  const keyboard = new SimUps({ name: 'keyboard', descriptor: kbd, reports: new Map(), strings: new Map(), info: { vendorId: 0x046d, productId: 0xc31c, bus: '001', device: '009', hid: true } });
  await assert.rejects(rig(keyboard, [{ key: 'port', value: 'auto' }, { key: 'vendorid', value: '046d' }]), /not a USB HID Power Device/);
});

test('fuzzed reports and interrupt bytes never crash the driver; the real reports bring the real values back', { skip: SKIP }, async () => {
  const sim = new SimUps(loadFixture('apc-back-ups-bk650m2-ch'));
  const r = await rig(sim, [{ key: 'port', value: 'auto' }, { key: 'pollfreq', value: '4' }]);
  const original = new Map(sim.reports);
  const ids = [...original.keys()];
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...ids, 0x00, 0x99), fc.uint8Array({ minLength: 0, maxLength: 40 })), { maxLength: 8 }),
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { maxLength: 4 }),
        async (reports, interrupts) => {
          for (const [id, body] of reports) sim.setReport([id, ...body]);
          for (const b of interrupts) sim.pushRawInterrupt(b);
          await settle();
          r.clock.advance(2000);
          await r.inst.poll();
          r.clock.advance(2000);
          await r.inst.poll();
          assert.equal(typeof r.get('ups.status'), 'string');
          assert.equal(r.inst.state.isStale, false);
        },
      ),
      { numRuns: 150, seed: 20261129 },
    );
    for (const [id, b] of original) sim.reports.set(id, b);
    for (const id of [...sim.reports.keys()]) if (!original.has(id)) sim.reports.delete(id);
    r.clock.advance(5000);
    await r.inst.poll();
    const expected = expectedUpsc('apc-back-ups-bk650m2-ch');
    for (const k of ['battery.charge', 'battery.runtime', 'battery.voltage', 'input.voltage', 'ups.status', 'ups.beeper.status', 'input.sensitivity']) {
      assert.equal(r.get(k), expected.get(k), k);
    }
  } finally {
    await r.inst.stop();
  }
});
