/**
 * The upsmon runtime (src/monitor/runtime.ts) in this process against
 * Walnut's upsd on loopback, with a privileged port that records the
 * power-down instead of running anything: login retry, and a driver lost
 * while the UPS is on battery (DEADTIME, FSD, power-down).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/proc.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { parseUpsmonConf } from '../../src/config/upsmon-conf.js';
import { Upsmon, type PrivilegedPort } from '../../src/monitor/index.js';
import { USERS_TEXT } from '../support/real-nut.js';
import { walnutUps } from './helpers.js';
import { freePort } from '../support/ports.js';

function recorder(): PrivilegedPort & { calls: number } {
  const p = {
    calls: 0,
    parentAlive: () => true,
    powerdown: async () => {
      p.calls++;
      return undefined;
    },
  };
  return p;
}

function monitor(text: string, privileged: PrivilegedPort, sink: MemorySink, extra: { loginRetryMs?: number } = {}): Upsmon {
  const conf = parseUpsmonConf(text, 'upsmon.conf').value;
  return new Upsmon({ conf, logger: createLogger(sink, 2), privileged, timeoutMs: 3000, wallCommand: '/bin/true', ...extra });
}

test('a session without LOGIN is reopened and logs in once upsd knows the user', { timeout: 30_000 }, async () => {
  const ups = await walnutUps();
  const sink = new MemorySink();
  const priv = recorder();
  const mon = monitor(`MONITOR ${ups.system} 1 late latepass secondary\nPOLLFREQ 1\n`, priv, sink, { loginRetryMs: 500 });
  const running = mon.run();
  try {
    await waitFor('login failure reported', () => /Login on UPS \[.*\] failed \(Access denied\)/.test(sink.text()), 10_000);
    assert.equal(await ups.numLogins(), 0);
    await ups.setUsers!(USERS_TEXT + '[late]\n\tpassword = latepass\n\tupsmon secondary\n');
    await waitFor('logged in after the retry', async () => (await ups.numLogins()) === 1, 10_000, 100);
    assert.match(sink.text(), /reconnecting to try the login again/);
    assert.match(sink.text(), /Logged in to UPS/);
  } finally {
    mon.requestStop();
    assert.equal(await running, 0);
    await ups.stop();
  }
  assert.equal(priv.calls, 0);
});

test('driver lost while on battery: COMMBAD, LB assumed after DEADTIME, FSD set, power-down', { timeout: 30_000 }, async () => {
  const ups = await walnutUps();
  const sink = new MemorySink();
  const priv = recorder();
  const mon = monitor(`MONITOR ${ups.system} 1 monpri pripass primary\nPOLLFREQ 1\nPOLLFREQALERT 1\nDEADTIME 2\nHOSTSYNC 2\nFINALDELAY 0\n`, priv, sink);
  const running = mon.run();
  try {
    await waitFor('logged in', async () => (await ups.numLogins()) === 1, 10_000, 100);
    await ups.setStatus('OB');
    await waitFor('ONBATT', () => sink.text().includes(`UPS ${ups.system} on battery`), 10_000);
    const lost = Date.now();
    await ups.stopDriver!();
    assert.equal(await running, 0);
    const took = Date.now() - lost;
    assert.equal(priv.calls, 1);
    const text = sink.text();
    assert.match(text, new RegExp(`Communications with UPS ${ups.system.replace(/\./g, '\\.')} lost`));
    assert.match(text, /unreachable for more than DEADTIME 2 s: assuming low battery/);
    assert.match(text, /Set FSD on UPS/);
    assert.match(text, /Auto logout and shutdown proceeding/);
    assert.ok(!text.includes('battery is low'), 'the LB of DEADTIME is silent (no LOWBATT)');
    assert.ok(took >= 2000, `power-down only ${took} ms after the driver was lost: DEADTIME 2 s not honoured`);
    assert.match(await ups.status().catch((e: Error) => e.message), /FSD|not connected/i);
  } finally {
    mon.requestStop();
    await ups.stop();
  }
});

test('SHUTDOWNEXIT 2: after the power-down the secondary stays logged in (counted by the primary) for 2 s, then exits', { timeout: 30_000 }, async () => {
  const ups = await walnutUps();
  const sink = new MemorySink();
  const priv = recorder();
  const mon = monitor(`MONITOR ${ups.system} 1 monsec secpass secondary\nPOLLFREQ 1\nFINALDELAY 0\nSHUTDOWNEXIT 2\n`, priv, sink);
  const running = mon.run();
  let done = false;
  void running.then(() => (done = true));
  try {
    await waitFor('logged in', async () => (await ups.numLogins()) === 1, 10_000, 100);
    await ups.setStatus('FSD OL');
    await waitFor('power-down asked', () => priv.calls === 1, 10_000);
    const at = Date.now();
    assert.equal(await ups.numLogins(), 1, 'still counted after SHUTDOWNCMD');
    assert.equal(done, false);
    assert.equal(await running, 0);
    const lingered = Date.now() - at;
    assert.ok(lingered >= 1500, `lingered only ${lingered} ms of SHUTDOWNEXIT 2`);
    await waitFor('logged out', async () => (await ups.numLogins()) === 0, 5000, 100);
  } finally {
    mon.requestStop();
    await ups.stop();
  }
});

test('a reload that leaves too little power configured ends upsmon (exit 1), as NUT; an unreadable one is skipped', { timeout: 20_000 }, async () => {
  const port = await freePort(); // nothing listens there
  const sink = new MemorySink();
  const text = `MONITOR ups@127.0.0.1:${port} 1 u p secondary\nPOLLFREQ 1\n`;
  let next: string | undefined;
  const conf = parseUpsmonConf(text, 'upsmon.conf').value;
  const mon = new Upsmon({
    conf,
    logger: createLogger(sink),
    privileged: recorder(),
    loadConf: () => {
      if (next === undefined) throw new Error("Can't open upsmon.conf");
      return parseUpsmonConf(next, 'upsmon.conf').value;
    },
  });
  const running = mon.run();
  await waitFor('COMMBAD', () => sink.text().includes('lost'), 5000);
  mon.requestReload();
  await waitFor('reload skipped', () => sink.text().includes('Reload failed, keeping the old configuration'), 5000);
  next = `MONITOR ups@127.0.0.1:${port} 0 u p secondary\nMINSUPPLIES 1\n`;
  mon.requestReload();
  assert.equal(await running, 1);
  assert.match(sink.text(), /insufficient power configured/);
});
