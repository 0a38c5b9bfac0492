import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNutConf } from '../../src/config/nut-conf.js';
import { fixture, issueAt, noIssues } from './helpers.js';

test('nut.conf: MODE and quoted values', () => {
  const r = parseNutConf(
    '# comment\nMODE=netserver\nUPSD_OPTIONS="-u nut -D"\nUPSMON_OPTIONS=\'-p\'\nPOWEROFF_WAIT=15m # trailing comment\nexport NUT_DEBUG_LEVEL=2\nALLOW_NO_DEVICE=\n',
    'nut.conf',
  );
  noIssues(r.issues);
  assert.equal(r.value.mode, 'netserver');
  assert.deepEqual(Object.fromEntries(r.value.vars), {
    MODE: 'netserver',
    UPSD_OPTIONS: '-u nut -D',
    UPSMON_OPTIONS: '-p',
    POWEROFF_WAIT: '15m',
    NUT_DEBUG_LEVEL: '2',
    ALLOW_NO_DEVICE: '',
  });
  assert.equal(parseNutConf(fixture('howto/nut.conf'), 'nut.conf').value.mode, 'netserver');
  assert.equal(parseNutConf(fixture('real-nut/nut.conf'), 'nut.conf').value.mode, 'standalone');
});

test('nut.conf: spaces around = are errors (the shell runs a command)', () => {
  const r = parseNutConf('MODE = standalone\nMODE= standalone\nMODE =standalone\n', 'nut.conf');
  for (const l of [1, 2, 3]) assert.equal(issueAt(r.issues, l, /space/).severity, 'error');
  assert.equal(issueAt(r.issues, 1, /space/).suggestion, 'write MODE=standalone');
  assert.equal(r.value.mode, 'none');
});

test('nut.conf: unknown MODE, unknown keys, missing MODE, unquoted spaces', () => {
  const r = parseNutConf('MODE=netsever\nMOED=none\nUPSD_OPTIONS=-u nut\n', 'nut.conf');
  const m = issueAt(r.issues, 1, /unknown MODE/);
  assert.equal(m.severity, 'error');
  assert.equal(m.suggestion, 'did you mean netserver?');
  assert.equal(issueAt(r.issues, 2, /MOED/).suggestion, 'did you mean MODE?');
  assert.equal(issueAt(r.issues, 3, /unquoted/).severity, 'error');
  const n = parseNutConf('# only comments\n', 'nut.conf');
  assert.equal(issueAt(n.issues, 0, /no MODE/).severity, 'warning');
  assert.equal(n.value.mode, 'none');
});

test('nut.conf: MODE values are case-sensitive (the scripts compare exactly)', () => {
  const r = parseNutConf('MODE=Standalone\n', 'nut.conf');
  assert.equal(issueAt(r.issues, 1, /unknown MODE/).suggestion, 'did you mean standalone?');
});

test('nut.conf: a # inside double quotes is fine for the shell (not a lexer error here)', () => {
  const r = parseNutConf('MODE=standalone\nUPSD_OPTIONS="-D # not a comment"\nX="a # b" junk\n', 'nut.conf');
  assert.equal(r.value.vars.get('UPSD_OPTIONS'), '-D # not a comment');
  assert.equal(issueAt(r.issues, 3, /parse error/).severity, 'error');
  assert.equal(r.issues.length, 1);
});
