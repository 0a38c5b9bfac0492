/**
 * The how-to in network namespaces, all real NUT 2.8.0 (upsd, dummy-ups,
 * upsmon on every host): proves the harness and records what NUT itself does
 * in each scenario — the reference the Walnut runs are held to with the same
 * assertions (test/e2e/multihost-harness.ts). The runs go concurrently, each
 * in its own set of namespaces.
 */
import { describe, test, after } from 'node:test';
import {
  assertOutage, driverKilledOnBattery, frozenSecondary, playOutage, powerReturns, requireLab, setupRun, startAll, upsdRestart,
  type HostSpec, type Run,
} from './multihost-harness.js';

const runs: Run[] = [];
after(async () => {
  await Promise.all(runs.map((r) => r.destroy()));
});

const ALL_NUT: HostSpec[] = [
  { impl: 'nut', role: 'master' },
  { impl: 'nut', role: 'slave' },
  { impl: 'nut', role: 'secondary' },
  { impl: 'nut', role: 'slave' },
];

async function lab(): Promise<Run> {
  const r = await setupRun({ server: 'nut', hosts: ALL_NUT });
  runs.push(r);
  await startAll(r);
  return r;
}

describe('how-to in namespaces, all real NUT 2.8.0', { concurrency: true }, () => {
  test('OL → OB → OB LB: every host notifies and shuts down, secondaries first, the primary after their logout', { timeout: 120_000 }, async (t) => {
    if (!requireLab(t)) return;
    const r = await lab();
    await playOutage(r);
    for (const line of r.summary().split('\n')) t.diagnostic(line);
    assertOutage(r);
  });

  test('power returns before LB: ONBATT, ONLINE, nobody shuts down', { timeout: 120_000 }, async (t) => {
    if (!requireLab(t)) return;
    const r = await lab();
    await powerReturns(r);
    for (const line of r.summary().split('\n')) t.diagnostic(line);
  });

  test('a secondary frozen with SIGSTOP: the primary goes on after HOSTSYNC', { timeout: 120_000 }, async (t) => {
    if (!requireLab(t)) return;
    const r = await lab();
    await frozenSecondary(r, r.hosts[2]!);
    for (const line of r.summary().split('\n')) t.diagnostic(line);
  });

  test('the driver killed while on battery: stale data, DEADTIME, everyone shuts down', { timeout: 120_000 }, async (t) => {
    if (!requireLab(t)) return;
    const r = await lab();
    await driverKilledOnBattery(r);
    for (const line of r.summary().split('\n')) t.diagnostic(line);
  });

  test('upsd restarted on line power: COMMBAD, COMMOK, logged back in, no shutdown', { timeout: 120_000 }, async (t) => {
    if (!requireLab(t)) return;
    const r = await lab();
    await upsdRestart(r);
    for (const line of r.summary().split('\n')) t.diagnostic(line);
  });
});
