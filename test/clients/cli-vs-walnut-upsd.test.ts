/**
 * The same comparison as cli-vs-nut.test.ts, but the server is Walnut's upsd
 * (startUpsd) reading the real-NUT instance's config files and fed by the
 * real NUT dummy-ups on the driver socket (later by a scripted driver):
 * NUT 2.8.0's upsc/upscmd/upsrw and Walnut's must print the same stdout and
 * exit with the same code.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers, skipUnless } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { same, startRealNut, statusCode, waitFor } from './nut-instance.js';
import type { NutInstance } from './nut-instance.js';
import { startScriptDriver } from './script-driver.js';
import type { ScriptDriver } from './script-driver.js';
import { startUpsd } from '../../src/server/index.js';
import type { Upsd } from '../../src/server/index.js';
import { silentLogger } from '../../src/common/log.js';

const NUT_DATAPATH = '/usr/share/nut';

describe("upsc/upscmd/upsrw: Walnut vs NUT 2.8.0 against Walnut's upsd", { skip: skipUnless('nut') }, () => {
  let nut: NutInstance;
  let upsd: Upsd | undefined;
  let port: number;
  let ups: string;
  let hostPort: string;
  let script: ScriptDriver | undefined;

  before(async () => {
    nut = await startRealNut(['--maxage', '5']);
    port = await freePort();
    upsd = await startUpsd({
      confPath: path.join(nut.dir, 'etc'),
      statePath: nut.statePath,
      ...(fs.existsSync(path.join(NUT_DATAPATH, 'cmdvartab')) ? { dataPath: NUT_DATAPATH } : {}),
      listen: [{ host: '127.0.0.1', port }],
      logger: silentLogger,
      env: {},
    });
    ups = `dummy@127.0.0.1:${port}`;
    hostPort = `127.0.0.1:${port}`;
    await waitFor("Walnut upsd's driver link", async () => (await statusCode('127.0.0.1', port)) === 'OK', 20_000);
  });
  after(async () => {
    await script?.close();
    await upsd?.stop();
    await nut?.stop();
  });

  test('upsc', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const all = await same('upsc', [ups], { exitCode: 0 });
    assert.match(all.stdout, /^battery\.charge: 100\n[^]*\nups\.status: OL\n$/);
    await same('upsc', [ups, 'ups.status'], { stdout: 'OL\n', exitCode: 0 });
    await same('upsc', [ups, 'server.version'], { exitCode: 0 });
    await same('upsc', [`DUMMY@${hostPort}`, 'UPS.LOAD'], { stdout: '25\n' });
    await same('upsc', ['-l', hostPort], { stdout: 'dummy\n', exitCode: 0 });
    await same('upsc', ['-L', hostPort], { stdout: 'dummy: real-nut reference dummy UPS\n', exitCode: 0 });
    await same('upsc', ['-c', ups], { stdout: '', exitCode: 0 });
    await same('upsc', [`nosuch@${hostPort}`], { exitCode: 1 });
    await same('upsc', [ups, 'no.such.var'], { exitCode: 1 });
    await same('upsc', [ups, 'nodot'], { exitCode: 1 });
    await same('upsc', ['-c', `nosuch@${hostPort}`], { exitCode: 1 });
  });

  test('upscmd', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    await same('upscmd', ['-l', ups], { stdout: 'Instant commands supported on UPS [dummy]:\n\nload.off - Turn off the load immediately\n', exitCode: 0 });
    await same('upscmd', ['-l', `nosuch@${hostPort}`], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', ups, 'load.off'], { exitCode: 0 });
    await same('upscmd', ['-u', 'viewer', '-p', 'viewpass', ups, 'load.off'], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', 'wrongpass', ups, 'load.off'], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', ups, 'no.such'], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', `nosuch@${hostPort}`, 'load.off'], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', '', ups, 'load.off'], { exitCode: 1 });
    await same('upscmd', [ups, 'load.off'], { input: ['admin', 'adminpass'], exitCode: 0 });
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', '-w', ups, 'load.off'], { exitCode: 0 });
  });

  test('upsrw', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    await same('upsrw', [ups], { exitCode: 0 });
    await same('upsrw', [`nosuch@${hostPort}`], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'ups.load=25', ups], { stdout: '', exitCode: 0 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'no.such=1', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'device.type=x', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', `ups.mfr=${'x'.repeat(33)}`, ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'viewer', '-p', 'viewpass', '-s', 'ups.load=25', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'badpass', '-s', 'ups.load=25', ups], { exitCode: 1 });
    await same('upsrw', ['-s', 'ups.load=25', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-w', '-s', 'ups.load=25', ups], { exitCode: 0 });
  });

  test('stale data and driver not connected', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const pid = nut.driverPid();
    assert.ok(pid, 'driver pid');
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor('DATA-STALE', async () => (await statusCode('127.0.0.1', port)) === 'DATA-STALE', 20_000);
      await same('upsc', [ups], { exitCode: 1 });
      await same('upsc', [ups, 'ups.status'], { exitCode: 1 });
      await same('upsc', ['-c', ups], { exitCode: 0 });
      await same('upscmd', ['-l', ups], { exitCode: 1 });
      await same('upscmd', ['-u', 'admin', '-p', 'adminpass', ups, 'load.off'], { exitCode: 1 });
      await same('upsrw', [ups], { exitCode: 1 });
      await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'ups.load=25', ups], { exitCode: 1 });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor('data fresh again', async () => (await statusCode('127.0.0.1', port)) === 'OK', 20_000);
    process.kill(pid, 'SIGTERM');
    await waitFor('DRIVER-NOT-CONNECTED', async () => (await statusCode('127.0.0.1', port)) === 'DRIVER-NOT-CONNECTED', 20_000);
    await same('upsc', [ups], { exitCode: 1 });
    await same('upsc', [ups, 'ups.status'], { exitCode: 1 });
    await same('upsc', ['-l', hostPort], { exitCode: 0 });
    await same('upscmd', ['-l', ups], { exitCode: 1 });
    await same('upsrw', [ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'ups.load=25', ups], { exitCode: 1 });
  });

  test('ENUM, RANGE and STRING variables from a scripted driver', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    script = await startScriptDriver(
      nut.driverSocket,
      [
        { name: 'ups.status', value: 'OL' },
        { name: 'ups.mfr', value: 'ACME "x" \\ #1', flags: ['RW', 'STRING'], aux: 20 },
        { name: 'input.transfer.low', value: '180', flags: ['RW', 'NUMBER'], enums: ['170', '180', '190'] },
        { name: 'input.sensitivity', value: 'M', flags: ['RW', 'STRING'], aux: 1, enums: ['L', 'M', 'H'] },
        { name: 'battery.charge.low', value: '20', flags: ['RW', 'NUMBER'], ranges: [[10, 30], [50, 60]] },
        { name: 'ups.id', value: 'abc', flags: ['RW'] },
        { name: 'x.no.desc', value: '1', flags: ['RW', 'NUMBER'] },
      ],
      ['test.battery.start', 'load.off', 'beeper.toggle'],
    );
    await waitFor('scripted driver data', async () => (await statusCode('127.0.0.1', port)) === 'OK', 20_000);
    const list = await same('upsrw', [ups], { exitCode: 0 });
    assert.match(list.stdout, /\[input\.sensitivity\]\n[^\n]+\nType: ENUM STRING\nMaximum length: 1\nOption: "L"\nOption: "M" SELECTED\nOption: "H"\n\n/);
    await same('upsc', [ups], { exitCode: 0 });
    await same('upsc', [ups, 'ups.mfr'], { stdout: 'ACME "x" \\ #1\n' });
    await same('upscmd', ['-l', ups], { exitCode: 0 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'input.sensitivity=X', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'battery.charge.low=40', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-w', '-s', 'input.sensitivity=H', ups], { exitCode: 0 });
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', '-w', ups, 'beeper.toggle'], { exitCode: 0 });
  });
});
