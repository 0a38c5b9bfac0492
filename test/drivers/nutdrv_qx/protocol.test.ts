/**
 * The Q1 protocol codecs against every recorded real reply in
 * shared/serial/megatec-q1.txt (and its documentation examples), the
 * command bytes, the battery estimates, the USB bridge framings, and
 * property tests: malformed, truncated and noisy replies are refused with
 * a reason, never thrown on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import {
  RATINGS_LAYOUT,
  VENDOR_IC_LAYOUT,
  statusLayout,
  vendorLayout,
  parseReply,
  decodeStatusBits,
  commandRequest,
  commandAccepted,
  formatOffDelay,
  formatOnDelay,
  cFixed,
  isSignificant,
  DEFAULT_DELAYS,
  type ParseResult,
} from '../../../src/drivers/nutdrv_qx/protocol.js';
import { guessPacks, guessLimits, chargeFromVoltage, parseRuntimeCal, fullRuntime, nextCharge, fmt2 } from '../../../src/drivers/nutdrv_qx/battery.js';
import { armacReassemble, stringDescriptorSetup } from '../../../src/drivers/nutdrv_qx/usb-framing.js';
import { Q1Simulator, parseExchanges, parseDevDump, type RecordedBlock } from '../../../src/drivers/nutdrv_qx/simulator.js';
import { requirePeers, skipUnless } from '../../support/peers.js';
import { MEGATEC_TXT, IPPON_DEV } from './harness.js';

const Q1 = statusLayout('Q1');
const I = vendorLayout('I');

function ok(r: ParseResult): Extract<ParseResult, { ok: true }> {
  if (!r.ok) assert.fail(r.reason);
  return r;
}

function values(r: ParseResult): Record<string, string> {
  return Object.fromEntries(ok(r).values.map((v) => [v.name, v.value]));
}

function blocks(): RecordedBlock[] {
  return parseExchanges(fs.readFileSync(MEGATEC_TXT, 'latin1'));
}

function block(id: string): RecordedBlock {
  const b = blocks().find((x) => x.id === id || x.id.startsWith(id));
  assert.ok(b, `record ${id}`);
  return b;
}

function replies(b: RecordedBlock, req: string): string[] {
  return b.exchanges.filter((e) => e.request === req).flatMap((e) => e.responses);
}

test('every recorded Q1 reply parses to the documented variables (records 1, 2, 3, 4, 6)', { skip: skipUnless('shared') }, () => {
  let checked = 0;
  for (const id of ['1', '2', '3', '4', '6']) {
    const b = block(id);
    const q1 = replies(b, 'Q1');
    assert.ok(q1.length > 0, `record ${id} has Q1 replies`);
    for (const reply of q1) ok(parseReply(Q1, reply + '\r'));
    // the first reply against the expected values of the record
    const r = ok(parseReply(Q1, q1[0]! + '\r'));
    const v = values(r);
    const st = decodeStatusBits(r.bits!, Number(v['input.voltage']), Number(v['output.voltage']));
    const got: Record<string, string> = { ...v, 'ups.status': st.tokens.join(' '), 'ups.type': st.type, 'ups.beeper.status': st.beeper };
    for (const [k, want] of b.expected) {
      assert.equal(got[k], want.replace(/\s*\(.*\)$/, ''), `record ${id}: ${k}`);
      checked++;
    }
  }
  assert.equal(checked, 50);
});

test('record 2 (DigiTECH, on battery): the 47 recorded bytes and the driver log\'s !OL', { skip: skipUnless('shared') }, () => {
  const hex = '28 30 30 30 2e 30 20 30 30 30 2e 30 20 32 33 30 2e 30 20 30 30 30 20 30 30 2e 30 20 31 32 2e 38 20 32 39 2e 30 20 31 30 30 30 31 30 30 30 0d';
  const raw = Buffer.from(hex.replace(/ /g, ''), 'hex').toString('latin1');
  assert.equal(raw.length, 47);
  const r = ok(parseReply(Q1, raw));
  assert.deepEqual(decodeStatusBits(r.bits!, 0, 230).tokens, ['OB']);
});

test('records 3-5: F and I replies, non significant fields skipped, collapsed copies refused', { skip: skipUnless('shared') }, () => {
  // record 4 (MEC0003): F keeps only battery.voltage.nominal; I only the firmware
  const r4 = block('4');
  const f4 = parseReply(RATINGS_LAYOUT, replies(r4, 'F')[0]! + '\r');
  assert.deepEqual(values(f4), { 'battery.voltage.nominal': '12.0' });
  assert.deepEqual(ok(f4).skipped, ['input.voltage.nominal', 'input.current.nominal', 'input.frequency.nominal']);
  const i4 = parseReply(I, replies(r4, 'I')[0]! + '\r');
  assert.deepEqual(values(i4), { 'ups.firmware': 'V3.8' });
  // record 4: the Q (beeper.toggle) reply "UPS No Ack" is a refusal
  assert.equal(commandAccepted('Q\r', replies(r4, 'Q')[0]! + '\r').ok, false);
  // record 3: the web copy collapsed spaces: too short, refused with a reason
  const r3 = block('3');
  for (const [req, layout] of [
    ['I', I],
    ['F', RATINGS_LAYOUT],
  ] as const) {
    const r = parseReply(layout, replies(r3, req)[0]! + '\r');
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /too short/);
  }
  // record 5 (MicroSinus): F as the driver's SETINFO lines; I: mfr not significant (as the log says)
  const r5 = block('5');
  const hexF = '23 32 33 30 2e 30 20 30 31 30 20 34 38 2e 30 30 20 35 30 2e 30 0d';
  const rawF = Buffer.from(hexF.replace(/ /g, ''), 'hex').toString('latin1');
  assert.equal(rawF, replies(r5, 'F')[0]! + '\r');
  const f5 = values(parseReply(RATINGS_LAYOUT, rawF));
  assert.equal(f5['input.voltage.nominal'], '230');
  assert.equal(f5['input.current.nominal'], '10.0');
  assert.equal(f5['input.frequency.nominal'], '50');
  assert.equal(f5['battery.voltage.nominal'], '48.0');
  const hexI = '23 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 4d 69 63 72 6f 53 69 6e 75 73 20 56 35 2e 31 35 43 30 35 30 33 0d';
  const rawI = Buffer.from(hexI.replace(/ /g, ''), 'hex').toString('latin1');
  assert.equal(rawI.length, 39);
  const i5 = parseReply(I, rawI);
  assert.deepEqual(values(i5), { 'device.model': 'MicroSinus', 'ups.firmware': 'V5.15C0503' });
  assert.deepEqual(ok(i5).skipped, ['device.mfr']);
});

test('records 6-7: per-cell battery readings are scaled by the guessed pack count (as blazer_ser)', { skip: skipUnless('shared') }, () => {
  const r6 = block('6');
  for (const reply of replies(r6, 'Q1')) {
    const r = ok(parseReply(Q1, reply + '\r'));
    assert.equal(decodeStatusBits(r.bits!, 238.8, 219.9).type, 'online');
  }
  // record 7: raw 2.23, nominal 48 V → 24 cells → 53.52 V, charge 100
  const packs = guessPacks(2.23, 48);
  assert.equal(packs, 24);
  assert.equal(fmt2(2.23 * packs!), '53.52');
  const { low, high } = guessLimits(48);
  assert.equal(Math.round(chargeFromVoltage(53.52, low, high)), 100);
  // a whole-battery reading stays as is
  assert.equal(guessPacks(13.6, 12), 1);
  assert.equal(guessPacks(27.2, 24), 1);
  assert.equal(guessPacks(100, 12), undefined);
});

test('record 6 transport: Armac 6-byte reports reassemble to the reply; bytes after CR dropped', { skip: skipUnless('shared') }, () => {
  const reads = [
    '86 28 32 33 38 2e',
    'a6 36 20 30 30 30',
    '86 2e 30 20 32 32',
    'a6 30 2e 32 20 30',
    '86 31 39 20 34 39',
    'a6 2e 39 20 32 2e',
    '86 32 33 20 34 33',
    'a6 2e 30 20 30 30',
    '86 30 30 30 30 30',
    'a3 31 0d 30 30 30',
  ].map((h) => Buffer.from(h.replace(/ /g, ''), 'hex'));
  const r = armacReassemble(reads);
  assert.equal(r.reply, replies(block('6'), 'Q1')[1]! + '\r');
  assert.equal(r.trailing, 1); // "2 copied out of 3"
  assert.equal(armacReassemble(reads.slice(0, 3)).reply, undefined);
});

test('record 3 transport: string-descriptor bridges select the command by index', () => {
  assert.deepEqual([...stringDescriptorSetup('Q1\r')!], [0x80, 0x06, 0x03, 0x03, 0x09, 0x04, 0x00, 0x66]);
  assert.equal(stringDescriptorSetup('F')![2], 0x0d);
  assert.equal(stringDescriptorSetup('I')![2], 0x0c);
  assert.equal(stringDescriptorSetup('Q')![2], 0x07);
  assert.equal(stringDescriptorSetup('T')![2], 0x04);
  assert.equal(stringDescriptorSetup('CT')![2], 0x0b);
  assert.equal(stringDescriptorSetup('TL'), undefined);
});

test('record 8 (a 12-field QGS-style reply) is not the Q1 layout: refused with a reason', { skip: skipUnless('shared') }, () => {
  const raw = replies(block('8'), '(status')[0]! + '\r';
  const r = parseReply(Q1, raw);
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /too long/);
});

test('documentation examples: Q1, F, I (2.8.0 layout) and the Megatec IC dialect', { skip: skipUnless('shared') }, () => {
  const doc = block('Documentation');
  const q1 = replies(doc, 'Q1').map((r) => values(parseReply(Q1, r + '\r')));
  assert.equal(q1[0]!['battery.voltage'], '27.50');
  assert.equal(q1[1]!['input.voltage.fault'], '195.0');
  const f = replies(doc, 'F').map((r) => values(parseReply(RATINGS_LAYOUT, r + '\r')));
  assert.deepEqual(f[0], { 'input.voltage.nominal': '220', 'input.current.nominal': '0.0', 'battery.voltage.nominal': '24.0', 'input.frequency.nominal': '50' });
  const i = replies(doc, 'I');
  assert.deepEqual(values(parseReply(I, i[0]! + '\r')), { 'ups.firmware': 'VT12046Q' });
  const ic = i[1]! + '\r';
  assert.equal(parseReply(I, ic).ok, false);
  assert.deepEqual(values(parseReply(VENDOR_IC_LAYOUT, ic)), {
    'device.mfr': 'MegaTec',
    'ups.serial': 'abcedfhi',
    'device.model': 'k130v',
    'battery.runtime': '12345',
    'ups.firmware': 'v3.400000',
  });
  assert.deepEqual(values(parseReply(I, i[2]! + '\r')), { 'device.mfr': 'NOT_A_LIVE_UPS', 'device.model': 'TESTING', 'ups.firmware': 'TESTING' });
});

test('status bits: each bit, bit 44 (shutdown active) is FSD, bit 5 by the voltage ratio', () => {
  const d = (bits: string, i = 230, o = 230) => decodeStatusBits(bits, i, o);
  assert.deepEqual(d('00000000').tokens, ['OL']);
  assert.deepEqual(d('10000000').tokens, ['OB']);
  assert.deepEqual(d('01000000').tokens, ['OL', 'LB']);
  assert.deepEqual(d('00100000', 240, 220).tokens, ['OL', 'TRIM']);
  assert.deepEqual(d('00100000', 230, 231).tokens, ['OL', 'BYPASS']);
  assert.deepEqual(d('00100000', 200, 230).tokens, ['OL', 'BOOST']);
  assert.deepEqual(d('00010000').alarms, ['UPS selftest failed!']);
  assert.equal(d('00001000').type, 'offline / line interactive');
  assert.equal(d('00000000').type, 'online');
  assert.deepEqual(d('00000100').tokens, ['OL', 'CAL']);
  assert.deepEqual(d('00000010').tokens, ['OL', 'FSD']);
  assert.equal(d('00000001').beeper, 'enabled');
  // byte 44 of the reply is b1
  const r = ok(parseReply(Q1, '(230.0 230.0 230.0 010 50.0 13.6 25.0 00001010\r'));
  assert.equal('(230.0 230.0 230.0 010 50.0 13.6 25.0 00001010'[44], '1');
  assert.deepEqual(decodeStatusBits(r.bits!, 230, 230).tokens, ['OL', 'FSD']);
});

test('instant commands: the bytes for each, delays formatted as S<n>R<mmmm>', () => {
  const req = (c: string, p?: string, d = DEFAULT_DELAYS) => {
    const r = commandRequest(c, p, d);
    return r.ok ? r.request : `!${r.reason}`;
  };
  assert.equal(req('beeper.toggle'), 'Q\r');
  assert.equal(req('load.off'), 'S00R0000\r');
  assert.equal(req('load.on'), 'C\r');
  assert.equal(req('shutdown.stop'), 'C\r');
  assert.equal(req('shutdown.return'), 'S.5R0003\r');
  assert.equal(req('shutdown.stayoff'), 'S.5R0000\r');
  assert.equal(req('shutdown.return', undefined, { offdelay: 12, ondelay: 0 }), 'S.2R0000\r');
  assert.equal(req('shutdown.return', undefined, { offdelay: 600, ondelay: 599940 }), 'S10R9999\r');
  assert.equal(req('test.battery.start.quick'), 'T\r');
  assert.equal(req('test.battery.start.deep'), 'TL\r');
  assert.equal(req('test.battery.stop'), 'CT\r');
  assert.equal(req('test.battery.start', '600'), 'T10\r');
  assert.match(req('test.battery.start'), /^!.*60 to 5940/);
  assert.match(req('test.battery.start', '30'), /^!/);
  assert.match(req('no.such'), /^!unknown/);
  assert.equal(formatOffDelay(54), '.9');
  assert.equal(formatOffDelay(60), '01');
  assert.equal(formatOnDelay(180), '0003');
  assert.deepEqual(commandAccepted('T\r', ''), { ok: true, why: 'no reply' });
  assert.equal(commandAccepted('T\r', 'ACK\r').ok, true);
  assert.equal(commandAccepted('T\r', 'T\r').ok, false);
  assert.equal(commandAccepted('T\r', 'NAK\r').ok, false);
});

test('numbers print as C printf does; non significant values', () => {
  assert.equal(cFixed(2.5, 0), '2');
  assert.equal(cFixed(3.5, 0), '4');
  assert.equal(cFixed(96.97, 0), '97');
  assert.equal(cFixed(13.6, 2), '13.60');
  assert.equal(cFixed(-0.01, 1), '0.0');
  assert.equal(isSignificant('--.-'), false);
  assert.equal(isSignificant('  .  '), false);
  assert.equal(isSignificant('0.0'), true);
});

test('battery: runtimecal parsing and the runtime model; chargetime limits the rise of the charge', () => {
  assert.equal(parseRuntimeCal('720,100,1440,50').ok, true);
  assert.equal(parseRuntimeCal('720,50,1440,100').ok, false);
  assert.equal(parseRuntimeCal('a,b').ok, false);
  const cal = (parseRuntimeCal('240,100,720,50') as { ok: true; cal: import('../../../src/drivers/nutdrv_qx/battery.js').RuntimeCal }).cal;
  assert.equal(Math.round(fullRuntime(cal, 100, 10)), 240);
  assert.equal(Math.round(fullRuntime(cal, 50, 10)), 720);
  assert.ok(fullRuntime(cal, 0, 10) === fullRuntime(cal, 10, 10));
  const m = { packs: 1, low: 10.4, high: 13, cal: undefined, idleload: 10, chargetime: 1000 };
  let s = nextCharge(m, { charge: undefined, at: undefined }, 10.4, true, 0);
  assert.equal(s.charge, 0);
  s = nextCharge(m, s, 13, false, 100_000); // back on mains: voltage jumps, charge rises 10 %/100 s at most
  assert.equal(Math.round(s.charge!), 10);
  s = nextCharge(m, s, 13, false, 2_000_000);
  assert.equal(Math.round(s.charge!), 100);
});

test('fast-check: noisy, truncated and malformed status replies are refused with a reason, never thrown on', () => {
  const good = '(222.0 221.4 221.4 013 50.3 13.6 25.0 00001001\r';
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (s) => {
      const r = parseReply(Q1, s);
      if (r.ok) assert.match(s, /^\([ -~]{45}\r$/);
      else assert.ok(r.reason.length > 0);
    }),
    { numRuns: 2000 },
  );
  // truncation anywhere: refused
  fc.assert(
    fc.property(fc.integer({ min: 0, max: good.length - 1 }), (n) => {
      const r = parseReply(Q1, good.slice(0, n));
      assert.equal(r.ok, false);
      const r2 = parseReply(Q1, good.slice(0, n) + '\r');
      assert.equal(r2.ok, n === good.length - 1);
    }),
  );
  // one byte replaced by a non-printable byte, or inserted anywhere: refused
  fc.assert(
    fc.property(fc.integer({ min: 0, max: good.length - 2 }), fc.integer({ min: 0, max: 255 }).filter((b) => b < 0x20 || b > 0x7e), fc.boolean(), (pos, byte, insert) => {
      const c = String.fromCharCode(byte);
      const s = insert ? good.slice(0, pos) + c + good.slice(pos) : good.slice(0, pos) + c + good.slice(pos + 1);
      assert.equal(parseReply(Q1, s).ok, false);
    }),
  );
  // a printable byte changed: either still a valid reply, or refused; when accepted the values are numbers
  fc.assert(
    fc.property(fc.integer({ min: 0, max: good.length - 2 }), fc.integer({ min: 0x20, max: 0x7e }), (pos, byte) => {
      const s = good.slice(0, pos) + String.fromCharCode(byte) + good.slice(pos + 1);
      const r = parseReply(Q1, s);
      if (r.ok) {
        for (const v of r.values) assert.ok(Number.isFinite(Number(v.value)), `${v.name}=${v.value}`);
        assert.match(r.bits!, /^[01]{8}$/);
      } else assert.ok(r.reason.length > 0);
    }),
    { numRuns: 3000 },
  );
});

test('simulator: renders the .dev values in the recorded layout, and carries out commands', (t) => {
  if (!requirePeers(t, 'shared')) return;
  let now = 0;
  const clock = { now: () => now, setTimer: () => () => {} };
  const sim = new Q1Simulator({ vars: parseDevDump(fs.readFileSync(IPPON_DEV, 'latin1')), clock });
  assert.equal(sim.handle('Q1'), '(222.0 221.4 221.4 013 50.3 13.6 25.0 00001001\r');
  assert.equal(sim.handle('F'), '#220.0 003 12.00 50.0\r');
  assert.equal(sim.handle('I'), `#${' '.repeat(37)}\r`);
  assert.equal(sim.handle('QPI'), 'QPI\r'); // unknown: echoed
  assert.equal(sim.handle('Q'), undefined);
  assert.match(sim.handle('Q1')!, / 00001000\r$/);
  sim.handle('S.5R0003');
  assert.match(sim.handle('Q1')!, / 00001010\r$/);
  now += 30_000; // the shutdown happens: output off
  assert.equal(sim.handle('Q1'), '(222.0 221.4 000.0 000 50.3 13.6 25.0 00001000\r');
  now += 180_000; // and back after 3 minutes on mains
  assert.match(sim.handle('Q1')!, /^\(222\.0 221\.4 221\.4 013 /);
  sim.handle('T');
  assert.match(sim.handle('Q1')!, / 00001100\r$/);
  now += 10_000;
  assert.match(sim.handle('Q1')!, / 00001000\r$/);
  sim.setOnBattery(true);
  sim.setLowBattery(true);
  assert.equal(sim.handle('Q1'), '(000.0 000.0 221.4 013 00.0 13.6 25.0 11001000\r');
  // what it renders parses back to the dump's values
  sim.setOnBattery(false);
  sim.setLowBattery(false);
  const v = values(parseReply(Q1, sim.handle('Q1')!));
  assert.equal(v['input.voltage'], '222.0');
  assert.equal(v['battery.voltage'], '13.60');
});
