/**
 * The subdriver tables against every usbhid-ups dump in ../shared/ddl (most
 * have upsc output only, no Path lines):
 * - the probe picks the subdriver the dump's NUT used (for NUT >= 2.7.4.1,
 *   whose subdriver split is the one Walnut follows);
 * - every variable name a dump shows can be made by the table its USB ids
 *   select, except the gaps listed here by name (so a table that loses a row,
 *   or a gap nobody listed, fails).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SHARED_DIR, requirePeers } from '../../support/peers.js';
import { parseDevFile, type DevFile } from './subdriver-devfile.js';
import { CONVERTERS, allSubdrivers, createHidMapper, selectSubdriver, type HidInfoEntry, type Subdriver } from '../../../src/drivers/usbhid/subdrivers/index.js';

/** Variables the dumps show that no Walnut table makes, per subdriver, and why. */
const KNOWN_GAPS: Record<string, { names: string[]; why: string }> = {
  'APC HID': {
    names: ['input.transfer.reason', 'ups.delay.restart'],
    why: 'APCLineFailCause codes are not documented in the reference; ups.delay.restart is a pre-2.4 name',
  },
  'Belkin/Liebert HID': {
    names: [
      'input.sensitivity',
      'input.transfer.high.max',
      'input.transfer.high.min',
      'input.transfer.low.max',
      'input.transfer.low.min',
      'ups.delay.restart',
      'ups.load.high',
      'ups.mfr.date',
      'ups.type',
    ],
    why: 'Belkin vendor-page usages (0x0086) with no path evidence; transfer limits come from descriptor ranges, not values',
  },
  'CyberPower HID': { names: ['ups.delay.restart', 'ups.power.nominal'], why: 'pre-2.4 names (APC/CyberPower HID 0.9 era)' },
  'MGE HID': {
    names: [
      'battery.charger.status',
      'battery.energysave.delay',
      'battery.energysave.load',
      'battery.runtime.elapsed',
      'fault.site.status',
      'input.frequency.extended',
      'input.sensitivity',
      'input.voltage.extended',
      'outlet.0.desc',
      'outlet.0.id',
      'outlet.0.switchable',
      'outlet.1.current',
      'outlet.1.power',
      'outlet.1.powerfactor',
      'outlet.1.realpower',
      'outlet.2.current',
      'outlet.2.power',
      'outlet.2.powerfactor',
      'outlet.2.realpower',
      'outlet.current',
      'outlet.power',
      'outlet.powerfactor',
      'outlet.realpower',
      'ups.alarm',
      'ups.date',
      'ups.efficiency',
      'ups.load.high',
      'ups.shutdown',
      'ups.time',
      'ups.type',
    ],
    why: 'Eaton vendor-page (0xffff) usages and computed values (ups.type, *.extended) with no path evidence in the dumps',
  },
  'Delta UPS HID': {
    names: ['input.sensitivity', 'input.source', 'input.transfer.high.max', 'input.transfer.high.min', 'input.transfer.low.max', 'input.transfer.low.min', 'ups.type'],
    why: 'vendor usages with no path evidence; transfer limits come from descriptor ranges',
  },
  'TrippLite HID': {
    names: [
      'input.transfer.high.max',
      'input.transfer.high.min',
      'input.transfer.low.max',
      'input.transfer.low.min',
      'ups.alarm',
      'ups.delay.reboot',
      'ups.delay.restart',
      'ups.load.nominal',
      'ups.watchdog.status',
    ],
    why: 'Tripp Lite vendor-page (0xffff) usages with no path evidence; older variable names',
  },
};

/** Writable variables (upsrw listings) no table offers, per subdriver. */
const RW_GAPS: Record<string, string[]> = {
  'MGE HID': ['battery.energysave.delay', 'battery.energysave.load', 'input.sensitivity', 'output.voltage.nominal', 'ups.load.high', 'ups.shutdown'],
  'Delta UPS HID': ['input.sensitivity'],
};

/** Instant commands (upscmd listings) no table offers, per subdriver (vendor-page paths without evidence). */
const CMD_GAPS: Record<string, string[]> = {
  'PowerCOM HID': ['beeper.toggle'],
  'TrippLite HID': ['reset.watchdog'],
};

