/**
 * nutdrv_qx against real NUT 2.8.0:
 * - Walnut's driver feeds Debian's real upsd through the driver socket;
 * - Debian's real nutdrv_qx drives Walnut's Q1 simulator on the same pty and
 *   publishes the same variables as Walnut's driver (the simulator is faithful
 *   enough for the real driver, and the two drivers agree), and real NUT's
 *   upscmd through real upsd + real nutdrv_qx puts the same bytes on the line.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers, NUT_LIBEXEC } from '../../support/peers.js';
import { execProgram, startProc, stopProc, waitFor, type Proc } from '../../support/proc.js';
import { startRealUpsd } from '../../support/real-nut.js';
import { parseDevDump } from '../../../src/drivers/nutdrv_qx/simulator.js';
import { startBench, startWalnutDriver, realQxDump, upscmd, IPPON_DEV, DIGITUS_DEV, type Bench } from './harness.js';

const benches: Bench[] = [];
const procs: Proc[] = [];
after(async () => {
  for (const p of procs) await stopProc(p);
  for (const b of benches) await b.cleanup();
});

function hasRealQx(t: import('node:test').TestContext): boolean {
  if (!requirePeers(t, 'socat', 'nut', 'shared')) return false;
  if (!fs.existsSync(path.join(NUT_LIBEXEC, 'nutdrv_qx'))) {
    t.skip(`real NUT nutdrv_qx not installed (${NUT_LIBEXEC}/nutdrv_qx)`);
    return false;
  }
  return true;
}

test('Walnut nutdrv_qx feeds the real NUT 2.8.0 upsd: variables, status change, instant command bytes', async (t) => {
  if (!requirePeers(t, 'socat', 'nut', 'shared')) return;
  const b = await startBench({ dev: IPPON_DEV, upsName: 'ippon', section: ['protocol = megatec', 'pollinterval = 1'], upsd: 'real' });
  benches.push(b);
  const dump = parseDevDump(fs.readFileSync(IPPON_DEV, 'latin1'));
  const keys = ['battery.charge', 'battery.voltage', 'battery.voltage.high', 'battery.voltage.low', 'battery.voltage.nominal', 'input.current.nominal', 'input.frequency', 'input.frequency.nominal', 'input.voltage', 'input.voltage.fault', 'input.voltage.nominal', 'output.voltage', 'ups.beeper.status', 'ups.delay.shutdown', 'ups.delay.start', 'ups.load', 'ups.status', 'ups.temperature', 'ups.type'];
  // real upsd answers ups.status before the rest of the driver's dump has arrived: wait for all of it
  let got = new Map<string, string>();
  await waitFor('the whole dump through real upsd', async () => {
    got = await b.vars();
    return keys.every((k) => got.has(k));
  }, 8000, 100).catch(() => {});
  for (const k of keys) {
    assert.equal(got.get(k), dump.get(k), k);
  }
  b.sim.setOnBattery(true);
  await waitFor('OB through real upsd', async () => (await b.upsc('ups.status')).stdout.trim() === 'OB', 8000, 50);
  const before = b.sim.log.length;
  const r = await upscmd(b, 'shutdown.return');
  assert.match(r.stdout + r.stderr, /SUCCESS/);
  assert.ok(b.sim.log.slice(before).some((e) => e.request === 'S.5R0003'));
});

/** Variables only one of the two drivers has, and why. */
const CROSS_ALLOWED = [
  /^driver\.version\.usb$/, // the real binary is built with libusb
  /^driver\.parameter\.synchronous$/, // NUT switches it per socket behaviour; Walnut keeps auto (docs/drivers.md)
];

for (const [name, dev, section] of [
  ['ippon', IPPON_DEV, ['protocol = megatec', 'novendor']],
  ['digitus', DIGITUS_DEV, ['protocol = "megatec"', 'novendor', 'default.battery.voltage.low = 20.81', 'default.battery.voltage.high = 27.40', 'runtimecal = 720,100,1440,50', 'chargetime = 28800', 'idleload = 10']],
] as const) {
  test(`real nutdrv_qx 2.8.0 on the simulator (${name}) publishes what Walnut's nutdrv_qx publishes`, async (t) => {
    if (!hasRealQx(t)) return;
    const b = await startBench({ dev, upsName: name, section: [...section], driver: false, upsd: 'none' });
    benches.push(b);
    const real = await realQxDump(b, name);
    assert.ok(real.size > 20, `real dump: ${[...real.keys()].join(' ')}`);
    await startWalnutDriver(b, name);
    b.realUpsd = startRealUpsd(b.dir);
    await waitFor('real upsd', async () => (await b.upsc('ups.status')).code === 0, 10_000, 100);
    const ours = await b.vars();
    const diffs: string[] = [];
    for (const k of new Set([...real.keys(), ...ours.keys()])) {
      if (CROSS_ALLOWED.some((r) => r.test(k))) continue;
      if (real.get(k) !== ours.get(k)) diffs.push(`${k}: real ${JSON.stringify(real.get(k))} walnut ${JSON.stringify(ours.get(k))}`);
    }
    assert.deepEqual(diffs, []);
  });
}

