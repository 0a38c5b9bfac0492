/**
 * The how-to in network namespaces with Walnut (issue 3's acceptance run):
 * four hosts on a private bridge — the UPS host (upsd + dummy-ups playing
 * OL → OB → OB LB, and the primary upsmon), two secondaries running Walnut's
 * upsmon and one running real NUT 2.8.0 upsmon — and the same run with real
 * NUT's upsd, dummy-ups and primary upsmon serving Walnut secondaries, the
 * reverse (Walnut's upsd and dummy-ups with a real NUT primary), and a run
 * with one secondary frozen by SIGSTOP. Each run has its own namespaces
 * and they go concurrently. Assertions: test/e2e/multihost-harness.ts
 * (assertOutage), the same ones real NUT passes in multihost-nut.test.ts.
 */
import { describe, test, after } from 'node:test';
import { assertOutage, frozenSecondary, playOutage, requireLab, setupRun, startAll, type HostSpec, type Impl, type Run } from './multihost-harness.js';

const runs: Run[] = [];
after(async () => {
  await Promise.all(runs.map((r) => r.destroy()));
});

/** The how-to's hosts: the UPS host's primary, then two Walnut secondaries and a real NUT one. */
function howtoHosts(primary: Impl): HostSpec[] {
  return [
    { impl: primary, role: 'master' },
    { impl: 'walnut', role: 'slave' },
    { impl: 'walnut', role: 'secondary' },
    { impl: 'nut', role: 'slave' },
  ];
}

async function lab(server: Impl, primary: Impl): Promise<Run> {
  const r = await setupRun({ server, hosts: howtoHosts(primary) });
  runs.push(r);
  await startAll(r);
  return r;
}

describe('how-to in namespaces: power fails, the battery runs low', { concurrency: true }, () => {
  test('Walnut upsd + dummy-ups + primary; Walnut, Walnut and NUT secondaries: all notify, secondaries shut down first, the primary after their logout', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    const r = await lab('walnut', 'walnut');
    await playOutage(r);
    for (const line of r.summary().split('\n')) t.diagnostic(line);
    assertOutage(r);
  });

  test('real NUT upsd + dummy-ups + primary upsmon serving Walnut secondaries (and a NUT one)', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    const r = await lab('nut', 'nut');
    await playOutage(r);
    for (const line of r.summary().split('\n')) t.diagnostic(line);
    assertOutage(r);
  });

  test('Walnut upsd + dummy-ups serving a real NUT primary upsmon (FSD and NUMLOGINS through Walnut upsd)', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    const r = await lab('walnut', 'nut');
    await playOutage(r);
    for (const line of r.summary().split('\n')) t.diagnostic(line);
    assertOutage(r);
  });

  test('a Walnut secondary frozen with SIGSTOP: the Walnut primary goes on after HOSTSYNC', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    const r = await lab('walnut', 'walnut');
    await frozenSecondary(r, r.hosts[1]!);
    for (const line of r.summary().split('\n')) t.diagnostic(line);
  });
});
