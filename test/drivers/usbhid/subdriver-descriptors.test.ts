/**
 * The subdriver tables against the real report descriptors of ../shared/hid:
 * the paths each table reads exist where the descriptor puts them, so the
 * mapper (given the descriptor's path list) publishes the expected variables
 * and offers the expected commands. Parsing is the HID layer's.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { SHARED_DIR, requirePeers } from '../../support/peers.js';
import { parseDescriptor } from '../../../src/drivers/usbhid/hid/parser.js';
import { allSubdrivers, createHidMapper, selectSubdriver } from '../../../src/drivers/usbhid/subdrivers/index.js';
import { WalnutError } from '../../../src/common/errors.js';

function descriptorPaths(folder: string): string[] {
  const hex = fs.readFileSync(path.join(SHARED_DIR, 'hid', folder, 'descriptor.hex'), 'utf8').replace(/[^0-9a-fA-F]/g, '');
  const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  return [...new Set(parseDescriptor(bytes).fields.map((f) => f.path))];
}

/** The variables a table reads from these paths (winner per name). */
function mappedVars(paths: string[], vid: number, pid: number): string[] {
  const sd = selectSubdriver(vid, pid);
  // string-index entries need the USB strings; any text will do for "is it mapped"
  const m = createHidMapper(sd, { paths, strings: (i) => `string ${i}` });
  const names = new Set<string>();
  for (const p of paths) for (const [k] of m.apply(p, 1).vars) names.add(k);
  for (const [k] of m.initialVars()) names.add(k);
  return [...names].sort();
}

describe('subdriver tables on the real descriptors of ../shared/hid', () => {
  test('CyberPower CST135UC2 (0764:0601): Output-collection delays and test, transfer points', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const paths = descriptorPaths('cyberpower-cst135uc2');
    const vars = mappedVars(paths, 0x0764, 0x0601);
    for (const v of [
      'battery.charge',
      'battery.charge.low',
      'battery.charge.warning',
      'battery.runtime',
      'battery.runtime.low',
      'battery.type',
      'battery.mfr.date',
      'battery.voltage',
      'battery.voltage.nominal',
      'input.voltage',
      'input.voltage.nominal',
      'input.transfer.low',
      'input.transfer.high',
      'output.voltage',
      'ups.load',
      'ups.realpower.nominal',
      'ups.beeper.status',
      'ups.test.result',
      'ups.delay.shutdown',
      'ups.delay.start',
      'ups.timer.shutdown',
      'ups.timer.start',
    ])
      assert.ok(vars.includes(v), `${v} (CyberPower's upsc set) is mapped; got ${vars.join(' ')}`);
    const m = createHidMapper(selectSubdriver(0x0764, 0x0601), { paths });
    assert.deepEqual(m.commands(), [
      'beeper.disable',
      'beeper.enable',
      'beeper.mute',
      'beeper.off',
      'beeper.on',
      'load.off',
      'load.off.delay',
      'load.on',
      'load.on.delay',
      'shutdown.return',
      'shutdown.stayoff',
      'shutdown.stop',
      'test.battery.start.deep',
      'test.battery.start.quick',
      'test.battery.stop',
    ]);
  });

  test('APC Back-UPS CS 500 and BK650M2-CH (051d:0002): the variables their upsc shows', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const expect = (folder: string): string[] =>
      fs
        .readFileSync(path.join(SHARED_DIR, 'hid', folder, 'expected-upsc.txt'), 'utf8')
        .split('\n')
        .map((l) => /^([a-z][a-z0-9_.]+):/.exec(l)?.[1])
        .filter((n): n is string => !!n && !/^(driver|device)\./.test(n) && !['ups.vendorid', 'ups.productid', 'ups.status', 'ups.mfr', 'ups.model', 'ups.serial', 'ups.firmware', 'ups.firmware.aux'].includes(n))
        .sort();
    for (const folder of ['apc-back-ups-cs-500', 'apc-back-ups-bk650m2-ch']) {
      assert.deepEqual(mappedVars(descriptorPaths(folder), 0x051d, 0x0002), expect(folder), folder);
    }
  });

  test('unknown 5131:2007 gets the generic table: charge, runtime, status', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const paths = descriptorPaths('unknown-5131-2007');
    const sd = selectSubdriver(0x5131, 0x2007);
    assert.equal(sd.name, 'Generic HID');
    const m = createHidMapper(sd, { paths });
    assert.deepEqual(m.apply('UPS.PowerSummary.RemainingCapacity', 100).vars, [['battery.charge', '100']]);
    assert.deepEqual(m.apply('UPS.PowerSummary.RunTimeToEmpty', 400).vars, [['battery.runtime', '400']]);
    m.apply('UPS.PowerSummary.PresentStatus.ACPresent', 1);
    m.apply('UPS.PowerSummary.BatteryPresent', 1);
    assert.equal(m.statusTokens(), 'OL');
  });
});

describe('the mapper never crashes on arbitrary input', () => {
  test('property: any path, value, command or setvar gives a result or a WalnutError', () => {
    const subs = allSubdrivers();
    const pathArb = fc.oneof(
      fc.constantFrom(...subs.flatMap((s) => s.table.map((e) => e.path))),
      fc.array(fc.oneof(fc.constantFrom('UPS', 'PowerSummary', 'Input', '[1]', 'ff860061', 'Used'), fc.string({ maxLength: 6 })), { maxLength: 6 }).map((a) => a.join('.')),
    );
    const valueArb = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 40));
    fc.assert(
      fc.property(fc.nat(subs.length - 1), fc.array(fc.tuple(pathArb, valueArb), { maxLength: 20 }), fc.string({ maxLength: 30 }), fc.string({ maxLength: 10 }), (i, feed, name, arg) => {
        const m = createHidMapper(subs[i]!, { strings: (n) => (n % 2 ? `s${n}` : undefined) });
        for (const [p, v] of feed) {
          const r = m.apply(p, v);
          for (const [k, val] of r.vars) assert.ok(typeof k === 'string' && typeof val === 'string');
        }
        assert.match(m.statusTokens(), /^(CAL|OB|OL)( [A-Z]+)*$/);
        for (const fn of [() => m.commandWrites(name, arg), () => m.setvarWrites(name, arg)]) {
          try {
            fn();
          } catch (e) {
            assert.ok(e instanceof WalnutError, String(e));
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
