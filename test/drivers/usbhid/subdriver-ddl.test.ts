/**
 * Acceptance: for each usbhid-ups .dev in ../shared/ddl with "Path: ..., Value: ..."
 * lines, the subdriver table of the same unit maps those paths and values to
 * the upsc variables and values of the same dump. The only variables left
 * out are those the dump proves came from elsewhere (listed below, with why).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SHARED_DIR, requirePeers } from '../../support/peers.js';
import { parseDevFile, type DevFile } from './subdriver-devfile.js';
import { allSubdrivers, createHidMapper, selectSubdriver, mge, type Subdriver } from '../../../src/drivers/usbhid/subdrivers/index.js';

const DDL = path.join(SHARED_DIR, 'ddl');

/** Never from a subdriver table: the driver core, the USB device descriptor, the status line (compared separately). */
function fromElsewhere(name: string): string | undefined {
  if (name.startsWith('driver.')) return 'driver core (driver.*)';
  if (name.startsWith('device.')) return 'driver core copies ups.* into device.*';
  if (name === 'ups.vendorid' || name === 'ups.productid') return 'USB device descriptor (checked against the subdriver ids instead)';
  if (name === 'ups.status') return 'compared as status tokens';
  return undefined;
}

interface Case {
  file: string;
  /** Variables this dump proves were not made from its Path lines, and why. */
  elsewhere: Record<string, string>;
}

const CASES: Case[] = [
  {
    file: 'APC/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev',
    elsewhere: { 'battery.type': 'USB string descriptor #4 (iDeviceChemistry = 4): the string itself is not in the log' },
  },
  {
    file: 'APC/APC__Back-UPS_BK650M2-CH__usbhid-ups__2.8.0__01.dev',
    elsewhere: {
      'battery.type': 'USB string descriptor #4 (iDeviceChemistry = 4): the string itself is not in the log',
      'ups.load': 'the upsc listing comes from another run than the explore log (PercentLoad read 0 there, upsc shows 5)',
      'ups.serial': 'redacted to "xxxx" in the upsc listing (the log shows 9B2019A14274)',
    },
  },
  {
    file: 'PowerWalker/PowerWalker__VI_2200_SH__usbhid-ups__2.7.4__01.dev',
    elsewhere: { 'battery.type': 'USB string descriptor #5 (iDeviceChemistry = 5): the string itself is not in the log' },
  },
  {
    file: 'Ippon/Ippon__Smart_Power_Pro_II_1200__usbhid-ups__2.7.4__01.dev',
    elsewhere: {
      'battery.type': 'USB string descriptor #5 (iDeviceChemistry = 5): the string itself is not in the log',
      'ups.mfr': 'USB iManufacturer string: this -D log does not print the USB strings',
      'ups.model': 'USB iProduct string: this -D log does not print the USB strings',
      'ups.serial': 'USB iSerialNumber string: this -D log does not print the USB strings',
    },
  },
];

function subdriverOf(dev: DevFile): Subdriver {
  const data = dev.vars.get('driver.version.data') ?? '';
  const name = data.replace(/\s+[\d.]+$/, '');
  const sd = allSubdrivers().find((s) => s.name === name);
  assert.ok(sd, `no subdriver named "${name}" (driver.version.data "${data}")`);
  return sd;
}

function runDump(sd: Subdriver, dev: DevFile) {
  const vid = parseInt(dev.vars.get('ups.vendorid') ?? '0', 16);
  const pid = parseInt(dev.vars.get('ups.productid') ?? '0', 16);
  const m = createHidMapper(sd, { paths: dev.paths.keys(), vid, pid });
  const produced = new Map<string, string>();
  const origin = new Map<string, string>();
  for (const [k, val] of m.initialVars()) {
    produced.set(k, val);
    origin.set(k, 'absent default');
  }
  for (const [k, val] of sd.identify(dev.strings)) {
    produced.set(k, val);
    origin.set(k, 'USB strings');
  }
  for (const pv of dev.paths.values()) {
    for (const [k, val] of m.apply(pv.path, pv.value).vars) {
      produced.set(k, val);
      origin.set(k, `${pv.path} = ${pv.value}`);
    }
  }
  return { m, produced, origin };
}

