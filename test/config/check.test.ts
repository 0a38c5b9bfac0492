import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { checkConfigDir, checkConfig } from '../../src/config/check.js';
import { main } from '../../src/cli/walnut-check.js';
import type { ConfigIssue } from '../../src/config/types.js';
import { tempDir } from '../support/tmp.js';
import { copyFixtureDir, noIssues } from './helpers.js';
import { requirePeers } from '../support/peers.js';

const tmp = tempDir('walnut-check-');
after(() => tmp.cleanup());
let n = 0;

function dirWith(fixture: string | undefined, files: Record<string, string> = {}, mode = 0o640): string {
  const d = path.join(tmp.dir, `c${n++}`);
  fs.mkdirSync(d);
  if (fixture) copyFixtureDir(fixture, d, mode);
  if (fixture === 'real-nut') {
    // real-nut.sh's work dir (/tmp/nut-a) becomes d/work, with its scripts, so that
    // the programs and folders upsmon.conf names exist
    const work = path.join(d, 'work');
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replaceAll('/tmp/nut-a', work));
    }
    fs.mkdirSync(path.join(work, 'notify'), { recursive: true });
    fs.mkdirSync(path.join(work, 'run'));
    for (const sh of ['notify.sh', 'shutdown.sh']) fs.writeFileSync(path.join(work, 'notify', sh), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  for (const [f, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(d, f), text);
    fs.chmodSync(path.join(d, f), mode);
  }
  return d;
}

/** Runs walnut check's main() with stdout/stderr captured. */
async function runCheck(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  const ol = console.log;
  const oe = console.error;
  process.stdout.write = ((s: string | Uint8Array) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (err.push(String(s)), true)) as typeof process.stderr.write;
  console.log = (...a: unknown[]) => void out.push(a.join(' ') + '\n');
  console.error = (...a: unknown[]) => void err.push(a.join(' ') + '\n');
  try {
    const code = await main(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    console.log = ol;
    console.error = oe;
  }
}

const find = (issues: ConfigIssue[], file: string, line: number, re: RegExp) =>
  issues.filter((i) => path.basename(i.file) === file && i.line === line && re.test(i.message));

test('walnut check: the how-to config reports criver and MONTIOR with file:line and suggestions, exit 1', async () => {
  const d = dirWith('howto');
  const r = await runCheck(['-c', d]);
  assert.equal(r.code, 1);
  const lines = r.out.trimEnd().split('\n');
  assert.ok(lines.includes(`${d}/ups.conf:1: error: UPS [myups] has no driver; upsd skips it and no driver can start for it (line 2 has "criver": did you mean driver?)`), r.out);
  assert.ok(lines.some((l) => l.startsWith(`${d}/ups.conf:2: warning: unknown key criver`) && l.endsWith('(did you mean driver?)')), r.out);
  assert.ok(lines.includes(`${d}/upsmon.conf:1: warning: unknown directive MONTIOR; upsmon logs it and skips the line (did you mean MONITOR?)`), r.out);
  assert.match(lines.at(-1)!, /^walnut check: .*: 5 files checked, \d+ errors, \d+ warnings$/);
  // passwords never printed
  assert.doesNotMatch(r.out, /topsecret/);
});

test('walnut check --json: an array of issues, summary on stderr', async () => {
  const d = dirWith('howto');
  const r = await runCheck(['--json', '-c', d]);
  assert.equal(r.code, 1);
  const arr = JSON.parse(r.out) as ConfigIssue[];
  assert.ok(Array.isArray(arr));
  const typo = arr.find((i) => i.file === path.join(d, 'upsmon.conf') && i.line === 1)!;
  assert.deepEqual(typo, {
    severity: 'warning',
    file: path.join(d, 'upsmon.conf'),
    line: 1,
    message: 'unknown directive MONTIOR; upsmon logs it and skips the line',
    suggestion: 'did you mean MONITOR?',
  });
  assert.match(r.err, /errors/);
});

test('walnut check: the real-nut.sh config is clean, exit 0; NUT_CONFPATH is the default folder', async () => {
  const d = dirWith('real-nut');
  const r = await runCheck(['-c', d]);
  assert.equal(r.code, 0, r.out);
  assert.equal(r.out, `walnut check: ${d}: 5 files checked, no problems found\n`);
  const old = process.env.NUT_CONFPATH;
  process.env.NUT_CONFPATH = d;
  try {
    const e = await runCheck([]);
    assert.equal(e.code, 0);
    assert.match(e.out, new RegExp(`${d}: 5 files checked`));
  } finally {
    if (old === undefined) delete process.env.NUT_CONFPATH;
    else process.env.NUT_CONFPATH = old;
  }
});

test('walnut check: warnings alone exit 0 (world-readable password files)', async () => {
  const d = dirWith('real-nut', {}, 0o644);
  const r = await runCheck(['-c', d]);
  assert.equal(r.code, 0);
  assert.match(r.out, new RegExp(`^${d}/upsd.users: warning: upsd.users holds passwords and is readable by every user \\(mode 0644\\) \\(chmod 0640 ${d}/upsd.users`, 'm'));
  assert.match(r.out, /upsmon.conf: warning: upsmon.conf holds passwords/);
  assert.match(r.out, /0 errors, 2 warnings/);
});

test('walnut check: usage errors and a missing folder', async () => {
  assert.equal((await runCheck(['-x'])).code, 1);
  assert.equal((await runCheck(['-c'])).code, 1);
  assert.equal((await runCheck(['--help'])).code, 0);
  const r = await runCheck(['-c', path.join(tmp.dir, 'does-not-exist')]);
  assert.equal(r.code, 1);
  assert.match(r.out, /config folder not found/);
  const e = await runCheck(['-c', dirWith(undefined)]);
  assert.equal(e.code, 1);
  assert.match(e.out, /no NUT config file here/);
});

test('cross-file: MONITOR user missing from upsd.users, wrong password, primary with a secondary user, no upsmon line', () => {
  const d = dirWith('real-nut', {
    'upsmon.conf': [
      'MONITOR dummy@127.0.0.1:13493 1 monpri pripass primary',
      'MONITOR dummy@localhost:13493 1 monsec secpass primary',
      'MONITOR dummy@127.0.0.3:13493 0 nobody x secondary',
      'MONITOR dummy@[::1]:13493 0 monpri wrongpass secondary',
      'MONITOR dummy@127.0.0.2:13493 0 viewer viewpass secondary',
      'MONITOR other@127.0.0.1:13493 0 monsec secpass secondary',
      'MONITOR dummy@127.0.0.4:3493 0 monsec secpass secondary',
      'MONITOR dummy@remote.example:3493 0 ghost x secondary',
      'SHUTDOWNCMD "/bin/true"',
      'POWERDOWNFLAG /tmp/killpower',
    ].join('\n'),
  });
  const issues = checkConfigDir(d);
  assert.equal(find(issues, 'upsmon.conf', 1, /./).length, 0);
  const prim = find(issues, 'upsmon.conf', 2, /primary but user monsec is only "upsmon secondary"/);
  assert.equal(prim.length, 1);
  assert.equal(prim[0]!.severity, 'error');
  assert.match(prim[0]!.suggestion!, /upsd\.users:14\)/);
  assert.equal(find(issues, 'upsmon.conf', 3, /user nobody is not in/).length, 1);
  const pw = find(issues, 'upsmon.conf', 4, /password of monpri differs/);
  assert.equal(pw.length, 1);
  assert.doesNotMatch(JSON.stringify(issues), /wrongpass|pripass|secpass/);
  assert.equal(find(issues, 'upsmon.conf', 5, /no upsmon line/).length, 1);
  assert.equal(find(issues, 'upsmon.conf', 6, /no UPS \[other\]/).length, 1);
  assert.equal(find(issues, 'upsmon.conf', 7, /listens on port 13493, not 3493/).length, 1);
  assert.equal(find(issues, 'upsmon.conf', 8, /./).length, 0, 'a remote host is not checked against local files');
});

