import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseCmdvartab, loadDescriptions, BUNDLED_CMDVARTAB, SYSTEM_CMDVARTAB } from '../../src/config/cmdvartab.js';
import { tempDir } from '../support/tmp.js';
import { noIssues } from './helpers.js';

const tmp = tempDir('walnut-cmdvartab-');
after(() => tmp.cleanup());

test('cmdvartab: VARDESC/CMDDESC lines, looked up ignoring case, the first definition wins', () => {
  const r = parseCmdvartab(
    '# comment\nVARDESC ups.status "UPS status"\nCMDDESC load.off "Turn off the load immediately"\nVARDESC UPS.STATUS "other"\nVARDESC x.y "a \\"quoted\\" word"\n',
    'cmdvartab',
  );
  assert.equal(r.value.vars.get('ups.status'), 'UPS status');
  assert.equal(r.value.vars.get('Ups.Status'), 'UPS status');
  assert.equal(r.value.cmds.get('LOAD.OFF'), 'Turn off the load immediately');
  assert.equal(r.value.vars.get('load.off'), undefined);
  assert.equal(r.value.vars.get('x.y'), 'a "quoted" word');
  assert.equal(r.value.vars.size, 2);
  assert.equal(r.issues.length, 1);
  assert.match(r.issues[0]!.message, /repeats/);
  assert.deepEqual([...r.value.vars.entries()][0], ['ups.status', 'UPS status']);
});

test('cmdvartab: bad lines are issues, never throws', () => {
  const r = parseCmdvartab('VARDESC\nVARDSEC a "b"\nCMDDESC a b c\n', 'cmdvartab');
  assert.equal(r.issues.length, 3);
  assert.equal(r.issues[1]!.suggestion, 'did you mean VARDESC?');
  assert.equal(r.value.cmds.get('a'), 'b');
});

test("Walnut's data/cmdvartab covers the standard names and parses clean", () => {
  const r = parseCmdvartab(fs.readFileSync(BUNDLED_CMDVARTAB), BUNDLED_CMDVARTAB);
  noIssues(r.issues);
  for (const v of ['ups.status', 'ups.load', 'battery.charge', 'battery.runtime', 'input.voltage', 'output.voltage', 'device.model', 'ups.delay.shutdown']) {
    assert.ok(r.value.vars.has(v), v);
  }
  for (const c of ['load.off', 'load.on', 'shutdown.return', 'shutdown.stayoff', 'test.battery.start', 'beeper.toggle', 'driver.killpower', 'experimental.ecomode.start']) {
    assert.ok(r.value.cmds.has(c), c);
  }
  // texts upsc/upsrw/upscmd show in the real NUT 2.8.0 transcripts, byte for byte
  assert.equal(r.value.vars.get('ups.status'), 'UPS status');
  assert.equal(r.value.cmds.get('load.off'), 'Turn off the load immediately');
  assert.equal(r.value.vars.get('battery.charge.low'), 'Remaining battery level when UPS switches to LB (percent)');
});

test('loadDescriptions: dataPath first; then the system copy or the bundled one; none → warning', () => {
  fs.writeFileSync(path.join(tmp.dir, 'cmdvartab'), 'VARDESC my.var "Mine"\n');
  const d = loadDescriptions(tmp.dir);
  assert.equal(d.source, path.join(tmp.dir, 'cmdvartab'));
  assert.equal(d.vars.get('my.var'), 'Mine');
  const def = loadDescriptions();
  assert.equal(def.source, fs.existsSync(SYSTEM_CMDVARTAB) ? SYSTEM_CMDVARTAB : BUNDLED_CMDVARTAB);
  assert.equal(def.vars.get('ups.status'), 'UPS status');
  const none = loadDescriptions(path.join(tmp.dir, 'missing'));
  assert.equal(none.source, undefined);
  assert.equal(none.vars.size, 0);
  assert.equal(none.issues[0]!.severity, 'warning');
});
