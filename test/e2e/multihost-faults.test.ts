/**
 * The how-to in network namespaces with Walnut, when things go wrong or
 * right again: power returns before the battery runs low (nobody shuts
 * down), the driver dies while on battery (stale data → DEADTIME →
 * shutdown, as NUT documents and does), and upsd restarts while on line
 * power (everyone logs back in, nobody shuts down). The UPS host runs
 * Walnut's upsd, dummy-ups and primary upsmon; the secondaries are two
 * Walnut upsmons and a real NUT 2.8.0 one. Concurrent runs, own namespaces.
 * Real NUT passes the same assertions in multihost-nut.test.ts.
 */
import { describe, test, after } from 'node:test';
import { destroyAllRuns, driverKilledOnBattery, powerReturns, requireLab, runLab, upsdRestart, type RunOptions } from './multihost-harness.js';

after(destroyAllRuns);

const HOWTO: RunOptions = {
  server: 'walnut',
  hosts: [
    { impl: 'walnut', role: 'master' },
    { impl: 'walnut', role: 'slave' },
    { impl: 'walnut', role: 'secondary' },
    { impl: 'nut', role: 'slave' },
  ],
};

describe('how-to in namespaces with Walnut: faults and recoveries', { concurrency: true }, () => {
  test('power returns before LB: every host notifies ONBATT then ONLINE, nobody shuts down', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, HOWTO, powerReturns);
  });

  test('the driver killed while on battery: COMMBAD, then after DEADTIME (secondaries: HOSTSYNC) everyone shuts down', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, HOWTO, driverKilledOnBattery);
  });

  test('upsd restarted while on line power: COMMBAD, COMMOK, every host logs back in, no shutdown', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, HOWTO, upsdRestart);
  });
});
