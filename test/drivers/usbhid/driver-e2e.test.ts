/**
 * End to end: usbhid-ups on the simulated unit (the BK650M2-CH of
 * shared/hid) serves its driver socket; Walnut's upsd and real NUT 2.8.0's
 * upsd both read it; Walnut's bin/upsc and real /usr/bin/upsc show the
 * expected variables; a status change on the interrupt pipe reaches upsc
 * within one poll; real upscmd's commands become the right report bytes;
 * unplug → "Data stale", replug → values again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseUpsConf } from '../../../src/config/ups-conf.js';
import { startDriver, type DriverHandle } from '../../../src/drivers/core/driver.js';
import { createUsbhidUps } from '../../../src/drivers/usbhid/driver.js';
import { startUpsd, type Upsd } from '../../../src/server/index.js';
import { silentLogger } from '../../../src/common/log.js';
import { REPO_ROOT, requirePeers } from '../../support/peers.js';
import { freePort } from '../../support/ports.js';
import { execProgram, stopProc, waitFor, type Proc } from '../../support/proc.js';
import { nutDir, startRealUpsd, writeUpsdConf } from '../../support/real-nut.js';
import { SimUps, cyberPowerSim, expectedUpsc, loadFixture } from '../../support/hid-sim.js';
import { parseUpsc } from '../nut-helpers.js';

const UNIT = 'apc-back-ups-bk650m2-ch';
/** Variables whose expected-upsc.txt value comes from elsewhere (see driver.test.ts for the reasons). */
const NOT_COMPARED = new Set(['driver.version', 'driver.version.internal', 'driver.version.usb', 'driver.version.data', 'driver.state', 'ups.serial', 'ups.load']);
/** The capture's ups.conf keys (its driver.parameter.* lines), plus pollinterval 1 to keep the test short. */
const UPS_CONF = `[bk]
\tdriver = usbhid-ups
\tport = auto
\tvendorid = 051D
\tproductid = 0002
\tvendor = "American Power Conversion"
\tproduct = BK650M2-CH
\tserial = 9B2019A14274
\tbus = 001
\tpollfreq = 40
\tpollinterval = 1
[cps]
\tdriver = usbhid-ups
\tport = auto
\tvendorid = 0764
\tondelay = 180
\tpollinterval = 1
`;

const walnutUpsc = (args: string[], env: NodeJS.ProcessEnv) => execProgram(process.execPath, [path.join(REPO_ROOT, 'bin', 'upsc'), ...args], env, 20_000, 'latin1');
const realUpsc = (args: string[], env: NodeJS.ProcessEnv) => execProgram('/usr/bin/upsc', args, env, 10_000, 'latin1');
const realUpscmd = (args: string[], env: NodeJS.ProcessEnv) => execProgram('/usr/bin/upscmd', args, env, 10_000, 'latin1');

async function statusVia(port: number, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await realUpsc([`bk@127.0.0.1:${port}`, 'ups.status'], env);
  return r.code === 0 ? r.stdout.trim() : `exit ${r.code}: ${r.stderr.trim()}`;
}

function compareExpected(vars: Map<string, string>, what: string): void {
  const expected = expectedUpsc(UNIT);
  const problems: string[] = [];
  for (const [k, v] of expected) {
    if (NOT_COMPARED.has(k)) continue;
    // the capture ran with pollinterval 10; this test polls every second
    const want = k === 'driver.parameter.pollinterval' ? '1' : v;
    if (vars.get(k) !== want) problems.push(`${k}: expected ${JSON.stringify(want)}, got ${JSON.stringify(vars.get(k))}`);
  }
  for (const k of vars.keys()) if (!expected.has(k) && !NOT_COMPARED.has(k)) problems.push(`${k}: not in expected-upsc.txt`);
  assert.deepEqual(problems, [], what);
}

