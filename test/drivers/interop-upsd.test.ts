/**
 * Walnut's drivers with real NUT 2.8.0: dummy-ups started by Walnut's
 * upsdrvctl (all drivers in one process) and served by the real upsd, then
 * driven with the real upsc/upsrw/upscmd; and the repeater following a real
 * upstream upsd through an outage, going stale when it dies and recovering.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers, REPO_ROOT } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { NutClient, NutServerError } from '../../src/clients/client.js';
import { startDriver } from '../../src/drivers/core/index.js';
import type { DriverHandle } from '../../src/drivers/core/index.js';
import { dummyUps } from '../../src/drivers/dummy/index.js';
import { parseUpsConf } from '../../src/config/ups-conf.js';
import { readPidFile, isAlive } from '../../src/common/daemon.js';
import { execProgram, stopProc, waitFor, type Proc, type Ran } from '../support/proc.js';
import { nutDir, startRealDummy, startRealUpsd, type NutDir } from '../support/real-nut.js';
import { upsc, parseUpsc } from './nut-helpers.js';

const DEV = [
  'ups.mfr: Dummy Manufacturer',
  'ups.model: Dummy UPS',
  'ups.serial: DUMMY0001',
  'ups.status: OL',
  'ups.load: 25',
  'battery.charge: 100',
  'battery.charge.low: 20',
  'battery.runtime: 3600',
  'battery.runtime.low: 120',
  'input.voltage: 230.0',
  '',
].join('\n');

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv, timeout = 30000): Promise<Ran> => execProgram(cmd, args, env, timeout);

let mtimeStep = 0;
/** Rewrites a .dev file with an mtime (whole seconds) it never had before. */
function editDev(file: string, text: string): void {
  fs.writeFileSync(file, text);
  const t = Math.floor(Date.now() / 1000) + 10 * ++mtimeStep;
  fs.utimesSync(file, t, t);
}

async function statusOf(port: number, ups: string): Promise<string> {
  let c: NutClient | undefined;
  try {
    c = await NutClient.connect('127.0.0.1', port, { timeoutMs: 3000 });
    return await c.get(ups, 'ups.status');
  } catch (e) {
    return e instanceof NutServerError ? `ERR ${e.code}` : `FAIL ${(e as Error).message}`;
  } finally {
    c?.close();
  }
}

