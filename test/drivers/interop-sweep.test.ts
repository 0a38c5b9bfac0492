/**
 * Interop sweep: for EVERY .dev file of the shared DDL collection, `upsc`
 * (real NUT 2.8.0) prints the same thing through Walnut's dummy-ups + real
 * upsd as through real dummy-ups + real upsd. A Walnut upsd serves the same
 * driver sockets at the same time, so the same sweep also checks real
 * dummy-ups + Walnut upsd, and the all-Walnut stack, against the all-NUT one.
 *
 * One ups.conf holds two sections per file ([w<i>] served by Walnut, [r<i>]
 * by real dummy-ups); one real upsd serves them all. The Walnut drivers all
 * run in this test process (startDriver, one socket each); the real drivers
 * are started in batches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers, SHARED_DIR } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { NutClient } from '../../src/clients/client.js';
import { startDriver } from '../../src/drivers/core/index.js';
import type { DriverHandle } from '../../src/drivers/core/index.js';
import { dummyUps } from '../../src/drivers/dummy/index.js';
import { parseUpsConf } from '../../src/config/ups-conf.js';
import { startUpsd, type Upsd } from '../../src/server/index.js';
import { silentLogger } from '../../src/common/log.js';
import { stopProc, waitFor, type Proc } from '../support/proc.js';
import { nutDir, startRealDummy, startRealUpsd, writeUpsdConf } from '../support/real-nut.js';
import { devFiles, parseUpsc, pool, upsc } from './nut-helpers.js';

/**
 * The one difference allowed: real dummy-ups 2.8.0 writes to its socket
 * without blocking (synchronous = auto); when a large dump does not fit the
 * socket buffer (EAGAIN) it drops upsd, switches itself to synchronous mode
 * and republishes driver.parameter.synchronous as "yes" (its log says
 * "synchronous mode was 'auto', will try 'on' for next connections").
 * Walnut's socket writes never fail that way, so it keeps "auto".
 * Every other driver.* variable must be equal (driver.name dummy-ups,
 * driver.version 2.8.0, driver.version.internal 0.15, driver.parameter.*).
 */
function allowedDifference(name: string, walnut: string | undefined, real: string | undefined): boolean {
  return name === 'driver.parameter.synchronous' && walnut === 'auto' && real === 'yes';
}

