/**
 * The subdriver tables and the mapper without device data: table sanity,
 * selection by USB id, NUT's status rules on synthetic inputs for every
 * table, conversions, instant command and setvar writes, quirks.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  SUBDRIVERS,
  allSubdrivers,
  alarmsFromBits,
  apc,
  canonicalPath,
  cps,
  createHidMapper,
  formatNumber,
  generic,
  hidDate,
  apcDate,
  liebert,
  mge,
  namedPath,
  selectSubdriver,
  statusFromBits,
  toFixedC,
  tripplite,
  CONVERTERS,
  type HidInfoEntry,
  type StatusBit,
  type Subdriver,
} from '../../../src/drivers/usbhid/subdrivers/index.js';
import { WalnutError } from '../../../src/common/errors.js';

const hex4 = (s: string): number => parseInt(s, 16);

describe('tables are well formed', () => {
  for (const sd of allSubdrivers()) {
    test(sd.name, () => {
      assert.match(sd.version, /^\d+\.\d+$/);
      assert.ok(sd.table.length > 0);
      for (const e of sd.table) {
        const where = `${sd.name}: ${JSON.stringify(e)}`;
        assert.match(e.path, /^UPS(\.(\[\d+\]|[A-Za-z0-9_/]+))+$/, where);
        const kinds = [e.status !== undefined, e.instcmd !== undefined, e.var !== undefined].filter(Boolean).length;
        assert.equal(kinds, 1, `${where}: exactly one of var/status/instcmd`);
        if (e.var !== undefined) assert.match(e.var, /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, where);
        if (e.instcmd) assert.match(e.instcmd.name, /^[a-z]+(\.[a-z0-9]+)+$/, where);
        if (e.conv) assert.ok(CONVERTERS[e.conv], where);
        if (e.flags.includes('absent')) assert.ok(e.var && e.default !== undefined, `${where}: absent rows need a default`);
        if (e.flags.includes('enum')) assert.ok(e.conv && CONVERTERS[e.conv].values, `${where}: enum rows need a lookup`);
        if (e.format) assert.doesNotThrow(() => formatNumber(e.format!, 1.5), where);
      }
      for (const id of sd.usbIds) {
        assert.match(id.vendorId, /^[0-9a-f]{4}$/, `${sd.name} ${JSON.stringify(id)}`);
        assert.match(id.productId, /^([0-9a-f]{4}|\*)$/, `${sd.name} ${JSON.stringify(id)}`);
        if (sd !== generic) assert.ok(sd.match(hex4(id.vendorId), id.productId === '*' ? 0x1234 : hex4(id.productId)), `${sd.name} claims its own id ${id.vendorId}:${id.productId}`);
      }
      assert.ok(sd.quirks.offdelay > 0 && sd.quirks.ondelay > sd.quirks.offdelay - 1000);
    });
  }

  test('no USB id is claimed by two probing subdrivers, except 06da:ffff (MGE first, Phoenixtec/Liebert by name)', () => {
    const owners = new Map<string, string[]>();
    for (const sd of SUBDRIVERS) for (const id of sd.usbIds) if (id.productId !== '*') owners.set(`${id.vendorId}:${id.productId}`, [...(owners.get(`${id.vendorId}:${id.productId}`) ?? []), sd.name]);
    const shared = [...owners].filter(([, o]) => new Set(o).size > 1);
    assert.deepEqual(shared, [['06da:ffff', ['MGE HID', 'Phoenixtec/Liebert HID']]]);
  });
});

describe('selectSubdriver', () => {
  test('by USB id, in probing order, with the generic fallback', () => {
    assert.equal(selectSubdriver(0x051d, 0x0002), apc);
    assert.equal(selectSubdriver(0x0764, 0x0501), cps);
    assert.equal(selectSubdriver(0x0463, 0xffff), mge);
    assert.equal(selectSubdriver(0x06da, 0xffff), mge);
    assert.equal(selectSubdriver(0x09ae, 0x9999), tripplite, 'every Tripp Lite product');
    assert.equal(selectSubdriver(0x5131, 0x2007), generic, 'unknown HID UPS');
    assert.equal(selectSubdriver(0x051d, 0x9999), generic, 'unknown APC product');
  });
  test('by name (ups.conf subdriver)', () => {
    assert.equal(selectSubdriver(0x06da, 0xffff, undefined, undefined, 'Phoenixtec/Liebert HID'), liebert);
    assert.equal(selectSubdriver(0, 0, undefined, undefined, 'apc'), apc);
    assert.equal(selectSubdriver(0x051d, 0x0002, undefined, undefined, 'no such'), apc);
  });
});

/** The first table path that drives `bit` (not inverted), or undefined. */
function statusPath(sd: Subdriver, bit: StatusBit, invert = false): string | undefined {
  return sd.table.find((e: HidInfoEntry) => e.status?.bit === bit && !!e.status.invert === invert)?.path;
}

