/**
 * bin/upsmon's command line against Walnut's upsd on loopback: -K exit
 * codes, -c fsd|stop|reload through the PID file (prefix-matched), a power
 * return before LB (nobody shuts down), a failed login (monitoring goes on,
 * loudly), -h / -V / bad options.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execProgram, waitFor } from '../support/proc.js';
import { tempDir } from '../support/tmp.js';
import { POWERDOWNFLAG_MAGIC } from '../../src/monitor/index.js';
import { hasNote, monHost, procLog, UPSMON_BIN, walnutUps, type UpsHost } from './helpers.js';

let ups: UpsHost;
before(async () => {
  ups = await walnutUps();
});
after(async () => {
  await ups.stop();
});

function upsmon(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return execProgram(process.execPath, [UPSMON_BIN, ...args], env, 20_000);
}

test('upsmon -K: 0 only when POWERDOWNFLAG holds the magic text', async () => {
  const t = tempDir('walnut-upsmon-k-');
  try {
    const flag = path.join(t.dir, 'killpower');
    const conf = path.join(t.dir, 'upsmon.conf');
    const env = { ...process.env, NUT_ALTPIDPATH: t.dir };
    fs.writeFileSync(conf, `MONITOR ups@localhost 1 u p primary\nPOWERDOWNFLAG ${flag}\n`);
    assert.equal((await upsmon(['-K', '-f', conf], env)).code, 1, 'no flag file');
    fs.writeFileSync(flag, POWERDOWNFLAG_MAGIC);
    const set = await upsmon(['-K', '-f', conf], env);
    assert.equal(set.code, 0, set.stdout + set.stderr);
    assert.match(set.stdout, /Power down flag is set/);
    fs.writeFileSync(flag, 'something else\n');
    assert.equal((await upsmon(['-K', '-f', conf], env)).code, 1, 'foreign content');
    fs.writeFileSync(conf, 'MONITOR ups@localhost 1 u p primary\n');
    assert.equal((await upsmon(['-K', '-f', conf], env)).code, 1, 'no POWERDOWNFLAG configured');
  } finally {
    t.cleanup();
  }
});

test('upsmon -h, -V, a bad option, -c without a daemon, insufficient power', async () => {
  const h = await upsmon(['-h']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /-c <cmd>\tsend command to running process/);
  const v = await upsmon(['-V']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^Network UPS Tools upsmon 2\.8\.0/);
  const bad = await upsmon(['-x']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid option -- 'x'/);
  const t = tempDir('walnut-upsmon-c-');
  try {
    const env = { ...process.env, NUT_ALTPIDPATH: t.dir };
    const c = await upsmon(['-c', 'stop'], env);
    assert.equal(c.code, 1);
    const u = await upsmon(['-c', 'bogus'], env);
    assert.equal(u.code, 1);
    const conf = path.join(t.dir, 'upsmon.conf');
    fs.writeFileSync(conf, 'MONITOR ups@localhost 0 u p secondary\nMINSUPPLIES 1\n');
    const ins = await upsmon(['-F', '-p', '-f', conf], env);
    assert.equal(ins.code, 1);
    assert.match(ins.stderr, /insufficient power configured/);
  } finally {
    t.cleanup();
  }
});

test('upsmon -c f (fsd, prefix-matched) makes a running primary set FSD and shut down', { timeout: 40_000 }, async () => {
  // the FSD latch stays on upsd until it restarts: this test has its own UPS
  const own = await walnutUps();
  const pri = monHost('cfsd', [`MONITOR ${own.system} 1 monpri pripass primary`]);
  try {
    pri.start(['-F', '-p']);
    await waitFor('primary logged in', async () => (await own.numLogins()) === 1, 15_000, 100);
    const pidFile = path.join(pri.dir, 'upsmon.pid');
    assert.equal(Number(fs.readFileSync(pidFile, 'utf8')), pri.proc!.pid);
    const r = await upsmon(['-c', 'f'], pri.env);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('SHUTDOWNCMD ran', () => pri.shutdowns().length === 1, 15_000);
    assert.equal(await pri.proc!.exited, 0);
    assert.match(await own.status(), /^FSD OL/);
    assert.deepEqual(
      pri.notes().map((n) => [n.type, n.ups]),
      [
        ['FSD', own.system],
        ['SHUTDOWN', 'unset'],
      ],
    );
    assert.ok(!fs.existsSync(pidFile), 'PID file removed at exit');
  } finally {
    await pri.stop();
    await own.stop();
  }
});

test('power back before LB: ONBATT then ONLINE, nobody shuts down; -c reload applies a new NOTIFYMSG; -c stop logs out', { timeout: 40_000 }, async () => {
  await ups.setStatus('OL');
  const pri = monHost('back-pri', [`MONITOR ${ups.system} 1 monpri pripass primary`]);
  const sec = monHost('back-sec', [`MONITOR ${ups.system} 1 monsec secpass secondary`]);
  try {
    pri.start(['-F', '-p']);
    sec.start(['-F', '-u', 'root']);
    await waitFor('both logged in', async () => (await ups.numLogins()) === 2, 15_000, 100);
    fs.appendFileSync(sec.conf, 'NOTIFYMSG ONBATT "Mains lost on %s"\n');
    assert.equal((await upsmon(['-c', 'reload'], sec.env)).code, 0);
    await waitFor('reload logged', () => procLog(sec.proc).includes('Reloaded the configuration'), 10_000);
    await ups.setStatus('OB');
    await waitFor('ONBATT on both', () => hasNote(pri, 'ONBATT') && hasNote(sec, 'ONBATT'), 10_000);
    await ups.setStatus('OL');
    await waitFor('ONLINE on both', () => hasNote(pri, 'ONLINE') && hasNote(sec, 'ONLINE'), 10_000);
    assert.deepEqual(
      sec.notes().map((n) => [n.type, n.msg]),
      [
        ['ONBATT', `Mains lost on ${ups.system}`],
        ['ONLINE', `UPS ${ups.system} on line power`],
      ],
    );
    assert.deepEqual(pri.shutdowns(), []);
    assert.deepEqual(sec.shutdowns(), []);
    assert.equal(pri.proc!.child.exitCode, null, 'primary still running');
    for (const h of [pri, sec]) {
      assert.equal((await upsmon(['-c', 'stop'], h.env)).code, 0);
      assert.equal(await h.proc!.exited, 0, procLog(h.proc));
    }
    await waitFor('sessions logged out', async () => (await ups.numLogins()) === 0, 5000, 100);
    assert.ok(!fs.existsSync(pri.killpower) && !fs.existsSync(sec.killpower));
  } finally {
    await pri.stop();
    await sec.stop();
  }
});

test('a failed login is loud, and the UPS is still monitored', { timeout: 30_000 }, async () => {
  await ups.setStatus('OL');
  const sec = monHost('badlogin', [`MONITOR ${ups.system} 1 monsec wrongpass secondary`]);
  try {
    sec.start(['-F', '-p']);
    await waitFor('login failure logged', () => /Login on UPS \[.*\] failed \(Access denied\): monitoring it anyway/.test(procLog(sec.proc)), 10_000);
    assert.equal(await ups.numLogins(), 0);
    await ups.setStatus('OB');
    await waitFor('ONBATT', () => hasNote(sec, 'ONBATT'), 10_000);
    await ups.setStatus('OL');
    await waitFor('ONLINE', () => hasNote(sec, 'ONLINE'), 10_000);
  } finally {
    await sec.stop();
  }
});
