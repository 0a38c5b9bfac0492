import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, closest, didYouMean } from '../../src/config/suggest.js';
import { formatIssue } from '../../src/config/issues.js';
import { UPS_COMMON_KEYS, UPSMON_DIRECTIVES } from '../../src/config/keys.js';

test('edit distance counts a swap of neighbours as one step and ignores case', () => {
  assert.equal(editDistance('criver', 'driver'), 1);
  assert.equal(editDistance('MONTIOR', 'MONITOR'), 1);
  assert.equal(editDistance('Driver', 'driver'), 0);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('abc', ''), 3);
});

test('the how-to typos get their suggestion', () => {
  assert.equal(didYouMean('criver', UPS_COMMON_KEYS), 'did you mean driver?');
  assert.equal(didYouMean('MONTIOR', UPSMON_DIRECTIVES), 'did you mean MONITOR?');
  assert.equal(didYouMean('monitor', UPSMON_DIRECTIVES), 'did you mean MONITOR?');
});

test('far words get no suggestion; short words allow one edit only', () => {
  assert.equal(closest('completely_unrelated', UPS_COMMON_KEYS), undefined);
  assert.equal(closest('xy', ['port']), undefined);
  assert.equal(closest('prt', ['port']), 'port');
});

test('formatIssue: FILE:LINE: severity: message (suggestion)', () => {
  assert.equal(
    formatIssue({ severity: 'error', file: 'ups.conf', line: 2, message: 'unknown key criver', suggestion: 'did you mean driver?' }),
    'ups.conf:2: error: unknown key criver (did you mean driver?)',
  );
  assert.equal(formatIssue({ severity: 'warning', file: '/etc/nut/upsd.users', line: 0, message: 'readable' }), '/etc/nut/upsd.users: warning: readable');
});
