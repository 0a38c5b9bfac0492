/**
 * "Check syslog. You should find an entry like:
 *    upsd[12061]: User locupsmon@127.0.0.1 logged into UPS [myups]"
 * (the how-to), in the namespaces run: Walnut's upsd runs as a daemon (no -F)
 * on the UPS host, logging to a real rsyslogd (Debian's, started by
 * test/support/rsyslog.ts; daemons reach it through its unix socket,
 * WALNUT_SYSLOG_SOCKET), and upsmons on three hosts — the UPS host's own
 * (Walnut, primary), a Walnut secondary and a real NUT 2.8.0 secondary — log in
 * over the private network. Each login line must reach rsyslog's output
 * file with upsd's PID, and no password may appear there.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers } from '../support/peers.js';
import { startRsyslog, type Rsyslog } from '../support/rsyslog.js';
import { tempDir } from '../support/tmp.js';
import { PASSWORD, destroyAllRuns, requireLab, runLab, type Run, type RunOptions } from './multihost-harness.js';

let rs: Rsyslog | undefined;
const tmp = tempDir('walnut-multihost-syslog-');
after(async () => {
  await destroyAllRuns();
  await rs?.stop();
  tmp.cleanup();
});

test('the login line reaches the real syslog daemon in the namespaces run, and no password does', { timeout: 120_000 }, async (t) => {
  if (!requireLab(t) || !requirePeers(t, 'rsyslog')) return;
  const syslog = (rs = await startRsyslog(tmp.dir));
  const opts: RunOptions = {
    server: 'walnut',
    hosts: [
      { impl: 'walnut', role: 'master' },
      { impl: 'walnut', role: 'slave' },
      { impl: 'nut', role: 'slave' },
    ],
  };
  const check = async (r: Run) => {
    const upsd = r.upsd!;
    // in the background, as NUT's upsd: a PID file, and the log goes to syslog
    const pidFile = path.join(r.ups.env.NUT_ALTPIDPATH!, 'upsd.pid');
    assert.equal(fs.readFileSync(pidFile, 'utf8').trim(), String(upsd.pid));
    for (const [user, addr] of [['locupsmon', '198.18.0.1'], ['remupsmon', '198.18.0.2'], ['remupsmon', '198.18.0.3']] as const) {
      const re = new RegExp(`^daemon\\.info upsd\\[${upsd.pid}\\]: User ${user}@${addr.replace(/\./g, '\\.')} logged into UPS \\[myups\\]$`);
      await syslog.waitForLine(re, 20_000);
    }
    const all = syslog.lines();
    assert.ok(!all.some((l) => l.includes(PASSWORD)), `a password reached syslog:\n${all.filter((l) => l.includes(PASSWORD)).join('\n')}`);
    // nor upsd's own stderr, nor any upsmon's
    for (const p of r.lab.procs) assert.ok(!p.log().includes(PASSWORD), `${p.host} ${p.name} printed a password`);
  };
  await runLab(t, opts, check, { upsd: { background: true }, env: syslog.env });
  await syslog.stop();
});
