/**
 * nutdrv_qx end to end: the Q1 simulator (built from a real unit's .dev
 * dump) on one side of a socat pty pair, Walnut's nutdrv_qx on the other,
 * Walnut's upsd on loopback, NUT's real upsc/upscmd as clients.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { requirePeers } from '../../support/peers.js';
import { execProgram, waitFor } from '../../support/proc.js';
import { parseDevDump } from '../../../src/drivers/nutdrv_qx/simulator.js';
import { startBench, upscmd, IPPON_DEV, DIGITUS_DEV, MEGATEC_TXT, type Bench } from './harness.js';
import { parseExchanges } from '../../../src/drivers/nutdrv_qx/simulator.js';

const benches: Bench[] = [];
after(async () => {
  for (const b of benches) await b.cleanup();
});

/**
 * Variables that differ from the real unit's dump, and why:
 * - driver.name / driver.version / driver.version.internal / driver.version.data:
 *   the dump's program and version (blazer_usb 2.7.4, nutdrv_qx 2.7.4), not ours (nutdrv_qx, NUT 2.8.0 level).
 * - driver.parameter.* / driver.flag.*: the dump's ups.conf (USB: port=auto, vendorid, subdriver...)
 *   against the test's (a pty, pollinterval 1).
 * - ups.vendorid / ups.productid: published by the USB transport only; the simulator is a serial unit.
 */
const ALLOWED = [/^driver\.(name|version|version\.internal|version\.data)$/, /^driver\.parameter\./, /^driver\.flag\./, /^ups\.(vendorid|productid)$/];

function compareWithDump(dump: Map<string, string>, got: Map<string, string>): string[] {
  const diffs: string[] = [];
  const keys = new Set([...dump.keys(), ...got.keys()]);
  for (const k of [...keys].sort()) {
    if (ALLOWED.some((r) => r.test(k))) continue;
    if (dump.get(k) !== got.get(k)) diffs.push(`${k}: dump ${JSON.stringify(dump.get(k))} walnut ${JSON.stringify(got.get(k))}`);
  }
  return diffs;
}

async function bench(dev: string, name: string, section: string[], packs?: number): Promise<Bench> {
  const b = await startBench({ dev, upsName: name, section: ['pollinterval = 1', ...section], ...(packs ? { packs } : {}) });
  benches.push(b);
  return b;
}

test('Ippon Back Basic 850 Euro (blazer_usb dump, record 1 layout): upsc shows what the real unit showed', async (t) => {
  if (!requirePeers(t, 'socat', 'nut', 'shared')) return;
  const b = await bench(IPPON_DEV, 'ippon', ['protocol = megatec']);
  const got = await b.vars();
  const dump = parseDevDump(fs.readFileSync(IPPON_DEV, 'latin1'));
  assert.deepEqual(compareWithDump(dump, got), []);
  assert.equal(got.get('driver.name'), 'nutdrv_qx');
  assert.equal(got.get('driver.version.data'), 'Megatec 0.06');
  // the exchange the driver made: Q1, F, I as in the recorded logs
  const reqs = new Set(b.sim.log.map((e) => e.request));
  for (const r of ['Q1', 'F', 'I']) assert.ok(reqs.has(r), `simulator saw ${r}`);
});

test('Digitus DN-170076 (nutdrv_qx dump, MEC0003 records 3-4): defaults, runtimecal, novendor, no temperature', async (t) => {
  if (!requirePeers(t, 'socat', 'nut', 'shared')) return;
  const b = await bench(DIGITUS_DEV, 'digitus', [
    'protocol = "megatec"',
    'novendor',
    'default.battery.voltage.low = 20.80',
    'default.battery.voltage.high = 27.40',
    'runtimecal = 720,100,1440,50',
    'chargetime = 28800',
    'idleload = 10',
  ]);
  const got = await b.vars();
  const dump = parseDevDump(fs.readFileSync(DIGITUS_DEV, 'latin1'));
  assert.deepEqual(compareWithDump(dump, got), []);
  assert.ok(!b.sim.log.some((e) => e.request === 'I'), 'novendor: no I request');
  // on battery the runtime estimate appears (runtimecal): 720 s at 100 % load, load 0 → idleload 10 %
  b.sim.setOnBattery(true);
  await waitFor('OB', async () => (await b.upsc('ups.status')).stdout.trim() === 'OB', 8000, 100);
  const ob = await b.vars();
  assert.equal(ob.get('input.voltage'), '0.0');
  assert.equal(ob.get('battery.runtime'), String(Math.round((720 * 10 * (27.2 - 20.8)) / (27.4 - 20.8))));
});

