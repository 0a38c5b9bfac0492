import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { requirePeers } from '../../support/peers.js';
import {
  parseDescriptor,
  parseHexText,
  printDescriptor,
  assembleDescriptor,
  encodeDescriptor,
  readRecordedReports,
  readDescriptorData,
  HidParseError,
  reportKey,
  stringToPath,
  pathToString,
  usageTableFromNames,
  renameFields,
  mergeUsageTables,
  usageTableOf,
  GENERIC_USAGES,
  MGE_LOGGED_USAGES,
} from '../../../src/drivers/usbhid/hid/index.js';
import { sharedDevices, hexToBytes, walkRaw } from './hid-support.js';

describe('HID descriptor parser on the real descriptors of ../shared/hid', () => {
  test('every descriptor parses; item count and every report size agree with the raw item headers', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const devs = sharedDevices();
    assert.ok(devs.length >= 4, `expected the 4 devices of shared/hid, found ${devs.length}`);
    for (const d of devs) {
      const bytes = parseHexText(d.descriptorHex);
      assert.deepEqual(bytes, hexToBytes(d.descriptorHex), `${d.name}: hex reader`);
      const desc = parseDescriptor(bytes);
      const raw = walkRaw(bytes);
      assert.equal(desc.items.length, raw.items, `${d.name}: item count`);
      assert.equal(desc.reports.size, raw.bits.size, `${d.name}: number of reports`);
      for (const [key, bits] of raw.bits) {
        const rep = desc.reports.get(key);
        assert.ok(rep, `${d.name}: report ${key} missing`);
        assert.equal(rep.bits, bits, `${d.name}: ${key} bits`);
        assert.equal(rep.bytes, Math.ceil(bits / 8) + (rep.id ? 1 : 0), `${d.name}: ${key} bytes`);
      }
      // every field lies inside its report
      for (const f of desc.fields) {
        const rep = desc.reports.get(reportKey(f.type, f.reportId))!;
        assert.ok(f.bitOffset + f.bitSize <= rep.bits, `${d.name}: ${f.path} inside report`);
      }
      // items tile the descriptor
      let o = 0;
      for (const it of desc.items) {
        assert.equal(it.offset, o);
        o += it.length;
      }
      assert.equal(o, bytes.length);
    }
  });

  test('parse → print → assemble, and parse → encode, give back the same bytes', (t) => {
    if (!requirePeers(t, 'shared')) return;
    for (const d of sharedDevices()) {
      const bytes = parseHexText(d.descriptorHex);
      const text = printDescriptor(bytes);
      assert.equal(text.trimEnd().split('\n').length, parseDescriptor(bytes).items.length, `${d.name}: one item per line`);
      assert.deepEqual(assembleDescriptor(text), bytes, `${d.name}: print round trip`);
      assert.deepEqual(encodeDescriptor(parseDescriptor(bytes)), bytes, `${d.name}: encode round trip`);
    }
  });

  test("the APC units have NUT's object count and every path of the explore log", (t) => {
    if (!requirePeers(t, 'shared')) return;
    let checked = 0;
    for (const d of sharedDevices()) {
      if (!d.log) continue;
      const desc = parseDescriptor(parseHexText(d.descriptorHex));
      const m = /(\d+) HID objects found/.exec(d.log);
      assert.ok(m, `${d.name}: log names the object count`);
      assert.equal(desc.fields.length, Number(m[1]), `${d.name}: HID objects`);
      const rec = readRecordedReports(d.log);
      assert.deepEqual(rec.descriptor, parseHexText(d.descriptorHex), `${d.name}: descriptor dumped in the log`);
      assert.ok(rec.paths.length >= 30);
      for (const p of rec.paths) {
        const f = desc.fields.find((x) => x.path === p.path && x.type === p.type && x.reportId === p.reportId && x.bitOffset === p.offset && x.bitSize === p.size);
        assert.ok(f, `${d.name}: ${p.path} ${p.type} 0x${p.reportId.toString(16)} @${p.offset}/${p.size} (log line ${p.line})`);
        checked++;
      }
    }
    assert.ok(checked >= 100, `checked ${checked} paths`);
  });

  test("BK650M2: NUT's LogMax fix-up (-1 read as 255) for reports 0x0c, 0x22, 0x40", (t) => {
    if (!requirePeers(t, 'shared')) return;
    const d = sharedDevices().find((x) => x.name === 'apc-back-ups-bk650m2-ch');
    assert.ok(d);
    const desc = parseDescriptor(parseHexText(d.descriptorHex));
    assert.deepEqual(
      desc.warnings.map((w) => /report 0x([0-9a-f]+)/.exec(w.message)?.[1]),
      ['0c', '22', '40'],
    );
    const rc = desc.fields.find((f) => f.path === 'UPS.PowerSummary.RemainingCapacity' && f.type === 'feature')!;
    assert.equal(rc.logMax, 255);
    // the log says so too
    for (const id of ['0x0c', '0x22', '0x40']) assert.match(d.log!, new RegExp(`interpreting LogMax -1 as 255 in ReportID: ${id}`));
  });

  test('5131:2007: mixed input/feature under one id, 4- and 24-bit fields, constants', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const d = sharedDevices().find((x) => x.name === 'unknown-5131-2007')!;
    const desc = parseDescriptor(parseHexText(d.descriptorHex));
    assert.equal(desc.reports.get('feature:11')?.bytes, 23);
    assert.equal(desc.reports.get('input:11')?.bytes, 7);
    const rec = readRecordedReports(d.reportsTxt!);
    assert.equal(rec.reports.get('feature:11')?.bytes.length, 23, 'recorded feature report has the descriptor size');
    assert.equal(rec.reports.get('input:11')?.bytes.length, 7, 'recorded input report has the descriptor size');
    const four = desc.fields.filter((f) => f.bitSize === 4);
    assert.deepEqual(four.map((f) => f.path), ['UPS.PowerSummary.PowerSummaryID', 'UPS.PowerSummary.FlowID']);
    assert.ok(four.every((f) => f.flags.constant && f.flags.variable));
    assert.ok(desc.fields.some((f) => f.bitSize === 24 && f.type === 'input'));
  });
});

