/**
 * upsdrvctl and the dummy-ups program: dry run (-t) as NUT prints it,
 * shutdown order, one process for all Walnut drivers vs one each (-I), a real
 * NUT C driver (clone) started from the driver path and reading a Walnut
 * driver's socket, upsd in the drivers' process (-S), and the driver command
 * line (-h, -V, -a, refused options, background start, -k).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers, REPO_ROOT } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { readPidFile, isAlive } from '../../src/common/daemon.js';
import { execProgram, startProc, stopProc, waitFor, type Proc, type Ran } from '../support/proc.js';
import { nutDir, startRealUpsd, type NutDir } from '../support/real-nut.js';
import { upsc, parseUpsc } from './nut-helpers.js';

const BIN = path.join(REPO_ROOT, 'bin');

/** bin/<prog> under node. */
function run(prog: string, args: string[], env: NodeJS.ProcessEnv, timeout = 30000): Promise<Ran> {
  return execProgram(process.execPath, [path.join(BIN, prog), ...args], env, timeout);
}

/** Ends whatever a failed test left running, by the PID files it wrote. */
function killByPidFiles(d: NutDir): void {
  for (const f of fs.readdirSync(d.run)) {
    if (!f.endsWith('.pid')) continue;
    const pid = readPidFile(path.join(d.run, f));
    if (pid && pid !== process.pid && isAlive(pid)) process.kill(pid, 'SIGTERM');
  }
}

const DEV = 'ups.status: OL\nups.load: 25\nbattery.charge: 90\nups.mfr: ACME\n';

test('upsdrvctl -t prints what it would do, as NUT, and starts nothing', async () => {
  const d = nutDir('walnut-drvctl-');
  try {
    fs.writeFileSync(
      path.join(d.etc, 'ups.conf'),
      'driverpath = /opt/nut/drivers\n[d1]\n  driver = dummy-ups\n  port = a.dev\n  sdorder = 2\n[d2]\n  driver = dummy-ups\n  port = a.dev\n[d3]\n  driver = blazer_usb\n  port = auto\n  sdorder = -1\n[d4]\n  driver = apcsmart\n  port = /dev/ttyS0\n  sdorder = 1\n',
    );
    const s = await run('upsdrvctl', ['-t', '-u', 'nut', 'start'], d.env);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stdout, 'Network UPS Tools - UPS driver controller 2.8.0 (Walnut)\n*** Testing mode: not calling exec/kill\n');
    assert.deepEqual(s.stderr.trim().split('\n'), [
      'Starting UPS: d1',
      'walnut: dummy-ups -a d1 (in one shared process)',
      'Starting UPS: d2',
      'walnut: dummy-ups -a d2 (in one shared process)',
      'Starting UPS: d4',
      'walnut: apcsmart -a d4 (in one shared process)',
      'Starting UPS: d3',
      '1 remaining attempts',
      'exec:  /opt/nut/drivers/blazer_usb -a d3 -u nut',
    ]);
    const iso = await run('upsdrvctl', ['-t', '-I', 'start', 'd1'], d.env);
    assert.deepEqual(iso.stderr.trim().split('\n'), ['Starting UPS: d1', '1 remaining attempts', `exec:  ${BIN}/dummy-ups -a d1`]);
    const sd = await run('upsdrvctl', ['-t', 'shutdown'], d.env);
    assert.equal(sd.code, 0, sd.stderr);
    assert.deepEqual(sd.stderr.trim().split('\n'), [
      'Shutdown UPS: d2',
      'walnut: dummy-ups -a d2 -k (in this process)',
      'Shutdown UPS: d4',
      'walnut: apcsmart -a d4 -k (in this process)',
      'Shutdown UPS: d1',
      'walnut: dummy-ups -a d1 -k (in this process)',
    ]);
    const st = await run('upsdrvctl', ['-t', 'stop'], d.env);
    assert.equal(st.code, 1, 'no PID files: NUT exits 1 too');
    assert.match(st.stderr, /Can't open .*\/run\/dummy-ups-d1\.pid: No such file or directory/);
    const nope = await run('upsdrvctl', ['start', 'nope'], d.env);
    assert.equal(nope.code, 1);
    assert.match(nope.stderr, /UPS nope not found in ups\.conf/);
    const bad = await run('upsdrvctl', ['frobnicate'], d.env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /usage: upsdrvctl/);
    assert.deepEqual(fs.readdirSync(d.run), []);
    assert.deepEqual(fs.readdirSync(d.state), []);
  } finally {
    d.cleanup();
  }
});