/** NUT's older subdriver names for the tables Walnut has under their current name. */
const RENAMED: Record<string, string> = {
  'Belkin HID': 'Belkin/Liebert HID',
  'Liebert HID': 'Phoenixtec/Liebert HID',
  'LiebertPSP HID': 'Belkin/Liebert HID',
};

function notFromTables(name: string): boolean {
  return (
    /^(driver|device)\./.test(name) ||
    ['ups.vendorid', 'ups.productid', 'ups.status', 'ups.mfr', 'ups.model', 'ups.serial', 'ups.firmware', 'ups.firmware.aux'].includes(name) ||
    // explore-mode dumps that list raw paths as variables (LiebertPSP, an MGE "unmapped" build)
    /^unmapped\./.test(name) ||
    /^ups\.(powersummary|input|output)\./.test(name)
  );
}

function usbhidDumps(): Array<{ file: string; dev: DevFile }> {
  const ddl = path.join(SHARED_DIR, 'ddl');
  const out: Array<{ file: string; dev: DevFile }> = [];
  for (const dir of fs.readdirSync(ddl).sort()) {
    const d = path.join(ddl, dir);
    if (!fs.statSync(d).isDirectory()) continue;
    for (const f of fs.readdirSync(d).sort()) {
      if (!/__usbhid[-_]ups__/.test(f)) continue;
      const dev = parseDevFile(fs.readFileSync(path.join(d, f), 'utf8'));
      if (!/^[0-9a-f]{4}$/.test(dev.vars.get('ups.vendorid') ?? '') || !/^[0-9a-f]{4}$/.test(dev.vars.get('ups.productid') ?? '')) continue;
      out.push({ file: `${dir}/${f}`, dev });
    }
  }
  return out;
}