test('real upscmd → real upsd → real nutdrv_qx puts the same bytes on the line as Walnut\'s driver', async (t) => {
  if (!hasRealQx(t)) return;
  const b = await startBench({ dev: IPPON_DEV, upsName: 'ippon', section: ['protocol = megatec', 'novendor'], driver: false, upsd: 'none' });
  benches.push(b);
  const drv = startProc(path.join(NUT_LIBEXEC, 'nutdrv_qx'), ['-a', 'ippon', '-F', '-u', 'root'], b.dir.env);
  procs.push(drv);
  b.realUpsd = startRealUpsd(b.dir);
  await waitFor('real stack', async () => (await b.upsc('ups.status')).stdout.trim() === 'OL', 15_000, 100);
  // a sample (the full list is checked on Walnut's side): the same bytes from both drivers
  const cmds: Array<[string, string | undefined, string]> = [
    ['beeper.toggle', undefined, 'Q'],
    ['test.battery.start', '120', 'T02'],
    ['shutdown.return', undefined, 'S.5R0003'],
    ['load.off', undefined, 'S00R0000'],
  ];
  for (const [cmd, value, bytes] of cmds) {
    const before = b.sim.log.length;
    const r = await upscmd(b, cmd, value, cmd === 'beeper.toggle');
    assert.match(r.stdout + r.stderr, cmd === 'beeper.toggle' ? /SUCCESS/ : /^OK$/m, cmd);
    await waitFor(`${cmd} on the line`, () => b.sim.log.slice(before).some((e) => e.request === bytes), 8000, 20);
  }
  // the command list and the writable variables (flags, ranges) as NUT's clients see them
  const lists = async () => ({
    cmds: (await execProgram('upscmd', ['-l', b.ups], process.env, 10_000)).stdout,
    rw: (await execProgram('upsrw', ['-u', 'admin', '-p', 'adminpass', b.ups], process.env, 10_000)).stdout,
  });
  const real = await lists();
  await stopProc(drv);
  await startWalnutDriver(b, 'ippon');
  // driver.version.usb is the real driver's only: gone = upsd reads Walnut's driver now
  await waitFor('walnut driver under real upsd', async () => (await b.upsc('driver.version.usb')).code !== 0 && (await b.upsc('ups.status')).code === 0, 15_000, 100);
  const ours = await lists();
  assert.match(real.cmds, /test\.battery\.start\.quick/);
  assert.match(real.rw, /ups\.delay\.start/);
  assert.equal(ours.cmds, real.cmds);
  assert.equal(ours.rw, real.rw);
});

test('status bits: real nutdrv_qx 2.8.0 and Walnut\'s read the same ups.status from the same simulated states', async (t) => {
  if (!hasRealQx(t)) return;
  const b = await startBench({ dev: IPPON_DEV, upsName: 'ippon', section: ['protocol = megatec', 'novendor'], driver: false, upsd: 'none' });
  benches.push(b);
  const base = new Map(b.sim.vars);
  const scenarios: Array<[string, () => void]> = [
    ['on battery, low', () => (b.sim.setOnBattery(true), b.sim.setLowBattery(true))],
    ['boost', () => (b.sim.set('ups.status', 'OL BOOST'), b.sim.set('input.voltage', '200.0'))],
    ['trim', () => (b.sim.set('ups.status', 'OL TRIM'), b.sim.set('input.voltage', '240.0'))],
    ['bypass', () => b.sim.set('ups.status', 'OL BYPASS')],
    ['test running', () => void b.sim.handle('T')],
    ['shutdown pending', () => void b.sim.handle('S.5R0003')],
    ['beeper off, online type', () => (b.sim.handle('Q'), b.sim.set('ups.type', 'online'))],
  ];
  const reset = () => {
    b.sim.setOnBattery(false);
    b.sim.setLowBattery(false);
    b.sim.handle('C');
    b.sim.handle('CT');
    if (!b.sim.beeper) b.sim.handle('Q');
    for (const k of [...b.sim.vars.keys()]) if (!base.has(k)) b.sim.vars.delete(k);
    for (const [k, v] of base) b.sim.vars.set(k, v);
  };
  const pick = (m: Map<string, string>) => ['ups.status', 'ups.type', 'ups.beeper.status', 'input.voltage', 'output.voltage'].map((k) => `${k}=${m.get(k)}`).join(' ');
  const real: string[] = [];
  for (const [, set] of scenarios) {
    reset();
    set();
    real.push(pick(await realQxDump(b, 'ippon')));
  }
  const h = await startWalnutDriver(b, 'ippon');
  const ours: string[] = [];
  for (const [, set] of scenarios) {
    reset();
    set();
    await h.instance.poll();
    ours.push(pick(new Map(h.state.table.list().map((v) => [v.name, v.value]))));
  }
  assert.deepEqual(ours, real);
  assert.equal(new Set(real.map((r) => /ups\.status=(.*?) ups\.type/.exec(r)![1])).size, 7, real.join('\n'));
});
