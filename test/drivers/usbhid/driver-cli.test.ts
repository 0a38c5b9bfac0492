/**
 * The usbhid-ups program: `--explain` on a live unit (the simulated
 * BK650M2-CH behind the transport interface), and the real program (libusb)
 * on this machine, where no USB device exists: it refuses to start, as NUT's
 * usbhid-ups does, with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { explainMain } from '../../../src/cli/usbhid-ups.js';
import { REPO_ROOT, skipUnless } from '../../support/peers.js';
import { execProgram } from '../../support/proc.js';
import { nutDir } from '../../support/real-nut.js';
import { SimUps, loadFixture } from '../../support/hid-sim.js';

const UPS_CONF = '[bk]\n\tdriver = usbhid-ups\n\tport = auto\n\tvendorid = 051d\n';

async function explain(args: string[], sim: SimUps, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await explainMain(args, { out: (s) => (out += s), err: (s) => (err += s), env, open: sim.open });
  return { code, out, err };
}

test('usbhid-ups -a UPS --explain: paths, live values, variables and status of the unit', { skip: skipUnless('shared') }, async () => {
  const d = nutDir('walnut-usbhid-cli-');
  try {
    fs.writeFileSync(path.join(d.etc, 'ups.conf'), UPS_CONF);
    const sim = new SimUps(loadFixture('apc-back-ups-bk650m2-ch'));
    const text = await explain(['-a', 'bk', '--explain'], sim, d.env);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /UPS\.PowerSummary\.PresentStatus\.ACPresent/);
    assert.match(text.out, /APC HID/);
    assert.match(text.out, /OL DISCHRG/);
    const json = await explain(['-a', 'bk', '--explain', '--json'], sim, d.env);
    assert.equal(json.code, 0, json.err);
    const e = JSON.parse(json.out) as { status?: string; variables?: Array<{ name: string; value: string }>; rows: unknown[] };
    assert.equal(e.status, 'OL DISCHRG');
    const vars = new Map((e.variables ?? []).map((v) => [v.name, v.value]));
    assert.equal(vars.get('battery.charge'), '100');
    assert.equal(vars.get('input.voltage'), '232.0');
    assert.equal(sim.writes.length, 0, 'explain never writes');
    // options that select no unit
    const none = await explain(['-a', 'bk', '--explain', '-x', 'serial=NOPE'], sim, d.env);
    assert.equal(none.code, 1);
    assert.match(none.err, /No matching HID UPS found.*serial/);
    const noUps = await explain(['--explain'], sim, d.env);
    assert.equal(noUps.code, 1);
  } finally {
    d.cleanup();
  }
});

test('bin/usbhid-ups on this machine (libusb, nothing attached): -h, refuses to start, --explain says why', async () => {
  const d = nutDir('walnut-usbhid-bin-');
  const bin = path.join(REPO_ROOT, 'bin', 'usbhid-ups');
  try {
    fs.writeFileSync(path.join(d.etc, 'ups.conf'), UPS_CONF);
    const h = await execProgram(process.execPath, [bin, '-h'], d.env, 20_000);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /-x vendorid=<value>/);
    assert.match(h.stdout, /-x pollonly/);
    const { listUsbDevices } = await import('../../../src/transports/usb.js');
    if ((await listUsbDevices({ strings: false })).length > 0) return; // a machine with USB devices: the rest assumes none
    const start = await execProgram(process.execPath, [bin, '-a', 'bk', '-F', '-u', 'root'], d.env, 20_000);
    assert.equal(start.code, 1);
    assert.match(start.stderr, /No matching HID UPS found/);
    assert.ok(!fs.existsSync(path.join(d.state, 'usbhid-ups-bk')), 'no socket');
    const kill = await execProgram(process.execPath, [bin, '-a', 'bk', '-k'], d.env, 20_000);
    assert.equal(kill.code, 1, '-k without a unit fails');
    assert.match(kill.stderr, /No matching HID UPS found/);
    const ex = await execProgram(process.execPath, [bin, '-a', 'bk', '--explain'], d.env, 20_000);
    assert.equal(ex.code, 1);
    assert.match(ex.stderr, /No matching HID UPS found \(vendorid=051d; 0 USB device\(s\) attached\)/);
  } finally {
    d.cleanup();
  }
});
