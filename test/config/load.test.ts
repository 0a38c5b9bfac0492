import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, loadConfigFile, checkPermissions } from '../../src/config/load.js';
import { tempDir } from '../support/tmp.js';
import { copyFixtureDir, issueAt, noIssues } from './helpers.js';

const tmp = tempDir('walnut-config-');
after(() => tmp.cleanup());

test('loadConfig reads and parses a named file from a confPath', () => {
  const dir = path.join(tmp.dir, 'real');
  fs.mkdirSync(dir);
  copyFixtureDir('real-nut', dir);
  const ups = loadConfig(dir, 'ups.conf');
  assert.equal(ups.exists, true);
  assert.equal(ups.file, path.join(dir, 'ups.conf'));
  noIssues(ups.issues);
  assert.equal(ups.value.ups[0]!.name, 'dummy');
  const users = loadConfig(dir, 'upsd.users');
  assert.equal(users.value.get('monpri')!.upsmon, 'primary');
  const mon = loadConfig(dir, 'upsmon.conf');
  assert.equal(mon.value.monitors[0]!.port, 13493);
});

test('loadConfig: a missing file is an error where NUT needs it, a warning for upsd.users and nut.conf', () => {
  const dir = path.join(tmp.dir, 'empty');
  fs.mkdirSync(dir);
  for (const name of ['ups.conf', 'upsd.conf', 'upsmon.conf', 'upssched.conf'] as const) {
    const r = loadConfig(dir, name);
    assert.equal(r.exists, false);
    assert.equal(issueAt(r.issues, 0, /not found/).severity, 'error', name);
  }
  const users = loadConfig(dir, 'upsd.users');
  assert.equal(issueAt(users.issues, 0, /not found/).severity, 'warning');
  assert.equal(users.value.size, 0);
  assert.equal(issueAt(loadConfig(dir, 'nut.conf').issues, 0, /not found/).severity, 'warning');
  // defaults stand in for a missing file
  assert.equal(loadConfig(dir, 'upsd.conf').value.maxAge, 15);
  assert.equal(loadConfig(dir, 'upsmon.conf').value.minSupplies, 1);
});

test('loadConfigFile: a directory is an error, never a throw', () => {
  const r = loadConfigFile(tmp.dir, 'ups.conf');
  assert.equal(r.issues[0]!.severity, 'error');
  assert.deepEqual(r.value.ups, []);
});

test('checkPermissions: a password file readable by others gets a warning with the chmod fix', () => {
  const f = path.join(tmp.dir, 'upsd.users');
  fs.writeFileSync(f, '[u]\npassword = p\n');
  fs.chmodSync(f, 0o644);
  const w = checkPermissions(f);
  assert.equal(w.length, 1);
  assert.equal(w[0]!.severity, 'warning');
  assert.equal(w[0]!.line, 0);
  assert.match(w[0]!.message, /readable by every user \(mode 0644\)/);
  assert.match(w[0]!.suggestion!, new RegExp(`^chmod 0640 ${f.replace(/[.]/g, '\\.')}`));
  fs.chmodSync(f, 0o640);
  assert.deepEqual(checkPermissions(f), []);
  fs.chmodSync(f, 0o600);
  assert.deepEqual(checkPermissions(f), []);
  assert.deepEqual(checkPermissions(path.join(tmp.dir, 'nope')), []);
});
