import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpsmonConf, parseUpsName, UPSMON_DEFAULTS } from '../../src/config/upsmon-conf.js';
import { errors, fixture, issueAt, noIssues } from './helpers.js';

test('upsmon.conf: the real-nut.sh config', () => {
  const r = parseUpsmonConf(fixture('real-nut/upsmon.conf'), 'upsmon.conf');
  noIssues(r.issues);
  const v = r.value;
  assert.deepEqual(v.monitors, [
    { system: 'dummy@127.0.0.1:13493', ups: 'dummy', host: '127.0.0.1', port: 13493, powerValue: 1, user: 'monpri', password: 'pripass', role: 'primary', line: 2 },
  ]);
  assert.equal(v.shutdownCmd, '/tmp/nut-a/notify/shutdown.sh');
  assert.equal(v.notifyCmd, '/tmp/nut-a/notify/notify.sh');
  assert.equal(v.pollFreq, 1);
  assert.equal(v.pollFreqAlert, 1);
  assert.equal(v.powerDownFlag, '/tmp/nut-a/run/killpower');
  assert.deepEqual(v.notifyFlag.ONLINE, ['SYSLOG', 'EXEC']);
  assert.equal(Object.keys(v.notifyFlag).length, 10);
});

test("upsmon.conf: NUT's defaults", () => {
  const r = parseUpsmonConf('MINSUPPLIES 0\n', 'upsmon.conf');
  noIssues(r.issues);
  const v = r.value;
  assert.equal(v.minSupplies, 0);
  assert.equal(v.pollFreq, 5);
  assert.equal(v.pollFreqAlert, 5);
  assert.equal(v.deadTime, 15);
  assert.equal(v.hostSync, 15);
  assert.equal(v.finalDelay, 5);
  assert.equal(v.noCommWarnTime, 300);
  assert.equal(v.rbWarnTime, 43200);
  assert.equal(v.offDuration, 30);
  assert.equal(v.overDuration, -1);
  assert.equal(v.oblbDuration, 0);
  assert.equal(v.alarmCritical, true);
  assert.equal(v.shutdownExit, 0);
  assert.equal(v.pollFailLogThrottleMax, -1);
  assert.equal(v.certVerify, false);
  assert.equal(v.forceSsl, false);
  assert.equal(v.powerDownFlag, undefined);
  assert.equal(UPSMON_DEFAULTS.minSupplies, 1);
});

test('upsmon.conf: every directive', () => {
  const r = parseUpsmonConf(
    [
      'MONITOR ups1@[::1]:3494 2 mon "pass word" master',
      'MONITOR ups2 1 mon pw slave',
      'MINSUPPLIES 2',
      'SHUTDOWNCMD "/sbin/shutdown -h +0"',
      'POWERDOWNFLAG /etc/killpower',
      'NOTIFYCMD /usr/sbin/upssched',
      'NOTIFYMSG onbatt "UPS %s is on battery"',
      'NOTIFYFLAG ONBATT SYSLOG+WALL+EXEC',
      'NOTIFYFLAG LOWBATT IGNORE',
      'POLLFREQ 10',
      'POLLFREQALERT 2',
      'DEADTIME 30',
      'HOSTSYNC 20',
      'FINALDELAY 0',
      'NOCOMMWARNTIME 600',
      'RBWARNTIME 3600',
      'OFFDURATION -1',
      'OVERDURATION 0',
      'OBLBDURATION -5',
      'ALARMCRITICAL 0',
      'SHUTDOWNEXIT 30',
      'RUN_AS_USER nut',
      'POLLFAIL_LOG_THROTTLE_MAX 0',
      'CERTPATH /etc/nut/cert_db',
      'CERTIDENT "my cert" "dbpass"',
      'CERTHOST 10.0.0.1 "10.0.0.1" 1 0',
      'CERTVERIFY 1',
      'FORCESSL 1',
      'Debug_Min 3',
    ].join('\n'),
    'upsmon.conf',
  );
  noIssues(r.issues);
  const v = r.value;
  assert.deepEqual(
    v.monitors.map((m) => [m.ups, m.host, m.port, m.powerValue, m.user, m.password, m.role]),
    [
      ['ups1', '::1', 3494, 2, 'mon', 'pass word', 'primary'],
      ['ups2', 'localhost', 3493, 1, 'mon', 'pw', 'secondary'],
    ],
  );
  assert.equal(v.minSupplies, 2);
  assert.equal(v.shutdownCmd, '/sbin/shutdown -h +0');
  assert.deepEqual(v.notifyMsg, { ONBATT: 'UPS %s is on battery' });
  assert.deepEqual(v.notifyFlag, { ONBATT: ['SYSLOG', 'WALL', 'EXEC'], LOWBATT: ['IGNORE'] });
  assert.deepEqual(
    [v.pollFreq, v.pollFreqAlert, v.deadTime, v.hostSync, v.finalDelay, v.noCommWarnTime, v.rbWarnTime],
    [10, 2, 30, 20, 0, 600, 3600],
  );
  assert.deepEqual([v.offDuration, v.overDuration, v.oblbDuration], [-1, 0, 0]);
  assert.equal(v.alarmCritical, false);
  assert.equal(v.shutdownExit, 30);
  assert.equal(v.runAsUser, 'nut');
  assert.equal(v.pollFailLogThrottleMax, 0);
  assert.deepEqual(v.certIdent, { name: 'my cert', password: 'dbpass' });
  assert.deepEqual(v.certHosts, [{ host: '10.0.0.1', name: '10.0.0.1', verify: true, force: false, line: 26 }]);
  assert.equal(v.certVerify, true);
  assert.equal(v.forceSsl, true);
  assert.equal(v.debugMin, 3);
});

