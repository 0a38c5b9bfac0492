/** packaging/systemd: NUT's unit names, checked by systemd-analyze verify, and nut.conf MODE through ExecCondition. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, REQUIRE_PEERS } from '../support/peers.js';
import { tempDir } from '../support/tmp.js';
import { execProgram } from '../support/proc.js';
import { installUnits, renderUnit, UNIT_FILES, PACKAGED_BINDIR } from '../../src/services/units.js';
import { serviceAllowed, servicesFor } from '../../src/services/mode.js';

const UNITS = path.join(REPO_ROOT, 'packaging/systemd');
const BIN = path.join(REPO_ROOT, 'bin');
const ANALYZE = '/usr/bin/systemd-analyze';

function haveAnalyze(t: { skip(m: string): void }): boolean {
  if (fs.existsSync(ANALYZE)) return true;
  if (REQUIRE_PEERS) throw new Error('required peer missing: systemd-analyze (apt-get install systemd)');
  t.skip('systemd-analyze not installed');
  return false;
}

/** systemd-analyze verify on the units (the template as an instance), in a folder of their own. */
async function verify(dir: string) {
  fs.symlinkSync('nut-driver@.service', path.join(dir, 'nut-driver@myups.service'));
  const files = ['nut.target', 'nut-driver.target', 'nut-server.service', 'nut-monitor.service', 'nut-driver@myups.service'].map((f) => path.join(dir, f));
  return execProgram(ANALYZE, ['verify', ...files], { ...process.env, SYSTEMD_LOG_LEVEL: 'notice' }, 60_000);
}

test('the units carry NUT\'s names and run Walnut\'s programs', () => {
  assert.deepEqual([...UNIT_FILES].sort(), fs.readdirSync(UNITS).sort());
  const server = fs.readFileSync(path.join(UNITS, 'nut-server.service'), 'utf8');
  assert.match(server, new RegExp(`^ExecStart=${PACKAGED_BINDIR}/upsd -F`, 'm'));
  assert.match(fs.readFileSync(path.join(UNITS, 'nut-monitor.service'), 'utf8'), new RegExp(`^ExecStart=${PACKAGED_BINDIR}/upsmon -F`, 'm'));
  assert.match(fs.readFileSync(path.join(UNITS, 'nut-driver@.service'), 'utf8'), new RegExp(`^ExecStart=${PACKAGED_BINDIR}/upsdrvctl -F start %i$`, 'm'));
  // every program a unit runs exists in bin/
  for (const f of UNIT_FILES) {
    for (const m of fs.readFileSync(path.join(UNITS, f), 'utf8').matchAll(new RegExp(`${PACKAGED_BINDIR}/(\\S+)`, 'g'))) {
      assert.ok(fs.existsSync(path.join(BIN, m[1]!)), `${f}: bin/${m[1]} exists`);
    }
  }
  assert.equal(renderUnit(`ExecStart=${PACKAGED_BINDIR}/upsd -F\n`, '/x/bin/'), 'ExecStart=/x/bin/upsd -F\n');
});

test('systemd-analyze verify accepts the units pointed at this bin/', async (t) => {
  if (!haveAnalyze(t)) return;
  const tmp = tempDir('walnut-units-');
  try {
    installUnits(UNITS, tmp.dir, BIN);
    const r = await verify(tmp.dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, /not executable|cycle|Unknown|Failed/i, r.stderr);
  } finally {
    tmp.cleanup();
  }
});

test('systemd-analyze verify fails when the programs the units run are not there', async (t) => {
  if (!haveAnalyze(t)) return;
  const tmp = tempDir('walnut-units-bad-');
  try {
    const bad = path.join(tmp.dir, 'bad');
    installUnits(UNITS, bad, path.join(tmp.dir, 'no-such-bin'));
    const r = await verify(bad);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is not executable/);
  } finally {
    tmp.cleanup();
  }
});

test('MODE decides: what each mode starts, and `walnut service allowed` (the units\' ExecCondition) exits accordingly', async () => {
  assert.deepEqual(servicesFor('none'), []);
  assert.deepEqual(servicesFor('standalone'), ['nut-server', 'nut-client']);
  assert.deepEqual(servicesFor('netserver'), ['nut-server', 'nut-client']);
  assert.deepEqual(servicesFor('netclient'), ['nut-client']);
  assert.equal(serviceAllowed('netclient', 'nut-server'), false);
  const tmp = tempDir('walnut-mode-');
  try {
    const run = async (mode: string | undefined, svc: string) => {
      if (mode === undefined) fs.rmSync(path.join(tmp.dir, 'nut.conf'), { force: true });
      else fs.writeFileSync(path.join(tmp.dir, 'nut.conf'), `# nut.conf\nMODE=${mode}\n`);
      return (await execProgram(process.execPath, [path.join(BIN, 'walnut'), 'service', 'allowed', svc], { ...process.env, NUT_CONFPATH: tmp.dir }, 30_000)).code;
    };
    assert.equal(await run('netserver', 'nut-server'), 0);
    assert.equal(await run('netclient', 'nut-server'), 1);
    assert.equal(await run('netclient', 'nut-client'), 0);
    assert.equal(await run(undefined, 'nut-client'), 1, 'no nut.conf = MODE=none');
  } finally {
    tmp.cleanup();
  }
});
