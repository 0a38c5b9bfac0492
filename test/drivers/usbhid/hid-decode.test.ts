import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { requirePeers } from '../../support/peers.js';
import {
  parseDescriptor,
  parseHexText,
  readRecordedReports,
  decodeField,
  decodeLogical,
  encodeField,
  newReport,
  formatValue,
  findField,
  HidDecodeError,
  type HidField,
} from '../../../src/drivers/usbhid/hid/index.js';
import { sharedDevices } from './hid-support.js';

/** A field for unit tests: defaults of an 8-bit unsigned feature element in report 1. */
function field(over: Partial<HidField> = {}): HidField {
  return {
    path: 'UPS.Test',
    usage: 0x00840058,
    usagePath: [0x00840004, 0x00840058],
    reportId: 1,
    type: 'feature',
    bitOffset: 0,
    bitSize: 8,
    logMin: 0,
    logMax: 255,
    physMin: 0,
    physMax: 0,
    unit: 0,
    unitExponent: 0,
    flagBits: 2,
    flags: { constant: false, variable: true, relative: false, wrap: false, nonLinear: false, noPreferred: false, nullState: false, volatile: false, bufferedBytes: false },
    index: 0,
    itemOffset: 0,
    ...over,
  };
}

describe('HID value decoding against the real usbhid-ups logs', () => {
  test("APC units: every 'Path: ..., Value: ...' line equals the value decoded from the raw report before it", (t) => {
    if (!requirePeers(t, 'shared')) return;
    let n = 0;
    for (const d of sharedDevices()) {
      if (!d.log) continue;
      const desc = parseDescriptor(parseHexText(d.descriptorHex));
      const rec = readRecordedReports(d.log);
      for (const p of rec.paths) {
        const f = desc.fields.find((x) => x.path === p.path && x.type === p.type && x.reportId === p.reportId && x.bitOffset === p.offset);
        assert.ok(f, `${d.name}: ${p.path}`);
        assert.ok(p.reportBytes, `${d.name}: a report line precedes log line ${p.line}`);
        // NUT keeps a zero-filled buffer of the report's size: short device answers read as 0 past their end
        const v = decodeField(f, p.reportBytes, { zeroPad: true });
        assert.ok(Math.abs(v - p.value) < 1e-9, `${d.name} line ${p.line}: ${p.path} = ${v}, log says ${p.valueText}`);
        assert.equal(formatValue(v), p.valueText, `${d.name} line ${p.line}: printed like NUT`);
        n++;
      }
    }
    assert.equal(n, 35 + 90, 'all Path lines of both APC logs');
  });

  test('APC CS 500: the first device read of each report decodes to the values upsc shows', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const d = sharedDevices().find((x) => x.name === 'apc-back-ups-cs-500')!;
    const desc = parseDescriptor(parseHexText(d.descriptorHex));
    const rec = readRecordedReports(d.log!);
    const value = (path: string): number => {
      const f = findField(desc, path, 'feature')!;
      return decodeField(f, rec.byId.get(f.reportId)!.bytes);
    };
    const upsc = Object.fromEntries(d.expectedUpsc!.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    assert.equal(String(value('UPS.PowerSummary.RemainingCapacity')), upsc['battery.charge']);
    assert.equal(String(value('UPS.PowerSummary.RunTimeToEmpty')), upsc['battery.runtime']);
    assert.equal(value('UPS.PowerSummary.Voltage').toFixed(1), upsc['battery.voltage']);
    assert.equal(value('UPS.PowerSummary.ConfigVoltage').toFixed(1), upsc['battery.voltage.nominal']);
    assert.equal(String(value('UPS.PowerSummary.RemainingCapacityLimit')), upsc['battery.charge.low']);
    assert.equal(String(value('UPS.PowerSummary.WarningCapacityLimit')), upsc['battery.charge.warning']);
    // HID date 12515 = ((2004-1980)<<9)|(7<<5)|3
    assert.equal(value('UPS.PowerSummary.ManufacturerDate'), ((2004 - 1980) << 9) | (7 << 5) | 3);
  });

  test('5131:2007: the reporter\'s hand decoding of the input and feature report', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const d = sharedDevices().find((x) => x.name === 'unknown-5131-2007')!;
    const desc = parseDescriptor(parseHexText(d.descriptorHex));
    const rec = readRecordedReports(d.reportsTxt!);
    const val = (path: string, type: 'input' | 'feature'): number => {
      const f = findField(desc, path, type)!;
      return decodeField(f, rec.reports.get(`${type}:11`)!.bytes);
    };
    assert.equal(val('UPS.PowerSummary.RemainingCapacity', 'input'), 400);
    assert.equal(val('UPS.PowerSummary.PresentStatus.ACPresent', 'input'), 1, 'connected to mains');
    assert.equal(val('UPS.PowerSummary.PresentStatus.Discharging', 'input'), 0);
    assert.equal(val('UPS.PowerSummary.FullChargeCapacity', 'feature'), 400, 'fully charged');
    assert.equal(val('UPS.PowerSummary.RemainingCapacity', 'feature'), 400);
    assert.equal(val('UPS.PowerSummary.DesignCapacity', 'feature'), 400);
    assert.equal(val('UPS.PowerSummary.WarningCapacityLimit', 'feature'), 40);
    const cv = findField(desc, 'UPS.PowerSummary.ConfigVoltage')!;
    assert.equal(decodeLogical(cv, rec.reports.get('feature:11')!.bytes), 220);
    // exponent 5 on a volt unit: NUT's implied 7 makes it 10^-2 (what "NUT reads wrong" on this unit)
    assert.equal(decodeField(cv, rec.reports.get('feature:11')!.bytes), 2.2);
  });

  test('CyberPower CST135UC2 fixture: the values its own tests expect', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const d = sharedDevices().find((x) => x.name === 'cyberpower-cst135uc2')!;
    const desc = parseDescriptor(parseHexText(d.descriptorHex));
    const rc = findField(desc, 'UPS.PowerSummary.RemainingCapacity', 'input')!;
    assert.equal(rc.reportId, 0x08);
    const rt = findField(desc, 'UPS.PowerSummary.RunTimeToEmpty', 'input')!;
    assert.deepEqual([rt.reportId, rt.bitOffset], [0x08, 8]);
    const dis = findField(desc, 'UPS.PowerSummary.PresentStatus.Discharging', 'input')!;
    assert.deepEqual([dis.reportId, dis.bitOffset], [0x0b, 2]);
    assert.equal(findField(desc, 'UPS.PowerSummary.PresentStatus.ACPresent', 'input')!.reportId, 0x0b);
    assert.equal(findField(desc, 'UPS.Input.Voltage')!.reportId, 0x0f);
    assert.equal(findField(desc, 'UPS.Output.Voltage')!.reportId, 0x12);
    assert.equal(findField(desc, 'UPS.Output.PercentLoad')!.reportId, 0x13);
    assert.equal(findField(desc, 'UPS.Output.Overload')!.reportId, 0x17);
    assert.equal(findField(desc, 'UPS.Output.Test')!.reportId, 0x14);
    // battery voltage: logical 137 → 13.7 V
    const bv = findField(desc, 'UPS.PowerSummary.Voltage')!;
    assert.equal(bv.reportId, 0x0a);
    const rep = newReport(desc, 'feature', 0x0a);
    rep[1] = 137;
    assert.equal(decodeField(bv, rep), 13.7);
    // DelayBeforeShutdown counts minutes: physical 60 s ↔ logical 1
    const dbs = findField(desc, 'UPS.Output.DelayBeforeShutdown')!;
    const r15 = newReport(desc, 'feature', 0x15);
    assert.equal(encodeField(dbs, 60, r15), 1);
    assert.deepEqual([...r15], [0x15, 0x01, 0x00]);
    assert.equal(decodeField(dbs, r15), 60);
    assert.equal(encodeField(dbs, -60, r15), -1, 'the -1 "cancel" value');
    assert.deepEqual([...r15], [0x15, 0xff, 0xff]);
  });
});