async function waitStatus(port: number, ups: string, want: string, ms = 15000): Promise<void> {
  let last = '';
  await waitFor(
    `${ups} status ${want} (last: ${last})`,
    async () => {
      last = await statusOf(port, ups);
      return last === want;
    },
    ms,
    200,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last status: ${last}`);
  });
}

test('Walnut upsdrvctl + dummy-ups (one process) served by real upsd; upsc/upsrw/upscmd; .dev edits; stop', { timeout: 120_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const d = nutDir('walnut-interop-');
  const port = await freePort();
  let upsd: Proc | undefined;
  const bin = path.join(REPO_ROOT, 'bin', 'upsdrvctl');
  try {
    fs.writeFileSync(path.join(d.etc, 'a.dev'), DEV);
    fs.writeFileSync(path.join(d.etc, 'b.dev'), DEV.replace('DUMMY0001', 'DUMMY0002'));
    fs.writeFileSync(
      path.join(d.etc, 'ups.conf'),
      '[ua]\n  driver = dummy-ups\n  port = a.dev\n  desc = "first"\n  pollinterval = 1\n[ub]\n  driver = dummy-ups\n  port = b.dev\n',
    );
    fs.writeFileSync(path.join(d.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${d.state}\n`);
    fs.writeFileSync(path.join(d.etc, 'upsd.users'), '[admin]\n  password = adminpass\n  actions = SET\n  instcmds = ALL\n');

    const st = await run(process.execPath, [bin, '-u', 'root', 'start'], d.env);
    assert.equal(st.code, 0, st.stderr);
    const pa = readPidFile(path.join(d.run, 'dummy-ups-ua.pid'));
    const pb = readPidFile(path.join(d.run, 'dummy-ups-ub.pid'));
    assert.ok(pa && pb && pa === pb, 'both drivers run in one process');
    assert.ok(isAlive(pa!));
    assert.ok(fs.statSync(path.join(d.state, 'dummy-ups-ua')).isSocket());
    assert.ok(fs.statSync(path.join(d.state, 'dummy-ups-ub')).isSocket());

    upsd = startRealUpsd(d);
    await waitStatus(port, 'ua', 'OL');
    await waitStatus(port, 'ub', 'OL');

    const list = await upsc([`ua@127.0.0.1:${port}`], d.env);
    assert.equal(list.code, 0, list.stderr);
    const vars = parseUpsc(list.stdout);
    assert.deepEqual(
      [...vars.keys()],
      [
        'battery.charge',
        'battery.charge.low',
        'battery.runtime',
        'battery.runtime.low',
        'device.mfr',
        'device.model',
        'device.serial',
        'device.type',
        'driver.name',
        'driver.parameter.mode',
        'driver.parameter.pollinterval',
        'driver.parameter.port',
        'driver.parameter.synchronous',
        'driver.version',
        'driver.version.internal',
        'input.voltage',
        'ups.load',
        'ups.mfr',
        'ups.model',
        'ups.serial',
        'ups.status',
      ],
    );
    assert.equal(vars.get('driver.parameter.pollinterval'), '1');
    assert.equal(vars.get('driver.parameter.mode'), 'dummy-once');
    assert.equal(vars.get('device.serial'), 'DUMMY0001');
    assert.equal(parseUpsc((await upsc([`ub@127.0.0.1:${port}`], d.env)).stdout).get('ups.serial'), 'DUMMY0002');

    // upsrw: flags as real dummy-ups gives them, SET goes through
    const rw = await run('upsrw', ['-s', 'ups.load=33', '-u', 'admin', '-p', 'adminpass', `ua@127.0.0.1:${port}`], d.env);
    assert.equal(rw.code, 0, rw.stderr);
    await waitFor('ups.load 33', async () => parseUpsc((await upsc([`ua@127.0.0.1:${port}`], d.env)).stdout).get('ups.load') === '33', 5000, 100);
    const rwl = await run('upsrw', ['-l', `ua@127.0.0.1:${port}`], d.env);
    assert.match(rwl.stdout, /\[ups\.load\]\n[^\n]*\nType: NUMBER\nValue: 33\n/);
    assert.match(rwl.stdout, /\[ups\.serial\]\n[^\n]*\nType: STRING\nMaximum length: 32\nValue: DUMMY0001/);

    // a value with a quote and a backslash survives (a C driver would send it raw and upsd would keep `x`)
    const q = await run('upsrw', ['-s', 'ups.model=x"y\\z', '-u', 'admin', '-p', 'adminpass', `ua@127.0.0.1:${port}`], d.env);
    assert.equal(q.code, 0, q.stderr);
    await waitFor('quoted model', async () => (await upsc([`ua@127.0.0.1:${port}`, 'ups.model'], d.env)).stdout === 'x"y\\z\n', 5000, 100);

    // upscmd: load.off exists and answers OK; tracking says ERR UNKNOWN (dummy-ups returns 1), SET tracking SUCCESS
    const cmds = await run('upscmd', ['-l', `ua@127.0.0.1:${port}`], d.env);
    assert.match(cmds.stdout, /load\.off - /);
    const cmd = await run('upscmd', ['-u', 'admin', '-p', 'adminpass', `ua@127.0.0.1:${port}`, 'load.off'], d.env);
    assert.equal(cmd.code, 0, cmd.stderr);
    const c = await NutClient.connect('127.0.0.1', port, { timeoutMs: 5000 });
    try {
      await c.username('admin');
      await c.password('adminpass');
      await c.setTracking(true);
      const idSet = await c.setVar('ua', 'ups.load', '44');
      const idCmd = await c.instCmd('ua', 'load.off');
      assert.ok(idSet && idCmd);
      let states: string[] = [];
      await waitFor(
        'tracking results',
        async () => {
          states = [await c.getTracking(idSet!), await c.getTracking(idCmd!)];
          return !states.includes('PENDING');
        },
        5000,
        100,
      ).catch((e: Error) => {
        throw new Error(`${e.message}: ${states.join(', ')}\n${upsd!.log.join('')}`);
      });
      assert.equal(await c.getTracking(idSet!), 'SUCCESS');
      assert.equal(await c.getTracking(idCmd!), 'ERR UNKNOWN');
    } finally {
      c.close();
    }

    // the outage, by editing the .dev file
    const dev = path.join(d.etc, 'a.dev');
    editDev(dev, DEV.replace('ups.status: OL', 'ups.status: OB DISCHRG'));
    await waitStatus(port, 'ua', 'OB DISCHRG');
    editDev(dev, DEV.replace('ups.status: OL', 'ups.status: OB LB').replace('battery.charge: 100', 'battery.charge: 10'));
    await waitStatus(port, 'ua', 'OB LB');
    editDev(dev, DEV);
    await waitStatus(port, 'ua', 'OL');
    assert.equal(await statusOf(port, 'ub'), 'OL', 'the other UPS of the process is untouched');

    // stop one driver of the shared process, then the rest
    const s1 = await run(process.execPath, [bin, 'stop', 'ua'], d.env);
    assert.equal(s1.code, 0, s1.stderr);
    await waitStatus(port, 'ua', 'ERR DRIVER-NOT-CONNECTED');
    assert.equal(await statusOf(port, 'ub'), 'OL');
    assert.ok(isAlive(pa!));
    assert.equal(fs.existsSync(path.join(d.run, 'dummy-ups-ua.pid')), false);
    const s2 = await run(process.execPath, [bin, 'stop', 'ub'], d.env);
    assert.equal(s2.code, 0, s2.stderr);
    await waitFor('shared process exits', () => !isAlive(pa!), 10000, 100);
    assert.deepEqual(fs.readdirSync(d.run).filter((f) => f.startsWith('dummy-ups')), []);
  } finally {
    await stopProc(upsd);
    // in case a step failed: end the shared driver process by its PID file
    for (const f of ['dummy-ups-ua.pid', 'dummy-ups-ub.pid']) {
      const pid = readPidFile(path.join(d.run, f));
      if (pid && isAlive(pid)) process.kill(pid, 'SIGTERM');
    }
    d.cleanup();
  }
});

