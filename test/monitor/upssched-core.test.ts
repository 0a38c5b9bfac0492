/** upssched's pure parts: the timer table, the rule plan, the wire lines, and the daemon core on a ManualClock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/common/clock.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { parseUpsschedConf } from '../../src/config/upssched-conf.js';
import { TimerTable, timerEnv, formatTimerRows } from '../../src/monitor/upssched/timers.js';
import { planInvocation, needsDaemon } from '../../src/monitor/upssched/plan.js';
import { formatRequest, parseRequest } from '../../src/monitor/upssched/wire.js';
import { TimerDaemon, type ScriptRun } from '../../src/monitor/upssched/daemon.js';

const ev = (ups: string, type: string, msg = '') => ({ upsName: ups, notifyType: type, notifyMsg: msg });

test('timer table: independent timers, due at start + secs in deadline order, cancel removes every timer of a name', () => {
  const t = new TimerTable();
  t.start('b', 5, 0, ev('u@h', 'ONBATT'));
  t.start('a', 3, 0, ev('u@h', 'ONBATT'));
  t.start('b', 5, 1000, ev('v@h', 'ONBATT'));
  assert.equal(t.size, 3);
  assert.equal(t.nextDeadline(), 3000);
  assert.deepEqual(t.takeDue(2999), []);
  assert.deepEqual(t.takeDue(3000).map((x) => x.name), ['a']);
  assert.equal(t.cancel('b'), 2);
  assert.equal(t.size, 0);
  assert.equal(t.cancel('b'), 0);
  t.start('x', 1, 0, ev('u', 'T'));
  t.start('y', 1, 0, ev('u', 'T'));
  assert.deepEqual(t.takeDue(5000).map((x) => x.name), ['x', 'y'], 'ties in creation order');
});

test('START-TIMER-SHARED joins the timer: deadline kept, distinct UPS/type/message lists joined for CMDSCRIPT', () => {
  const t = new TimerTable();
  t.startShared('s', 10, 0, ev('a@h', 'ONBATT', 'UPS a@h on battery'));
  const { created } = t.startShared('s', 99, 4000, ev('b@h', 'ONBATT', 'UPS b@h on battery'));
  assert.equal(created, false);
  t.startShared('s', 10, 5000, ev('a@h', 'ONBATT', 'UPS a@h on battery'));
  const [timer] = t.takeDue(10_000);
  assert.ok(timer);
  assert.deepEqual(timerEnv(timer), { UPSNAME: 'a@h,b@h', NOTIFYTYPE: 'ONBATT', NOTIFYMSG: 'UPS a@h on battery.\tUPS b@h on battery' });
  t.start('m', 5, 0, ev('a@h', 'ONBATT'));
  t.start('m', 5, 0, ev('b@h', 'ONBATT'));
  assert.equal(t.cancelMatched('m', 'b@h'), 1);
  assert.deepEqual(t.list().map((x) => x.upsNames[0]), ['a@h']);
});

test('-l rows: NAME, TIMEOUT_ABS, TIMEOUT_REL, NOTIFYTYPE, UPSNAME, NOTIFYMSG', () => {
  const t = new TimerTable();
  t.start('onbatt', 30, 1000, ev('u@h', 'ONBATT', 'on battery'));
  assert.deepEqual(formatTimerRows(t.list(), 11_000, 1_700_000_000_000), ['onbatt\t1700000020\t20\tONBATT\tu@h\ton battery']);
});

test('plan: every matching AT in file order; type ignoring case, UPS exact or *', () => {
  const conf = parseUpsschedConf(
    [
      'CMDSCRIPT /x',
      'PIPEFN /p',
      'LOCKFN /l',
      'AT onbatt * START-TIMER onbatt 30',
      'AT ONBATT ups@host EXECUTE notify-ups',
      'AT ONBATT ups EXECUTE never',
      'AT ONLINE * CANCEL-TIMER onbatt online',
      'AT ONLINE * CANCEL-TIMER other',
      'AT ONBATT * START-TIMER-SHARED shared 5',
    ].join('\n'),
    'upssched.conf',
  ).value;
  assert.deepEqual(
    planInvocation(conf, 'ONBATT', 'ups@host').map((s) => [s.kind, s.kind === 'execute' ? s.cmd : s.name]),
    [['start-timer', 'onbatt'], ['execute', 'notify-ups'], ['start-timer', 'shared']],
  );
  const online = planInvocation(conf, 'online', 'ups@host');
  assert.deepEqual(online.map((s) => needsDaemon(s)), [true, false], 'CANCEL-TIMER without a command never starts a daemon');
  assert.deepEqual(planInvocation(conf, 'LOWBATT', 'ups@host'), []);
});

test('wire lines round-trip, quoting spaces, quotes and #; bad lines are ERR', () => {
  const req = { cmd: 'START' as const, name: 'on batt', secs: 30, notifyType: 'ONBATT', upsName: 'u@h', notifyMsg: 'UPS "u" on battery # 1' };
  const line = formatRequest(req);
  assert.equal(line, 'START "on batt" "30" "ONBATT" "u@h" "UPS \\"u\\" on battery \\# 1"\n');
  assert.deepEqual(parseRequest(Buffer.from(line.trimEnd(), 'utf8').toString('latin1')), req);
  assert.deepEqual(parseRequest('CANCEL onbatt online ONLINE u@h msg'), { cmd: 'CANCEL', name: 'onbatt', script: 'online', notifyType: 'ONLINE', upsName: 'u@h', notifyMsg: 'msg' });
  assert.deepEqual(parseRequest('list-timers'), { cmd: 'LIST-TIMERS' });
  assert.equal(parseRequest('START x notanumber'), 'INVALID-ARGUMENT');
  assert.equal(parseRequest('FROB'), 'UNKNOWN-COMMAND');
  assert.equal(parseRequest('START "unbalanced'), 'INVALID-ARGUMENT');
  assert.equal(parseRequest('   '), 'EMPTY');
});

function daemon(idleSecs = 15) {
  const clock = new ManualClock(0);
  const runs: Array<ScriptRun & { at: number }> = [];
  const mem = new MemorySink();
  let idle = false;
  const d = new TimerDaemon({
    clock,
    logger: createLogger(mem, 1),
    idleSecs,
    runScript: async (r) => {
      runs.push({ ...r, at: clock.now() });
    },
    onIdle: () => {
      idle = true;
    },
  });
  d.start();
  return { clock, runs, mem, d, isIdle: () => idle };
}

test('timer daemon on a virtual clock: a START-TIMER fires CMDSCRIPT with the event environment, checked once a second', async () => {
  const { clock, runs, d, mem } = daemon();
  assert.deepEqual(d.handleLine('START onbatt 5 ONBATT ups@host "UPS ups@host on battery"'), ['OK']);
  clock.advance(4000);
  await d.drain();
  assert.equal(runs.length, 0);
  clock.advance(1000);
  await d.drain();
  assert.deepEqual(runs, [{ arg: 'onbatt', env: { UPSNAME: 'ups@host', NOTIFYTYPE: 'ONBATT', NOTIFYMSG: 'UPS ups@host on battery' }, at: 5000 }]);
  assert.match(mem.text(), /Timer daemon started/);
  assert.match(mem.text(), /Executing command: onbatt/);
});

test('timer daemon: ONLINE cancels the timer (no command), CANCEL with a command and no timer runs the command', async () => {
  const { clock, runs, d } = daemon(1000);
  d.handleLine('START onbatt 30 ONBATT u@h ""');
  clock.advance(10_000);
  assert.deepEqual(d.handleLine('CANCEL onbatt online ONLINE u@h back'), ['OK']);
  clock.advance(60_000);
  await d.drain();
  assert.equal(runs.length, 0, 'cancelled timer never fires, and the command is not run when a timer was removed');
  d.handleLine('CANCEL onbatt online ONLINE u@h back');
  await d.drain();
  assert.deepEqual(runs.map((r) => [r.arg, r.env.NOTIFYTYPE]), [['online', 'ONLINE']]);
});

test('timer daemon: LIST-TIMERS, ERR on bad lines, idle after 15 s with no timer and no request', async () => {
  const { clock, d, isIdle } = daemon();
  d.handleLine('START a 20 ONBATT u@h m');
  clock.advance(5000);
  const rows = d.handleLine('LIST-TIMERS');
  assert.equal(rows.length, 2);
  assert.match(rows[0]!, /^a\t\d+\t15\tONBATT\tu@h\tm$/);
  assert.equal(rows[1], 'OK');
  assert.deepEqual(d.handleLine('BOGUS'), ['ERR UNKNOWN-COMMAND']);
  clock.advance(15_000); // fires at 20 s
  await d.drain();
  clock.advance(14_000);
  assert.equal(isIdle(), false);
  clock.advance(2000);
  assert.equal(isIdle(), true);
  assert.deepEqual(d.handleLine('START late 1 T u m'), ['ERR DAEMON-EXITING']);
});