describe("HID value decoding: NUT's corrections", () => {
  test('garbage high bits are masked to the width LogMax implies', () => {
    assert.equal(decodeField(field({ bitSize: 16, logMax: 255 }), Uint8Array.from([1, 0x64, 0xff])), 100);
    assert.equal(decodeField(field({ bitSize: 8, logMax: 1 }), Uint8Array.from([1, 0xfe])), 0);
  });
  test('sign-extended only when LogMin < 0', () => {
    assert.equal(decodeField(field({ bitSize: 16, logMin: -1, logMax: 32767 }), Uint8Array.from([1, 0xff, 0xff])), -1);
    assert.equal(decodeField(field({ bitSize: 16, logMin: 0, logMax: 65535 }), Uint8Array.from([1, 0xff, 0xff])), 65535);
    assert.equal(decodeField(field({ bitSize: 8, logMin: -128, logMax: 127 }), Uint8Array.from([1, 0x80])), -128);
  });
  test('clamped to [LogMin, LogMax]', () => {
    assert.equal(decodeField(field({ logMin: 0, logMax: 100 }), Uint8Array.from([1, 120])), 100);
    assert.equal(decodeField(field({ logMin: 1, logMax: 3 }), Uint8Array.from([1, 0])), 1);
  });
  test('physical mapping, identity when PhyMin = PhyMax = 0', () => {
    assert.equal(decodeField(field({ logMin: 0, logMax: 255, physMin: 0, physMax: 510 }), Uint8Array.from([1, 100])), 200);
    assert.equal(decodeField(field({ logMin: 0, logMax: 255 }), Uint8Array.from([1, 100])), 100);
  });
  test("unit exponents with the implied 7 of volt and VA/W", () => {
    const volt = { unit: 0x00f0d121, bitSize: 16, logMax: 65534 };
    assert.equal(decodeField(field({ ...volt, unitExponent: 7 }), Uint8Array.from([1, 0xe8, 0x00])), 232);
    assert.equal(decodeField(field({ ...volt, unitExponent: 5 }), Uint8Array.from([1, 0x4e, 0x05])), 13.58);
    assert.equal(decodeField(field({ unit: 0x0000d121, unitExponent: 7, bitSize: 16, logMax: 65535 }), Uint8Array.from([1, 0x86, 0x01])), 390);
    assert.equal(decodeField(field({ unit: 0x00001001, unitExponent: -1, bitSize: 16, logMax: 65535 }), Uint8Array.from([1, 0x10, 0x00])), 1.6, 'other units: the exponent as is');
  });
  test('writes are not clamped to [LogMin, LogMax]: -1 stays "cancel", only what the bits cannot hold is cut', () => {
    const delay = field({ bitSize: 16, logMin: 0, logMax: 32767, unit: 0x00001001 });
    const r = Uint8Array.from([1, 0x55, 0x55]);
    assert.equal(encodeField(delay, -1, r), -1);
    assert.deepEqual([...r], [1, 0xff, 0xff]);
    assert.equal(encodeField(delay, 20, r), 20);
    assert.deepEqual([...r], [1, 20, 0]);
    assert.equal(encodeField(field({ bitSize: 8, logMax: 100 }), 300, Uint8Array.from([1, 0])), 255);
    assert.equal(encodeField(field({ bitSize: 8, logMax: 100 }), -300, Uint8Array.from([1, 0])), -128);
  });
  test('reports without ids; bit offsets inside bytes', () => {
    assert.equal(decodeField(field({ reportId: 0, bitOffset: 3, bitSize: 2, logMax: 3 }), Uint8Array.from([0b00011000])), 3);
  });
  test('bad reports are refused with the byte offset', () => {
    assert.throws(() => decodeField(field({ bitSize: 16, logMax: 65535 }), Uint8Array.from([1, 0])), (e: unknown) => e instanceof HidDecodeError && e.offset === 2 && /byte offset 2/.test(e.message));
    assert.throws(() => decodeField(field(), Uint8Array.from([2, 0])), (e: unknown) => e instanceof HidDecodeError && e.offset === 0 && /report id 0x02/.test(e.message));
    assert.throws(() => decodeField(field(), new Uint8Array(0)), (e: unknown) => e instanceof HidDecodeError && e.offset === 0);
    assert.throws(() => decodeField(field({ bitSize: 40 }), new Uint8Array(8)), HidDecodeError);
    assert.equal(decodeField(field({ bitSize: 16, logMax: 65535 }), Uint8Array.from([1, 5]), { zeroPad: true }), 5);
  });

  test('encode then decode gives the value back (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          bitSize: fc.integer({ min: 1, max: 32 }),
          signed: fc.boolean(),
          bitOffset: fc.integer({ min: 0, max: 40 }),
          exp: fc.integer({ min: -4, max: 7 }),
          volt: fc.boolean(),
          phys: fc.boolean(),
          seed: fc.double({ min: 0, max: 1, noNaN: true }),
          fill: fc.integer({ min: 0, max: 255 }),
        }),
        ({ bitSize, signed, bitOffset, exp, volt, phys, seed, fill }) => {
          const logMin = signed ? -(2 ** (bitSize - 1)) : 0;
          const logMax = signed ? 2 ** (bitSize - 1) - 1 : 2 ** bitSize - 1;
          const f = field({ bitSize, bitOffset, logMin, logMax, unitExponent: exp, unit: volt ? 0x00f0d121 : 0, ...(phys ? { physMin: logMin * 2, physMax: logMax * 2 } : {}) });
          const logical = Math.round(logMin + seed * (logMax - logMin)) || 0; // never -0
          const bytes = new Uint8Array(1 + Math.ceil((bitOffset + bitSize) / 8)).fill(fill);
          bytes[0] = 1;
          assert.ok(Number.isFinite(decodeField(f, bytes)), 'whatever the bits, a finite value');
          const target = (phys ? logical * 2 : logical) * 10 ** (exp - (volt ? 7 : 0));
          const written = encodeField(f, target, bytes);
          assert.equal(written, logical);
          assert.equal(decodeLogical(f, bytes), logical);
          assert.ok(Math.abs(decodeField(f, bytes) - target) <= Math.abs(target) * 1e-12 + 1e-12);
          // bits outside the field are untouched
          const start = 8 + bitOffset;
          for (let bit = 8; bit < bytes.length * 8; bit++) {
            if (bit >= start && bit < start + bitSize) continue;
            assert.equal((bytes[bit >> 3]! >> (bit & 7)) & 1, (fill >> (bit & 7)) & 1, `bit ${bit} untouched`);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