async function upstream(d: NutDir, port: number): Promise<{ upsd: Proc; driver: Proc }> {
  const driver = startRealDummy(d, 'up');
  await waitFor('upstream driver socket', () => fs.existsSync(path.join(d.state, 'dummy-ups-up')), 10000);
  const upsd = startRealUpsd(d);
  await waitStatus(port, 'up', 'OL');
  return { upsd, driver };
}

test('repeater follows a real upstream upsd through an outage, goes stale when it dies, recovers', { timeout: 120_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const up = nutDir('walnut-up-');
  const down = nutDir('walnut-down-');
  const upPort = await freePort();
  const downPort = await freePort();
  let u: { upsd: Proc; driver: Proc } | undefined;
  let downUpsd: Proc | undefined;
  let rep: DriverHandle | undefined;
  try {
    const dev = path.join(up.etc, 'up.dev');
    fs.writeFileSync(dev, DEV);
    fs.writeFileSync(path.join(up.etc, 'ups.conf'), '[up]\n  driver = dummy-ups\n  port = up.dev\n');
    fs.writeFileSync(path.join(up.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${upPort}\nSTATEPATH ${up.state}\n`);
    fs.writeFileSync(path.join(up.etc, 'upsd.users'), '');
    u = await upstream(up, upPort);

    const conf = `[rep]\n  driver = dummy-ups\n  port = up@127.0.0.1:${upPort}\n  pollinterval = 1\n`;
    fs.writeFileSync(path.join(down.etc, 'ups.conf'), conf);
    fs.writeFileSync(path.join(down.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${downPort}\nSTATEPATH ${down.state}\nMAXAGE 15\n`);
    fs.writeFileSync(path.join(down.etc, 'upsd.users'), '');
    rep = await startDriver({
      definition: dummyUps,
      upsName: 'rep',
      conf: parseUpsConf(conf, 'ups.conf').value,
      statePath: down.state,
      confPath: down.etc,
      env: down.env,
    });
    assert.equal(rep.state.getInfo('driver.parameter.mode'), 'repeater');
    assert.equal(rep.state.getInfo('ups.serial'), 'DUMMY0001');
    assert.equal(rep.state.getInfo('driver.parameter.port'), `up@127.0.0.1:${upPort}`, 'driver.* rows of the upstream are not copied');
    downUpsd = startRealUpsd(down);
    await waitStatus(downPort, 'rep', 'OL');

    editDev(dev, DEV.replace('ups.status: OL', 'ups.status: OB'));
    await waitStatus(downPort, 'rep', 'OB');
    editDev(dev, DEV.replace('ups.status: OL', 'ups.status: OB LB').replace('battery.charge: 100', 'battery.charge: 5'));
    await waitStatus(downPort, 'rep', 'OB LB');
    assert.equal(parseUpsc((await upsc([`rep@127.0.0.1:${downPort}`], down.env)).stdout).get('battery.charge'), '5');
    editDev(dev, DEV);
    await waitStatus(downPort, 'rep', 'OL');

    // the upstream upsd dies: the repeater says DATASTALE at once, the downstream upsd answers DATA-STALE
    await stopProc(u.upsd);
    await waitFor('repeater stale', () => rep!.state.isStale, 5000);
    await waitStatus(downPort, 'rep', 'ERR DATA-STALE');
    // and it comes back
    u.upsd = startRealUpsd(up);
    await waitStatus(downPort, 'rep', 'OL', 20000);
    assert.equal(rep.state.isStale, false);
  } finally {
    await stopProc(downUpsd);
    await rep?.stop();
    await stopProc(u?.upsd);
    await stopProc(u?.driver);
    up.cleanup();
    down.cleanup();
  }
});

test('repeater follows a Walnut upstream (upsd + dummy-ups in this process) and goes stale / fresh with it', { timeout: 60_000 }, async () => {
  const { startUpsd } = await import('../../src/server/index.js');
  const { createLogger, MemorySink } = await import('../../src/common/log.js');
  const up = nutDir('walnut-wup-');
  const down = nutDir('walnut-wdown-');
  const upPort = await freePort();
  let drv: DriverHandle | undefined;
  let rep: DriverHandle | undefined;
  let upsd: { stop(): Promise<void> } | undefined;
  const quiet = createLogger(new MemorySink());
  try {
    const dev = path.join(up.etc, 'up.dev');
    fs.writeFileSync(dev, DEV);
    const upConf = '[up]\n  driver = dummy-ups\n  port = up.dev\n  pollinterval = 1\n';
    fs.writeFileSync(path.join(up.etc, 'ups.conf'), upConf);
    fs.writeFileSync(path.join(up.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${upPort}\n`);
    fs.writeFileSync(path.join(up.etc, 'upsd.users'), '');
    drv = await startDriver({ definition: dummyUps, upsName: 'up', conf: parseUpsConf(upConf, 'ups.conf').value, statePath: up.state, confPath: up.etc, env: up.env, log: quiet });
    const serve = () => startUpsd({ confPath: up.etc, statePath: up.state, env: up.env, listen: [{ host: '127.0.0.1', port: upPort }], logger: quiet });
    upsd = await serve();
    await waitStatus(upPort, 'up', 'OL');

    const conf = `[rep]\n  driver = dummy-ups\n  port = up@127.0.0.1:${upPort}\n  pollinterval = 1\n`;
    rep = await startDriver({ definition: dummyUps, upsName: 'rep', conf: parseUpsConf(conf, 'ups.conf').value, statePath: down.state, confPath: down.etc, env: down.env, log: quiet });
    assert.equal(rep.state.getInfo('ups.status'), 'OL');
    assert.equal(rep.state.isStale, false);
    editDev(dev, DEV.replace('ups.status: OL', 'ups.status: OB LB'));
    await waitFor('repeater sees OB LB', () => rep!.state.getInfo('ups.status') === 'OB LB', 10000);
    await upsd.stop();
    upsd = undefined;
    await waitFor('repeater stale', () => rep!.state.isStale, 10000);
    upsd = await serve();
    await waitFor('repeater fresh', () => !rep!.state.isStale, 15000);
    assert.equal(rep.state.getInfo('ups.status'), 'OB LB');
  } finally {
    await rep?.stop();
    await upsd?.stop();
    await drv?.stop();
    up.cleanup();
    down.cleanup();
  }
});