/** "2.7.4.1" etc. from the file name → comparable number. */
function nutVersion(file: string): number {
  const m = /__(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?/.exec(file);
  if (!m) return 0;
  return Number(m[1]) * 1e6 + Number(m[2]) * 1e4 + Number(m[3]) * 1e2 + Number(m[4] ?? 0);
}

describe('subdriver tables against every usbhid-ups dump', () => {
  test('the probe picks the subdriver newer NUT (>= 2.7.4.1) used', (t) => {
    if (!requirePeers(t, 'shared')) return;
    let checked = 0;
    const wrong: string[] = [];
    for (const { file, dev } of usbhidDumps()) {
      if (nutVersion(file) < nutVersion('__2.7.4.1')) continue;
      const data = (dev.vars.get('driver.version.data') ?? '').replace(/\s+[\d.]+$/, '');
      if (!data) continue;
      const want = RENAMED[data] ?? data;
      const got = selectSubdriver(parseInt(dev.vars.get('ups.vendorid')!, 16), parseInt(dev.vars.get('ups.productid')!, 16)).name;
      checked++;
      if (got !== want) wrong.push(`${file}: NUT used ${data}, Walnut picks ${got}`);
    }
    assert.deepEqual(wrong, []);
    assert.ok(checked >= 10, `only ${checked} recent dumps`);
    t.diagnostic(`${checked} dumps from NUT >= 2.7.4.1 agree`);
  });

  test('every variable a dump shows is made by its table, except the listed gaps', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const gaps = new Map<string, Set<string>>();
    let pairs = 0;
    let covered = 0;
    let dumps = 0;
    for (const { dev } of usbhidDumps()) {
      dumps++;
      const sd = selectSubdriver(parseInt(dev.vars.get('ups.vendorid')!, 16), parseInt(dev.vars.get('ups.productid')!, 16));
      const names = new Set(sd.table.filter((e) => e.var).map((e) => e.var!));
      for (const name of dev.vars.keys()) {
        if (notFromTables(name)) continue;
        pairs++;
        if (names.has(name)) covered++;
        else gaps.set(sd.name, (gaps.get(sd.name) ?? new Set()).add(name));
      }
    }
    const found = Object.fromEntries([...gaps].map(([k, v]) => [k, [...v].sort()]).sort());
    const listed = Object.fromEntries(Object.entries(KNOWN_GAPS).map(([k, v]) => [k, [...v.names].sort()]).sort());
    assert.deepEqual(found, listed);
    assert.equal(dumps, 175, 'docs/hardware.md (src/drivers/usbhid/hcl.ts) says 175 usbhid-ups dumps');
    assert.ok(covered / pairs > 0.93, `${covered}/${pairs}`);
    t.diagnostic(`${dumps} dumps, ${covered} of ${pairs} variable occurrences made by the tables (${((100 * covered) / pairs).toFixed(1)} %)`);
  });

  test('upsrw and upscmd listings: every writable variable (same STRING length) and command is one the table offers', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const rwGaps = new Map<string, Set<string>>();
    const cmdGaps = new Map<string, Set<string>>();
    const lengthProblems: string[] = [];
    let listings = 0;
    for (const { file, dev } of usbhidDumps()) {
      if (dev.upsrw.size === 0 && dev.upscmd.length === 0) continue;
      listings++;
      const sd = selectSubdriver(parseInt(dev.vars.get('ups.vendorid')!, 16), parseInt(dev.vars.get('ups.productid')!, 16));
      const rwRows = sd.table.filter((e) => e.var && e.flags.includes('rw'));
      for (const [name, info] of dev.upsrw) {
        if (name.startsWith('driver.')) continue;
        const rows = rwRows.filter((e) => e.var === name);
        if (rows.length === 0) rwGaps.set(sd.name, (rwGaps.get(sd.name) ?? new Set()).add(name));
        else if (info.type === 'STRING') {
          for (const r of rows) if (!r.flags.includes('string') || r.length !== info.length) lengthProblems.push(`${file}: ${name} STRING ${info.length}, table ${r.flags.includes('string') ? r.length : 'not STRING'}`);
        }
      }
      const offered = new Set(createHidMapper(sd).commands());
      for (const c of dev.upscmd) {
        if (c.startsWith('driver.') || c === 'shutdown.default') continue; // the driver core's
        if (!offered.has(c)) cmdGaps.set(sd.name, (cmdGaps.get(sd.name) ?? new Set()).add(c));
      }
    }
    const sorted = (m: Map<string, Set<string>>): Record<string, string[]> => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]).sort());
    assert.deepEqual(lengthProblems, []);
    assert.deepEqual(sorted(rwGaps), Object.fromEntries(Object.entries(RW_GAPS).sort()));
    assert.deepEqual(sorted(cmdGaps), Object.fromEntries(Object.entries(CMD_GAPS).sort()));
    assert.ok(listings >= 14, `${listings} dumps with listings`);
    t.diagnostic(`${listings} dumps with upsrw/upscmd listings`);
  });

  test('value shapes: each value a dump shows fits one of its table rows (decimals, lookup values, dates)', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const bad: string[] = [];
    let checked = 0;
    for (const { file, dev } of usbhidDumps()) {
      if (nutVersion(file) < nutVersion('__2.6.0') || SHAPE_SKIP.some((x) => file.includes(x))) continue;
      const sd = dumpSubdriver(dev);
      for (const [name, raw] of dev.vars) {
        const rows = sd.table.filter((e) => e.var === name && !e.status && !e.instcmd);
        if (rows.length === 0) continue;
        const val = raw.replace(/\s+#.*$/, ''); // the ddl's "#BAD" annotations
        checked++;
        if (SHAPE_EXCEPTIONS[`${file} ${name}`]) continue;
        if (!rows.some((e) => shapeFits(e, val))) bad.push(`${file}: ${name} = "${val}" (${sd.name}: ${rows.map((e) => e.format ?? e.conv ?? '%.0f').join(' / ')})`);
      }
    }
    assert.deepEqual(bad, []);
    t.diagnostic(`${checked} values from NUT >= 2.6 dumps fit their rows`);
  });
});

