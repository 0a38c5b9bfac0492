import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpsdConf } from '../../src/config/upsd-conf.js';
import { fixture, issueAt, noIssues } from './helpers.js';

test('upsd.conf: the real-nut.sh config, and NUT defaults when empty', () => {
  const r = parseUpsdConf(fixture('real-nut/upsd.conf'), 'upsd.conf');
  noIssues(r.issues);
  assert.deepEqual(r.value.listen, [{ address: '127.0.0.1', port: 13493, line: 2 }]);
  assert.equal(r.value.statePath, '/tmp/nut-a/state');
  assert.equal(r.value.maxAge, 15);
  const e = parseUpsdConf('', 'upsd.conf');
  noIssues(e.issues);
  assert.deepEqual(e.value, {
    listen: [],
    maxAge: 15,
    trackingDelay: 3600,
    allowNoDevice: false,
    allowNotAllListeners: false,
    disableWeakSsl: false,
  });
});

test('upsd.conf: every directive', () => {
  const r = parseUpsdConf(
    [
      'LISTEN * 3493',
      'LISTEN ::1',
      'MAXAGE 30',
      'TRACKINGDELAY 600',
      'MAXCONN 1024',
      'DATAPATH /usr/share/nut',
      'ALLOW_NO_DEVICE yes',
      'ALLOW_NOT_ALL_LISTENERS 1',
      'CERTFILE /etc/nut/upsd.pem',
      'CERTPATH /etc/nut/cert_db',
      'CERTIDENT "NUT Server" "nuttest"',
      'CERTREQUEST REQUIRE',
      'DISABLE_WEAK_SSL on',
      'debug_min 2',
    ].join('\n'),
    'upsd.conf',
  );
  noIssues(r.issues);
  const v = r.value;
  assert.deepEqual(
    v.listen.map((l) => [l.address, l.port]),
    [
      ['*', 3493],
      ['::1', 3493],
    ],
  );
  assert.equal(v.maxAge, 30);
  assert.equal(v.trackingDelay, 600);
  assert.equal(v.maxConn, 1024);
  assert.equal(v.dataPath, '/usr/share/nut');
  assert.equal(v.allowNoDevice, true);
  assert.equal(v.allowNotAllListeners, true);
  assert.equal(v.certFile, '/etc/nut/upsd.pem');
  assert.equal(v.certPath, '/etc/nut/cert_db');
  assert.deepEqual(v.certIdent, { name: 'NUT Server', password: 'nuttest' });
  assert.equal(v.certRequest, 2);
  assert.equal(v.disableWeakSsl, true);
  assert.equal(v.debugMin, 2);
});

test('upsd.conf: bad values are reported with the line (errors where NUT garbles, warnings where NUT skips); obsolete ACL/ACCEPT/REJECT warn', () => {
  const r = parseUpsdConf(
    ['MAXAGE abc', 'LISTEN 127.0.0.1 99999', 'LISTEN 127.0.0.1 http', 'ACL all 0.0.0.0/0', 'ACCEPT all', 'REJECT all', 'ALLOW_NO_DEVICE perhaps', 'LISTEN', 'MAXAGE 20s', 'maxage 5'].join('\n'),
    'upsd.conf',
  );
  // NUT skips a MAXAGE that does not begin with a digit (invalid directive)
  assert.equal(issueAt(r.issues, 1, /MAXAGE/).severity, 'warning');
  assert.equal(issueAt(r.issues, 2, /bad port "99999"/).severity, 'error');
  assert.equal(issueAt(r.issues, 3, /bad port "http"/).severity, 'error');
  for (const l of [4, 5, 6]) assert.equal(issueAt(r.issues, l, /obsolete/).severity, 'warning');
  assert.equal(issueAt(r.issues, 7, /ALLOW_NO_DEVICE/).severity, 'warning');
  assert.equal(issueAt(r.issues, 8, /LISTEN needs/).severity, 'warning');
  // NUT reads MAXAGE with atoi: 20s is 20, with a warning
  assert.equal(issueAt(r.issues, 9, /leading number 20/).severity, 'warning');
  assert.equal(r.value.maxAge, 20);
  // keywords are case-sensitive (except DEBUG_MIN)
  const k = issueAt(r.issues, 10, /unknown directive maxage/);
  assert.equal(k.severity, 'warning');
  assert.equal(k.suggestion, 'did you mean MAXAGE?');
  assert.deepEqual(r.value.listen, []);
});

test('upsd.conf: the how-to snippet (LISTEN + NSS certificate lines)', () => {
  const r = parseUpsdConf(fixture('howto/upsd.conf'), 'upsd.conf');
  noIssues(r.issues);
  assert.deepEqual(r.value.listen, [{ address: '10.100.2.32', port: 3493, line: 1 }]);
  assert.deepEqual(r.value.certIdent, { name: '10.100.2.32', password: 'topsecret' });
});

test('upsd.conf: a typo in a directive gets a suggestion', () => {
  const r = parseUpsdConf('LISTNE 127.0.0.1\n', 'upsd.conf');
  assert.equal(issueAt(r.issues, 1, /unknown directive LISTNE/).suggestion, 'did you mean LISTEN?');
});
