import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseUpsConf } from '../../src/config/ups-conf.js';
import { parseUpsdConf } from '../../src/config/upsd-conf.js';
import { parseUpsdUsers } from '../../src/config/upsd-users.js';
import { parseNutConf } from '../../src/config/nut-conf.js';
import { parseUpsmonConf } from '../../src/config/upsmon-conf.js';
import { parseUpsschedConf } from '../../src/config/upssched-conf.js';
import { parseCmdvartab } from '../../src/config/cmdvartab.js';
import type { ConfigIssue } from '../../src/config/types.js';
import { checkConfigDir } from '../../src/config/check.js';
import { tempDir } from '../support/tmp.js';
import fs from 'node:fs';
import path from 'node:path';

const PARSERS: Array<[string, (t: string | Buffer, f: string) => { issues: ConfigIssue[] }]> = [
  ['ups.conf', parseUpsConf],
  ['upsd.conf', parseUpsdConf],
  ['upsd.users', parseUpsdUsers],
  ['nut.conf', parseNutConf],
  ['upsmon.conf', parseUpsmonConf],
  ['upssched.conf', parseUpsschedConf],
  ['cmdvartab', parseCmdvartab],
];

// words that steer the parsers into their branches
const WORDS = [
  '[ups]', '[', ']', '[]', '[default]', '=', '"', '""', '#', '\\', 'driver', 'port', 'desc', 'sdorder', 'pollinterval', 'synchronous',
  'nolock', 'mode', 'LISTEN', 'MAXAGE', 'CERTIDENT', 'CERTREQUEST', 'ACL', 'password', 'actions', 'instcmds', 'upsmon', 'primary',
  'user', 'allowfrom', 'MODE', 'MODE=x', 'export', 'MONITOR', 'u@h:1', 'u@[::1]:9', '@', 'NOTIFYFLAG', 'NOTIFYMSG', 'ONBATT',
  'SYSLOG+EXEC', 'SHUTDOWNEXIT', 'CERTHOST', 'MINSUPPLIES', 'AT', '*', 'START-TIMER', 'CANCEL-TIMER', 'EXECUTE', 'CMDSCRIPT',
  'VARDESC', 'CMDDESC', '-1', '0', '1', '99999', 'x',
];

const word = fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 6 }));
const sep = fc.constantFrom(' ', '\t', '', '=', ' = ', '\\\n', '\r');
const line = fc.array(fc.tuple(word, sep), { maxLength: 8 }).map((ps) => ps.map(([w, s]) => w + s).join(''));
const structured = fc.array(line, { maxLength: 30 }).map((ls) => ls.join('\n'));

function checkShape(issues: ConfigIssue[], file: string): void {
  for (const i of issues) {
    assert.equal(i.file, file);
    assert.ok(i.severity === 'error' || i.severity === 'warning');
    assert.ok(Number.isInteger(i.line) && i.line >= 0);
    assert.equal(typeof i.message, 'string');
  }
}

test('no input makes any parser throw: random bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      for (const [name, p] of PARSERS) checkShape(p(Buffer.from(bytes), name).issues, name);
    }),
    { numRuns: 300 },
  );
});

test('no input makes any parser throw: random lines of config words', () => {
  fc.assert(
    fc.property(structured, (text) => {
      for (const [name, p] of PARSERS) checkShape(p(text, name).issues, name);
    }),
    { numRuns: 500 },
  );
});

test('no input makes any parser throw: random unicode strings', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
      for (const [name, p] of PARSERS) checkShape(p(text, name).issues, name);
    }),
    { numRuns: 200 },
  );
});

test('checkConfigDir never throws on random files', () => {
  const tmp = tempDir('walnut-config-fuzz-');
  try {
    const names = ['nut.conf', 'ups.conf', 'upsd.conf', 'upsd.users', 'upsmon.conf', 'upssched.conf'];
    fc.assert(
      fc.property(fc.array(fc.oneof(structured, fc.constant('')), { minLength: 6, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), (texts, present) => {
        for (let i = 0; i < 6; i++) {
          const p = path.join(tmp.dir, names[i]!);
          if (present[i]) fs.writeFileSync(p, texts[i]!);
          else fs.rmSync(p, { force: true });
        }
        for (const i of checkConfigDir(tmp.dir)) assert.ok(i.severity === 'error' || i.severity === 'warning');
      }),
      { numRuns: 150 },
    );
  } finally {
    tmp.cleanup();
  }
});