test('upsmon.conf: SHUTDOWNEXIT words', () => {
  for (const [w, n] of [
    ['yes', 0],
    ['on', 0],
    ['TRUE', 0],
    ['no', -1],
    ['off', -1],
    ['false', -1],
    ['45', 45],
  ] as const) {
    const r = parseUpsmonConf(`MINSUPPLIES 0\nSHUTDOWNEXIT ${w}\n`, 'upsmon.conf');
    noIssues(r.issues);
    assert.equal(r.value.shutdownExit, n, w);
  }
  const g = parseUpsmonConf('MINSUPPLIES 0\nSHUTDOWNEXIT soon\n', 'upsmon.conf');
  assert.equal(g.value.shutdownExit, 0);
  assert.equal(issueAt(g.issues, 2, /takes it as yes/).severity, 'warning');
});

test('upsmon.conf: the how-to typo MONTIOR is reported with the suggestion', () => {
  const r = parseUpsmonConf(fixture('howto/upsmon.conf'), 'upsmon.conf');
  const i = issueAt(r.issues, 1, /MONTIOR/);
  assert.equal(i.severity, 'warning'); // upsmon skips the line
  assert.equal(i.suggestion, 'did you mean MONITOR?');
  // the other how-to lines parse: legacy `master`, CERTHOST with quoted words
  assert.equal(r.value.monitors.length, 1);
  assert.equal(r.value.monitors[0]!.role, 'primary');
  assert.equal(r.value.certHosts[0]!.name, '10.100.2.32');
  assert.equal(r.value.forceSsl, true);
});

test('upsmon.conf: an unknown role word is secondary (as NUT) with a warning', () => {
  const r = parseUpsmonConf('MONITOR u@h 1 user pw prmary\n', 'upsmon.conf');
  assert.equal(r.value.monitors[0]!.role, 'secondary');
  const i = issueAt(r.issues, 1, /unknown role "prmary"/);
  assert.equal(i.severity, 'warning');
  assert.equal(i.suggestion, 'did you mean primary?');
  assert.equal(parseUpsmonConf('MONITOR u@h 1 user pw PRIMARY\n', 'upsmon.conf').value.monitors[0]!.role, 'primary');
});