test('status changes reach upsc within one poll; instant commands reach the unit as the right bytes', async (t) => {
  if (!requirePeers(t, 'socat', 'nut', 'shared')) return;
  const b = await bench(IPPON_DEV, 'ippon', ['protocol = megatec']);
  const status = async () => (await b.upsc('ups.status')).stdout.trim();
  assert.equal(await status(), 'OL');
  // "within one poll", counted in polls (not wall time, so a loaded machine does not matter):
  // the driver publishes the change in the first poll that starts after it (at most the
  // one running now plus the next), and upsd relays it to upsc at once
  const inst = b.driver!.instance;
  const withinOnePoll = async (want: string) => {
    const n0 = inst.updateCount;
    await waitFor(`driver ups.status ${want}`, () => b.driver!.state.getInfo('ups.status') === want, 10_000, 5);
    assert.ok(inst.updateCount - n0 <= 2, `published after ${inst.updateCount - n0} polls`);
    await waitFor(`upsc ups.status ${want}`, async () => (await status()) === want, 5000, 20);
  };
  b.sim.setOnBattery(true);
  await withinOnePoll('OB');
  b.sim.setLowBattery(true);
  await withinOnePoll('OB LB');
  b.sim.setOnBattery(false);
  b.sim.setLowBattery(false);
  await withinOnePoll('OL');

  // the first commands wait for the driver's verdict (upscmd -w: SUCCESS); the others
  // are sent plain (OK from upsd) and we wait for their bytes at the unit
  let waits = 2;
  const sent = async (cmd: string, value?: string): Promise<string | undefined> => {
    const before = b.sim.log.length;
    const wait = waits-- > 0;
    const r = await upscmd(b, cmd, value, wait);
    assert.equal(r.code, 0, `${cmd}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, wait ? /^SUCCESS$/m : /^OK$/m);
    const line = () => b.sim.log.slice(before).find((e) => e.request !== 'Q1')?.request;
    await waitFor(`${cmd} at the unit`, () => line() !== undefined, 8000, 10);
    return line();
  };
  assert.equal(await sent('beeper.toggle'), 'Q');
  await waitFor('beeper disabled', async () => (await b.upsc('ups.beeper.status')).stdout.trim() === 'disabled', 5000, 50);
  assert.equal(await sent('test.battery.start.quick'), 'T');
  await withinOnePoll('OL CAL');
  assert.equal(await sent('test.battery.stop'), 'CT');
  assert.equal(await sent('test.battery.start', '120'), 'T02');
  assert.equal(await sent('shutdown.return'), 'S.5R0003');
  await withinOnePoll('OL CAL FSD'); // bit 44: shutdown active (the 2-minute test still runs)
  assert.equal(await sent('shutdown.stop'), 'C');
  assert.equal(await sent('load.off'), 'S00R0000');
  assert.equal(await sent('load.on'), 'C');
  // the delays are writable and change the bytes
  const rw = (v: string, val: string, wait = false) =>
    execProgram('upsrw', ['-s', `${v}=${val}`, '-u', 'admin', '-p', 'adminpass', ...(wait ? ['-w'] : []), b.ups], process.env, 10_000);
  assert.equal((await rw('ups.delay.shutdown', '120')).code, 0);
  assert.equal((await rw('ups.delay.start', '600')).code, 0);
  await waitFor('delays set', async () => (await b.upsc('ups.delay.start')).stdout.trim() === '600', 8000, 20);
  assert.equal(await sent('shutdown.stayoff'), 'S02R0000');
  assert.equal(await sent('test.battery.stop'), 'CT');
  // an out-of-range delay is refused
  const bad = await rw('ups.delay.shutdown', '5', true);
  assert.match(bad.stdout + bad.stderr, /INVALID|ERR/);
  // a command the unit echoes back is reported as failed
  b.sim.set('x', undefined);
  (b.sim as unknown as { replies: Map<string, string[]> }).replies.set('TL', ['TL']);
  const r = await upscmd(b, 'test.battery.start.deep');
  assert.match(r.stdout + r.stderr, /FAILED/);
});

test('closing the pty makes the data stale; reopening it recovers without restarting the driver', async (t) => {
  if (!requirePeers(t, 'socat', 'nut', 'shared')) return;
  const b = await bench(IPPON_DEV, 'ippon', ['protocol = megatec']);
  const inst = b.driver!.instance;
  assert.equal((await b.upsc('ups.status')).stdout.trim(), 'OL');
  await b.pty.unplug();
  await waitFor('data stale', async () => /Data stale/i.test((await b.upsc('ups.status')).stderr), 10_000, 100);
  assert.ok(b.log.text().includes('Communications with the UPS lost'));
  await b.pty.replug();
  b.sim.setOnBattery(true);
  await waitFor('fresh again', async () => (await b.upsc('ups.status')).stdout.trim() === 'OB', 8000, 100);
  assert.equal(b.driver!.instance, inst);
  assert.ok(b.log.text().includes('re-established'));
});

test('recorded bytes replayed on the pty: record 4 (MEC0003) through the driver and upsd', async (t) => {
  if (!requirePeers(t, 'socat', 'nut', 'shared')) return;
  const rec = parseExchanges(fs.readFileSync(MEGATEC_TXT, 'latin1')).find((x) => x.id === '4')!;
  const replies = new Map<string, string[]>();
  for (const e of rec.exchanges) replies.set(e.request, [...(replies.get(e.request) ?? []), ...e.responses]);
  const b = await startBench({ dev: DIGITUS_DEV, upsName: 'mec', section: ['pollinterval = 1', 'protocol = megatec'], replies });
  benches.push(b);
  const got = await b.vars();
  // the first recorded Q1 reply, F (only battery.voltage.nominal) and I (only the firmware)
  for (const k of ['input.voltage.fault', 'ups.load', 'ups.temperature', 'battery.voltage', 'ups.type', 'ups.beeper.status']) assert.equal(got.get(k), rec.expected.get(k), k);
  assert.equal(got.get('ups.status'), 'OL');
  assert.equal(got.get('battery.voltage.nominal'), '12.0');
  assert.equal(got.get('ups.firmware'), 'V3.8');
  assert.equal(got.get('input.voltage.nominal'), undefined);
  assert.equal(got.get('device.mfr'), undefined);
  assert.equal(got.get('ups.temperature'), '29.0');
  assert.equal(got.get('battery.voltage'), '13.60');
  assert.equal(got.get('battery.charge'), '100');
  // the recorded replies cycle: every one of them is accepted (the data never goes stale)
  await waitFor('the recorded Q1 replies cycle', () => b.sim.log.filter((e) => e.request === 'Q1').length >= 4, 8000, 50);
  assert.equal(b.driver!.state.isStale, false);
  const voltages = new Set(b.log.lines.filter((l) => /read: '\(23/.test(l.message)).map((l) => l.message.slice(-47, -41)));
  assert.ok(voltages.size >= 2, `several recorded replies read: ${[...voltages].join(',')}`);
  // record 4's answer to Q (beeper.toggle) was "UPS No Ack": a failed command
  const r = await upscmd(b, 'beeper.toggle');
  assert.match(r.stdout + r.stderr, /FAILED/);
});
