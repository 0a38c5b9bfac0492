/**
 * Walnut's upsc / upscmd / upsrw against NUT 2.8.0's own binaries, both
 * talking to the same real NUT upsd: same stdout, same exit code, NUT's
 * stderr lines kept. Covers successes, unknown UPS / variable / command,
 * wrong password, access denied, SET refusals, tracking (-w), stale data
 * (driver stopped past MAXAGE), driver not connected (driver killed), a
 * scripted driver with ENUM/RANGE variables, and connection refused.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, requirePeers, skipUnless } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { runReal, runWalnut, same, startRealNut, statusCode, waitFor } from './nut-instance.js';
import type { NutInstance } from './nut-instance.js';
import { startScriptDriver } from './script-driver.js';
import type { ScriptDriver } from './script-driver.js';

describe('upsc/upscmd/upsrw: Walnut vs NUT 2.8.0 against real upsd', { skip: skipUnless('nut') }, () => {
  let nut: NutInstance;
  let ups: string;
  let hostPort: string;
  let script: ScriptDriver | undefined;

  before(async () => {
    nut = await startRealNut(['--maxage', '5']);
    ups = nut.ups;
    hostPort = `127.0.0.1:${nut.port}`;
  });
  after(async () => {
    await script?.close();
    await nut?.stop();
  });

  test('upsc: variables, lists, clients, errors', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const all = await same('upsc', [ups], { exitCode: 0 });
    assert.match(all.stdout, /^battery\.charge: 100\n[^]*\nups\.status: OL\n$/);
    await same('upsc', [ups, 'ups.status'], { stdout: 'OL\n', exitCode: 0 });
    await same('upsc', [ups, 'ups.status', 'extra'], { stdout: 'OL\n' });
    await same('upsc', [ups, 'server.version'], { stdout: '2.8.0\n' });
    await same('upsc', [`dummy@[127.0.0.1]:${nut.port}`, 'ups.load'], { stdout: '25\n' });
    await same('upsc', [`DUMMY@${hostPort}`, 'UPS.LOAD'], { stdout: '25\n' });
    await same('upsc', ['-l', hostPort], { stdout: 'dummy\n', exitCode: 0 });
    await same('upsc', ['-L', hostPort], { stdout: 'dummy: real-nut reference dummy UPS\n', exitCode: 0 });
    await same('upsc', ['-c', ups], { stdout: '', exitCode: 0 });
    // errors
    const unk = await same('upsc', [`nosuch@${hostPort}`], { exitCode: 1 });
    assert.equal(unk.stderr, 'Error: Unknown UPS\n');
    const nov = await same('upsc', [ups, 'no.such.var'], { exitCode: 1 });
    assert.equal(nov.stderr, 'Error: Variable not supported by UPS\n');
    await same('upsc', [ups, 'nodot'], { exitCode: 1 });
    await same('upsc', ['-c', `nosuch@${hostPort}`], { exitCode: 1 });
    await same('upsc', [`nosuch@${hostPort}`, 'ups.status'], { exitCode: 1 });
    // usage and bad definitions (no server needed)
    await same('upsc', ['-h'], { exitCode: 0 });
    await same('upsc', ['-x'], { exitCode: 0 });
    await same('upsc', ['-V'], { stdout: '', exitCode: 0 });
    await same('upsc', [], { exitCode: 1 });
    await same('upsc', ['-c'], { exitCode: 1 });
    await same('upsc', ['dummy@127.0.0.1:abc'], { exitCode: 1 });
    await same('upsc', ['dummy@[::1'], { exitCode: 1 });
    await same('upsc', ['-l', '127.0.0.1:abc'], { exitCode: 1 });
  });

  test('upscmd: list, send, refusals, prompts, -w', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    await same('upscmd', ['-l', ups], { stdout: 'Instant commands supported on UPS [dummy]:\n\nload.off - Turn off the load immediately\n', exitCode: 0 });
    await same('upscmd', ['-l', `nosuch@${hostPort}`], { exitCode: 1 });
    const ok = await same('upscmd', ['-u', 'admin', '-p', 'adminpass', ups, 'load.off'], { stdout: '', exitCode: 0 });
    assert.equal(ok.stderr, 'OK\n');
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', ups, 'load.off', 'param'], { exitCode: 0 });
    const denied = await same('upscmd', ['-u', 'viewer', '-p', 'viewpass', ups, 'load.off'], { exitCode: 1 });
    assert.equal(denied.stderr, 'Unexpected response from upsd: ERR ACCESS-DENIED\n');
    await same('upscmd', ['-u', 'admin', '-p', 'wrongpass', ups, 'load.off'], { exitCode: 1 });
    await same('upscmd', ['-u', 'nobody', '-p', 'x', ups, 'load.off'], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', ups, 'no.such'], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', `nosuch@${hostPort}`, 'load.off'], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', '', ups, 'load.off'], { exitCode: 1 });
    // prompts: end of input at the user name; answers from stdin
    await same('upscmd', [ups, 'load.off'], { exitCode: 1 });
    await same('upscmd', [ups, 'load.off'], { input: ['admin', 'adminpass'], exitCode: 0 });
    await same('upscmd', ['-u', 'admin', ups, 'load.off'], { input: ['adminpass'], exitCode: 0 });
    await same('upscmd', ['-p', 'adminpass', ups, 'load.off'], { input: [''], exitCode: 1 });
    // -w: dummy-ups reports INSTCMD as failed (ERR UNKNOWN), exit 0 as NUT
    const w = await same('upscmd', ['-u', 'admin', '-p', 'adminpass', '-w', ups, 'load.off'], { exitCode: 0 });
    assert.equal(w.stderr, 'ERR UNKNOWN\n');
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', '-w', '-t', '0', ups, 'load.off'], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', '-w', '-t', 'abc', ups, 'load.off'], { exitCode: 1 });
    // usage
    await same('upscmd', ['-h'], { exitCode: 0 });
    await same('upscmd', [], { exitCode: 0 });
    await same('upscmd', ['-l'], { exitCode: 0, extraStderr: true }); // Walnut names the missing argument
    await same('upscmd', ['-x'], { exitCode: 0 });
    await same('upscmd', [ups], { exitCode: 0 });
    await same('upscmd', ['-V'], { stdout: '', exitCode: 0 });
  });

  test('upsrw: list blocks, SET and its refusals, prompts, -w', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const list = await same('upsrw', [ups], { exitCode: 0 });
    assert.match(list.stdout, /^\[battery\.charge\]\nBattery charge \(percent of full\)\nType: NUMBER\nValue: 100\n\n/);
    assert.match(list.stdout, /\n\[ups\.mfr\]\nUPS manufacturer\nType: STRING\nMaximum length: 32\nValue: Dummy Manufacturer\n\n/);
    await same('upsrw', ['-l', ups], { stdout: list.stdout });
    await same('upsrw', [`nosuch@${hostPort}`], { exitCode: 1 });
    // the same value each time, so both runs see the same UPS
    const ok = await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'ups.load=25', ups], { stdout: '', exitCode: 0 });
    assert.equal(ok.stderr, 'OK\n');
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'no.such=1', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'device.type=x', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', `ups.mfr=${'x'.repeat(33)}`, ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'upsload=25', ups], { exitCode: 1 });
    const denied = await same('upsrw', ['-u', 'viewer', '-p', 'viewpass', '-s', 'ups.load=25', ups], { exitCode: 1 });
    assert.equal(denied.stderr, 'Unexpected response from upsd: ERR ACCESS-DENIED\n');
    await same('upsrw', ['-u', 'admin', '-p', 'badpass', '-s', 'ups.load=25', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'ups.load=25', `nosuch@${hostPort}`], { exitCode: 1 });
    // prompts
    await same('upsrw', ['-s', 'ups.load=25', ups], { exitCode: 1 });
    await same('upsrw', ['-s', 'ups.load=25', ups], { input: ['admin', 'adminpass'], exitCode: 0 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'ups.load', ups], { input: ['25'], exitCode: 0 });
    // -w: dummy-ups reports SET as done
    const w = await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-w', '-s', 'ups.load=25', ups], { exitCode: 0 });
    assert.equal(w.stderr, 'SUCCESS\n');
    // usage
    await same('upsrw', ['-h'], { exitCode: 0 });
    await same('upsrw', [], { exitCode: 0 });
    await same('upsrw', ['-x'], { exitCode: 0 });
    await same('upsrw', ['-V'], { exitCode: 0 });
  });

  test("upsc -j (Walnut's JSON output) carries what the plain output carries", async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const plain = await runWalnut('upsc', [ups]);
    const js = await runWalnut('upsc', ['-j', ups]);
    assert.equal(js.exitCode, 0);
    const obj = JSON.parse(js.stdout) as Record<string, string>;
    assert.equal(Object.entries(obj).map(([k, v]) => `${k}: ${v}\n`).join(''), plain.stdout);
    assert.match(js.stdout, /^\{\n  "battery\.charge": "100",\n/);
    assert.equal((await runWalnut('upsc', ['-j', ups, 'ups.status'])).stdout, '"OL"\n');
    assert.equal((await runWalnut('upsc', ['-j', '-l', hostPort])).stdout, '[\n  "dummy"\n]\n');
    assert.equal((await runWalnut('upsc', ['-j', '-L', hostPort])).stdout, '{\n  "dummy": "real-nut reference dummy UPS"\n}\n');
    assert.equal((await runWalnut('upsc', ['-j', '-c', ups])).stdout, '[]\n');
    const bad = await runWalnut('upsc', ['-j', ups, 'no.such']);
    assert.deepEqual(bad, { stdout: '{"error": "Variable not supported by UPS"}\n', stderr: 'Error: Variable not supported by UPS\n', exitCode: 1 });
    const unk = await runWalnut('upsc', ['-j', `nosuch@${hostPort}`]);
    assert.deepEqual(unk, { stdout: '{\n  "error": "Unknown UPS"\n}\n', stderr: 'Error: Unknown UPS\n', exitCode: 1 });
  });

  test('connection refused and unknown host', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const dead = `dummy@127.0.0.1:${await freePort()}`;
    const r = await same('upsc', [dead], { exitCode: 1 });
    assert.equal(r.stderr, 'Error: Connection failure: Connection refused\n');
    await same('upsc', [dead, 'ups.status'], { exitCode: 1 });
    await same('upsc', ['-l', dead.slice(6)], { exitCode: 1 });
    await same('upscmd', ['-l', dead], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', dead, 'load.off'], { exitCode: 1 });
    await same('upsrw', [dead], { exitCode: 1 });
    await same('upsrw', ['-s', 'ups.load=1', dead], { exitCode: 1 });
    await same('upsc', ['dummy@nosuchhost.invalid'], { exitCode: 1 });
  });

  test('bin/upsc (the launcher) prints the same as NUT', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const out = await new Promise<{ stdout: string; code: number | null }>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/upsc'), ups], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ stdout, code });
      });
    });
    const real = await runReal('upsc', [ups]);
    assert.equal(out.stdout, real.stdout);
    assert.equal(out.code, 0);
  });

  test('stale data (driver stopped past MAXAGE)', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const pid = nut.driverPid();
    assert.ok(pid, 'driver pid');
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor('DATA-STALE', async () => (await statusCode('127.0.0.1', nut.port)) === 'DATA-STALE', 20_000);
      const r = await same('upsc', [ups], { exitCode: 1 });
      assert.equal(r.stderr, 'Error: Data stale\n');
      await same('upsc', [ups, 'ups.status'], { exitCode: 1 });
      await same('upsc', ['-L', hostPort], { exitCode: 0 });
      await same('upsc', ['-c', ups], { exitCode: 0 });
      await same('upscmd', ['-l', ups], { exitCode: 1 });
      await same('upscmd', ['-u', 'admin', '-p', 'adminpass', ups, 'load.off'], { exitCode: 1 });
      await same('upsrw', [ups], { exitCode: 1 });
      await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'ups.load=25', ups], { exitCode: 1 });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor('data fresh again', async () => (await statusCode('127.0.0.1', nut.port)) === 'OK', 20_000);
  });

  test('driver not connected (driver killed)', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const pid = nut.driverPid();
    assert.ok(pid, 'driver pid');
    process.kill(pid, 'SIGTERM');
    await waitFor('DRIVER-NOT-CONNECTED', async () => (await statusCode('127.0.0.1', nut.port)) === 'DRIVER-NOT-CONNECTED', 20_000);
    const r = await same('upsc', [ups], { exitCode: 1 });
    assert.equal(r.stderr, 'Error: Driver not connected\n');
    await same('upsc', [ups, 'ups.status'], { exitCode: 1 });
    await same('upsc', ['-l', hostPort], { exitCode: 0 });
    await same('upsc', ['-c', ups], { exitCode: 0 });
    await same('upscmd', ['-l', ups], { exitCode: 1 });
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', ups, 'load.off'], { exitCode: 1 });
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
        { name: 'ups.delay.shutdown', value: '99', flags: ['RW', 'NUMBER'], ranges: [[10, 30]] },
        { name: 'ups.id', value: 'abc', flags: ['RW'] },
        { name: 'ups.x', value: '', flags: ['RW', 'STRING'] },
        { name: 'x.no.desc', value: '1', flags: ['RW', 'NUMBER'] },
      ],
      ['test.battery.start', 'load.off', 'beeper.toggle', 'x.no.desc'],
    );
    await waitFor('scripted driver data', async () => (await statusCode('127.0.0.1', nut.port)) === 'OK', 20_000);
    const list = await same('upsrw', [ups], { exitCode: 0 });
    assert.match(list.stdout, /\[battery\.charge\.low\]\n[^\n]+\nType: RANGE NUMBER\nOption: "10-30" SELECTED\nOption: "50-60"\n\n/);
    assert.match(list.stdout, /\[input\.sensitivity\]\n[^\n]+\nType: ENUM STRING\nMaximum length: 1\nOption: "L"\nOption: "M" SELECTED\nOption: "H"\n\n/);
    assert.match(list.stdout, /\[x\.no\.desc\]\nDescription unavailable\nType: NUMBER\nValue: 1\n\n/);
    await same('upsc', [ups], { exitCode: 0 });
    await same('upsc', [ups, 'ups.mfr'], { stdout: 'ACME "x" \\ #1\n' });
    await same('upscmd', ['-l', ups], { exitCode: 0 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'input.sensitivity=X', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', 'battery.charge.low=40', ups], { exitCode: 1 });
    await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-s', `ups.mfr=${'y'.repeat(21)}`, ups], { exitCode: 1 });
    const w = await same('upsrw', ['-u', 'admin', '-p', 'adminpass', '-w', '-s', 'input.sensitivity=H', ups], { exitCode: 0 });
    assert.equal(w.stderr, 'SUCCESS\n');
    await same('upscmd', ['-u', 'admin', '-p', 'adminpass', '-w', ups, 'beeper.toggle'], { exitCode: 0 });
    await same('upsrw', [ups], { exitCode: 0 });
  });
});