test('upsdrvctl: one process for all Walnut drivers by default, one each with -I; status; stop', async () => {
  const d = nutDir('walnut-drvctl-');
  try {
    fs.writeFileSync(path.join(d.etc, 'a.dev'), DEV);
    fs.writeFileSync(path.join(d.etc, 'ups.conf'), '[u1]\n  driver = dummy-ups\n  port = a.dev\n[u2]\n  driver = dummy-ups\n  port = a.dev\n[u3]\n  driver = dummy-ups\n  port = a.dev\n');
    const pidOf = (u: string) => readPidFile(path.join(d.run, `dummy-ups-${u}.pid`));

    let r = await run('upsdrvctl', ['-u', 'root', 'start'], d.env);
    assert.equal(r.code, 0, r.stderr);
    const shared = new Set(['u1', 'u2', 'u3'].map(pidOf));
    assert.equal(shared.size, 1, 'one process');
    const st = await run('upsdrvctl', ['status'], d.env);
    const rows = st.stdout.trim().split('\n').slice(2).map((l) => l.split('\t'));
    assert.deepEqual(
      rows.map((x) => [x[0], x[1], x[2], x[4], x[6]]),
      ['u1', 'u2', 'u3'].map((u) => [u, 'dummy-ups', 'RUNNING', 'RESPONSIVE', 'OL']),
    );
    // starting again leaves running drivers alone
    r = await run('upsdrvctl', ['-u', 'root', 'start'], d.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Driver for UPS u1 is already running/);
    assert.deepEqual(new Set(['u1', 'u2', 'u3'].map(pidOf)), shared);
    // a driver program started for u1 takes it over (the shared one lets u1 go, as NUT 2.8 drivers do)
    r = await run('dummy-ups', ['-a', 'u1', '-u', 'root'], d.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Duplicate driver instance detected/);
    const [pid] = [...shared];
    const taker = pidOf('u1');
    assert.ok(taker !== undefined && taker !== pid && isAlive(taker));
    assert.equal(pidOf('u2'), pid);
    r = await run('upsdrvctl', ['stop'], d.env);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('shared process exits', () => !isAlive(pid!), 10000);
    await waitFor('u1 program exits', () => !isAlive(taker!), 10000);

    r = await run('upsdrvctl', ['-I', '-u', 'root', 'start'], d.env);
    assert.equal(r.code, 0, r.stderr);
    const own = ['u1', 'u2', 'u3'].map(pidOf);
    assert.equal(new Set(own).size, 3, 'one process per driver');
    r = await run('upsdrvctl', ['stop', 'u2'], d.env);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('u2 process exits', () => !isAlive(own[1]!), 10000);
    assert.ok(isAlive(own[0]!) && isAlive(own[2]!));
    r = await run('upsdrvctl', ['stop'], d.env);
    assert.equal(r.code, 1, 'u2 was already stopped');
    await waitFor('all exit', () => own.every((p) => !isAlive(p!)), 10000);
    assert.deepEqual(fs.readdirSync(d.state), []);
  } finally {
    killByPidFiles(d);
    d.cleanup();
  }
});

