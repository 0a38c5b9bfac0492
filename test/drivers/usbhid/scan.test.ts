/**
 * `walnut scan` (nut-scanner -U): the ups.conf sections made from a device
 * list (the layer above libusb, fed a fake list here), that they parse back
 * and select the same unit through NUT's matching rules, and the real run
 * on this machine (libusb sees no USB device in the sandbox) next to real
 * nut-scanner. Plus the pure parts of the USB transport.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../../src/cli/walnut-scan.js';
import { parseUpsConf } from '../../../src/config/ups-conf.js';
import { formatParsable, formatUpsConf, isKnownUps, scanEntries, scanUsb } from '../../../src/drivers/usbhid/scan.js';
import { UsbMatcher, matcherFromOptions, type UsbDeviceInfo } from '../../../src/transports/hid.js';
import { listUsbDevices, reportDescriptorLength } from '../../../src/transports/usb.js';
import { REPO_ROOT } from '../../support/peers.js';
import { execProgram } from '../../support/proc.js';

const CS500: UsbDeviceInfo = {
  vendorId: 0x051d,
  productId: 0x0002,
  vendor: 'American Power Conversion',
  product: 'Back-UPS 500 FW: 6.5.I USB FW: c1 ',
  serial: 'AB0427******',
  bus: '003',
  device: '002',
  busPort: '001',
  hid: true,
};
const CPS: UsbDeviceInfo = { vendorId: 0x0764, productId: 0x0601, vendor: 'CPS', product: 'CP1500EPFCLCD', serial: 'CRMK"Q\\1', bus: '001', device: '007', hid: true };
const KEYBOARD: UsbDeviceInfo = { vendorId: 0x046d, productId: 0xc31c, vendor: 'Logitech', product: 'USB Keyboard', bus: '001', device: '003', hid: true };
const NO_STRINGS: UsbDeviceInfo = { vendorId: 0x051d, productId: 0x0003, bus: '002', device: '004', hid: true };
const APC_NOT_HID: UsbDeviceInfo = { vendorId: 0x051d, productId: 0x0002, bus: '004', device: '002', hid: false };

test('ups.conf sections as nut-scanner prints them; only HID units a subdriver claims', () => {
  const entries = scanEntries([KEYBOARD, CS500, APC_NOT_HID, NO_STRINGS], isKnownUps);
  assert.equal(
    formatUpsConf(entries),
    [
      '[nutdev1]',
      '\tdriver = "usbhid-ups"',
      '\tport = "auto"',
      '\tvendorid = "051D"',
      '\tproductid = "0002"',
      '\tproduct = "Back-UPS 500 FW: 6.5.I USB FW: c1 "',
      '\tserial = "AB0427******"',
      '\tvendor = "American Power Conversion"',
      '\tbus = "003"',
      '[nutdev2]',
      '\tdriver = "usbhid-ups"',
      '\tport = "auto"',
      '\tvendorid = "051D"',
      '\tproductid = "0003"',
      '\tbus = "002"',
      '',
    ].join('\n'),
  );
  assert.equal(
    formatParsable(entries.slice(0, 1)),
    'USB:driver="usbhid-ups",port="auto",vendorid="051D",productid="0002",product="Back-UPS 500 FW: 6.5.I USB FW: c1 ",serial="AB0427******",vendor="American Power Conversion",bus="003"\n',
  );
});

test('each section parses back as ups.conf and its options select exactly that unit (NUT regex rules)', () => {
  const devices = [CS500, CPS, NO_STRINGS];
  const entries = scanEntries(devices, isKnownUps);
  assert.equal(entries.length, 3);
  const text = formatUpsConf(entries);
  const parsed = parseUpsConf(Buffer.from(text), 'ups.conf');
  assert.deepEqual(parsed.issues.filter((i) => i.severity === 'error'), []);
  assert.equal(parsed.value.ups.length, 3);
  parsed.value.ups.forEach((sec, i) => {
    assert.equal(sec.driver, 'usbhid-ups');
    const opts = new Map(sec.options.map((o) => [o.key, o.value]));
    // serial with a quote and a backslash survives the round trip
    if (i === 1) assert.equal(opts.get('serial'), 'CRMK"Q\\1');
    // nut-scanner writes strings verbatim; as regular expressions a few
    // characters (here '*', '.', '(') would not match themselves, so match the IDs and bus
    const m = matcherFromOptions((k) => (['vendorid', 'productid', 'bus'].includes(k) ? opts.get(k) : undefined));
    assert.deepEqual(devices.filter((d) => m.matches(d)), [devices[i]]);
  });
});

test('NUT matching: whole field, any case, regex; missing strings match as ""; bad regex refused', () => {
  assert.ok(new UsbMatcher({ vendorid: '051D', productid: '0002' }).matches(CS500));
  assert.ok(new UsbMatcher({ vendorid: '051d|0764' }).matches(CPS));
  assert.ok(!new UsbMatcher({ vendorid: '05' }).matches(CS500), 'a partial match is no match');
  assert.ok(new UsbMatcher({ product: 'back-ups.*' }).matches(CS500));
  assert.ok(new UsbMatcher({ serial: '' }).matches(NO_STRINGS));
  assert.ok(!new UsbMatcher({ serial: 'X' }).matches(NO_STRINGS));
  assert.ok(new UsbMatcher({ bus: '00[1-3]', device: '002', busport: '001' }).matches(CS500));
  assert.deepEqual(new UsbMatcher({ bus: '001' }).mismatch(CS500), { key: 'bus', pattern: '001', value: '003' });
  assert.ok(new UsbMatcher().isEmpty);
  assert.throws(() => new UsbMatcher({ product: '(' }), /product = "\(" is not a valid regular expression/);
});

test('the report descriptor length from the HID class descriptor bytes (as NUT logs them)', () => {
  // BK650M2-CH: "HID descriptor, method 1: (9 bytes) => 09 21 10 01 21 01 22 e7 02"
  assert.equal(reportDescriptorLength(Uint8Array.from([0x09, 0x21, 0x10, 0x01, 0x21, 0x01, 0x22, 0xe7, 0x02])), 743);
  assert.equal(reportDescriptorLength(Uint8Array.from([0x09, 0x21, 0x00, 0x01, 0x00, 0x01, 0x22, 0x76, 0x01])), 374);
  assert.equal(reportDescriptorLength(Uint8Array.from([0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a])), undefined);
  assert.equal(reportDescriptorLength(new Uint8Array(0)), undefined);
});

test('nothing attached: says so on stderr, exit 1 (-q: without the banner)', async () => {
  const io = () => {
    const o = { out: '', err: '' };
    return { o, io: { out: (s: string) => (o.out += s), err: (s: string) => (o.err += s), list: async () => [KEYBOARD] } };
  };
  let a = io();
  assert.equal(await run([], a.io), 1);
  assert.equal(a.o.out, '');
  assert.equal(a.o.err, 'Scanning USB bus.\nNo USB device found\n');
  a = io();
  assert.equal(await run(['-U', '-q'], a.io), 1);
  assert.equal(a.o.err, 'No USB device found\n');
  a = io();
  a.io.list = async () => [CS500];
  assert.equal(await run(['-P'], a.io), 0);
  assert.match(a.o.out, /^USB:driver="usbhid-ups",port="auto",vendorid="051D"/);
  a = io();
  assert.equal(await run(['-S'], a.io), 1);
  assert.match(a.o.err, /only USB scanning/);
  const failing = await scanUsb({ list: async () => Promise.reject(new Error('LIBUSB_ERROR_ACCESS')), isUps: isKnownUps });
  assert.equal(failing.code, 1);
  assert.match(failing.stderr, /Cannot list USB devices: LIBUSB_ERROR_ACCESS/);
});

test('walnut scan on this machine (libusb), next to real nut-scanner -U', async () => {
  const devices = await listUsbDevices();
  const r = await execProgram(process.execPath, [path.join(REPO_ROOT, 'bin', 'walnut'), 'scan'], process.env, 20_000);
  const ups = scanEntries(devices, isKnownUps);
  if (ups.length === 0) {
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'Scanning USB bus.\nNo USB device found\n');
    if (fs.existsSync('/usr/bin/nut-scanner')) {
      const n = spawnSync('/usr/bin/nut-scanner', ['-U'], { encoding: 'utf8', timeout: 20_000 });
      // nut-scanner appends strerror(errno) of some earlier call (": Resource temporarily unavailable" here)
      if (n.status !== null && n.stdout === '') {
        assert.equal(r.code, n.status);
        assert.match(n.stderr, /^Scanning USB bus\.\nNo USB device found/);
      }
    }
  } else {
    assert.equal(r.code, 0);
    assert.equal(parseUpsConf(Buffer.from(r.stdout), 'scan').value.ups.length, ups.length);
  }
});