test('cross-file: nut.conf MODE against the files present', () => {
  const a = checkConfigDir(dirWith(undefined, { 'nut.conf': 'MODE=standalone\n', 'upsmon.conf': 'MINSUPPLIES 0\n' }));
  assert.equal(a.filter((i) => /MODE=standalone but ups.conf is missing/.test(i.message) && i.severity === 'error').length, 1);
  assert.equal(a.filter((i) => /MODE=standalone but upsd.users is missing/.test(i.message) && i.severity === 'warning').length, 1);
  const b = checkConfigDir(dirWith(undefined, { 'nut.conf': 'MODE=netclient\n' }));
  assert.equal(b.filter((i) => /MODE=netclient but upsmon.conf is missing/.test(i.message)).length, 1);
  const c = checkConfig(dirWith('real-nut', { 'nut.conf': 'MODE=netserver\n' }));
  assert.equal(c.issues.filter((i) => /listens only on loopback/.test(i.message) && path.basename(i.file) === 'upsd.conf' && i.line === 2).length, 1);
  const e = checkConfigDir(dirWith('real-nut', { 'nut.conf': 'MODE=none\n' }));
  assert.equal(e.filter((i) => /MODE=none: NUT starts nothing/.test(i.message) && i.line === 1).length, 1);
});