test('upsdrvctl starts a real NUT C driver (clone) that reads a Walnut driver socket; real upsd serves both', { timeout: 60_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const d = nutDir('walnut-clone-');
  const port = await freePort();
  let upsd: Proc | undefined;
  try {
    const dev = path.join(d.etc, 'a.dev');
    fs.writeFileSync(dev, DEV);
    fs.writeFileSync(path.join(d.etc, 'ups.conf'), '[ua]\n  driver = dummy-ups\n  port = a.dev\n  pollinterval = 1\n[cl]\n  driver = clone\n  port = dummy-ups-ua\n');
    fs.writeFileSync(path.join(d.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${d.state}\n`);
    fs.writeFileSync(path.join(d.etc, 'upsd.users'), '');
    const r = await run('upsdrvctl', ['-u', 'root', 'start'], d.env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(d.state, 'clone-cl')));
    const clonePid = readPidFile(path.join(d.run, 'clone-cl.pid'));
    assert.ok(clonePid && fs.readlinkSync(`/proc/${clonePid}/exe`).endsWith('/nut/clone'), 'the real NUT clone driver runs');
    upsd = startRealUpsd(d);
    await waitFor('clone served', async () => parseUpsc((await upsc([`cl@127.0.0.1:${port}`], d.env)).stdout).get('ups.status') === 'OL', 15000, 200);
    const vars = parseUpsc((await upsc([`cl@127.0.0.1:${port}`], d.env)).stdout);
    assert.equal(vars.get('driver.name'), 'clone');
    assert.equal(vars.get('ups.mfr'), 'ACME');
    assert.equal(vars.get('battery.charge'), '90');
    fs.writeFileSync(dev, DEV.replace('OL', 'OB LB'));
    const tm = Math.floor(Date.now() / 1000) + 5;
    fs.utimesSync(dev, tm, tm);
    await waitFor('clone follows', async () => (await upsc([`cl@127.0.0.1:${port}`, 'ups.status'], d.env)).stdout === 'OB LB\n', 15000, 200);
    await stopProc(upsd);
    upsd = undefined;
    const s = await run('upsdrvctl', ['stop'], d.env);
    assert.equal(s.code, 0, s.stderr);
    await waitFor('clone exits', () => !isAlive(clonePid!), 10000);
  } finally {
    await stopProc(upsd);
    killByPidFiles(d);
    d.cleanup();
  }
});

test('upsdrvctl -F -S: drivers and upsd in one foreground process, ended by SIGTERM', { timeout: 60_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const d = nutDir('walnut-allinone-');
  const port = await freePort();
  let p: Proc | undefined;
  try {
    fs.writeFileSync(path.join(d.etc, 'a.dev'), DEV);
    fs.writeFileSync(path.join(d.etc, 'ups.conf'), '[u1]\n  driver = dummy-ups\n  port = a.dev\n[u2]\n  driver = dummy-ups\n  port = a.dev\n');
    fs.writeFileSync(path.join(d.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${d.state}\n`);
    fs.writeFileSync(path.join(d.etc, 'upsd.users'), '');
    p = startProc(process.execPath, [path.join(BIN, 'upsdrvctl'), '-F', '-S', '-u', 'root', 'start'], d.env);
    await waitFor('served', async () => (await upsc([`u2@127.0.0.1:${port}`, 'ups.status'], d.env)).stdout === 'OL\n', 20000, 200);
    const l = await upsc(['-l', `127.0.0.1:${port}`], d.env);
    assert.equal(l.stdout, 'u1\nu2\n');
    assert.equal(readPidFile(path.join(d.run, 'dummy-ups-u1.pid')), p.pid);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    assert.deepEqual(fs.readdirSync(d.state), []);
    assert.deepEqual(fs.readdirSync(d.run), []);
  } finally {
    await stopProc(p);
    d.cleanup();
  }
});

test('dummy-ups program: -h, -V, missing -a, a refused option, background start, -k', { timeout: 60_000 }, async () => {
  const d = nutDir('walnut-dummyprog-');
  try {
    fs.writeFileSync(path.join(d.etc, 'a.dev'), DEV);
    fs.writeFileSync(path.join(d.etc, 'ups.conf'), '[u1]\n  driver = dummy-ups\n  port = a.dev\n[bad]\n  driver = dummy-ups\n  port = a.dev\n  bogus = 1\n');
    const h = await run('dummy-ups', ['-h'], d.env);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /-x mode=<value>/);
    assert.match(h.stdout, /-x repeater_disable_strict_start/);
    const v = await run('dummy-ups', ['-V'], d.env);
    assert.equal(v.code, 0);
    assert.match(v.stderr, /Device simulation and repeater driver 0\.15/);
    const na = await run('dummy-ups', [], d.env);
    assert.equal(na.code, 1);
    assert.match(na.stderr, /-a <id>' is required/);
    const bad = await run('dummy-ups', ['-a', 'bad', '-F'], d.env);
    assert.equal(bad.code, 1, 'NUT exits 0 here; Walnut refuses with a non-zero status');
    assert.match(bad.stderr, new RegExp(`${d.etc}/ups\\.conf:7: 'bogus' is not a valid variable name for driver dummy-ups`));
    const k = await run('dummy-ups', ['-a', 'u1', '-k'], d.env);
    assert.equal(k.code, 0, k.stderr);
    const bg = await run('dummy-ups', ['-a', 'u1', '-u', 'root'], d.env);
    assert.equal(bg.code, 0, bg.stderr);
    const pid = readPidFile(path.join(d.run, 'dummy-ups-u1.pid'));
    assert.ok(pid && isAlive(pid));
    assert.ok(fs.statSync(path.join(d.state, 'dummy-ups-u1')).isSocket());
    process.kill(pid!, 'SIGTERM');
    await waitFor('driver exits', () => !isAlive(pid!), 10000);
    assert.equal(fs.existsSync(path.join(d.state, 'dummy-ups-u1')), false);
    assert.equal(fs.existsSync(path.join(d.run, 'dummy-ups-u1.pid')), false);
  } finally {
    killByPidFiles(d);
    d.cleanup();
  }
});
