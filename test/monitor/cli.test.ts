/**
 * bin/upsmon's command line against Walnut's upsd on loopback: -K exit
 * codes, -c fsd|stop|reload through the PID file (prefix-matched), a power
 * return before LB (nobody shuts down), a failed login (monitoring goes on,
 * loudly), -h / -V / bad options.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '../support/proc.js';
import { tempDir } from '../support/tmp.js';
import { POWERDOWNFLAG_MAGIC } from '../../src/monitor/index.js';
import { lookupUser } from '../../src/common/daemon.js';
import { main } from '../../src/cli/upsmon.js';
import { hasNote, monHost, procLog, walnutUps, type UpsHost } from './helpers.js';

/** Each daemon test has its own UPS (FSD stays latched on upsd), so they can overlap. */
async function withUps(fn: (ups: UpsHost) => Promise<void>): Promise<void> {
  const ups = await walnutUps();
  try {
    await fn(ups);
  } finally {
    await ups.stop();
  }
}

/** main() in this process, for the options that never start a daemon. */
async function upsmonHere(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => (stdout += t), err: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

test('upsmon -K: 0 only when POWERDOWNFLAG holds the magic text', async () => {
  const t = tempDir('walnut-upsmon-k-');
  try {
    const flag = path.join(t.dir, 'killpower');
    const conf = path.join(t.dir, 'upsmon.conf');
    const env = { ...process.env, NUT_ALTPIDPATH: t.dir };
    fs.writeFileSync(conf, `MONITOR ups@localhost 1 u p primary\nPOWERDOWNFLAG ${flag}\n`);
    assert.equal((await upsmonHere(['-K', '-f', conf], env)).code, 1, 'no flag file');
    fs.writeFileSync(flag, POWERDOWNFLAG_MAGIC);
    const set = await upsmonHere(['-K', '-f', conf], env);
    assert.equal(set.code, 0, set.stdout + set.stderr);
    assert.match(set.stdout, /Power down flag is set/);
    fs.writeFileSync(flag, 'something else\n');
    assert.equal((await upsmonHere(['-K', '-f', conf], env)).code, 1, 'foreign content');
    fs.writeFileSync(conf, 'MONITOR ups@localhost 1 u p primry\n');
    const k = await upsmonHere(['-K', '-f', conf], env);
    assert.equal(k.code, 1, 'no POWERDOWNFLAG configured');
    // NUT silently takes an unknown role word as secondary; Walnut says so, with the line
    assert.match(k.stderr, /upsmon\.conf:1: warning: MONITOR ups@localhost: unknown role "primry"; NUT silently takes it as secondary \(did you mean primary\?\)/);
  } finally {
    t.cleanup();
  }
});

test('upsmon -h, -V, a bad option, -c without a daemon, insufficient power', async () => {
  const h = await upsmonHere(['-h']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /-c <cmd>\tsend command to running process/);
  const v = await upsmonHere(['-V']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^Network UPS Tools upsmon 2\.8\.0/);
  const bad = await upsmonHere(['-x']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid option -- 'x'/);
  const t = tempDir('walnut-upsmon-c-');
  try {
    const env = { ...process.env, NUT_ALTPIDPATH: t.dir };
    const c = await upsmonHere(['-c', 'stop'], env);
    assert.equal(c.code, 1);
    const u = await upsmonHere(['-c', 'bogus'], env);
    assert.equal(u.code, 1);
    const conf = path.join(t.dir, 'upsmon.conf');
    fs.writeFileSync(conf, 'MONITOR ups@localhost 0 u p secondary\nMINSUPPLIES 1\n');
    const ins = await upsmonHere(['-F', '-p', '-f', conf], env);
    assert.equal(ins.code, 1);
    assert.match(ins.stderr, /insufficient power configured/);
  } finally {
    t.cleanup();
  }
});

// the daemon runs overlap: each has its own UPS, ports, dirs and PID files
describe('upsmon daemons', { concurrency: 2 }, () => {
  test('upsmon -c f (fsd, prefix-matched) makes a running primary set FSD and shut down', { timeout: 120_000 }, async () => {
    // the FSD latch stays on upsd until it restarts: this test has its own UPS
    const own = await walnutUps();
    const pri = monHost('cfsd', [`MONITOR ${own.system} 1 monpri pripass primary`]);
    try {
      pri.start(['-F', '-p']);
      await waitFor('primary logged in', async () => (await own.numLogins()) === 1, 60_000, 100);
      const pidFile = path.join(pri.dir, 'upsmon.pid');
      assert.equal(Number(fs.readFileSync(pidFile, 'utf8')), pri.proc!.pid);
      const r = await upsmonHere(['-c', 'f'], pri.env);
      assert.equal(r.code, 0, r.stderr);
      await waitFor('SHUTDOWNCMD ran', () => pri.shutdowns().length === 1, 15_000);
      assert.equal(await pri.proc!.exited, 0);
      assert.match(await own.status(), /^FSD OL/);
      assert.deepEqual(
        pri.notes().map((n) => [n.type, n.ups]),
        [
          ['FSD', own.system],
          ['SHUTDOWN', ''],
        ],
      );
      assert.ok(!fs.existsSync(pidFile), 'PID file removed at exit');
    } finally {
      await pri.stop();
      await own.stop();
    }
  });

  test('power back before LB: ONBATT then ONLINE, nobody shuts down; -c reload applies a new NOTIFYMSG; -c stop logs out', { timeout: 120_000 }, async () =>
    withUps(async (ups) => {
    await ups.setStatus('OL');
    const pri = monHost('back-pri', [`MONITOR ${ups.system} 1 monpri pripass primary`]);
    const sec = monHost('back-sec', [`MONITOR ${ups.system} 1 monsec secpass secondary`]);
    try {
      pri.start(['-F', '-p']);
      sec.start(['-F', '-u', 'root']);
      await waitFor('both logged in', async () => (await ups.numLogins()) === 2, 60_000, 100);
      fs.appendFileSync(sec.conf, 'NOTIFYMSG ONBATT "Mains lost on %s"\n');
      assert.equal((await upsmonHere(['-c', 'reload'], sec.env)).code, 0);
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
        assert.equal((await upsmonHere(['-c', 'stop'], h.env)).code, 0);
        assert.equal(await h.proc!.exited, 0, procLog(h.proc));
      }
      await waitFor('sessions logged out', async () => (await ups.numLogins()) === 0, 5000, 100);
      assert.ok(!fs.existsSync(pri.killpower) && !fs.existsSync(sec.killpower));
    } finally {
      await pri.stop();
      await sec.stop();
    }
    }));

  test('a failed login is loud, and the UPS is still monitored', { timeout: 120_000 }, async () =>
    withUps(async (ups) => {
    await ups.setStatus('OL');
    const sec = monHost('badlogin', [`MONITOR ${ups.system} 1 monsec wrongpass secondary`]);
    try {
      sec.start(['-F', '-p']);
      await waitFor('login failure logged', () => /Login on UPS \[.*\] failed \(Access denied\): monitoring it anyway/.test(procLog(sec.proc)), 60_000);
      assert.equal(await ups.numLogins(), 0);
      await ups.setStatus('OB');
      await waitFor('ONBATT', () => hasNote(sec, 'ONBATT'), 10_000);
      await ups.setStatus('OL');
      await waitFor('ONLINE', () => hasNote(sec, 'ONLINE'), 10_000);
    } finally {
      await sec.stop();
    }
    }));

  test('split mode (default): the monitor drops to the nut user, NOTIFYCMD runs as nut, only SHUTDOWNCMD and POWERDOWNFLAG as root', { timeout: 120_000 }, async (t) =>
    withUps(async (ups) => {
    const nut = lookupUser('nut');
    if (!nut || process.getuid?.() !== 0) {
      t.skip('needs root and a nut user');
      return;
    }
    const sec = monHost('split', [`MONITOR ${ups.system} 1 monsec secpass secondary`]);
    try {
      fs.chmodSync(sec.dir, 0o777);
      fs.writeFileSync(sec.notifyLog, '', { mode: 0o666 });
      fs.chmodSync(sec.notifyLog, 0o666);
      sec.start(['-F']);
      await waitFor('logged in', async () => (await ups.numLogins()) >= 1, 60_000, 100);
      const pid = Number(fs.readFileSync(path.join(sec.dir, 'upsmon.pid'), 'utf8'));
      assert.notEqual(pid, sec.proc!.pid, 'the PID file names the monitor child, so -c reaches it');
      assert.equal(fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1], String(nut.uid));
      assert.equal((await upsmonHere(['-c', 'fsd'], sec.env)).code, 0);
      await waitFor('SHUTDOWNCMD ran', () => sec.shutdowns().length === 1, 15_000);
      assert.equal(await sec.proc!.exited, 0, procLog(sec.proc));
      assert.deepEqual(sec.shutdownUids(), [0]);
      assert.deepEqual(
        sec.notes().map((n) => [n.type, n.uid]),
        [['SHUTDOWN', nut.uid]],
      );
      assert.equal(fs.readFileSync(sec.killpower, 'latin1'), POWERDOWNFLAG_MAGIC);
    } finally {
      await sec.stop();
    }
    }));
});
