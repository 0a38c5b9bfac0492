/**
 * The how-to in network namespaces with Walnut (issue 3's acceptance run):
 * four hosts on a private bridge — the UPS host (upsd + dummy-ups playing
 * OL → OB → OB LB, and the primary upsmon), two secondaries running Walnut's
 * upsmon and one running real NUT 2.8.0 upsmon — and the same run with real
 * NUT's upsd, dummy-ups and primary upsmon serving Walnut secondaries, the
 * reverse (Walnut's upsd and dummy-ups with a real NUT primary), and a run
 * with one secondary frozen by SIGSTOP. Each run has its own namespaces and
 * they go concurrently. Assertions: test/e2e/multihost-harness.ts
 * (assertOutage), the same ones real NUT passes in multihost-nut.test.ts.
 */
import { describe, test, after } from 'node:test';
import { assertOutage, destroyAllRuns, frozenSecondary, playOutage, requireLab, runLab, type Impl, type RunOptions } from './multihost-harness.js';

after(destroyAllRuns);

/** The how-to's hosts: the UPS host's primary, then two Walnut secondaries and a real NUT one. */
function howto(server: Impl, primary: Impl): RunOptions {
  return {
    server,
    hosts: [
      { impl: primary, role: 'master' },
      { impl: 'walnut', role: 'slave' },
      { impl: 'walnut', role: 'secondary' },
      { impl: 'nut', role: 'slave' },
    ],
  };
}

describe('how-to in namespaces: power fails, the battery runs low', { concurrency: true }, () => {
  test('Walnut upsd + dummy-ups + primary; Walnut, Walnut and NUT secondaries: all notify, secondaries shut down first, the primary after their logout', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, howto('walnut', 'walnut'), async (r) => {
      await playOutage(r);
      assertOutage(r);
    });
  });

  test('real NUT upsd + dummy-ups + primary upsmon serving Walnut secondaries (and a NUT one)', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, howto('nut', 'nut'), async (r) => {
      await playOutage(r);
      assertOutage(r);
    });
  });

  test('Walnut upsd + dummy-ups serving a real NUT primary upsmon (FSD and NUMLOGINS through Walnut upsd)', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, howto('walnut', 'nut'), async (r) => {
      await playOutage(r);
      assertOutage(r);
    });
  });

  test('a Walnut secondary frozen with SIGSTOP: the Walnut primary goes on after HOSTSYNC', { timeout: 150_000 }, async (t) => {
    if (!requireLab(t)) return;
    await runLab(t, howto('walnut', 'walnut'), (r) => frozenSecondary(r, r.hosts[1]!));
  });
});
