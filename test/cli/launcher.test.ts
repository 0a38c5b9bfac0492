import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../support/tmp.js';
import { REPO_ROOT } from '../support/peers.js';
// @ts-expect-error: a plain .mjs launcher without type declarations
import { freshBundle } from '../../bin/_launch.mjs';

const fresh = freshBundle as (name: string, base?: string, env?: NodeJS.ProcessEnv) => string | undefined;

test('the launcher uses a bundle only while it is newer than every source file', (t) => {
  const { dir, cleanup } = tempDir('walnut-launch-');
  t.after(cleanup);
  fs.mkdirSync(path.join(dir, 'src/cli'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'src/server/commands'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'dist/cli'), { recursive: true });
  const src = path.join(dir, 'src/server/commands/get.ts');
  const bundle = path.join(dir, 'dist/cli/upsc.mjs');
  fs.writeFileSync(path.join(dir, 'src/cli/upsc.ts'), '');
  fs.writeFileSync(src, '');
  assert.equal(fresh('upsc', dir, {}), undefined, 'no bundle yet');
  fs.writeFileSync(bundle, '');
  const now = Date.now() / 1000;
  fs.utimesSync(src, now - 100, now - 100);
  fs.utimesSync(path.join(dir, 'src/cli/upsc.ts'), now - 100, now - 100);
  fs.utimesSync(bundle, now - 50, now - 50);
  assert.equal(fresh('upsc', dir, {}), bundle);
  assert.equal(fresh('upsc', dir, { WALNUT_NO_BUNDLE: '1' }), undefined, 'WALNUT_NO_BUNDLE forces tsx');
  fs.utimesSync(src, now, now); // a source edited after the build: the bundle is stale
  assert.equal(fresh('upsc', dir, {}), undefined);
  assert.equal(fresh('upsd', dir, {}), undefined, 'no bundle for that program');
});

test('bundled and tsx-run programs print the same', () => {
  const run = (env: NodeJS.ProcessEnv) =>
    execFileSync(path.join(REPO_ROOT, 'bin/upsc'), ['-h'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(run({}), run({ WALNUT_NO_BUNDLE: '1' }));
});
