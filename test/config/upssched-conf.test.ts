import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpsschedConf } from '../../src/config/upssched-conf.js';
import { fixture, issueAt, noIssues } from './helpers.js';

test('upssched.conf: a NIT-style config', () => {
  const r = parseUpsschedConf(fixture('upssched.conf'), 'upssched.conf');
  noIssues(r.issues);
  const v = r.value;
  assert.equal(v.cmdScript, '/usr/bin/upssched-cmd');
  assert.equal(v.pipeFn, '/run/nut/upssched/upssched.pipe');
  assert.equal(v.lockFn, '/run/nut/upssched/upssched.lock');
  assert.equal(v.rules.length, 10);
  assert.deepEqual(v.rules[0], { ups: '*', notifyType: 'ONBATT', action: { kind: 'start-timer', name: 'onbatt', seconds: 30 }, line: 6 });
  assert.deepEqual(v.rules[1]!.action, { kind: 'cancel-timer', name: 'onbatt', cmd: 'online' });
  assert.deepEqual(v.rules[2]!.action, { kind: 'start-timer', name: 'earlyshutdown', seconds: 120, shared: true });
  assert.equal(v.rules[2]!.ups, 'dummy@127.0.0.1:13493');
  // the notify type matches ignoring case: stored upper-case
  assert.equal(v.rules[3]!.notifyType, 'ONLINE');
  assert.deepEqual(v.rules[3]!.action, { kind: 'cancel-timer', name: 'earlyshutdown' });
  assert.deepEqual(v.rules[4]!.action, { kind: 'execute', cmd: 'fsd' });
});

test('upssched.conf: CMDSCRIPT/PIPEFN/LOCKFN must come before the first AT', () => {
  const r = parseUpsschedConf('AT ONBATT * START-TIMER t 30\nCMDSCRIPT /x\nPIPEFN /p\nLOCKFN /l\n', 'upssched.conf');
  for (const l of [2, 3, 4]) assert.equal(issueAt(r.issues, l, /after the first AT/).severity, 'error');
});

test('upssched.conf: missing PIPEFN/LOCKFN/CMDSCRIPT, bad commands and values', () => {
  const r = parseUpsschedConf(
    ['AT ONBATT * START-TIMER t soon', 'AT ONBATT * START-TIMER t 5', 'AT ONBATT * STRAT-TIMER t 5', 'AT ONBAT * EXECUTE x', 'AT ONBATT *', 'AT ONLINE * CANCEL-TIMER-MATCHED t', 'PIEPFN /p'].join('\n'),
    'upssched.conf',
  );
  assert.equal(issueAt(r.issues, 1, /whole number of seconds/).severity, 'error');
  assert.equal(issueAt(r.issues, 2, /no CMDSCRIPT/).severity, 'error');
  assert.equal(issueAt(r.issues, 2, /no PIPEFN/).severity, 'error');
  assert.equal(issueAt(r.issues, 2, /no LOCKFN/).severity, 'error');
  assert.equal(issueAt(r.issues, 3, /unknown AT command/).suggestion, 'did you mean START-TIMER?');
  const t = issueAt(r.issues, 4, /unknown notify type/);
  assert.equal(t.severity, 'warning');
  assert.equal(t.suggestion, 'did you mean ONBATT?');
  assert.equal(issueAt(r.issues, 5, /AT needs/).severity, 'warning');
  assert.equal(issueAt(r.issues, 6, /CANCEL-TIMER-MATCHED/).severity, 'warning');
  assert.equal(issueAt(r.issues, 7, /PIEPFN/).suggestion, 'did you mean PIPEFN?');
});

test('upssched.conf: an AT line upssched cannot use does not count as the first AT', () => {
  const r = parseUpsschedConf('AT ONBATT\nCMDSCRIPT /x\nPIPEFN /p\nLOCKFN /l\nAT ONBATT * START-TIMER t 5\n', 'upssched.conf');
  assert.equal(r.issues.length, 1);
  assert.equal(issueAt(r.issues, 1, /AT needs/).severity, 'warning');
});