test('upsmon.conf: MONITOR forms: legacy five tokens is fatal, too few, bad port, bad power value, duplicates', () => {
  const r = parseUpsmonConf(
    ['MONITOR u@h 1 secretpw primary', 'MONITOR u@h 1', 'MONITOR u@h:99999 1 a b primary', 'MONITOR u@h x a b primary', 'MONITOR v@h 1 a b primary', 'MONITOR v@h 1 a b primary', 'MONITOR @h 1 a b primary'].join('\n'),
    'upsmon.conf',
  );
  const legacy = issueAt(r.issues, 1, /without a user name/);
  assert.equal(legacy.severity, 'error');
  assert.doesNotMatch(legacy.suggestion!, /secretpw/); // passwords never printed
  assert.equal(issueAt(r.issues, 2, /needs 5 values/).severity, 'warning');
  assert.equal(issueAt(r.issues, 3, /bad port "99999"/).severity, 'error');
  assert.equal(issueAt(r.issues, 4, /power value/).severity, 'error');
  assert.equal(issueAt(r.issues, 6, /repeats line 5/).severity, 'warning');
  assert.equal(issueAt(r.issues, 7, /no UPS name/).severity, 'error');
  // as real upsmon 2.8.0: a garbage power value is read with atoi (0, monitoring only)
  assert.deepEqual(
    r.value.monitors.map((m) => [m.system, m.powerValue]),
    [
      ['u@h', 0],
      ['v@h', 1],
    ],
  );
  for (const i of r.issues) assert.doesNotMatch(i.message + (i.suggestion ?? ''), /secretpw/);
});

test('upsmon.conf: startup checks: no power configured, unquoted SHUTDOWNCMD, EXEC without NOTIFYCMD', () => {
  const r = parseUpsmonConf('SHUTDOWNCMD /sbin/shutdown -h now\nNOTIFYFLAG ONBATT SYSLOG+EXEC\nNOTIFYFLAG ONLINE SYSLOG+MAIL\nNOTIFYMSG ONBAT "x"\n', 'upsmon.conf');
  assert.equal(issueAt(r.issues, 0, /insufficient power/).severity, 'error');
  const q = issueAt(r.issues, 1, /takes one value/);
  assert.equal(q.severity, 'error');
  assert.equal(q.suggestion, 'quote it: SHUTDOWNCMD "/sbin/shutdown -h now"');
  assert.equal(issueAt(r.issues, 2, /no NOTIFYCMD/).severity, 'warning');
  assert.equal(issueAt(r.issues, 3, /MAIL/).severity, 'warning');
  assert.equal(issueAt(r.issues, 4, /ONBAT/).suggestion, 'did you mean ONBATT?');
});

test('upsmon.conf: numbers: garbage is an error, negative POLLFREQ and MINSUPPLIES are ignored', () => {
  const r = parseUpsmonConf('MINSUPPLIES -1\nPOLLFREQ -3\nDEADTIME soon\nHOSTSYNC 20s\nMONITOR u 1 a b primary\nSHUTDOWNCMD x\nPOWERDOWNFLAG /f\n', 'upsmon.conf');
  assert.equal(issueAt(r.issues, 1, /ignored/).severity, 'warning');
  assert.equal(r.value.minSupplies, 1);
  assert.equal(issueAt(r.issues, 2, /ignored/).severity, 'warning');
  assert.equal(r.value.pollFreq, 5);
  assert.equal(issueAt(r.issues, 3, /whole number/).severity, 'error');
  assert.equal(issueAt(r.issues, 4, /leading number/).severity, 'warning');
  assert.equal(r.value.hostSync, 20);
  assert.equal(errors(r.issues).length, 1);
});

test('parseUpsName: ups[@host[:port]] and bracketed IPv6', () => {
  assert.deepEqual(parseUpsName('ups'), { ups: 'ups', host: 'localhost', port: 3493 });
  assert.deepEqual(parseUpsName('ups@h'), { ups: 'ups', host: 'h', port: 3493 });
  assert.deepEqual(parseUpsName('ups@h:1234'), { ups: 'ups', host: 'h', port: 1234 });
  assert.deepEqual(parseUpsName('ups@[::1]:1234'), { ups: 'ups', host: '::1', port: 1234 });
  assert.ok('error' in parseUpsName('ups@::1'));
  assert.ok('error' in parseUpsName('ups@h:0'));
  assert.ok('error' in parseUpsName('ups@'));
});
