/**
 * The how-to in network namespaces, all real NUT 2.8.0 (upsd, dummy-ups,
 * upsmon on every host): proves the harness and records what NUT does, the
 * reference the Walnut runs are held to (test/e2e/multihost-harness.ts).
 */
import { test, after } from 'node:test';
import { assertOutage, playOutage, requireLab, setupRun, startAll, type Run } from './multihost-harness.js';

const runs: Run[] = [];
after(async () => {
  await Promise.all(runs.map((r) => r.destroy()));
});

test('how-to in namespaces, all real NUT: OL → OB → OB LB, secondaries first, primary after them', { timeout: 120_000 }, async (t) => {
  if (!requireLab(t, false)) return;
  const r = await setupRun({
    server: 'nut',
    hosts: [
      { impl: 'nut', role: 'master' },
      { impl: 'nut', role: 'slave' },
      { impl: 'nut', role: 'secondary' },
      { impl: 'nut', role: 'slave' },
    ],
  });
  runs.push(r);
  await startAll(r);
  await playOutage(r);
  assertOutage(r);
  t.diagnostic(r.dump());
});