describe('status rules on synthetic inputs, every table', () => {
  for (const sd of allSubdrivers()) {
    test(sd.name, () => {
      const online = statusPath(sd, 'online');
      const dis = statusPath(sd, 'discharging');
      const chg = statusPath(sd, 'charging');
      const low = statusPath(sd, 'lowbatt');
      assert.ok(online && dis && chg && low, `${sd.name} maps ACPresent/Discharging/Charging/BelowRemainingCapacityLimit`);
      const m = createHidMapper(sd);
      assert.equal(m.statusTokens(), 'OB', 'nothing read yet: not online');
      assert.equal(m.apply(online, 1).statusChanged, true);
      assert.equal(m.apply(online, 1).statusChanged, false, 'same value: no change');
      m.apply(chg, 1);
      assert.equal(m.statusTokens(), 'OL CHRG');
      m.apply(chg, 0);
      m.apply(online, 0);
      m.apply(dis, 1);
      assert.equal(m.statusTokens(), 'OB DISCHRG');
      m.apply(low, 1);
      assert.equal(m.statusTokens(), 'OB DISCHRG LB');
      m.apply(low, 0);
      m.apply(dis, 0);
      m.apply(online, 1);
      assert.equal(m.statusTokens(), 'OL');
      const rb = statusPath(sd, 'replacebatt');
      if (rb) {
        m.apply(rb, 1);
        assert.equal(m.statusTokens(), 'OL RB');
        assert.equal(m.alarms(), 'Replace battery!');
        m.apply(rb, 0);
      }
      const over = statusPath(sd, 'overload');
      if (over) {
        m.apply(over, 1);
        assert.equal(m.statusTokens(), 'OL OVER');
        m.apply(over, 0);
      }
      const sdi = statusPath(sd, 'shutdownimm');
      if (sdi) {
        m.apply(sdi, 1);
        assert.equal(m.statusTokens(), 'OL LB');
        assert.equal(m.alarms(), 'Shutdown imminent!');
        m.apply(sdi, 0);
      }
      const good = statusPath(sd, 'off', true);
      if (good) {
        m.apply(good, 0);
        assert.equal(m.statusTokens(), 'OL OFF', 'PresentStatus.Good = 0');
        m.apply(good, 1);
      }
      const batt = statusPath(sd, 'nobattery', true);
      if (batt) {
        m.apply(batt, 0);
        assert.equal(m.statusTokens(), 'OL RB', 'BatteryPresent = 0');
        assert.equal(m.alarms(), 'No battery installed!');
        m.apply(batt, 1);
      }
      const full = statusPath(sd, 'fullycharged');
      if (full) {
        m.apply(chg, 1);
        m.apply(full, 1);
        assert.equal(m.statusTokens(), 'OL', 'FullyCharged suppresses CHRG');
        m.apply(full, 0);
        m.apply(chg, 0);
      }
      for (const [bit, tok] of [
        ['boost', 'BOOST'],
        ['trim', 'TRIM'],
        ['bypassauto', 'BYPASS'],
        ['bypassman', 'BYPASS'],
        ['cal', 'CAL'],
      ] as const) {
        const p = statusPath(sd, bit);
        if (!p) continue;
        m.apply(p, 1);
        assert.ok(m.statusTokens().split(' ').includes(tok), `${bit} → ${tok}: ${m.statusTokens()}`);
        m.apply(p, 0);
      }
      assert.equal(m.statusTokens(), 'OL');
      assert.equal(m.alarms(), '');
    });
  }

  test('OL+DISCHRG: stays OL by default, OB with onlinedischarge, CAL with onlinedischarge_calibration', () => {
    const run = (opts: Parameters<typeof createHidMapper>[1]): string => {
      const m = createHidMapper(apc, opts);
      m.apply('UPS.PowerSummary.PresentStatus.ACPresent', 1);
      m.apply('UPS.PowerSummary.PresentStatus.Discharging', 1);
      return m.statusTokens();
    };
    assert.equal(run({}), 'OL DISCHRG');
    assert.equal(run({ onlinedischarge: true }), 'OB DISCHRG');
    assert.equal(run({ onlinedischargeCalibration: true }), 'CAL DISCHRG');
  });

  test('MGE: line state from the converter inputs, ECO is no token, Good = 0 is OFF', () => {
    const m = createHidMapper(mge);
    m.apply('UPS.PowerConverter.Input.[1].PresentStatus.Used', 1);
    assert.equal(m.statusTokens(), 'OL');
    m.apply('UPS.PowerConverter.Input.[5].PresentStatus.Used', 1);
    assert.equal(m.statusTokens(), 'OL', 'ECO is a buzzword, not a status token');
    assert.ok(m.statusBits().has('eco'));
    m.apply('UPS.PowerConverter.Input.[1].PresentStatus.Used', 0);
    m.apply('UPS.PowerConverter.Input.[3].PresentStatus.Used', 1);
    assert.equal(m.statusTokens(), 'OB DISCHRG');
    m.apply('UPS.PowerConverter.Input.[3].PresentStatus.Used', 0);
    m.apply('UPS.PowerConverter.Input.[1].PresentStatus.Used', 1);
    m.apply('UPS.PowerConverter.Input.[4].PresentStatus.Used', 1);
    assert.equal(m.statusTokens(), 'OL BYPASS');
    m.apply('UPS.PowerConverter.Input.[4].PresentStatus.Used', 0);
    m.apply('UPS.PowerConverter.Output.Overload.[2].PresentStatus.OverThreshold', 1);
    assert.equal(m.statusTokens(), 'OL OVER');
    m.apply('UPS.PowerConverter.Output.Overload.[2].PresentStatus.OverThreshold', 0);
    m.apply('UPS.PowerSummary.PresentStatus.Good', 0);
    assert.equal(m.statusTokens(), 'OL OFF');
    m.apply('UPS.PowerConverter.Input.[1].PresentStatus.VoltageOutOfRange', 1);
    assert.equal(m.transferReason(), 'input voltage out of range');
  });

  test('alarm texts and the remaining bits', () => {
    const bits = new Set<StatusBit>(['online', 'overheat', 'commfault', 'awaitingpower', 'fanfail', 'chargerfail', 'battvoltlo', 'battvolthi', 'fusefault']);
    assert.equal(statusFromBits(bits), 'OL');
    assert.equal(
      alarmsFromBits(bits),
      'Fan failure! Battery voltage too low! Battery voltage too high! Battery charger fail! Temperature too high! Internal UPS fault! Awaiting power! Fuse fault!',
    );
  });

  test('property: one line state, no duplicate tokens, LB exactly when a low-battery bit is set', () => {
    const all: StatusBit[] = ['online', 'discharging', 'charging', 'lowbatt', 'timelimitexp', 'shutdownimm', 'overload', 'replacebatt', 'nobattery', 'trim', 'boost', 'bypassauto', 'bypassman', 'off', 'cal', 'depleted', 'fullycharged', 'eco'];
    fc.assert(
      fc.property(fc.subarray(all), fc.boolean(), fc.boolean(), (bits, od, odc) => {
        const set = new Set(bits);
        const toks = statusFromBits(set, { onlinedischarge: od, onlinedischargeCalibration: odc }).split(' ');
        assert.equal(new Set(toks).size, toks.length);
        const line = toks.filter((t) => t === 'OL' || t === 'OB').length;
        assert.ok(line <= 1);
        if (!set.has('cal') && !(set.has('online') && set.has('discharging') && !od && odc)) assert.equal(line, 1);
        assert.equal(toks.includes('LB'), set.has('lowbatt') || set.has('timelimitexp') || set.has('shutdownimm'));
        assert.equal(toks.includes('DISCHRG'), set.has('discharging') && !set.has('depleted'));
        assert.ok(!toks.includes('ECO'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('conversions and formatting', () => {
  test('HID dates (values from the ddl dumps)', () => {
    assert.equal(hidDate(12515), '2004/07/03');
    assert.equal(hidDate(10785), '2001/01/01');
    assert.equal(hidDate(20648), '2020/05/08');
    assert.equal(CONVERTERS.date.fromNut!('2020/05/08'), 20648);
    assert.equal(CONVERTERS.date.fromNut!('2020/13/08'), undefined);
  });
  test('APC battery replacement date reads MMDDYY in hex', () => {
    assert.equal(apcDate(0x070304), '2004/07/03');
    assert.equal(apcDate(0x0a0304), undefined, 'not decimal digits');
    assert.equal(CONVERTERS.apcDate.fromNut!('2004/07/03'), 0x070304);
  });
  test('printf %.Nf rounds like C (exact ties to even)', () => {
    assert.equal(toFixedC(27.5, 0), '28');
    assert.equal(toFixedC(26.5, 0), '26');
    assert.equal(toFixedC(27.1, 0), '27');
    assert.equal(toFixedC(13.58, 1), '13.6');
    assert.equal(toFixedC(0.125, 2), '0.12');
    assert.equal(toFixedC(2.675, 2), '2.67', '2.675 is below the tie in binary');
    assert.equal(toFixedC(9.96, 1), '10.0');
    assert.equal(toFixedC(-0.4, 0), '-0');
    assert.equal(formatNumber('%.1f', 232), '232.0');
    assert.equal(formatNumber('%05.1f', 3.14159), '003.1');
    assert.equal(formatNumber('%d', 7.9), '7');
  });
  test('lookups, both directions', () => {
    assert.equal(CONVERTERS.beeper.toNut(1), 'disabled');
    assert.equal(CONVERTERS.beeper.toNut(3), 'muted');
    assert.equal(CONVERTERS.beeper.fromNut!('enabled'), 2);
    assert.equal(CONVERTERS.beeper.toNut(9), undefined);
    assert.equal(CONVERTERS.testResult.toNut(6), 'No test initiated');
    assert.equal(CONVERTERS.apcSensitivity.toNut(0), 'low');
    assert.equal(CONVERTERS.yesno.toNut(1), 'yes');
    assert.equal(CONVERTERS.kelvinToCelsius.toNut(298.15), '25.0');
  });
  test('vendor usages by name or hex are the same path', () => {
    assert.equal(canonicalPath('UPS.Input.APCSensitivity', apc.usages), 'UPS.Input.ff860061');
    assert.equal(canonicalPath('UPS.Input.FF860061', apc.usages), 'UPS.Input.ff860061');
    assert.equal(namedPath('UPS.ff860005.ff86007c', apc.usages), 'UPS.APCGeneralCollection.APCForceShutdown');
    const m = createHidMapper(apc);
    assert.deepEqual(m.apply('UPS.Input.ff860061', 2).vars, [['input.sensitivity', 'high']]);
  });
});

describe('instant commands and setvar writes', () => {
  const apcPaths = [
    'UPS.PowerSummary.DelayBeforeShutdown',
    'UPS.PowerSummary.DelayBeforeStartup',
    'UPS.PowerSummary.AudibleAlarmControl',
    'UPS.Battery.Test',
    'UPS.PowerSummary.RemainingCapacityLimit',
    'UPS.Input.APCSensitivity',
  ];

  test('APC: beeper, battery test, delays, shutdown.return / stayoff / stop', () => {
    const m = createHidMapper(apc, { paths: apcPaths });
    const ps = 'UPS.PowerSummary';
    assert.deepEqual(m.commandWrites('beeper.disable').writes, [{ path: `${ps}.AudibleAlarmControl`, value: 1 }]);
    assert.deepEqual(m.commandWrites('beeper.enable').writes, [{ path: `${ps}.AudibleAlarmControl`, value: 2 }]);
    assert.deepEqual(m.commandWrites('beeper.mute').writes, [{ path: `${ps}.AudibleAlarmControl`, value: 3 }]);
    assert.deepEqual(m.commandWrites('test.battery.start.quick').writes, [{ path: 'UPS.Battery.Test', value: 1 }]);
    assert.deepEqual(m.commandWrites('test.battery.start.deep').writes, [{ path: 'UPS.Battery.Test', value: 2 }]);
    assert.deepEqual(m.commandWrites('test.battery.stop').writes, [{ path: 'UPS.Battery.Test', value: 3 }]);
    assert.deepEqual(m.commandWrites('load.off.delay').writes, [{ path: `${ps}.DelayBeforeShutdown`, value: 20 }]);
    assert.deepEqual(m.commandWrites('load.off.delay', '45').writes, [{ path: `${ps}.DelayBeforeShutdown`, value: 45 }]);
    assert.deepEqual(m.commandWrites('load.on.delay').writes, [{ path: `${ps}.DelayBeforeStartup`, value: 30 }]);
    assert.deepEqual(m.commandWrites('load.off').writes, [{ path: `${ps}.DelayBeforeShutdown`, value: 0 }]);
    assert.deepEqual(m.commandWrites('load.on').writes, [{ path: `${ps}.DelayBeforeStartup`, value: 0 }]);
    assert.deepEqual(m.commandWrites('shutdown.stop').writes, [{ path: `${ps}.DelayBeforeShutdown`, value: -1 }]);
    assert.deepEqual(m.commandWrites('shutdown.return').writes, [
      { path: `${ps}.DelayBeforeStartup`, value: 30 },
      { path: `${ps}.DelayBeforeShutdown`, value: 20, delayMs: 125 },
    ]);
    assert.deepEqual(m.commandWrites('shutdown.stayoff').writes, [
      { path: `${ps}.DelayBeforeStartup`, value: -1 },
      { path: `${ps}.DelayBeforeShutdown`, value: 20, delayMs: 125 },
    ]);
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
    assert.deepEqual(m.initialVars(), [
      ['ups.delay.shutdown', '20'],
      ['ups.delay.start', '30'],
    ]);
  });

  test('ups.conf offdelay/ondelay and upsrw ups.delay.* drive the delays', () => {
    const m = createHidMapper(apc, { paths: apcPaths, offdelay: 60, ondelay: 90 });
    assert.deepEqual(m.initialVars(), [
      ['ups.delay.shutdown', '60'],
      ['ups.delay.start', '90'],
    ]);
    assert.deepEqual(m.setvarWrites('ups.delay.shutdown', '40'), [], 'state-only variable');
    assert.equal(m.commandWrites('load.off.delay').writes[0]!.value, 40);
    assert.equal(m.commandWrites('shutdown.return').writes[0]!.value, 90);
  });

  test('errors: unknown command, bad argument, unknown or read-only variable, bad value', () => {
    const m = createHidMapper(apc, { paths: apcPaths });
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof WalnutError);
        return e.code;
      }
      return 'no error';
    };
    assert.equal(code(() => m.commandWrites('test.panel.start')), 'CMD-NOT-SUPPORTED', 'no APCPanelTest path on this device');
    assert.equal(code(() => m.commandWrites('load.off.delay', 'soon')), 'INVALID-ARGUMENT');
    assert.equal(code(() => m.setvarWrites('battery.charge', '50')), 'VAR-NOT-SUPPORTED');
    assert.equal(code(() => m.setvarWrites('no.such', '1')), 'VAR-NOT-SUPPORTED');
    assert.equal(code(() => m.setvarWrites('input.sensitivity', 'extreme')), 'INVALID-VALUE');
    assert.equal(code(() => m.setvarWrites('battery.charge.low', 'ten')), 'INVALID-VALUE');
  });

  test('setvar writes and writable variables with enums', () => {
    const m = createHidMapper(apc, { paths: apcPaths });
    assert.deepEqual(m.setvarWrites('battery.charge.low', '20'), [{ path: 'UPS.PowerSummary.RemainingCapacityLimit', value: 20 }]);
    assert.deepEqual(m.setvarWrites('input.sensitivity', 'high'), [{ path: 'UPS.Input.APCSensitivity', value: 2 }]);
    const w = m.writable();
    assert.deepEqual(
      w.map((x) => x.var),
      ['battery.charge.low', 'input.sensitivity', 'ups.delay.shutdown', 'ups.delay.start'],
    );
    assert.deepEqual(w.find((x) => x.var === 'input.sensitivity')?.enums, ['low', 'medium', 'high']);
  });

  test('MGE: outlet descriptions are state-only writable labels', () => {
    const m = createHidMapper(mge, { paths: ['UPS.OutletSystem.Outlet.[1].OutletID', 'UPS.OutletSystem.Outlet.[2].OutletID'] });
    assert.deepEqual(m.initialVars(), [
      ['outlet.desc', 'Main Outlet'],
      ['outlet.1.desc', 'PowerShare Outlet 1'],
    ]);
    assert.deepEqual(m.setvarWrites('outlet.desc', 'Servers'), []);
    assert.throws(() => m.setvarWrites('outlet.desc', 'x'.repeat(21)), /longer than 20/);
    assert.deepEqual(m.apply('UPS.OutletSystem.Outlet.[2].OutletID', 2).vars, [['outlet.1.id', '2']]);
  });

  test('CyberPower: delays in whole minutes, defaults 60/120', () => {
    const paths = ['UPS.Output.DelayBeforeShutdown', 'UPS.Output.DelayBeforeStartup'];
    const m = createHidMapper(cps, { paths });
    assert.deepEqual(m.initialVars(), [
      ['ups.delay.shutdown', '60'],
      ['ups.delay.start', '120'],
    ]);
    assert.deepEqual(m.commandWrites('load.off.delay', '90').writes, [{ path: 'UPS.Output.DelayBeforeShutdown', value: 60 }]);
    assert.deepEqual(m.commandWrites('shutdown.return').writes, [
      { path: 'UPS.Output.DelayBeforeStartup', value: 120 },
      { path: 'UPS.Output.DelayBeforeShutdown', value: 60, delayMs: 125 },
    ]);
    assert.deepEqual(m.commandWrites('shutdown.stop').writes, [{ path: 'UPS.Output.DelayBeforeShutdown', value: -1 }]);
  });

  test('MGE: shutdown.return sets ups.start.auto first when the device has it', () => {
    const paths = ['UPS.PowerSummary.DelayBeforeShutdown', 'UPS.PowerSummary.DelayBeforeStartup', 'UPS.PowerConverter.Input.[1].AutomaticRestart'];
    const plan = createHidMapper(mge, { paths }).commandWrites('shutdown.return');
    assert.deepEqual(plan.writes, [
      { path: 'UPS.PowerConverter.Input.[1].AutomaticRestart', value: 1 },
      { path: 'UPS.PowerSummary.DelayBeforeStartup', value: 30 },
      { path: 'UPS.PowerSummary.DelayBeforeShutdown', value: 20, delayMs: 125 },
    ]);
    assert.deepEqual(plan.vars, [['ups.start.auto', 'yes']]);
  });

  test('a device without DelayBeforeStartup has load.off but neither shutdown.return nor shutdown.stayoff (as NUT 2.8.0 lists an APC ES 850G2)', () => {
    const m = createHidMapper(apc, { paths: ['UPS.PowerSummary.DelayBeforeShutdown'] });
    assert.deepEqual(m.commands(), ['load.off', 'load.off.delay', 'shutdown.stop']);
    assert.deepEqual(m.commandWrites('load.off').writes, [{ path: 'UPS.PowerSummary.DelayBeforeShutdown', value: 0 }]);
    assert.throws(() => m.commandWrites('shutdown.stayoff'), /not supported/);
    assert.throws(() => m.commandWrites('load.on'), /not supported/);
  });

  test('obsolete beeper.off / beeper.on still work (NUT 2.8.0 lists them)', () => {
    const m = createHidMapper(apc, { paths: ['UPS.PowerSummary.AudibleAlarmControl'] });
    assert.deepEqual(m.commandWrites('beeper.off').writes, [{ path: 'UPS.PowerSummary.AudibleAlarmControl', value: 1 }]);
    assert.deepEqual(m.commandWrites('beeper.on').writes, [{ path: 'UPS.PowerSummary.AudibleAlarmControl', value: 2 }]);
  });
});

describe('quirks', () => {
  test('duplicate names: the first path the device has wins', () => {
    const both = createHidMapper(apc, { paths: ['UPS.PowerSummary.RemainingCapacity', 'UPS.Battery.RemainingCapacity'] });
    assert.deepEqual(both.apply('UPS.Battery.RemainingCapacity', 50).vars, []);
    assert.deepEqual(both.apply('UPS.PowerSummary.RemainingCapacity', 60).vars, [['battery.charge', '60']]);
    const battOnly = createHidMapper(apc, { paths: ['UPS.Battery.RemainingCapacity'] });
    assert.deepEqual(battOnly.apply('UPS.Battery.RemainingCapacity', 50).vars, [['battery.charge', '50']]);
    const unknown = createHidMapper(apc);
    assert.deepEqual(unknown.apply('UPS.Battery.RemainingCapacity', 50).vars, [['battery.charge', '50']]);
    assert.deepEqual(unknown.apply('UPS.PowerSummary.RemainingCapacity', 60).vars, [['battery.charge', '60']]);
    assert.deepEqual(unknown.apply('UPS.Battery.RemainingCapacity', 50).vars, [], 'a better path was seen');
  });

  test('APC 0002: Input.Voltage widened when HighVoltageTransfer exceeds its range (BK650M2 descriptor values)', () => {
    const fields = [
      { path: 'UPS.Input.Voltage', logMin: 0, logMax: 255 },
      { path: 'UPS.Input.HighVoltageTransfer', logMin: 256, logMax: 278 },
    ];
    assert.equal(apc.quirks.fixReportDesc!(fields, 0x051d, 0x0002), 1);
    assert.deepEqual(fields[0], { path: 'UPS.Input.Voltage', logMin: 0, logMax: 556 });
    assert.equal(apc.quirks.fixReportDesc!(fields, 0x051d, 0x0003), 0, 'other products untouched');
  });

  test('CyberPower: voltage ranges copied from HighVoltageTransfer reset to 0..511; 0501 battery voltage × 2/3', () => {
    const fields = [
      { path: 'UPS.Input.Voltage', logMin: 135, logMax: 144 },
      { path: 'UPS.Output.Voltage', logMin: 0, logMax: 511 },
      { path: 'UPS.Output.HighVoltageTransfer', logMin: 135, logMax: 144 },
    ];
    assert.equal(cps.quirks.fixReportDesc!(fields, 0x0764, 0x0501), 1);
    assert.deepEqual(fields[0], { path: 'UPS.Input.Voltage', logMin: 0, logMax: 511 });
    const m = createHidMapper(cps, { vid: 0x0764, pid: 0x0501 });
    m.apply('UPS.PowerSummary.ConfigVoltage', 24);
    assert.deepEqual(m.apply('UPS.PowerSummary.Voltage', 36).vars, [['battery.voltage', '24.0']]);
    assert.deepEqual(m.apply('UPS.PowerSummary.Voltage', 27.3).vars, [['battery.voltage', '27.3']]);
    const m601 = createHidMapper(cps, { vid: 0x0764, pid: 0x0601 });
    m601.apply('UPS.PowerSummary.ConfigVoltage', 24);
    assert.deepEqual(m601.apply('UPS.PowerSummary.Voltage', 36).vars, [['battery.voltage', '36.0']]);
  });

  test('APC model string: firmware split off as the dumps show', () => {
    assert.deepEqual(apc.identify({ vendor: 'American Power Conversion', product: 'Back-UPS 500 FW: 6.5.I USB FW: c1 ', serial: 'AB0427******' }), [
      ['ups.mfr', 'American Power Conversion'],
      ['ups.model', 'Back-UPS 500'],
      ['ups.firmware', ' 6.5.I'],
      ['ups.firmware.aux', ' c1 '],
      ['ups.serial', 'AB0427******'],
    ]);
    assert.deepEqual(apc.identify({ vendor: 'American Power Conversion', product: 'BK650M2-CH' }), [
      ['ups.mfr', 'American Power Conversion'],
      ['ups.model', 'BK650M2-CH'],
    ]);
  });

  test('USB strings as the dumps show them: mfr/model as sent, serial without trailing blanks', () => {
    assert.deepEqual(cps.identify({ vendor: '1 ', product: ' 850', serial: '000000000   ' }), [
      ['ups.mfr', '1 '],
      ['ups.model', ' 850'],
      ['ups.serial', '000000000'],
    ]);
    assert.deepEqual(generic.identify({}), []);
  });

  test('string-index entries use the USB string lookup', () => {
    const m = createHidMapper(cps, { strings: (i) => (i === 4 ? 'PbAcid' : i === 3 ? '1 ' : undefined) });
    assert.deepEqual(m.apply('UPS.PowerSummary.iDeviceChemistry', 4).vars, [['battery.type', 'PbAcid']]);
    assert.deepEqual(m.apply('UPS.PowerSummary.iOEMInformation', 3).vars, [['battery.mfr.date', '1 ']], 'kept as sent');
    assert.deepEqual(m.apply('UPS.PowerSummary.iDeviceChemistry', 9).vars, [], 'no such string: nothing published');
  });
});
