/**
 * `walnut service` on a machine without systemd, the how-to's steps in a temp
 * dir: nut.conf MODE, `service nut-server start` (drivers + upsd),
 * `service nut-client start` (upsmon), "check syslog" for the login line (a
 * real rsyslogd started here), restart, status codes, stop. Files are owned
 * root:nut as on a NUT install, so the daemons drop to `nut` as NUT's do.
 * Only processes named in this dir's PID files are signalled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, requirePeers } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { nutDir, DUMMY_DEV, type NutDir } from '../support/real-nut.js';
import { execProgram, waitFor } from '../support/proc.js';
import { startRsyslog } from '../support/rsyslog.js';
import { readPidFile, isAlive, lookupUser } from '../../src/common/daemon.js';
import { NutClient } from '../../src/clients/client.js';

const WALNUT = path.join(REPO_ROOT, 'bin/walnut');

function setup(d: NutDir, port: number, mode: string): void {
  const w = (name: string, text: string) => fs.writeFileSync(path.join(d.etc, name), text);
  w('nut.conf', `# how-to: "It has only one non-comment line"\nMODE=${mode}\n`);
  w('ups.conf', '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n\tdesc = "My UPS / Location"\n');
  w('dummy.dev', DUMMY_DEV);
  w('upsd.conf', `LISTEN 127.0.0.1 ${port}\n`);
  w('upsd.users', '[monpri]\n\tpassword = pripass\n\tupsmon master\n');
  w('upsmon.conf', [
    `MONITOR dummy@127.0.0.1:${port} 1 monpri pripass master`,
    'MINSUPPLIES 1',
    `SHUTDOWNCMD "/bin/echo shutdown >> ${d.dir}/shutdown"`,
    `POWERDOWNFLAG ${d.dir}/killpower`,
    'POLLFREQ 2',
    // the how-to's "Actions and Notifications": NOTIFYCMD is Walnut's upssched
    `NOTIFYCMD ${path.join(REPO_ROOT, 'bin/upssched')}`,
    'NOTIFYFLAG ONBATT SYSLOG+EXEC',
    '',
  ].join('\n'));
  // upsmon's monitor runs as nut: its upssched files live in the nut-writable state folder
  w('upssched.conf', [`CMDSCRIPT ${d.state}/cmd.sh`, `PIPEFN ${d.state}/upssched.pipe`, `LOCKFN ${d.state}/upssched.lock`, 'AT ONBATT * EXECUTE onbatt-now', 'AT ONBATT * START-TIMER onbatt-timer 1', ''].join('\n'));
  fs.writeFileSync(path.join(d.state, 'cmd.sh'), `#!/bin/sh\necho "$1 $UPSNAME $NOTIFYTYPE" >> ${d.state}/markers\n`, { mode: 0o755 });
  // a NUT install: root:nut, 640 files, 770 state folders (the daemons run as nut)
  const nut = lookupUser('nut');
  for (const f of fs.readdirSync(d.etc)) {
    fs.chmodSync(path.join(d.etc, f), 0o640);
    if (nut) fs.chownSync(path.join(d.etc, f), 0, nut.gid);
  }
  if (nut) for (const dir of [d.etc, d.state, d.run]) fs.chownSync(dir, 0, nut.gid);
  fs.chmodSync(d.etc, 0o750);
  for (const dir of [d.state, d.run]) fs.chmodSync(dir, 0o770);
}

/** SIGTERM to every live PID named in this dir's PID files (what the test started). */
function killOurs(d: NutDir): void {
  for (const f of fs.existsSync(d.run) ? fs.readdirSync(d.run) : []) {
    const pid = readPidFile(path.join(d.run, f));
    if (pid && isAlive(pid)) process.kill(pid, 'SIGTERM');
  }
}