test('every DDL .dev file: upsc through Walnut dummy-ups and/or Walnut upsd equals the all-NUT stack (plus LIST RW + GET TYPE)', { timeout: 300_000 }, async (t) => {
  if (!requirePeers(t, 'nut', 'shared')) return;
  const files = devFiles(path.join(SHARED_DIR, 'ddl'));
  assert.equal(files.length, 574, 'the DDL collection has 574 .dev files');
  const d = nutDir('walnut-sweep-');
  const port = await freePort();
  writeUpsdConf(d, port);
  const conf: string[] = [];
  files.forEach((f, i) => {
    fs.copyFileSync(f, path.join(d.etc, `f${i}.dev`));
    conf.push(`[w${i}]\n\tdriver = dummy-ups\n\tport = f${i}.dev\n`, `[r${i}]\n\tdriver = dummy-ups\n\tport = f${i}.dev\n`);
  });
  const confText = conf.join('');
  fs.writeFileSync(path.join(d.etc, 'ups.conf'), confText);
  const parsed = parseUpsConf(confText, path.join(d.etc, 'ups.conf'));

  const real: Proc[] = [];
  const walnut: DriverHandle[] = [];
  let upsd: Proc | undefined;
  let walnutUpsd: Upsd | undefined;
  let client: NutClient | undefined;
  let wclient: NutClient | undefined;
  try {
    // Walnut: every driver in this process
    for (let i = 0; i < files.length; i++) {
      walnut.push(
        await startDriver({ definition: dummyUps, upsName: `w${i}`, conf: parsed.value, statePath: d.state, confPath: d.etc, env: d.env }),
      );
    }
    // real dummy-ups: in batches, each waits for its socket
    for (let b = 0; b < files.length; b += 64) {
      const batch: Proc[] = [];
      for (let i = b; i < Math.min(files.length, b + 64); i++) batch.push(startRealDummy(d, `r${i}`));
      real.push(...batch);
      await waitFor(`real dummy-ups batch ${b}`, () => batch.every((_, k) => fs.existsSync(path.join(d.state, `dummy-ups-r${b + k}`))), 30000, 100);
    }
    upsd = startRealUpsd(d);
    // ready: every UPS answers GET VAR ups.status with something other than WAIT
    await waitFor('upsd listening', async () => {
      try {
        client = await NutClient.connect('127.0.0.1', port, { timeoutMs: 5000 });
        return true;
      } catch {
        return false;
      }
    }, 15000, 100);
    const waitAllDumped = async (c: NutClient, what: string) => {
      let pending = [...files.keys()].flatMap((i) => [`w${i}`, `r${i}`]);
      await waitFor(
        what,
        async () => {
          const still: string[] = [];
          for (const u of pending) {
            try {
              const s = await c.get(u, 'ups.status');
              if (s === 'WAIT') still.push(u);
            } catch {
              still.push(u);
            }
          }
          pending = still;
          return pending.length === 0;
        },
        90000,
        500,
      );
    };
    await waitAllDumped(client!, 'every UPS dumped in real upsd');
    // Walnut's upsd on the same ups.conf and the same driver sockets (real and Walnut drivers)
    walnutUpsd = await startUpsd({ confPath: d.etc, statePath: d.state, env: d.env, logger: silentLogger, listen: [{ host: '127.0.0.1', port: 0 }] });
    const wport = walnutUpsd.addresses()[0]!.port;
    wclient = await NutClient.connect('127.0.0.1', wport, { timeoutMs: 5000 });
    await waitAllDumped(wclient, 'every UPS dumped in Walnut upsd');

    const mismatches: string[] = [];
    let compared = 0;
    let allowedSeen = 0;
    await pool([...files.keys()], 8, async (i) => {
      const [w, r] = await Promise.all([upsc([`w${i}@127.0.0.1:${port}`], d.env), upsc([`r${i}@127.0.0.1:${port}`], d.env)]);
      assert.equal(w.code, 0, `upsc w${i}: ${w.stderr}`);
      assert.equal(r.code, 0, `upsc r${i}: ${r.stderr}`);
      const wm = parseUpsc(w.stdout);
      const rm = parseUpsc(r.stdout);
      compared++;
      assert.ok(wm.size > 5, `upsc w${i} printed ${wm.size} variables`);
      assert.deepEqual([...wm.keys()], [...rm.keys()], `${files[i]}: same variables in the same order`);
      const diff: string[] = [];
      for (const k of wm.keys()) {
        const a = wm.get(k);
        const b = rm.get(k);
        if (a === b) continue;
        if (allowedDifference(k, a, b)) {
          allowedSeen++;
          continue;
        }
        diff.push(`  ${k}: walnut=${JSON.stringify(a)} real=${JSON.stringify(b)}`);
      }
      if (diff.length) mismatches.push(`${path.relative(SHARED_DIR, files[i]!)}\n${diff.join('\n')}`);
    });
    assert.equal(compared, files.length);

    // real dummy-ups + Walnut upsd, and Walnut dummy-ups + Walnut upsd, against the all-NUT stack
    const upsdMismatches: string[] = [];
    await pool([...files.keys()], 8, async (i) => {
      const [rr, rw, ww] = await Promise.all([
        upsc([`r${i}@127.0.0.1:${port}`], d.env),
        upsc([`r${i}@127.0.0.1:${wport}`], d.env),
        upsc([`w${i}@127.0.0.1:${wport}`], d.env),
      ]);
      assert.equal(rw.code, 0, `upsc r${i} via Walnut upsd: ${rw.stderr}`);
      assert.equal(ww.code, 0, `upsc w${i} via Walnut upsd: ${ww.stderr}`);
      const ref = parseUpsc(rr.stdout);
      for (const [label, out] of [['real dummy-ups + Walnut upsd', rw], ['all Walnut', ww]] as const) {
        const m = parseUpsc(out.stdout);
        const diff: string[] = [];
        if ([...m.keys()].join() !== [...ref.keys()].join()) diff.push('  variables or their order differ');
        for (const k of m.keys()) {
          const a = m.get(k);
          const b = ref.get(k);
          // one real driver serves both upsds; its synchronous switch may be seen by one only
          if (a !== b && !(k === 'driver.parameter.synchronous' && (allowedDifference(k, a, b) || allowedDifference(k, b, a)))) {
            diff.push(`  ${k}: ${JSON.stringify(a)} vs all-NUT ${JSON.stringify(b)}`);
          }
        }
        if (diff.length) upsdMismatches.push(`${label}: ${path.relative(SHARED_DIR, files[i]!)}\n${diff.join('\n')}`);
      }
    });
    assert.deepEqual(upsdMismatches, [], `${upsdMismatches.length} differ:\n${upsdMismatches.slice(0, 20).join('\n')}`);

    // the flags too: LIST RW and GET TYPE of every writable variable (RW, STRING:n, NUMBER)
    const typeMismatches: string[] = [];
    let typed = 0;
    const conns = await Promise.all([0, 1, 2, 3].map(() => NutClient.connect('127.0.0.1', port, { timeoutMs: 10000 })));
    try {
      await pool([...files.keys()], 4, async (i, k) => {
        const c = conns[k % 4]!;
        const describe = async (ups: string) => {
          const rw = await c.listRw(ups);
          const types = await Promise.all(rw.map((v) => c.getType(ups, v.name)));
          return rw.map((v, j) => `${v.name}=${v.value} [${types[j]!.join(' ')}]`);
        };
        const [w, r] = await Promise.all([describe(`w${i}`), describe(`r${i}`)]);
        typed += w.length;
        const diff = w.filter((x) => !r.includes(x)).concat(r.filter((x) => !w.includes(x)).map((x) => `real: ${x}`));
        if (diff.length) typeMismatches.push(`${path.relative(SHARED_DIR, files[i]!)}: ${diff.join('; ')}`);
      });
    } finally {
      for (const c of conns) c.close();
    }
    assert.deepEqual(typeMismatches, [], `${typeMismatches.length} files differ in LIST RW / GET TYPE:\n${typeMismatches.slice(0, 20).join('\n')}`);
    t.diagnostic(`${typed} writable variables compared with their types`);
    t.diagnostic(`${compared} files compared; ${allowedSeen} allowed synchronous=yes differences`);
    assert.deepEqual(mismatches, [], `${mismatches.length} files differ:\n${mismatches.slice(0, 20).join('\n')}`);
  } finally {
    client?.close();
    wclient?.close();
    await walnutUpsd?.stop();
    await stopProc(upsd);
    await Promise.all(real.map((p) => stopProc(p)));
    await Promise.all(walnut.map((h) => h.stop()));
    d.cleanup();
  }
});