/** Dumps whose values show a known decoding problem of that NUT version (the ddl marks them). */
const SHAPE_SKIP = [
  'Back-UPS_ES_525__usbhid-ups__2.6.0', // output.voltage.nominal 2300.0 (exponent bug)
  'Back-UPS_RS_500__usbhid-ups__2.7.2', // output.voltage.nominal 2300.0 (exponent bug)
  'Liebert__PSA_1500__usbhid-ups__2.6.2', // Belkin HID 0.15 printed "%f" (27.300000)
  'Liebert__GXT3__', // values marked #BAD in the ddl
  'OPEN-UPS__usbhid-ups__2.6.5', // openUPS 0.1 scaled voltages wrongly (#BAD)
  'OpenUPS2__usbhid-ups__2.7.2', // openUPS 0.1 scaled voltages wrongly (#BAD)
];

/** Single values that do not fit, and why (explicit, per file and variable). */
const SHAPE_EXCEPTIONS: Record<string, string> = {
  'APC/APC__AP9584__usbhid-ups__2.6.4__01.dev ups.mfr.date': 'the serial kit reports no date ("not set")',
  'Eaton/Eaton__9SX_5000i__usbhid-ups__2.7.2__01.dev battery.protection': 'empty value in the dump',
  'Liebert/Liebert__PSI5__usbhid-ups__2.8.2.1__01.dev battery.voltage.nominal': 'Belkin/Liebert HID 0.21 (NUT 2.8.2) prints whole volts; 0.18 (NUT 2.8.0, Liebert PSA) one decimal',
  'Tripp_Lite/Tripp_Lite__SMART1500LCDT__usbhid-ups__2.6.3__01.dev battery.runtime': 'leading blank in the dump (" 10800")',
  'HP/HP__R1500_G3_INT__usbhid-ups__2.6.4__01.dev output.current': 'NUT 2.6 printed two decimals; 2.7.4 (SMC15002URM) prints one',
  'HP/HP__R1500_G3_INT__usbhid-ups__2.6.4__02.dev output.current': 'NUT 2.6 printed two decimals; 2.7.4 (SMC15002URM) prints one',
  'Tripp_Lite/Tripp_Lite__SMART1300LCDT__usbhid-ups__2.6.4__01.dev output.current': 'NUT 2.6 printed two decimals; 2.7.4 (SMC15002URM) prints one',
  'Tripp_Lite/Tripp_Lite__SMART1500LCDT__usbhid-ups__2.6.3__01.dev output.current': 'NUT 2.6 printed two decimals; 2.7.4 (SMC15002URM) prints one',
  'Tripp_Lite/Tripp_Lite__SU1500RTXL2UA__usbhid-ups__2.6.3__01.dev output.current': 'NUT 2.6 printed two decimals; 2.7.4 (SMC15002URM) prints one',
  'Tripp_Lite/Tripp_Lite__SU1500RTXLCD2U__usbhid-ups__2.6.3__01.dev output.current': 'NUT 2.6 printed two decimals; 2.7.4 (SMC15002URM) prints one',
};

/** The table the dump's own NUT used (by driver.version.data), else the probe's. */
function dumpSubdriver(dev: DevFile): Subdriver {
  const data = (dev.vars.get('driver.version.data') ?? '').replace(/\s+[\d.]+( \(experimental\))?$/, '');
  const name = RENAMED[data] ?? data;
  return allSubdrivers().find((s) => s.name === name) ?? selectSubdriver(parseInt(dev.vars.get('ups.vendorid')!, 16), parseInt(dev.vars.get('ups.productid')!, 16));
}

function shapeFits(e: HidInfoEntry, val: string): boolean {
  if (e.flags.includes('stringid') || e.flags.includes('absent')) return true;
  const fmt = e.format ?? '%.0f';
  if (e.conv) {
    const c = CONVERTERS[e.conv];
    if (c.values) return c.values.includes(val);
    if (e.conv === 'date') return /^\d{4}\/\d{2}\/\d{2}$/.test(val);
    if (!c.numeric) return true;
  }
  const m = /^%\.(\d)f$/.exec(e.conv ? (e.format ?? '%.1f') : fmt);
  if (!m) return true;
  const n = Number(m[1]);
  return new RegExp(n === 0 ? '^-?\\d+$' : `^-?\\d+\\.\\d{${n}}$`).test(val);
}
