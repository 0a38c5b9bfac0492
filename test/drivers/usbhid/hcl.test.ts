/**
 * `walnut hcl` and docs/hardware.md: vendor, product, USB ids, driver and
 * subdriver from the tables, which entries were checked against real dumps;
 * the committed docs/hardware.md is the generator's output; every "checked"
 * reference names a real dump with the same USB ids.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { hardwareMarkdown, hclEntries, hclText, filterHcl, PATH_CHECKED_DUMPS } from '../../../src/drivers/usbhid/hcl.js';
import { usbTable } from '../../../src/drivers/usbhid/udev.js';
import { REPO_ROOT, SHARED_DIR, requirePeers } from '../../support/peers.js';
import { execProgram } from '../../support/proc.js';
import { parseDevFile } from './subdriver-devfile.js';

const WALNUT = path.join(REPO_ROOT, 'bin/walnut');

describe('hardware list', () => {
  test('docs/hardware.md is up to date (regenerate: walnut hcl --markdown > docs/hardware.md)', () => {
    const committed = fs.readFileSync(path.join(REPO_ROOT, 'docs/hardware.md'), 'utf8');
    assert.equal(committed, hardwareMarkdown());
  });

  test('one entry per USB id, attributed to the subdriver the driver picks', () => {
    const entries = hclEntries();
    assert.equal(entries.length, usbTable().length);
    assert.equal(new Set(entries.map((e) => `${e.vendorId}:${e.productId}`)).size, entries.length);
    const pw = entries.find((e) => e.vendorId === '06da' && e.productId === 'ffff');
    assert.equal(pw?.subdriver, 'MGE HID');
    assert.deepEqual(pw?.alsoClaimedBy, ['Phoenixtec/Liebert HID']);
    for (const e of entries) {
      assert.equal(e.driver, 'usbhid-ups');
      assert.ok(e.vendor.length > 0 && e.product.length > 0, JSON.stringify(e));
      assert.equal(e.status === 'dump', e.checked !== undefined);
    }
    assert.ok(entries.filter((e) => e.status === 'dump').length >= 40);
    const md = hardwareMarkdown();
    for (const e of entries) assert.ok(md.includes(`\`${e.vendorId}:${e.productId}\``), `${e.vendorId}:${e.productId} in docs`);
    for (const d of PATH_CHECKED_DUMPS) assert.ok(md.includes(d.file));
  });

  test('text and filters', () => {
    const text = hclText();
    assert.match(text.split('\n')[0]!, /^VENDOR\s+PRODUCT\s+USB ID\s+DRIVER\s+SUBDRIVER\s+CHECKED$/);
    assert.match(text, /051d:0002\s+usbhid-ups\s+APC HID\s+dump: APC\/APC__Back-UPS_CS_500__usbhid-ups__2\.8\.0__01\.dev/);
    const cps = filterHcl(hclEntries(), 'cyberpower');
    assert.deepEqual(
      cps.map((e) => `${e.vendorId}:${e.productId}`),
      ['0764:0005', '0764:0501', '0764:0601'],
    );
    assert.deepEqual(
      filterHcl(hclEntries(), '0764:0601').map((e) => e.subdriver),
      ['CyberPower HID'],
    );
    assert.ok(filterHcl(hclEntries(), undefined, true).every((e) => e.checked));
  });

  test('every "checked" reference names a real dump with the same USB ids', (t) => {
    if (!requirePeers(t, 'shared')) return;
    for (const e of hclEntries()) {
      if (!e.checked) continue;
      const file = path.join(SHARED_DIR, 'ddl', e.checked);
      assert.ok(fs.existsSync(file), `${e.vendorId}:${e.productId}: ${e.checked} missing`);
      const dev = parseDevFile(fs.readFileSync(file, 'utf8'));
      assert.equal(dev.vars.get('ups.vendorid'), e.vendorId, e.checked);
      if (e.productId !== '*') assert.equal(dev.vars.get('ups.productid'), e.productId, e.checked);
      assert.equal(dev.vars.get('driver.name')?.replace('_', '-'), 'usbhid-ups', e.checked);
    }
  });

  test('walnut hcl (the program): text, --json, filter, --checked, errors', async () => {
    const [text, json, none, bad, help] = await Promise.all([
      execProgram(WALNUT, ['hcl']),
      execProgram(WALNUT, ['hcl', '--json', '--checked', 'apc']),
      execProgram(WALNUT, ['hcl', 'no-such-vendor']),
      execProgram(WALNUT, ['hcl', '--bogus']),
      execProgram(WALNUT, ['--help']),
    ]);
    assert.match(help.stdout, /^  udev-rules\s+udev rules for USB UPS units/m);
    assert.match(help.stdout, /^  hcl\s+hardware list of the usbhid-ups driver/m);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, hclText());
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { driver: string; subdrivers: Array<{ name: string }>; devices: Array<{ vendorId: string; productId: string; checked?: string; subdriver: string }> };
    assert.equal(doc.driver, 'usbhid-ups');
    assert.ok(doc.subdrivers.some((s) => s.name === 'APC HID'));
    assert.deepEqual(
      doc.devices.map((d) => `${d.vendorId}:${d.productId}`),
      ['051d:0000', '051d:0002', '051d:0003'],
    );
    assert.ok(doc.devices.every((d) => d.checked && d.subdriver === 'APC HID'));
    assert.equal(none.code, 1);
    assert.match(none.stdout, /no USB UPS entry matches 'no-such-vendor'/);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown option '--bogus'/);
  });
});