describe('HID descriptor parser on constructed descriptors', () => {
  const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

  test('[n] instance nodes from vendor collection types, usage ranges, 4-byte usages, Push/Pop', () => {
    // UPS { PowerConverter { Input [1] { id 0x30: FlowID 8 bits }, Input [3] { Voltage 16 bits } } }
    const d = parseDescriptor(
      bytes(
        0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, //
        0x09, 0x16, 0xa1, 0x00, //
        0x09, 0x1a, 0xa1, 0x81, 0x85, 0x30, 0x09, 0x1f, 0x75, 0x08, 0x95, 0x01, 0x15, 0x00, 0x26, 0xff, 0x00, 0xb1, 0x02, 0xc0, //
        0xa4, 0x09, 0x1a, 0xa1, 0x83, 0x09, 0x30, 0x75, 0x10, 0xb1, 0x02, 0xc0, 0xb4, //
        0x19, 0x44, 0x29, 0x45, 0x75, 0x01, 0x95, 0x02, 0xb1, 0x02, // usage range → Charging? no: page 0x84 0x44/0x45
        0x0b, 0x66, 0x00, 0x85, 0x00, 0x95, 0x01, 0xb1, 0x02, // 4-byte usage 0x00850066
        0xc0, 0xc0,
      ),
    );
    assert.deepEqual(
      d.fields.map((f) => f.path),
      [
        'UPS.PowerConverter.Input.[1].FlowID',
        'UPS.PowerConverter.Input.[3].Voltage',
        'UPS.PowerConverter.ConfigActivePower',
        'UPS.PowerConverter.ConfigPercentLoad',
        'UPS.PowerConverter.RemainingCapacity',
      ],
    );
    assert.equal(d.fields[1]!.bitOffset, 8);
    assert.equal(d.fields[2]!.bitSize, 1, 'Report Size 1 set after the Pop');
    assert.deepEqual(stringToPath('UPS.PowerConverter.Input.[3].Voltage'), d.fields[1]!.usagePath);
    assert.equal(pathToString(d.fields[1]!.usagePath), 'UPS.PowerConverter.Input.[3].Voltage');
  });

  test("MGE-style instances and vendor names: UPS.Output.Overload.[1].PresentStatus.OverThreshold", () => {
    // UPS { Output { Overload [1] { PresentStatus { 0xffff007e: 1 bit } } } }
    const d = parseDescriptor(
      bytes(0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x09, 0x1c, 0xa1, 0x00, 0x09, 0x65, 0xa1, 0x81, 0x09, 0x02, 0xa1, 0x02, 0x85, 0x21, 0x06, 0xff, 0xff, 0x09, 0x7e, 0x75, 0x01, 0x95, 0x01, 0x15, 0x00, 0x25, 0x01, 0x81, 0x02, 0x75, 0x07, 0x81, 0x01, 0xc0, 0xc0, 0xc0, 0xc0),
      { usages: mergeUsageTables(GENERIC_USAGES, usageTableOf(MGE_LOGGED_USAGES)) },
    );
    assert.deepEqual(d.fields.map((f) => f.path), ['UPS.Output.Overload.[1].PresentStatus.OverThreshold']);
    assert.equal(parseDescriptor(d.bytes).fields[0]!.path, 'UPS.Output.Overload.[1].PresentStatus.ffff007e', 'generic names: hex as NUT explore');
    assert.equal(d.reports.get('input:33')!.bytes, 2);
  });

  test('Delimiter sets: only the first usage counts', () => {
    // Usage Voltage, Delimiter{ Current, Frequency(alias) }, Usage PercentLoad → 3 elements
    const d = parseDescriptor(bytes(0x05, 0x84, 0x09, 0x30, 0xa9, 0x01, 0x09, 0x31, 0x09, 0x32, 0xa9, 0x00, 0x09, 0x35, 0x75, 0x08, 0x95, 0x03, 0x81, 0x02));
    assert.deepEqual(d.fields.map((f) => f.path), ['Voltage', 'Current', 'PercentLoad']);
  });

  test('Pop restores the globals pushed', () => {
    const d = parseDescriptor(bytes(0x05, 0x84, 0x75, 0x08, 0x95, 0x01, 0xa4, 0x75, 0x10, 0xb4, 0x09, 0x30, 0x81, 0x02));
    assert.equal(d.fields[0]!.bitSize, 8);
    assert.equal(d.usesReportIds, false);
    assert.equal(d.reports.get('input:0')!.bytes, 1);
  });

  test('elements past the last usage are padding; unnamed usages print as hex; vendor names by table', () => {
    const d = parseDescriptor(bytes(0x06, 0x86, 0xff, 0x09, 0x60, 0x75, 0x08, 0x95, 0x03, 0x81, 0x02));
    assert.equal(d.fields.length, 1);
    assert.equal(d.fields[0]!.path, 'ff860060');
    assert.equal(d.reports.get('input:0')!.bits, 24);
    assert.equal(renameFields(d, usageTableFromNames({ APCStatusFlag: 0xff860060 }))[0]!.path, 'APCStatusFlag');
  });

  test('unit exponent nibbles and signed logical ranges', () => {
    const d = parseDescriptor(bytes(0x05, 0x84, 0x09, 0x30, 0x55, 0x0e, 0x16, 0xff, 0xff, 0x26, 0xff, 0x7f, 0x75, 0x10, 0x95, 0x01, 0xb1, 0x02));
    const f = d.fields[0]!;
    assert.equal(f.unitExponent, -2);
    assert.equal(f.logMin, -1);
    assert.equal(f.logMax, 32767);
  });

  test('bad descriptors are refused with the byte offset', () => {
    const cases: Array<[number[], number, RegExp]> = [
      [[0x05, 0x84, 0x26, 0xff], 2, /needs 2 data byte/],
      [[0x05, 0x84, 0xc0], 2, /End Collection without/],
      [[0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x09, 0x24], 4, /never closed/],
      [[0xb4], 0, /Pop without/],
      [[0x85, 0x00], 0, /Report ID 0/],
      [[0x05, 0x84, 0x29, 0x05], 2, /Usage Maximum without/],
      [[0xfe, 0x05, 0x01, 0x00], 0, /long item data truncated/],
    ];
    for (const [b, offset, re] of cases) {
      assert.throws(
        () => parseDescriptor(Uint8Array.from(b)),
        (e: unknown) => e instanceof HidParseError && e.offset === offset && re.test(e.message) && e.message.includes(`byte offset ${offset}`),
        `${b.map((x) => x.toString(16)).join(' ')}`,
      );
    }
  });

  test('descriptor files: hex text, 0x-lists, NUT logs and binary all read', () => {
    const want = Uint8Array.from([0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0xc0]);
    assert.deepEqual(readDescriptorData(Buffer.from('05 84 09 04\na1 01 c0\n')), want);
    assert.deepEqual(readDescriptorData(Buffer.from('0x05, 0x84, 0x09, 0x04, // UPS\n0xa1, 0x01, 0xc0')), want);
    assert.deepEqual(readDescriptorData(Buffer.from('[D3] Report Descriptor: (7 bytes) => 05 84 09 04\n[D3]  a1 01 c0\n')), want);
    assert.deepEqual(readDescriptorData(want), want);
    const hr = 'N: device 0:0\nI: 3 0001 0001\nR: 7 05 84 09 04 a1 01 c0\nE: 000000.000000 2 0b 11\nE: 000001.500000 2 0b 04\n';
    assert.deepEqual(readDescriptorData(Buffer.from(hr)), want, 'hid-recorder capture');
    const rec = readRecordedReports(hr);
    assert.deepEqual(rec.entries.map((e) => [e.type, e.id, [...e.bytes]]), [['input', 11, [11, 0x11]], ['input', 11, [11, 4]]]);
    assert.deepEqual([...rec.byId.get(11)!.bytes], [11, 0x11], 'first report kept');
    assert.throws(() => parseHexText('05 84\n09 zz'), (e: unknown) => e instanceof HidParseError && e.offset === 3 && /line 2/.test(e.message));
  });
});
