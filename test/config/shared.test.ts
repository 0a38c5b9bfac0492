/**
 * Ties the fixtures and Walnut's data/cmdvartab to the shared reference
 * material they were copied from (skipped when /work/shared is absent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers, SHARED_DIR } from '../support/peers.js';
import { parseCmdvartab, BUNDLED_CMDVARTAB } from '../../src/config/cmdvartab.js';
import { parseUpsConf } from '../../src/config/ups-conf.js';
import { parseUpsdUsers } from '../../src/config/upsd-users.js';
import { fixture } from './helpers.js';

const lines = (b: Buffer) =>
  b
    .toString()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

test('the how-to fixtures are the how-to snippets (typos included)', (t) => {
  if (!requirePeers(t, 'shared')) return;
  const howto = fs.readFileSync(path.join(SHARED_DIR, 'seed/minimalistic-ups-monitoring-howto.md'), 'utf8');
  const howtoLines = new Set(howto.split('\n').map((l) => l.trim()));
  for (const f of ['nut.conf', 'ups.conf', 'upsd.conf', 'upsd.users', 'upsmon.conf']) {
    for (const l of lines(fixture(`howto/${f}`))) {
      if (l.startsWith('MONTIOR')) continue; // the prose's typo, typed as a directive (see README)
      assert.ok(howtoLines.has(l), `${f}: "${l}" is not in the how-to`);
    }
  }
  assert.match(howto, /change the MONTIOR directive/);
  assert.match(howto, /criver = usbhid-ups/);
});

test('the real-nut fixtures are what tools/real-nut.sh writes', (t) => {
  if (!requirePeers(t, 'shared')) return;
  const sh = fs.readFileSync(path.join(SHARED_DIR, 'tools/real-nut.sh'), 'utf8');
  const shLines = new Set(sh.split('\n').map((l) => l.trim()));
  for (const f of ['ups.conf', 'upsd.users', 'nut.conf', 'dummy.dev']) {
    for (const l of lines(fixture(`real-nut/${f}`))) assert.ok(shLines.has(l), `${f}: "${l}" not in real-nut.sh`);
  }
  // and they parse the way real-nut.sh's NUT reads them
  const ups = parseUpsConf(fixture('real-nut/ups.conf'), 'ups.conf').value.ups[0]!;
  assert.equal(ups.desc, 'real-nut reference dummy UPS');
  assert.equal(parseUpsdUsers(fixture('real-nut/upsd.users'), 'upsd.users').value.size, 4);
});

test('data/cmdvartab has the exact texts real NUT 2.8.0 showed (transcripts)', (t) => {
  if (!requirePeers(t, 'shared')) return;
  const tr = fs.readFileSync(path.join(SHARED_DIR, 'reference/real-nut-transcripts.md'), 'utf8');
  const ours = parseCmdvartab(fs.readFileSync(BUNDLED_CMDVARTAB), 'cmdvartab').value;
  const seen: Array<['var' | 'cmd', string, string]> = [];
  for (const m of tr.matchAll(/^S: DESC \S+ (\S+) "([^"]*)"$/gm)) if (m[2] !== 'Description unavailable') seen.push(['var', m[1]!, m[2]!]);
  for (const m of tr.matchAll(/^S: CMDDESC \S+ (\S+) "([^"]*)"$/gm)) if (m[2] !== 'Description unavailable') seen.push(['cmd', m[1]!, m[2]!]);
  // upsrw -l: "[name]" then the description line
  const rw = tr.split('\n');
  rw.forEach((l, i) => {
    const m = /^\[([a-z0-9]+(?:\.[a-z0-9]+)+)\]$/.exec(l);
    if (m && rw[i + 1] && !rw[i + 1]!.startsWith('Type:')) seen.push(['var', m[1]!, rw[i + 1]!]);
  });
  // upscmd -l: "cmd - description"
  for (const m of tr.matchAll(/^([a-z0-9.]+) - (.+)$/gm)) seen.push(['cmd', m[1]!, m[2]!]);
  assert.ok(seen.length >= 15, `only ${seen.length} descriptions found in the transcripts`);
  for (const [kind, name, text] of seen) {
    assert.equal((kind === 'var' ? ours.vars : ours.cmds).get(name), text, `${kind} ${name}`);
  }
});
