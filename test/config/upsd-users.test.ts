import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpsdUsers } from '../../src/config/upsd-users.js';
import { errors, fixture, issueAt, noIssues } from './helpers.js';

test('upsd.users: the real-nut.sh users', () => {
  const r = parseUpsdUsers(fixture('real-nut/upsd.users'), 'upsd.users');
  noIssues(r.issues);
  assert.deepEqual([...r.value.keys()], ['admin', 'monpri', 'monsec', 'viewer']);
  const admin = r.value.get('admin')!;
  assert.equal(admin.password, 'adminpass');
  assert.deepEqual([...admin.actions], ['set', 'fsd']); // actions may repeat
  assert.deepEqual([...admin.instcmds], ['all']);
  assert.equal(r.value.get('monpri')!.upsmon, 'primary');
  assert.ok(r.value.get('monpri')!.actions.has('fsd'));
  assert.equal(r.value.get('monsec')!.upsmon, 'secondary');
  assert.ok(r.value.get('monsec')!.actions.has('login'));
  assert.equal(r.value.get('viewer')!.upsmon, undefined);
  assert.equal(r.lines.get('monsec')!.upsmon, 14);
});

test('upsd.users: the how-to users (legacy upsmon master/slave)', () => {
  const r = parseUpsdUsers(fixture('howto/upsd.users'), 'upsd.users');
  noIssues(r.issues);
  assert.equal(r.value.get('locupsmon')!.upsmon, 'primary');
  assert.equal(r.value.get('remupsmon')!.upsmon, 'secondary');
});

test('upsd.users quirks: upsmon = primary works, the first password wins, keys ignore case, several values', () => {
  const r = parseUpsdUsers(
    ['[u]', '  PASSWORD = first', '  password = second', '  upsmon = primary', '  Actions = set fsd', '  instcmds = test.battery.start', '  INSTCMDS = test.battery.stop LOAD.OFF'].join('\n'),
    'upsd.users',
  );
  const u = r.value.get('u')!;
  assert.equal(u.password, 'first');
  assert.equal(issueAt(r.issues, 3, /second password/).severity, 'warning');
  assert.equal(u.upsmon, 'primary');
  assert.deepEqual([...u.actions].sort(), ['fsd', 'login', 'master', 'primary', 'set']);
  assert.deepEqual([...u.instcmds], ['test.battery.start', 'test.battery.stop', 'load.off']);
  assert.equal(errors(r.issues).length, 0);
});

test('upsd.users: user names are case-sensitive; a repeated section feeds the previous user (NUT), as an error', () => {
  const r = parseUpsdUsers('[a]\npassword = x\n[A]\npassword = y\n[b]\npassword = z\n[a]\nactions = SET\n', 'upsd.users');
  assert.deepEqual([...r.value.keys()], ['a', 'A', 'b']);
  assert.equal(issueAt(r.issues, 7, /defined again/).severity, 'error');
  // the SET after the second [a] went to [b], as NUT does
  assert.ok(r.value.get('b')!.actions.has('set'));
  assert.ok(!r.value.get('a')!.actions.has('set'));
});

test('upsd.users: allowfrom and the old user keyword warn; unknown keys and roles are reported', () => {
  const r = parseUpsdUsers('password = early\n[u]\npassword = p\nallowfrom = localhost\nuser = x\npasword = q\nupsmon primray\nactions = SET FDS\n', 'upsd.users');
  assert.equal(issueAt(r.issues, 1, /before the first/).severity, 'warning');
  assert.equal(issueAt(r.issues, 4, /allowfrom is obsolete/).severity, 'warning');
  assert.equal(issueAt(r.issues, 5, /"user" keyword/).severity, 'warning');
  assert.equal(issueAt(r.issues, 6, /pasword/).suggestion, 'did you mean password?');
  const role = issueAt(r.issues, 7, /primray/);
  assert.equal(role.severity, 'warning'); // NUT logs "Unknown upsmon type" and ignores it
  assert.equal(role.suggestion, 'did you mean primary?');
  assert.equal(issueAt(r.issues, 8, /FDS/).suggestion, 'did you mean FSD?');
  assert.equal(r.value.get('u')!.upsmon, undefined);
});

test('upsd.users: a user without password is a warning', () => {
  const r = parseUpsdUsers('[nopass]\nupsmon secondary\n', 'upsd.users');
  assert.equal(issueAt(r.issues, 1, /no password/).severity, 'warning');
});

test('upsd.users: without "=" only upsmon works; password/actions/instcmds are silently ignored by NUT', () => {
  const r = parseUpsdUsers('[u]\npassword x\nactions FSD SET\ninstcmds ALL\nupsmon primary\nfoo bar\n', 'upsd.users');
  const u = r.value.get('u')!;
  assert.equal(u.password, undefined);
  assert.deepEqual([...u.actions].sort(), ['fsd', 'login', 'master', 'primary']); // from upsmon only
  assert.equal(u.instcmds.size, 0);
  const p = issueAt(r.issues, 2, /without "="/);
  assert.equal(p.severity, 'warning');
  assert.equal(p.suggestion, 'write password = SECRET');
  assert.equal(issueAt(r.issues, 3, /without "="/).suggestion, 'write actions = FSD SET');
  issueAt(r.issues, 4, /without "="/);
  issueAt(r.issues, 6, /unrecognized user setting foo/);
});

test('upsd.users: instcmds near misses of standard commands get a hint; others pass (drivers add their own)', () => {
  const r = parseUpsdUsers('[u]\npassword = p\ninstcmds = test.battery.strat load.off outlet.3.load.off my.vendor.cmd ALL\n', 'upsd.users');
  assert.equal(issueAt(r.issues, 3, /test\.battery\.strat/).suggestion, 'did you mean test.battery.start?');
  assert.equal(r.issues.length, 1);
  assert.deepEqual([...r.value.get('u')!.instcmds], ['test.battery.strat', 'load.off', 'outlet.3.load.off', 'my.vendor.cmd', 'all']);
});
