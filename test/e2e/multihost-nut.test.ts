/**
 * The how-to in network namespaces, all real NUT 2.8.0 (upsd, dummy-ups,
 * upsmon on every host): proves the harness and records what NUT itself does
 * in each scenario — the reference the Walnut runs are held to with the same
 * assertions (test/e2e/multihost-harness.ts). The runs go concurrently, each
 * in its own set of namespaces.
 */
import { describe, test, after } from 'node:test';
import {
  assertOutage, destroyAllRuns, driverKilledOnBattery, frozenSecondary, playOutage, powerReturns, requireLab, runLab, upsdRestart,
  type RunOptions,
} from './multihost-harness.js';

after(destroyAllRuns);

const ALL_NUT: RunOptions = {
  server: 'nut',
  hosts: [
    { impl: 'nut', role: 'master' },
    { impl: 'nut', role: 'slave' },
    { impl: 'nut', role: 'secondary' },
    { impl: 'nut', role: 'slave' },
  ],
};

describe('how-to in namespaces, all real NUT 2.8.0', { concurrency: true }, () => {
  test('OL → OB → OB LB: every host notifies and shuts down, secondaries first, the primary after their logout', { timeout: 120_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, ALL_NUT, async (r) => {
      await playOutage(r);
      assertOutage(r);
    });
  });

  test('power returns before LB: ONBATT, ONLINE, nobody shuts down', { timeout: 120_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, ALL_NUT, powerReturns);
  });

  test('a secondary frozen with SIGSTOP: the primary goes on after HOSTSYNC', { timeout: 120_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, ALL_NUT, (r) => frozenSecondary(r, r.hosts[2]!));
  });

  test('the driver killed while on battery: stale data, DEADTIME, everyone shuts down', { timeout: 120_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, ALL_NUT, driverKilledOnBattery);
  });

  test('upsd restarted on line power: COMMBAD, COMMOK, logged back in, no shutdown', { timeout: 120_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, ALL_NUT, upsdRestart);
  });
});
