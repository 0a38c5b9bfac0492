/**
 * The upsmon state machine on a virtual clock, one test per rule of
 * nut-monitor-drivers.md §1.5-§1.8: each asserts the exact notifications
 * (type, UPS, text) and the shutdown decision.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, Sim, actions, notes } from './sim.js';
import { applyReload, onParentGone, onSession, pollInterval, requestFsd, type Effect } from '../../src/monitor/machine.js';
import { conf } from './sim.js';

const A = 'ups@a';
const B = 'ups@b:3494';
const C = 'other@c';
const pri = (sys = A, pv = 1) => `MONITOR ${sys} ${pv} monpri pripass primary\n`;
const sec = (sys = A, pv = 1) => `MONITOR ${sys} ${pv} monsec secpass secondary\n`;

function logs(fx: Effect[], level?: string): string[] {
  return fx.flatMap((e) => (e.kind === 'log' && (!level || e.level === level) ? [e.message] : []));
}

test('no ONLINE at start-up; ONLINE after a return from battery; ONBATT also at start-up', () => {
  const m = new Sim(BASE + pri());
  assert.deepEqual(notes(m.loop('OL')), []);
  assert.deepEqual(notes(m.advance(5).loop('OL CHRG')), []);
  assert.deepEqual(notes(m.advance(5).loop('OB DISCHRG')), [['ONBATT', A, `UPS ${A} on battery`]]);
  assert.deepEqual(notes(m.advance(5).loop('OB')), []);
  assert.deepEqual(notes(m.advance(5).loop('OL')), [['ONLINE', A, `UPS ${A} on line power`]]);
  const s = new Sim(BASE + pri());
  assert.deepEqual(notes(s.loop('OB')), [['ONBATT', A, `UPS ${A} on battery`]]);
  assert.equal(s.s.phase, 'running');
});

test('primary on OB+LB: FSD at once on upsd, waits for secondaries up to HOSTSYNC, SHUTDOWN, FINALDELAY, power down, exit', () => {
  const m = new Sim(BASE + pri());
  m.loop('OL');
  m.advance(5);
  const fx = m.loop('OB LB');
  assert.deepEqual(notes(fx), [
    ['ONBATT', A, `UPS ${A} on battery`],
    ['LOWBATT', A, `UPS ${A} battery is low`],
  ]);
  assert.deepEqual(actions(fx), ['setFsd']);
  assert.deepEqual(fx.find((e) => e.kind === 'setFsd'), { kind: 'setFsd', index: 0, system: A, ups: 'ups' });
  assert.equal(m.s.phase, 'fsd');
  const f = m.fsdResult(0);
  assert.deepEqual(notes(f), [['FSD', A, `UPS ${A}: forced shutdown in progress`]]);
  assert.deepEqual(actions(f), ['hostsync']);
  // two secondaries still logged in
  assert.deepEqual(m.numLogins(3), [{ kind: 'log', level: 'notice', message: 'Shutdown initiated; primary system is waiting for 2 secondaries to log out or time out (HOSTSYNC 15 s)' }]);
  m.advance(3);
  assert.deepEqual(m.numLogins(2), []);
  m.advance(2);
  const d = m.numLogins(1);
  assert.deepEqual(notes(d), [['SHUTDOWN', '', 'Auto logout and shutdown proceeding']]);
  assert.deepEqual(actions(d), ['wall', 'finalDelay']);
  assert.ok(d.some((e) => e.kind === 'wall' && e.message === 'Executing automatic power-fail shutdown'));
  m.advance(4.999);
  assert.deepEqual(m.tick(), []);
  m.advance(0.001);
  assert.deepEqual(m.tick(), [{ kind: 'powerdown' }]);
  assert.deepEqual(m.powerdownDone(), [{ kind: 'exit', code: 0 }]);
  assert.equal(m.s.phase, 'done');
  // a one-way trip: nothing more happens
  assert.deepEqual(m.advance(5).loop('OL'), []);
});

test('primary: the HOSTSYNC wait ends at HOSTSYNC even if a secondary never logs out', () => {
  const m = new Sim(BASE + pri());
  m.loop('OB LB');
  m.fsdResult(0);
  m.numLogins(2);
  m.advance(15);
  assert.deepEqual(m.numLogins(2), []);
  assert.deepEqual(m.tick(), []);
  m.advance(0.001);
  const fx = m.tick();
  assert.deepEqual(logs(fx, 'warning'), ['Host sync timer expired, forcing shutdown']);
  assert.deepEqual(notes(fx), [['SHUTDOWN', '', 'Auto logout and shutdown proceeding']]);
});

test('primary: FSD refused by upsd is logged and the shutdown goes on', () => {
  const m = new Sim(BASE + pri());
  m.loop('OB LB');
  const f = m.fsdResult(0, false);
  assert.deepEqual(notes(f), []);
  assert.deepEqual(logs(f, 'error'), [`FSD set on UPS ${A} failed: Access denied`]);
  assert.deepEqual(actions(f), ['hostsync']);
  assert.deepEqual(notes(m.numLogins(0)), [['SHUTDOWN', '', 'Auto logout and shutdown proceeding']]);
});

test('secondary on OB+LB waits up to HOSTSYNC for FSD, then goes down by itself', () => {
  const m = new Sim(BASE + sec());
  m.loop('OL');
  m.advance(5).loop('OB');
  m.advance(5);
  assert.deepEqual(notes(m.loop('OB LB')), [['LOWBATT', A, `UPS ${A} battery is low`]]);
  const t0 = m.now; // the last non-critical poll (OB seen before LB in this status)
  assert.equal(m.s.phase, 'running');
  // polls every 5 s: at lastnoncrit + 15 s still waiting (NUT: "> HOSTSYNC")
  m.advance(5).loop('OB LB');
  m.advance(5).loop('OB LB');
  m.advance(5).loop('OB LB');
  assert.equal(m.now - t0, 15_000);
  assert.equal(m.s.phase, 'running');
  m.advance(1);
  const fx = m.loop('OB LB');
  assert.equal(m.s.phase, 'finaldelay');
  assert.deepEqual(actions(fx), ['wall', 'finalDelay']); // no FSD: a secondary never sets it
  assert.deepEqual(notes(fx), [['SHUTDOWN', '', 'Auto logout and shutdown proceeding']]);
});

test('secondary: FSD from upsd within HOSTSYNC means an immediate shutdown', () => {
  const m = new Sim(BASE + sec());
  m.loop('OB');
  m.advance(5).loop('OB LB');
  m.advance(5);
  const fx = m.loop('FSD OB LB');
  assert.deepEqual(notes(fx), [
    ['FSD', A, `UPS ${A}: forced shutdown in progress`],
    ['SHUTDOWN', '', 'Auto logout and shutdown proceeding'],
  ]);
  assert.equal(m.s.phase, 'finaldelay');
});

test('FSD from upsd on line power shuts a secondary down; on a power-value 0 UPS it does not', () => {
  const m = new Sim(BASE + sec());
  m.loop('OL');
  const fx = m.advance(5).loop('FSD OL');
  assert.deepEqual(notes(fx), [
    ['FSD', A, `UPS ${A}: forced shutdown in progress`],
    ['SHUTDOWN', '', 'Auto logout and shutdown proceeding'],
  ]);
  const z = new Sim(BASE + 'MINSUPPLIES 0\n' + sec(A, 0));
  z.loop('OL');
  assert.deepEqual(notes(z.advance(5).loop('FSD OL')), [['FSD', A, `UPS ${A}: forced shutdown in progress`]]);
  assert.equal(z.s.phase, 'running');
  // FSD is notified once while it lasts, again after it cleared
  assert.deepEqual(notes(z.advance(5).loop('FSD OL')), []);
  z.advance(5).loop('OL');
  assert.deepEqual(notes(z.advance(5).loop('FSD OL')), [['FSD', A, `UPS ${A}: forced shutdown in progress`]]);
});

test('lost contact while on battery: a primary is critical once DEADTIME has passed', () => {
  const m = new Sim(BASE + pri());
  m.loop('OB');
  const lastGood = m.now;
  assert.deepEqual(notes(m.advance(5).loop(null)), [['COMMBAD', A, `Communications with UPS ${A} lost`]]);
  m.advance(5).loop(null);
  m.advance(5).loop(null); // 15 s: not yet beyond DEADTIME
  assert.equal(m.s.phase, 'running');
  assert.equal(m.s.ups[0]!.lb, false);
  m.advance(1);
  const fx = m.loop(null);
  assert.equal(m.now - lastGood, 16_000);
  assert.equal(m.s.ups[0]!.lb, true);
  assert.deepEqual(notes(fx), []); // LB is set silently: no LOWBATT
  assert.deepEqual(actions(fx), ['setFsd']);
});

test('lost contact while on battery: a secondary waits max(DEADTIME, HOSTSYNC)', () => {
  const m = new Sim(BASE + 'DEADTIME 10\nHOSTSYNC 20\n' + sec());
  m.loop('OB');
  const lastGood = m.now;
  for (let i = 0; i < 4; i++) m.advance(5).loop(null); // 20 s
  assert.equal(m.s.ups[0]!.lb, true, 'DEADTIME passed: LB assumed');
  assert.equal(m.s.phase, 'running', 'but HOSTSYNC has not');
  m.advance(1).loop(null);
  assert.equal(m.now - lastGood, 21_000);
  assert.equal(m.s.phase, 'finaldelay');
});

test('lost contact while on line power never shuts down', () => {
  const m = new Sim(BASE + 'NOCOMMWARNTIME 1000000\n' + pri());
  m.loop('OL');
  m.run(600, 5, null);
  assert.equal(m.s.phase, 'running');
});

test('ALARM: notified with ups.alarm text, again when the text changes, NOTALARM; critical on lost contact only with ALARMCRITICAL', () => {
  const m = new Sim(BASE + pri());
  m.loop('OL');
  assert.deepEqual(notes(m.advance(5).loop({ ok: true, status: 'OL ALARM', alarm: 'Replace battery!' })), [['ALARM', A, `UPS ${A}: one or more active alarms: [Replace battery!]`]]);
  assert.deepEqual(notes(m.advance(5).loop({ ok: true, status: 'OL ALARM', alarm: 'Replace battery!' })), []);
  assert.deepEqual(notes(m.advance(5).loop({ ok: true, status: 'OL ALARM', alarm: 'Fan failure' })), [['ALARM', A, `UPS ${A}: one or more active alarms: [Fan failure]`]]);
  assert.deepEqual(notes(m.advance(5).loop('OL')), [['NOTALARM', A, `UPS ${A} is no longer in an alarm state (no active alarms)`]]);
  assert.deepEqual(notes(m.advance(5).loop('OL ALARM')), [['ALARM', A, `UPS ${A}: one or more active alarms: [n/a]`]]);
  assert.equal(m.s.phase, 'running', 'ALARM with contact is not critical');
  const fx = m.advance(5).loop(null);
  assert.deepEqual(notes(fx), [['COMMBAD', A, `Communications with UPS ${A} lost`]]);
  assert.deepEqual(actions(fx), ['setFsd'], 'the first failed poll after ALARM is critical');

  const n = new Sim(BASE + 'ALARMCRITICAL 0\n' + pri());
  n.loop('OL ALARM');
  n.run(30, 5, null);
  assert.equal(n.s.phase, 'running');
});

test('OFF with OFFDURATION: critical once OFF lasted longer; -1 never; 0 at once; NOTOFF', () => {
  const m = new Sim(BASE + 'OFFDURATION 30\n' + sec());
  m.loop('OL');
  assert.deepEqual(notes(m.advance(5).loop('OFF')), [['OFF', A, `UPS ${A}: administratively OFF or asleep`]]);
  const since = m.now;
  m.run(30, 5, 'OFF');
  assert.equal(m.now - since, 30_000);
  assert.equal(m.s.phase, 'running');
  m.advance(5).loop('OFF');
  assert.equal(m.s.phase, 'finaldelay');

  const never = new Sim(BASE + 'OFFDURATION -1\n' + sec());
  never.loop('OFF');
  never.run(600, 5, 'OFF');
  assert.equal(never.s.phase, 'running');
  never.run(60, 5, null); // even when contact is lost
  assert.equal(never.s.phase, 'running');

  const now = new Sim(BASE + 'OFFDURATION 0\n' + sec());
  now.loop('OL');
  now.advance(5).loop('OFF');
  assert.equal(now.s.phase, 'finaldelay');

  const back = new Sim(BASE + sec());
  back.loop('OFF');
  assert.deepEqual(notes(back.advance(5).loop('OL')), [['NOTOFF', A, `UPS ${A}: no longer administratively OFF or asleep`]]);
  // lost contact while OFF (OFFDURATION >= 0): critical at once
  const lost = new Sim(BASE + sec());
  lost.loop('OFF');
  lost.advance(5).loop(null);
  assert.equal(lost.s.phase, 'finaldelay');
});

test('BYPASS: notified, not critical with contact, critical on the first failed poll; NOTBYPASS', () => {
  const m = new Sim(BASE + sec());
  assert.deepEqual(notes(m.loop('OL BYPASS')), [['BYPASS', A, `UPS ${A}: on bypass (powered, not protecting)`]]);
  m.run(120, 5, 'OL BYPASS');
  assert.equal(m.s.phase, 'running');
  assert.deepEqual(notes(m.advance(5).loop('OL')), [['NOTBYPASS', A, `UPS ${A}: no longer on bypass`]]);
  m.advance(5).loop('OL BYPASS');
  m.advance(5).loop(null);
  assert.equal(m.s.phase, 'finaldelay');
});

test('OVER with OVERDURATION: only matters with lost contact; -1 never', () => {
  const m = new Sim(BASE + 'OVERDURATION 10\n' + sec());
  assert.deepEqual(notes(m.loop('OL OVER')), [['OVER', A, `UPS ${A}: overloaded`]]);
  m.run(60, 5, 'OL OVER');
  assert.equal(m.s.phase, 'running');
  m.advance(5).loop(null); // oversince was 65 s ago
  assert.equal(m.s.phase, 'finaldelay');
  const n = new Sim(BASE + sec());
  n.loop('OL OVER');
  n.run(60, 5, null);
  assert.equal(n.s.phase, 'running');
  assert.deepEqual(notes(n.advance(5).loop('OL')), [
    ['COMMOK', A, `Communications with UPS ${A} established`],
    ['NOTOVER', A, `UPS ${A}: no longer overloaded`],
  ]);
});

test('CAL, TRIM, BOOST and their NOT* notifications; CAL on lost contact is critical; OB+LB during CAL is not', () => {
  const m = new Sim(BASE + pri());
  assert.deepEqual(notes(m.loop('OL CAL TRIM')), [
    ['CAL', A, `UPS ${A}: calibration in progress`],
    ['TRIM', A, `UPS ${A}: trimming incoming voltage`],
  ]);
  assert.deepEqual(notes(m.advance(5).loop('OL BOOST')), [
    ['NOTCAL', A, `UPS ${A}: calibration finished`],
    ['NOTTRIM', A, `UPS ${A}: no longer trimming incoming voltage`],
    ['BOOST', A, `UPS ${A}: boosting incoming voltage`],
  ]);
  assert.deepEqual(notes(m.advance(5).loop('OL')), [['NOTBOOST', A, `UPS ${A}: no longer boosting incoming voltage`]]);
  m.advance(5).loop('OB LB CAL');
  assert.equal(m.s.phase, 'running', 'a calibration runs the battery down on purpose');
  m.advance(5).loop(null);
  assert.equal(m.s.phase, 'fsd');
});

test('OTHER / NOTOTHER for unclassified status tokens', () => {
  const m = new Sim(BASE + sec());
  assert.deepEqual(notes(m.loop('OL TEST HB')), [['OTHER', A, `UPS ${A}: has at least one unclassified status token: [TEST]`]]);
  assert.deepEqual(notes(m.advance(5).loop('OL TEST WAIT')), [['OTHER', A, `UPS ${A}: has at least one unclassified status token: [TEST WAIT]`]]);
  assert.deepEqual(notes(m.advance(5).loop('OL')), [['NOTOTHER', A, `UPS ${A} has no unclassified status tokens anymore`]]);
});

test('MINSUPPLIES with several UPSes and power values (0 = monitor only)', () => {
  // a server with two supplies (pv 1 each) that needs both, and a monitored UPS (pv 0)
  const text = BASE + 'MINSUPPLIES 2\n' + sec(A, 1) + sec(B, 1) + sec(C, 0);
  const m = new Sim(text);
  m.loop('OL', 'OL', 'OL');
  m.advance(5).loop('OL', 'OL', 'FSD OB LB');
  assert.equal(m.s.phase, 'running', 'the pv 0 UPS does not count');
  const fx = m.advance(5).loop('OL', 'FSD OB LB', 'OL');
  assert.equal(m.s.phase, 'finaldelay');
  assert.ok(logs(fx, 'alert').includes('Too few UPS(es) are healthy: power value 1 < MINSUPPLIES 2'));

  // a dual-supply server (pv 2 on one UPS) with MINSUPPLIES 2: one UPS of pv 1 failing leaves 2
  const r = new Sim(BASE + 'MINSUPPLIES 2\n' + sec(A, 2) + sec(B, 1));
  r.loop('OL', 'FSD OL');
  assert.equal(r.s.phase, 'running');
  r.advance(5).loop('FSD OL', 'OL');
  assert.equal(r.s.phase, 'finaldelay');

  // MINSUPPLIES 0: never shuts down
  const z = new Sim(BASE + 'MINSUPPLIES 0\n' + sec(A, 1));
  z.loop('FSD OB LB');
  z.run(60, 5, 'FSD OB LB');
  assert.equal(z.s.phase, 'running');

  // a UPS never heard from counts as healthy
  const u = new Sim(BASE + 'MINSUPPLIES 2\n' + sec(A, 1) + sec(B, 1));
  u.loop('OL', null);
  u.run(30, 5, 'OL', null);
  assert.equal(u.s.phase, 'running');
});

test('primary on one UPS and secondary on another: FSD is set on the primary UPS only (also non-critical ones)', () => {
  const m = new Sim(BASE + pri(A, 0) + sec(B, 1));
  m.loop('OL', 'OL');
  const fx = m.advance(5).loop('OL', 'FSD OB LB');
  assert.deepEqual(
    fx.filter((e) => e.kind === 'setFsd'),
    [{ kind: 'setFsd', index: 0, system: A, ups: 'ups' }],
  );
});

test('COMMBAD at the first failure (also at start-up), NOCOMM after NOCOMMWARNTIME and every NOCOMMWARNTIME, COMMOK on return', () => {
  const m = new Sim(BASE + 'NOCOMMWARNTIME 60\n' + sec());
  assert.deepEqual(notes(m.loop(null)), [['COMMBAD', A, `Communications with UPS ${A} lost`]]);
  const fx1 = m.run(55, 5, null);
  assert.deepEqual(notes(fx1), [], 'no NOCOMM before NOCOMMWARNTIME');
  assert.deepEqual(notes(m.advance(5).loop(null)), [['NOCOMM', A, `UPS ${A} is unavailable`]]);
  assert.deepEqual(notes(m.run(60, 5, null)), [], 'not again within NOCOMMWARNTIME');
  assert.deepEqual(notes(m.advance(5).loop(null)), [['NOCOMM', A, `UPS ${A} is unavailable`]]);
  assert.deepEqual(notes(m.advance(5).loop('OL')), [['COMMOK', A, `Communications with UPS ${A} established`]]);
  assert.deepEqual(notes(m.advance(5).loop('OL')), []);
  assert.deepEqual(notes(m.advance(5).loop(null)), [['COMMBAD', A, `Communications with UPS ${A} lost`]]);
  // a good first poll says nothing (no COMMOK, no ONLINE)
  assert.deepEqual(notes(new Sim(BASE + sec()).loop('OL')), []);
  // an empty ups.status is a failed poll
  assert.deepEqual(notes(new Sim(BASE + sec()).loop({ ok: true, status: '  ' })), [['COMMBAD', A, `Communications with UPS ${A} lost`]]);
});

test('REPLBATT at once and then every RBWARNTIME while RB lasts', () => {
  const m = new Sim(BASE + 'RBWARNTIME 3600\n' + sec());
  assert.deepEqual(notes(m.loop('OL RB')), [['REPLBATT', A, `UPS ${A} battery needs to be replaced`]]);
  assert.deepEqual(notes(m.run(3600, 60, 'OL RB')), []);
  assert.deepEqual(notes(m.advance(60).loop('OL RB')), [['REPLBATT', A, `UPS ${A} battery needs to be replaced`]]);
  assert.deepEqual(notes(m.run(600, 60, 'OL RB')), []);
});

test('NOTIFYMSG with %s, NOTIFYFLAG flags and IGNORE', () => {
  const m = new Sim(
    BASE +
      pri() +
      'NOTIFYMSG ONBATT "Power failure on %s, running on batteries"\nNOTIFYMSG LOWBATT "battery low"\nNOTIFYFLAG ONBATT SYSLOG+WALL+EXEC\nNOTIFYFLAG LOWBATT IGNORE\nNOTIFYFLAG ONLINE EXEC\n',
  );
  const fx = m.loop('OB LB');
  const onbatt = fx.find((e) => e.kind === 'notify' && e.type === 'ONBATT');
  assert.deepEqual(onbatt, { kind: 'notify', type: 'ONBATT', ups: A, message: `Power failure on ${A}, running on batteries`, flags: ['SYSLOG', 'WALL', 'EXEC'] });
  const low = fx.find((e) => e.kind === 'notify' && e.type === 'LOWBATT');
  assert.deepEqual(low, { kind: 'notify', type: 'LOWBATT', ups: A, message: 'battery low', flags: [] });
  const d = new Sim(BASE + pri());
  const dfx = d.loop('OB');
  assert.deepEqual(dfx.find((e) => e.kind === 'notify')!, { kind: 'notify', type: 'ONBATT', ups: A, message: `UPS ${A} on battery`, flags: ['SYSLOG', 'WALL'] });
});

test('OBLBDURATION: OB+LB must last that long before it is critical', () => {
  const m = new Sim(BASE + 'OBLBDURATION 20\n' + pri());
  m.loop('OB LB');
  assert.equal(m.s.phase, 'running');
  assert.ok(pollInterval(m.s, m.now) <= 20_001);
  m.run(15, 5, 'OB LB');
  assert.equal(m.s.phase, 'running');
  m.advance(5).loop('OB LB'); // 20 s of OB+LB
  assert.equal(m.s.phase, 'fsd');
  // power back within OBLBDURATION: nothing happens
  const r = new Sim(BASE + 'OBLBDURATION 20\n' + pri());
  r.loop('OB LB');
  r.advance(10).loop('OL');
  r.run(60, 5, 'OL');
  assert.equal(r.s.phase, 'running');
});

test('POLLFREQALERT while any UPS is on battery (or OFF/BYPASS/ALARM), POLLFREQ otherwise', () => {
  const m = new Sim('POLLFREQ 30\nPOLLFREQALERT 5\n' + sec(A) + sec(B));
  m.loop('OL', 'OL');
  assert.equal(pollInterval(m.s, m.now), 30_000);
  m.loop('OL', 'OB');
  assert.equal(pollInterval(m.s, m.now), 5000, 'one OL UPS does not cancel the fast polling of the other');
  m.loop('OL BYPASS', 'OL');
  assert.equal(pollInterval(m.s, m.now), 5000);
  m.loop('OL', 'OL');
  assert.equal(pollInterval(m.s, m.now), 30_000);
});

test('upsmon -c fsd (SIGUSR1): a primary sets FSD, a secondary shuts down', () => {
  const p = new Sim(BASE + pri());
  p.loop('OL');
  const fx = requestFsd(p.s, p.now);
  assert.deepEqual(actions(fx), ['setFsd']);
  const s = new Sim(BASE + sec());
  s.loop('OL');
  assert.deepEqual(notes(requestFsd(s.s, s.now)), [['SHUTDOWN', '', 'Auto logout and shutdown proceeding']]);
  assert.deepEqual(requestFsd(s.s, s.now), [], 'only once');
});

test('SHUTDOWNEXIT: no = stay forever, N = linger N seconds', () => {
  const m = new Sim(BASE + 'SHUTDOWNEXIT 30\n' + sec());
  m.loop('FSD OB LB');
  m.advance(5).tick();
  assert.deepEqual(m.powerdownDone(), [{ kind: 'linger', until: m.now + 30_000 }]);
  m.advance(29);
  assert.deepEqual(m.tick(), []);
  m.advance(1);
  assert.deepEqual(m.tick(), [{ kind: 'exit', code: 0 }]);
  const n = new Sim(BASE + 'SHUTDOWNEXIT no\n' + sec());
  n.loop('FSD OB LB');
  n.advance(5).tick();
  assert.deepEqual(n.powerdownDone('SHUTDOWNCMD exited with 1').filter((e) => e.kind !== 'log'), [{ kind: 'linger', until: undefined }]);
  n.advance(100000);
  assert.deepEqual(n.tick(), []);
});

test('a failed login or a refused PRIMARY is reported loudly, once', () => {
  const m = new Sim(BASE + pri());
  const fx = onSession(m.s, 0, m.now, { connected: true, loggedIn: false, primaryGranted: false, error: 'Access denied' });
  assert.equal(fx.length, 1);
  assert.equal(fx[0]!.kind === 'log' && fx[0]!.level, 'alert');
  assert.match(fx[0]!.kind === 'log' ? fx[0]!.message : '', /Login on UPS \[ups@a\] failed \(Access denied\): monitoring it anyway/);
  assert.deepEqual(onSession(m.s, 0, m.now, { connected: true, loggedIn: false, primaryGranted: false, error: 'Access denied' }), []);
  const p = onSession(m.s, 0, m.now, { connected: true, loggedIn: true, primaryGranted: false, error: 'PRIMARY/MASTER: Access denied' });
  assert.ok(p.some((e) => e.kind === 'log' && e.level === 'alert' && /refused the primary role/.test(e.message)));
});

test('NOPARENT at most every 120 s', () => {
  const m = new Sim(BASE + sec());
  assert.deepEqual(notes(onParentGone(m.s, m.now)), [['NOPARENT', '', 'upsmon parent process died - shutdown impossible']]);
  m.advance(119);
  assert.deepEqual(onParentGone(m.s, m.now), []);
  m.advance(1);
  assert.equal(notes(onParentGone(m.s, m.now)).length, 1);
});

test('a time jump (sleep/resume) forgets old readings instead of shutting down on them', () => {
  const m = new Sim(BASE + sec());
  m.loop('OB');
  assert.deepEqual(m.slept(5, 10), [], 'up to 5 s late is normal');
  const fx = m.slept(5, 3600);
  assert.ok(logs(fx, 'warning').some((l) => l.startsWith('Time jumped 3600 s during a 5 s sleep')));
  m.loop(null);
  assert.equal(m.s.phase, 'running');
  assert.equal(m.s.ups[0]!.ob, false);
});

test('reload: new power values and roles apply, gone UPSes are dropped, state of kept ones stays', () => {
  const m = new Sim(BASE + sec(A) + sec(B));
  m.loop('OB', 'OL');
  const r = applyReload(m.s, conf(BASE + pri(A, 2) + sec(C)), m.now);
  assert.deepEqual([...r.keep], [[0, 0]]);
  assert.deepEqual([...r.reconnect], [0]);
  assert.equal(m.s.ups.length, 2);
  assert.equal(m.s.ups[0]!.ob, true);
  assert.equal(m.s.ups[0]!.role, 'primary');
  assert.equal(m.s.ups[0]!.powerValue, 2);
  assert.equal(m.s.ups[1]!.system, C);
});

test("upsd's WAIT (no data from the driver) is no reading: COMMBAD, and DEADTIME runs on a UPS last seen on battery", () => {
  const m = new Sim(BASE + pri());
  m.loop('OB');
  assert.deepEqual(notes(m.advance(5).loop('WAIT')), [['COMMBAD', A, `Communications with UPS ${A} lost`]]);
  m.advance(5).loop('WAIT');
  m.advance(5).loop('WAIT');
  assert.equal(m.s.phase, 'running');
  const fx = m.advance(5).loop('WAIT');
  assert.deepEqual(actions(fx), ['setFsd'], 'on battery and silent for more than DEADTIME');
  const ok = new Sim(BASE + pri());
  ok.loop('OL');
  ok.run(60, 5, 'WAIT');
  assert.equal(ok.s.phase, 'running');
  assert.deepEqual(notes(ok.advance(5).loop('OL')), [['COMMOK', A, `Communications with UPS ${A} established`]]);
});

test('POLLFAIL_LOG_THROTTLE_MAX: -1 logs every failed poll, 0 only the first (and the recovery), n every n-th', () => {
  const count = (th: number) => {
    const m = new Sim(BASE + `POLLFAIL_LOG_THROTTLE_MAX ${th}\n` + sec());
    const fx = m.run(50, 5, null).concat(m.advance(5).loop('OL'));
    return logs(fx).filter((l) => /^Poll UPS \[ups@a\] (failed|recovered)/.test(l));
  };
  assert.equal(count(-1).length, 10);
  assert.deepEqual(count(0), ['Poll UPS [ups@a] failed - Data stale', 'Poll UPS [ups@a] recovered after 10 failed polls']);
  assert.equal(count(3).length, 1 + 3 + 1);
});
