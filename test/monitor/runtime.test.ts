/**
 * Walnut's upsmon as a program, over loopback, against Walnut's upsd and
 * against real NUT 2.8.0 upsd: the primary/secondary FSD + HOSTSYNC
 * handshake, NOTIFYCMD and SHUTDOWNCMD (scripts that only write markers),
 * POWERDOWNFLAG, a power return before LB, a failed login.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { requirePeers } from '../support/peers.js';
import { waitFor } from '../support/proc.js';
import { POWERDOWNFLAG_MAGIC } from '../../src/monitor/index.js';
import { hasNote, monHost, procLog, realUps, walnutUps, type MonHost, type UpsHost } from './helpers.js';

async function handshake(ups: UpsHost, label: string): Promise<void> {
  const pri = monHost(`${label}-pri`, [`MONITOR ${ups.system} 1 monpri pripass primary`]);
  const sec = monHost(`${label}-sec`, [`MONITOR ${ups.system} 1 monsec secpass secondary`]);
  const hosts: MonHost[] = [pri, sec];
  try {
    pri.start(['-F', '-p']); // mono mode
    sec.start(['-F', '-u', 'root']); // split mode (root parent, child as root here: the scripts write to /tmp)
    await waitFor('both upsmons logged in', async () => (await ups.numLogins()) === 2, 20_000, 100);
    await ups.setStatus('OB');
    await waitFor('ONBATT on both', () => hosts.every((h) => hasNote(h, 'ONBATT')), 10_000);
    await ups.setStatus('OB LB');
    await waitFor('both SHUTDOWNCMDs ran', () => hosts.every((h) => h.shutdowns().length === 1), 25_000);
    const [pe, se] = await Promise.all([pri.proc!.exited, sec.proc!.exited]);
    assert.equal(pe, 0, procLog(pri.proc));
    assert.equal(se, 0, procLog(sec.proc));

    // the secondary went down before the primary, and the primary waited for it
    assert.ok(sec.shutdowns()[0]! < pri.shutdowns()[0]!, 'secondary SHUTDOWNCMD before the primary one');
    assert.match(await ups.status(), /^FSD OB LB$/);
    for (const h of hosts) assert.equal(fs.readFileSync(h.killpower, 'latin1'), POWERDOWNFLAG_MAGIC);

    const p = pri.notes();
    const s = sec.notes();
    const sys = ups.system;
    assert.deepEqual(
      p.filter((n) => n.type !== 'FSD').map((n) => [n.type, n.ups, n.msg]),
      [
        ['ONBATT', sys, `UPS ${sys} on battery`],
        ['LOWBATT', sys, `UPS ${sys} battery is low`],
        ['SHUTDOWN', 'unset', 'Auto logout and shutdown proceeding'],
      ],
    );
    // the secondary may see LB and FSD in one poll ("FSD OB LB"): order within a poll is the token order
    assert.deepEqual(
      s.map((n) => [n.type, n.ups, n.msg]).sort(),
      [
        ['ONBATT', sys, `UPS ${sys} on battery`],
        ['LOWBATT', sys, `UPS ${sys} battery is low`],
        ['FSD', sys, `UPS ${sys}: forced shutdown in progress`],
        ['SHUTDOWN', 'unset', 'Auto logout and shutdown proceeding'],
      ].sort(),
    );
    assert.equal(s[0]!.type, 'ONBATT');
    assert.ok(hasNote(sec, 'FSD') || hasNote(sec, 'LOWBATT'));
    assert.ok(procLog(pri.proc).includes('Set FSD on UPS'), procLog(pri.proc));
    // no ONLINE at start-up
    for (const h of hosts) assert.ok(!hasNote(h, 'ONLINE'));
  } finally {
    for (const h of hosts) await h.stop();
  }
}

test('primary + secondary against Walnut upsd: FSD, HOSTSYNC, SHUTDOWNCMD order, POWERDOWNFLAG', { timeout: 60_000 }, async () => {
  const ups = await walnutUps();
  try {
    await handshake(ups, 'w');
  } finally {
    await ups.stop();
  }
});

test('primary + secondary against real NUT 2.8.0 upsd', { timeout: 60_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const ups = await realUps();
  try {
    await handshake(ups, 'r');
  } finally {
    await ups.stop();
  }
});