describe('subdriver tables against real usbhid-ups dumps (../shared/ddl)', () => {
  for (const c of CASES) {
    test(c.file, (t) => {
      if (!requirePeers(t, 'shared')) return;
      const dev = parseDevFile(fs.readFileSync(path.join(DDL, c.file), 'utf8'));
      assert.ok(dev.paths.size > 20, `${c.file}: expected Path lines`);
      const sd = subdriverOf(dev);
      const vid = parseInt(dev.vars.get('ups.vendorid')!, 16);
      const pid = parseInt(dev.vars.get('ups.productid')!, 16);
      assert.ok(sd.match(vid, pid), `${sd.name} claims ${dev.vars.get('ups.vendorid')}:${dev.vars.get('ups.productid')}`);
      const { m, produced, origin } = runDump(sd, dev);

      const problems: string[] = [];
      for (const [name, want] of dev.vars) {
        if (fromElsewhere(name) || c.elsewhere[name]) continue;
        const got = produced.get(name);
        if (got === undefined) problems.push(`missing ${name} (dump: "${want}")`);
        else if (got !== want) problems.push(`${name}: got "${got}" from ${origin.get(name)}, dump has "${want}"`);
      }
      for (const [name, got] of produced) {
        if (dev.vars.has(name) || c.elsewhere[name]) continue;
        problems.push(`extra ${name} = "${got}" (from ${origin.get(name)}) not in the dump`);
      }
      // every listed exception must really differ or be absent, so the list stays honest
      for (const name of Object.keys(c.elsewhere)) {
        assert.ok(dev.vars.has(name), `${c.file}: exception ${name} is not even in the dump`);
        assert.notEqual(produced.get(name), dev.vars.get(name), `${c.file}: exception ${name} is not needed (the table reproduces it)`);
      }
      assert.deepEqual(problems, [], `${c.file} via ${sd.name}`);
      assert.equal(m.statusTokens(), dev.vars.get('ups.status'), `${c.file}: ups.status`);
      if (dev.commands.length > 0) assert.deepEqual(m.commands(), [...dev.commands].sort(), `${c.file}: instant commands`);
    });
  }

  test('06da:ffff (PowerWalker/Ippon) probes to the MGE table, which agrees with the dump where both map', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const dev = parseDevFile(fs.readFileSync(path.join(DDL, 'PowerWalker/PowerWalker__VI_2200_SH__usbhid-ups__2.7.4__01.dev'), 'utf8'));
    assert.equal(selectSubdriver(0x06da, 0xffff), mge);
    const { m, produced } = runDump(mge, dev);
    for (const name of ['battery.charge', 'battery.runtime', 'ups.load']) assert.equal(produced.get(name), dev.vars.get(name), name);
    assert.equal(m.statusTokens(), dev.vars.get('ups.status'));
    // and the paths the Phoenixtec/Liebert table leaves out (the dump's complaint)
    assert.equal(produced.get('input.voltage'), '241.0');
    assert.equal(produced.get('output.voltage'), '240.0');
    assert.equal(produced.get('output.frequency'), '50.0');
    assert.equal(produced.get('output.voltage.nominal'), '230');
    assert.equal(produced.get('ups.beeper.status'), 'enabled');
    assert.equal(produced.get('ups.test.result'), 'No test initiated');
    assert.ok(m.commands().includes('beeper.disable'));
  });

  test('the dump reader sees what the files hold', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const dev = parseDevFile(fs.readFileSync(path.join(DDL, 'APC/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev'), 'utf8'));
    assert.equal(dev.paths.size, 27);
    assert.equal(dev.paths.get('UPS.PowerSummary.Voltage')?.value, 13.58);
    assert.equal(dev.paths.get('UPS.PowerSummary.ff860016')?.reportId, 0x1c);
    assert.equal(dev.vars.get('ups.firmware.aux'), ' c1 ');
    assert.equal(dev.strings.product, 'Back-UPS 500 FW: 6.5.I USB FW: c1 ');
    assert.deepEqual(dev.commands, ['shutdown.reboot', 'test.panel.start', 'test.panel.stop']);
  });
});