test('cross-file: upsd with no UPS, upssched rules for names upsmon never reports', () => {
  const d = dirWith('real-nut', {
    'ups.conf': '# nothing\n',
    'upssched.conf': 'CMDSCRIPT /x\nPIPEFN /p\nLOCKFN /l\nAT ONBATT dummy START-TIMER t 5\nAT ONBATT * START-TIMER u 5\nAT ONBATT dummy@127.0.0.1:13493 START-TIMER v 5\n',
  });
  const issues = checkConfigDir(d);
  assert.equal(find(issues, 'ups.conf', 0, /no UPS section/).length, 1);
  const s = find(issues, 'upssched.conf', 4, /never fires/);
  assert.equal(s.length, 1);
  assert.equal(s[0]!.suggestion, 'did you mean dummy@127.0.0.1:13493?');
  assert.equal(find(issues, 'upssched.conf', 5, /./).length, 0);
  assert.equal(find(issues, 'upssched.conf', 6, /./).length, 0);
});

test('checkConfigDir on the clean fixture finds nothing', () => {
  noIssues(checkConfigDir(dirWith('real-nut')));
});

test('cross-file: a MONITOR address one typo away from the LISTEN address (the how-to has 10.100.2.23 vs .32)', () => {
  const d = dirWith('howto', { 'upsmon.conf': 'MONITOR myups@10.100.2.23 1 locupsmon topsecret master\nMONITOR myups@10.9.9.9 1 x y secondary\n' });
  const issues = checkConfigDir(d);
  const w = find(issues, 'upsmon.conf', 1, /not an address this upsd listens on/);
  assert.equal(w.length, 1);
  assert.equal(w[0]!.severity, 'warning');
  assert.equal(w[0]!.suggestion, 'did you mean myups@10.100.2.32?');
  assert.equal(find(issues, 'upsmon.conf', 2, /./).length, 0);
});

test("Debian's stock /etc/nut (MODE=none) checks without errors", (t) => {
  if (!requirePeers(t, 'nut')) return;
  assert.ok(fs.existsSync('/etc/nut/ups.conf'), 'the nut packages install /etc/nut');
  const d = path.join(tmp.dir, `stock${n++}`);
  fs.mkdirSync(d);
  for (const f of fs.readdirSync('/etc/nut')) {
    if (!f.endsWith('.conf') && f !== 'upsd.users') continue;
    fs.copyFileSync(path.join('/etc/nut', f), path.join(d, f));
    fs.chmodSync(path.join(d, f), 0o640);
  }
  const issues = checkConfigDir(d);
  assert.deepEqual(
    issues.filter((i) => i.severity === 'error'),
    [],
  );
  // upsmon.conf has no MONITOR: only a warning while MODE=none
  if (/^MODE=none/m.test(fs.readFileSync(path.join(d, 'nut.conf'), 'utf8'))) {
    assert.equal(issues.filter((i) => i.code === 'insufficient-power' && i.severity === 'warning').length, 1);
    fs.writeFileSync(path.join(d, 'nut.conf'), 'MODE=standalone\n');
    assert.equal(checkConfigDir(d).filter((i) => i.code === 'insufficient-power' && i.severity === 'error').length, 1);
  }
});

test('programs upsmon and upssched run: missing or not executable', () => {
  const d = dirWith('real-nut');
  const work = path.join(d, 'work');
  fs.chmodSync(path.join(work, 'notify', 'notify.sh'), 0o644);
  fs.rmSync(path.join(work, 'notify', 'shutdown.sh'));
  fs.rmSync(path.join(work, 'run'), { recursive: true });
  fs.writeFileSync(path.join(d, 'upssched.conf'), 'CMDSCRIPT /nonexistent/upssched-cmd\nCMDSCRIPT upssched-cmd\n');
  const issues = checkConfigDir(d);
  assert.equal(find(issues, 'upsmon.conf', 4, /SHUTDOWNCMD: .*shutdown.sh does not exist/).length, 1);
  const x = find(issues, 'upsmon.conf', 5, /NOTIFYCMD: .*notify.sh is not executable/);
  assert.equal(x.length, 1);
  assert.match(x[0]!.suggestion!, /^chmod \+x /);
  assert.equal(find(issues, 'upsmon.conf', 11, /POWERDOWNFLAG .* does not exist/).length, 1);
  // the last CMDSCRIPT wins: a bare name is looked up in PATH at run time, not checked
  assert.equal(find(issues, 'upssched.conf', 2, /does not exist|executable/).length, 0);
  assert.ok(issues.every((i) => i.severity === 'warning' || !/exist|executable/.test(i.message)));
});

test('dummy-ups data files must exist (relative to the config folder)', () => {
  const d = dirWith('real-nut');
  assert.equal(find(checkConfigDir(d), 'ups.conf', 4, /dummy-ups data file/).length, 0);
  fs.rmSync(path.join(d, 'dummy.dev'));
  const e = find(checkConfigDir(d), 'ups.conf', 4, /dummy-ups data file/);
  assert.equal(e.length, 1);
  assert.equal(e[0]!.severity, 'error');
  fs.writeFileSync(path.join(d, 'ups.conf'), '[r]\ndriver = dummy-ups\nport = ups@otherhost:3493\n');
  assert.equal(find(checkConfigDir(d), 'ups.conf', 3, /./).length, 0);
});
