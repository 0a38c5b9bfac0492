/** Helpers for the config tests. */
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { REPO_ROOT } from '../support/peers.js';
import type { ConfigIssue } from '../../src/config/types.js';

export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/config');

export function fixture(rel: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, rel));
}

/** Copy a fixture folder into dir, files mode 0640 (as NUT wants secrets kept). */
export function copyFixtureDir(rel: string, dir: string, mode = 0o640): void {
  for (const f of fs.readdirSync(path.join(FIXTURES, rel))) {
    const dst = path.join(dir, f);
    fs.copyFileSync(path.join(FIXTURES, rel, f), dst);
    fs.chmodSync(dst, mode);
  }
}

/** The one issue at `line` whose message matches `re` (fails when none). */
export function issueAt(issues: readonly ConfigIssue[], line: number, re: RegExp): ConfigIssue {
  const found = issues.filter((i) => i.line === line && re.test(i.message));
  assert.equal(found.length, 1, `expected one issue at line ${line} matching ${re}, got:\n${issues.map((i) => `${i.line}: ${i.severity}: ${i.message}`).join('\n')}`);
  return found[0]!;
}

export function noIssues(issues: readonly ConfigIssue[]): void {
  assert.deepEqual(
    issues.map((i) => `${i.line}: ${i.severity}: ${i.message}`),
    [],
  );
}

export function errors(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.filter((i) => i.severity === 'error');
}
