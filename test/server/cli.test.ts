/** bin/upsd as a program: flags, PID file, -c reload|stop, signals, config errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { execProgram, type Ran } from '../support/proc.js';
import { nutDir } from '../support/real-nut.js';
import { RawClient, TestDriver, waitFor } from './net-helpers.js';
import { DUMMY_DUMP, USERS_TEXT } from './helpers.js';

const UPSD = path.join(REPO_ROOT, 'bin/upsd');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return execProgram(process.execPath, [UPSD, ...args], env, 20_000);
}

function setupDir(port: number) {
  const d = nutDir('walnut-upsd-cli-');
  fs.writeFileSync(path.join(d.etc, 'ups.conf'), '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n');
  fs.writeFileSync(path.join(d.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\n`);
  fs.writeFileSync(path.join(d.etc, 'upsd.users'), USERS_TEXT);
  return d;
}

test('upsd -h and -V', async () => {
  const h = await run(['-h'], process.env);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /usage: upsd \[OPTIONS\]/);
  assert.match(h.stdout, /-c <command>/);
  const v = await run(['-V'], process.env);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^Network UPS Tools upsd 2\.8\.0 \(Walnut /);
  const bad = await run(['-Z'], process.env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid option/);
});

test('a config error: upsd refuses to start and prints FILE:LINE', async () => {
  const port = await freePort();
  const d = setupDir(port);
  try {
    fs.writeFileSync(path.join(d.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nSTATEPATH "/x#y"\n`);
    const r = await run(['-F'], d.env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${d.etc.replace(/[/.]/g, '\\$&')}/upsd\\.conf:2: error: parse error`));
    assert.ok(!fs.existsSync(path.join(d.run, 'upsd.pid')));
  } finally {
    d.cleanup();
  }
});

test('PID file, -c reload adds a UPS without dropping clients, -c stop exits and removes the PID file', async () => {
  const port = await freePort();
  const d = setupDir(port);
  const driver = new TestDriver(path.join(d.state, 'dummy-ups-dummy'), DUMMY_DUMP);
  await driver.start();
  const proc = spawn(process.execPath, [UPSD, '-u', 'root'], { env: d.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (x: string) => (log += x));
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  try {
    const pidFile = path.join(d.run, 'upsd.pid');
    await waitFor(() => fs.existsSync(pidFile), 15_000, 'PID file');
    assert.equal(fs.readFileSync(pidFile, 'utf8').trim(), String(proc.pid));
    let c: RawClient | undefined;
    await waitFor(
      async () => {
        try {
          c ??= await RawClient.connect(port, '127.0.0.1', 500);
          return (await c.ask('GET VAR dummy ups.status'))[0] === 'VAR dummy ups.status "OL"';
        } catch {
          c = undefined;
          return false;
        }
      },
      10_000,
      'upsd serving',
    );
    // a second instance refuses to start while the first runs
    const second = await run([], d.env);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /already running/);

    fs.writeFileSync(path.join(d.etc, 'ups.conf'), '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n[extra]\n\tdriver = dummy-ups\n\tport = e.dev\n\tdesc = "added"\n');
    assert.equal((await run(['-c', 'reload'], d.env)).code, 0);
    await waitFor(async () => (await c!.list('LIST UPS')).includes('UPS extra "added"'), 5000, 'reload');
    assert.equal((await run(['-c', 'stop'], d.env)).code, 0);
    assert.equal(await exited, 0);
    assert.ok(!fs.existsSync(pidFile), 'PID file removed');
    assert.match(log, /^listening on 127\.0\.0\.1 port \d+$/m);
    assert.match(log, /^Connected to UPS \[dummy\]: dummy-ups-dummy$/m);
    assert.match(log, /^Signal 15: exiting$/m);
    assert.ok(await c!.waitClosed(2000));
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await driver.stop();
    d.cleanup();
  }
});

test('-F keeps no PID file; SIGINT stops; -c without a running upsd fails', async () => {
  const port = await freePort();
  const d = setupDir(port);
  const proc = spawn(process.execPath, [UPSD, '-F', '-4', '-u', 'root'], { env: d.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (x: string) => (log += x));
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  try {
    await waitFor(() => /Running as foreground process, not saving a PID file/.test(log), 15_000, 'started');
    assert.ok(!fs.existsSync(path.join(d.run, 'upsd.pid')));
    await waitFor(() => /Can't connect to UPS \[dummy\] \(dummy-ups-dummy\): No such file or directory/.test(log), 5000, 'connect failure log');
    const c = await RawClient.connect(port);
    assert.deepEqual(await c.ask('GET VAR dummy ups.status'), ['ERR DRIVER-NOT-CONNECTED']);
    c.close();
    const r = await run(['-c', 'stop'], d.env);
    assert.equal(r.code, 1);
    proc.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(log, /^Signal 2: exiting$/m);
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    d.cleanup();
  }
});
