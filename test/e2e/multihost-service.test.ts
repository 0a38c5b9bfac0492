/**
 * The how-to's own steps in network namespaces: "service nut-server start"
 * and "service nut-client start" — here `walnut service start`, which reads
 * nut.conf's MODE (netserver on the UPS host, netclient on the others), puts
 * the daemons in the background and drops them to the `nut` user, with the
 * how-to's owners on /etc/nut (root:nut). A real NUT 2.8.0 upsmon joins as one
 * secondary. Then the power fails (OL → OB → OB LB) and every host must go
 * through the same sequence as in multihost-outage.test.ts; afterwards
 * `walnut service stop nut-server` stops what is left on the UPS host.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO_ROOT } from '../support/peers.js';
import { assertOutage, destroyAllRuns, pidFromFile, playOutage, requireLab, runLab } from './multihost-harness.js';

after(destroyAllRuns);

test('how-to with `walnut service start` on every host (MODE netserver / netclient): power fails, all shut down in order', { timeout: 180_000 }, async (t) => {
  if (!requireLab(t)) return;
  await runLab(
    t,
    {
      server: 'walnut',
      hosts: [
        { impl: 'walnut', role: 'master' },
        { impl: 'walnut', role: 'slave' },
        { impl: 'walnut', role: 'secondary' },
        { impl: 'nut', role: 'slave' },
      ],
    },
    async (r) => {
      // the services run as nut, in the background: their PID files name them
      for (const h of r.hosts.filter((x) => x.spec.impl === 'walnut')) assert.ok(pidFromFile(h, 'upsmon'), `${h.label}: no upsmon.pid`);
      assert.ok(pidFromFile(r.ups, 'upsd'), 'no upsd.pid on the UPS host');
      await playOutage(r);
      assertOutage(r);
      // "service nut-server stop": upsd and the driver go, and status says so
      const walnut = path.join(REPO_ROOT, 'bin/walnut');
      const stop = await r.ups.net.exec(walnut, ['service', 'stop', 'nut-server'], r.ups.env, 60_000);
      assert.equal(stop.code, 0, stop.stdout + stop.stderr);
      const status = await r.ups.net.exec(walnut, ['service', 'status', 'nut-server'], r.ups.env, 30_000);
      assert.equal(status.code, 3, `walnut service status nut-server after stop: ${status.code}\n${status.stdout}${status.stderr}`);
    },
    { service: true },
  );
});