test('how-to without systemd: MODE, service nut-server/nut-client start, the login line in syslog, restart, status, stop', async (t) => {
  if (!requirePeers(t, 'rsyslog')) return;
  if (!lookupUser('nut')) {
    t.skip('no nut user');
    return;
  }
  const d = nutDir('walnut-service-');
  const rs = await startRsyslog(d.dir);
  const port = await freePort();
  const env = { ...d.env, ...rs.env, WALNUT_UPSSCHED_IDLE: '1' };
  const service = (...args: string[]) => execProgram(process.execPath, [WALNUT, 'service', ...args], env, 120_000);
  try {
    // a netclient host: nut-server is disabled, nothing starts
    setup(d, port, 'netclient');
    const off = await service('start', 'nut-server');
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /nut-server disabled: MODE=netclient in .*nut\.conf/);
    assert.deepEqual(fs.readdirSync(d.run), []);
    const offStatus = await service('status', 'nut-server');
    assert.equal(offStatus.code, 3);
    assert.match(offStatus.stdout, /upsd is not running/);

    // the UPS host: service nut-server start, then nut-client
    setup(d, port, 'standalone');
    const srv = await service('start', 'nut-server');
    assert.equal(srv.code, 0, srv.stdout + srv.stderr);
    assert.match(srv.stdout, /^Starting NUT - power devices information server and drivers: drivers upsd\.$/m);
    const upsdPid = readPidFile(path.join(d.run, 'upsd.pid'));
    assert.ok(upsdPid && isAlive(upsdPid));
    // "Check if your can connect to the UPS: upsc myups@localhost"
    const c = await NutClient.connect('127.0.0.1', port, { timeoutMs: 5000 });
    try {
      await waitFor('ups.status OL', async () => (await c.get('dummy', 'ups.status').catch(() => '')) === 'OL', 15_000);
    } finally {
      c.close();
    }
    const cli = await service('start', 'nut-client');
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    // "Check syslog. You should find an entry like: upsd[12061]: User locupsmon@127.0.0.1 logged into UPS [myups]"
    await rs.waitForLine(new RegExp(`^daemon\\.info upsd\\[${upsdPid}\\]: User monpri@127\\.0\\.0\\.1 logged into UPS \\[dummy\\]$`), 30_000);
    // power fails: upsmon runs NOTIFYCMD=upssched, whose EXECUTE and 1 s timer reach CMDSCRIPT
    const dev = path.join(d.etc, 'dummy.dev');
    fs.writeFileSync(dev, DUMMY_DEV.replace('ups.status: OL', 'ups.status: OB'));
    const later = new Date(Date.now() + 2000);
    fs.utimesSync(dev, later, later);
    const markers = () => (fs.existsSync(path.join(d.state, 'markers')) ? fs.readFileSync(path.join(d.state, 'markers'), 'utf8') : '');
    await waitFor('upssched markers', () => markers().includes('onbatt-timer '), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; markers: ${JSON.stringify(markers())}`);
    });
    assert.deepEqual(markers().split('\n').filter(Boolean), [`onbatt-now dummy@127.0.0.1:${port} ONBATT`, `onbatt-timer dummy@127.0.0.1:${port} ONBATT`]);
    fs.writeFileSync(dev, DUMMY_DEV);
    const later2 = new Date(Date.now() + 4000);
    fs.utimesSync(dev, later2, later2);
    const st = await service('status');
    assert.equal(st.code, 0, st.stdout);
    assert.match(st.stdout, new RegExp(`^nut-server: upsd is running \\(PID ${upsdPid}\\)$`, 'm'));
    assert.match(st.stdout, /^nut-server: driver dummy-ups for UPS \[dummy\] is running \(PID \d+\)$/m);
    assert.match(st.stdout, /^nut-client: upsmon is running \(PID \d+\)$/m);
    // a second start leaves what runs alone
    const again = await service('start', 'nut-server');
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already running/);
    assert.equal(readPidFile(path.join(d.run, 'upsd.pid')), upsdPid);

    // service nut-server restart: a new upsd, and upsmon logs in again
    const rst = await service('restart', 'nut-server');
    assert.equal(rst.code, 0, rst.stdout + rst.stderr);
    const upsd2 = readPidFile(path.join(d.run, 'upsd.pid'));
    assert.ok(upsd2 && upsd2 !== upsdPid && isAlive(upsd2) && !isAlive(upsdPid));
    await rs.waitForLine(new RegExp(`^daemon\\.info upsd\\[${upsdPid}\\]: Signal 15: exiting$`));
    await rs.waitForLine(new RegExp(`^daemon\\.info upsd\\[${upsd2}\\]: User monpri@127\\.0\\.0\\.1 logged into UPS \\[dummy\\]$`), 60_000);

    // stop everything (client first): every PID gone, status 3
    const pids = fs.readdirSync(d.run).map((f) => readPidFile(path.join(d.run, f))!);
    const stop = await service('stop');
    assert.equal(stop.code, 0, stop.stdout + stop.stderr);
    assert.match(stop.stdout, /^Stopping NUT - power device monitor and shutdown controller: upsmon\nStopping NUT - power devices information server and drivers: upsd drivers\n/);
    await waitFor('all stopped', () => pids.every((p) => !isAlive(p)), 15_000);
    assert.equal((await service('status')).code, 3);
    assert.ok(!fs.existsSync(path.join(d.dir, 'shutdown')), 'nobody shut down');

    // a PID file left by a dead upsd: status says so (LSB 1)
    const dead = spawnSync('/bin/true').pid;
    fs.writeFileSync(path.join(d.run, 'upsd.pid'), `${dead}\n`);
    const stale = await service('status', 'nut-server');
    assert.equal(stale.code, 1);
    assert.match(stale.stdout, /upsd is dead but its PID file remains/);
  } finally {
    killOurs(d);
    await rs.stop();
    d.cleanup();
  }
});