test('usbhid-ups on the simulated BK650M2-CH: Walnut upsd + real upsd, upsc, interrupt, upscmd bytes, unplug/replug', { timeout: 90_000 }, async (t) => {
  if (!requirePeers(t, 'nut', 'shared')) return;
  const d = nutDir('walnut-usbhid-');
  const walnutPort = await freePort();
  const realPort = await freePort();
  const sim = new SimUps(loadFixture(UNIT));
  const cps = cyberPowerSim();
  let driver: DriverHandle | undefined;
  let cpsDriver: DriverHandle | undefined;
  let upsd: Upsd | undefined;
  let real: Proc | undefined;
  try {
    const confFile = path.join(d.etc, 'ups.conf');
    fs.writeFileSync(confFile, UPS_CONF);
    writeUpsdConf(d, realPort);
    const conf = parseUpsConf(fs.readFileSync(confFile), confFile);
    driver = await startDriver({ definition: createUsbhidUps(sim.open), upsName: 'bk', conf: conf.value, confFile, statePath: d.state, env: d.env, confPath: d.etc });
    assert.ok(fs.statSync(path.join(d.state, 'usbhid-ups-bk')).isSocket());
    cpsDriver = await startDriver({ definition: createUsbhidUps(cps.open), upsName: 'cps', conf: conf.value, confFile, statePath: d.state, env: d.env, confPath: d.etc });
    upsd = await startUpsd({ confPath: d.etc, statePath: d.state, env: d.env, listen: [{ host: '127.0.0.1', port: walnutPort }], logger: silentLogger });
    real = startRealUpsd(d);
    await waitFor('Walnut upsd serves bk', async () => (await statusVia(walnutPort, d.env)) === 'OL DISCHRG', 15_000, 100);
    await waitFor('real upsd serves bk', async () => (await statusVia(realPort, d.env)) === 'OL DISCHRG', 15_000, 100);

    // every expected variable, through both servers and both upsc programs
    const wOnW = await walnutUpsc([`bk@127.0.0.1:${walnutPort}`], d.env);
    assert.equal(wOnW.code, 0, wOnW.stderr);
    compareExpected(parseUpsc(wOnW.stdout), "Walnut's upsc on Walnut's upsd");
    const rOnW = await realUpsc([`bk@127.0.0.1:${walnutPort}`], d.env);
    assert.equal(rOnW.stdout, wOnW.stdout, "real upsc prints the same as Walnut's");
    const rOnR = await realUpsc([`bk@127.0.0.1:${realPort}`], d.env);
    assert.equal(rOnR.code, 0, rOnR.stderr);
    compareExpected(parseUpsc(rOnR.stdout), 'real upsc on real upsd fed by the Walnut driver');
    assert.equal(rOnR.stdout, wOnW.stdout, 'real upsd and Walnut upsd serve the same variables from the driver');

    // a status change on the interrupt pipe reaches upsc within one poll
    const polls = driver.instance.updateCount;
    assert.ok(sim.pushInterrupt([0x16, 0x0a, 0x00]), 'the driver listens on the interrupt pipe');
    await waitFor('OB DISCHRG through Walnut upsd', async () => (await statusVia(walnutPort, d.env)) === 'OB DISCHRG', 10_000, 50);
    assert.ok(driver.instance.updateCount - polls <= 1, `seen within one poll (${driver.instance.updateCount - polls} polls)`);
    await waitFor('OB DISCHRG through real upsd', async () => (await statusVia(realPort, d.env)) === 'OB DISCHRG', 10_000, 50);
    sim.pushInterrupt([0x16, 0x0e, 0x00]);
    await waitFor('back on line', async () => (await statusVia(walnutPort, d.env)) === 'OL DISCHRG', 10_000, 50);

    // upscmd through the real client (Walnut upsd and real upsd): the report bytes the UPS gets
    const cmdArgs = (port: number, cmd: string) => ['-u', 'admin', '-p', 'adminpass', `bk@127.0.0.1:${port}`, cmd];
    let r = await realUpscmd(cmdArgs(walnutPort, 'beeper.enable'), d.env);
    assert.equal(r.code, 0, r.stderr);
    r = await realUpscmd(cmdArgs(realPort, 'beeper.disable'), d.env);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('two writes', () => sim.writes.length >= 2, 5000);
    assert.deepEqual(
      sim.writes.map((w) => `${w.type} ${w.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}`),
      ['feature 18 02', 'feature 18 01'],
      'AudibleAlarmControl (report 0x18): 2 enabled, then 1 disabled',
    );
    // upsrw through the real client: RemainingCapacityLimit (report 0x11) = 40, read back at once
    const rw = await execProgram('/usr/bin/upsrw', ['-s', 'battery.charge.low=40', '-u', 'admin', '-p', 'adminpass', `bk@127.0.0.1:${walnutPort}`], d.env, 10_000);
    assert.equal(rw.code, 0, rw.stderr);
    await waitFor('the RW write', () => sim.writes.length >= 3, 5000);
    assert.deepEqual(sim.writes[2]?.bytes, [0x11, 0x28]);
    await waitFor('battery.charge.low 40 via real upsd', async () => (await realUpsc([`bk@127.0.0.1:${realPort}`, 'battery.charge.low'], d.env)).stdout.trim() === '40', 10_000, 100);

    // the unit has no DelayBeforeStartup, so (as with NUT) no shutdown.return
    const cmds = await execProgram('/usr/bin/upscmd', ['-l', `bk@127.0.0.1:${walnutPort}`], d.env, 10_000);
    assert.doesNotMatch(cmds.stdout, /shutdown\.return/);
    assert.match(cmds.stdout, /beeper\.disable/);

    // shutdown.return on the CyberPower unit, through real upsd and real upscmd: DelayBeforeStartup
    // (report 0x16) = ondelay 180 s, then DelayBeforeShutdown (0x15) = CyberPower's offdelay 60 s;
    // this descriptor counts in minutes (logical 1 = 60 s)
    r = await realUpscmd(cmdArgs(realPort, 'shutdown.return').map((a) => a.replace('bk@', 'cps@')), d.env);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('two CyberPower writes', () => cps.writes.length >= 2, 5000);
    assert.deepEqual(
      cps.writes.map((w) => `${w.type} ${w.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}`),
      ['feature 16 03 00', 'feature 15 01 00'],
    );

    // unplug: stale on both servers; replug: back without restarting anything
    sim.unplug();
    await waitFor('Data stale (Walnut upsd)', async () => /Data stale/.test(await statusVia(walnutPort, d.env)), 10_000, 100);
    await waitFor('Data stale (real upsd)', async () => /Data stale/.test(await statusVia(realPort, d.env)), 10_000, 100);
    const stale = await walnutUpsc([`bk@127.0.0.1:${walnutPort}`], d.env);
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /Data stale/);
    sim.setReport([0x16, 0x0a, 0x00]);
    sim.replug();
    await waitFor('recovered (Walnut upsd)', async () => (await statusVia(walnutPort, d.env)) === 'OB DISCHRG', 10_000, 100);
    await waitFor('recovered (real upsd)', async () => (await statusVia(realPort, d.env)) === 'OB DISCHRG', 10_000, 100);
    assert.equal(sim.opens, 2);
  } finally {
    await stopProc(real);
    await upsd?.stop();
    await driver?.stop();
    await cpsDriver?.stop();
    d.cleanup();
  }
});
