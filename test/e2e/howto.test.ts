/**
 * The user's how-to (shared/seed/minimalistic-ups-monitoring-howto.md), first
 * half, followed literally with Walnut: the config snippets as written (typos
 * included), `walnut check`, then the fixed config, the drivers, upsd on the
 * default port, `upsc myups@localhost`, a real NUT upsmon logging in (the
 * how-to's "check syslog" line), and the switch to a network address.
 *
 * Everything runs inside a private network + mount namespace made by the
 * test (unshare), so port 3493 is free and the "network" address is
 * 198.18.0.1 on the namespace's own loopback; /run/nut there is a tmpfs.
 * Only hardware is substituted: dummy-ups plays the UPS instead of usbhid-ups.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { REPO_ROOT, requirePeers, NUT_LIBEXEC, REQUIRE_PEERS } from '../support/peers.js';
import { tempDir } from '../support/tmp.js';

const BIN = path.join(REPO_ROOT, 'bin');

function canUnshare(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces (unshare -n)';
  try {
    execFileSync('unshare', ['-n', '-m', 'true'], { stdio: 'ignore' });
    return undefined;
  } catch (e) {
    return `unshare -n -m not permitted here: ${(e as Error).message}`;
  }
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

test('the how-to, first half, with Walnut', { timeout: 120_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const why = canUnshare();
  if (why) {
    if (REQUIRE_PEERS) throw new Error(why);
    t.skip(why);
    return;
  }
  const { dir, cleanup } = tempDir('walnut-howto-');
  const etc = path.join(dir, 'etc');
  const state = path.join(dir, 'state');
  const run = path.join(dir, 'run');
  for (const d of [etc, state, run]) fs.mkdirSync(d);
  const env = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state, NUT_ALTPIDPATH: run };

  // The namespace holder: everything below runs inside it through nsenter.
  const holder = spawn(
    'unshare',
    ['-n', '-m', '--propagation', 'private', 'sh', '-c',
      'ip link set lo up && ip addr add 198.18.0.1/32 dev lo && mkdir -p /run/nut && mount -t tmpfs -o mode=0770 tmpfs /run/nut && chgrp nut /run/nut; echo ready; exec sleep 600'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) {
      if (c.exitCode === null) c.kill('SIGTERM');
      // never wait on pipes a leftover grandchild might still hold
      c.stdout?.destroy();
      c.stderr?.destroy();
    }
    holder.kill('SIGKILL');
    holder.stdout?.destroy();
    cleanup();
  });
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once('data', () => resolve());
    holder.once('exit', (c) => reject(new Error(`namespace holder exited ${c}`)));
  });
  const ns = ['-t', String(holder.pid), '-n', '-m', '--'];

  const exec = (cmd: string, args: string[], timeoutMs = 30_000): Promise<Ran> =>
    new Promise((resolve) => {
      const p = spawn('nsenter', [...ns, cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  const daemon = (cmd: string, args: string[]) => {
    const p = spawn('nsenter', [...ns, cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    p.stdout!.on('data', (d) => (log += d));
    p.stderr!.on('data', (d) => (log += d));
    children.push(p);
    return { proc: p, log: () => log };
  };
  const waitFor = async (what: string, fn: () => Promise<boolean> | boolean, ms = 20_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await fn()) return;
      await delay(200);
    }
    assert.fail(`timed out waiting for ${what}`);
  };

  // "Edit /etc/nut/nut.conf ... MODE=netserver", "Then edit /etc/nut/ups.conf" (as written, typo included)
  fs.writeFileSync(path.join(etc, 'nut.conf'), 'MODE=netserver\n');
  fs.writeFileSync(path.join(etc, 'ups.conf'), '[myups]\n    criver = usbhid-ups\n    port = auto\n    description = "My UPS / Location"\n');
  fs.writeFileSync(path.join(etc, 'upsd.conf'), '');
  fs.writeFileSync(
    path.join(etc, 'upsd.users'),
    '[locupsmon]\n    password = topsecret\n    upsmon master\n\n[remupsmon]\n    password = topsecret\n    upsmon slave\n',
    { mode: 0o640 },
  );
  execFileSync('chown', ['-R', 'root:nut', etc]);
  execFileSync('chown', ['nut:nut', state, run]);

  // Walnut tells the user about the typo, with file, line and a suggestion...
  const check1 = await exec(path.join(BIN, 'walnut'), ['check']);
  assert.equal(check1.code, 1, check1.stdout + check1.stderr);
  const upsConf = path.join(etc, 'ups.conf');
  assert.match(check1.stdout, new RegExp(`${upsConf}:2: .*criver.*did you mean driver\\?`));
  assert.match(check1.stdout, new RegExp(`${upsConf}:4: .*description.*did you mean desc\\?`));
  // ...and "service nut-server start" would refuse, naming the error, instead of failing silently.
  const refused = await exec(path.join(BIN, 'upsd'), ['-F']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, new RegExp(`${upsConf}:1: error: UPS \\[myups\\] has no driver`));

  // The fixed ups.conf. No USB UPS here: dummy-ups plays the hardware.
  fs.writeFileSync(
    path.join(etc, 'myups.dev'),
    'ups.mfr: American Power Conversion\nups.model: Back-UPS CS 500\nups.status: OL\nbattery.charge: 100\nbattery.runtime: 2400\ninput.voltage: 230.0\n',
  );
  fs.writeFileSync(upsConf, '[myups]\n    driver = dummy-ups\n    port = myups.dev\n    desc = "My UPS / Location"\n');
  execFileSync('chown', ['-R', 'root:nut', etc]);
  const check2 = await exec(path.join(BIN, 'walnut'), ['check']);
  // (upsmon.conf comes later in the how-to: only the files written so far must be clean)
  assert.doesNotMatch(check2.stdout, /(ups\.conf|upsd\.conf|upsd\.users|nut\.conf)(:\d+)?: error:/, check2.stdout);

  // "service nut-server start": the drivers, then upsd (on the default port 3493).
  const drv = await exec(path.join(BIN, 'upsdrvctl'), ['start']);
  assert.equal(drv.code, 0, drv.stdout + drv.stderr);
  await waitFor('the driver socket', () => fs.existsSync(path.join(state, 'dummy-ups-myups')));
  const upsd = daemon(path.join(BIN, 'upsd'), ['-F']);

  // "Check if you can connect to the UPS": upsc myups@localhost — with Walnut's upsc and NUT's.
  let out: Ran = { code: null, stdout: '', stderr: '' };
  await waitFor('upsc myups@localhost to answer', async () => {
    out = await exec(path.join(BIN, 'upsc'), ['myups@localhost']);
    return out.code === 0 && /ups.status: OL/.test(out.stdout);
  });
  assert.match(out.stdout, /^device\.model: Back-UPS CS 500$/m);
  assert.match(out.stdout, /^battery\.charge: 100$/m);
  const real = await exec('/usr/bin/upsc', ['myups@localhost']);
  assert.equal(real.code, 0, real.stderr);
  assert.equal(real.stdout, out.stdout);
  const list = await exec(path.join(BIN, 'upsc'), ['-L', 'localhost']);
  assert.equal(list.stdout, 'myups: My UPS / Location\n');

  // "Add a MONITOR entry to /etc/nut/upsmon.conf ... start the monitoring service. Check syslog":
  // a real NUT upsmon logs in; Walnut's upsd logs the line the how-to looks for.
  fs.writeFileSync(
    path.join(etc, 'upsmon.conf'),
    `MONITOR myups@localhost 1 locupsmon topsecret master\nSHUTDOWNCMD "/bin/true"\nPOLLFREQ 1\n`,
    { mode: 0o640 },
  );
  execFileSync('chown', ['root:nut', path.join(etc, 'upsmon.conf')]);
  // -p: one process (no privileged parent + child pair), so SIGTERM to this PID ends it all
  const upsmon = daemon(path.join(NUT_LIBEXEC, 'upsmon'), ['-F', '-p']);
  await waitFor('the login line in upsd\'s log', () => /User locupsmon@127\.0\.0\.1 logged into UPS \[myups\]/.test(upsd.log()));
  assert.doesNotMatch(upsd.log(), /topsecret/, 'a password reached the log');
  upsmon.proc.kill('SIGTERM');
  await new Promise((r) => (upsmon.proc.exitCode !== null ? r(null) : upsmon.proc.once('exit', r)));

  // "Switch from localhost to network reachable": LISTEN on an address, MONITOR typo reported.
  fs.writeFileSync(path.join(etc, 'upsd.conf'), 'LISTEN 198.18.0.1 3493\n');
  fs.writeFileSync(path.join(etc, 'upsmon.conf'), 'MONTIOR myups@198.18.0.1 1 locupsmon topsecret master\n', { mode: 0o640 });
  const check3 = await exec(path.join(BIN, 'walnut'), ['check']);
  assert.match(check3.stdout, new RegExp(`${path.join(etc, 'upsmon.conf')}:1: .*MONTIOR.*did you mean MONITOR\\?`));
  // "restart client and server"
  upsd.proc.kill('SIGTERM');
  await new Promise((r) => upsd.proc.once('exit', r));
  const upsd2 = daemon(path.join(BIN, 'upsd'), ['-F']);
  await waitFor('upsc myups@198.18.0.1', async () => {
    const r = await exec(path.join(BIN, 'upsc'), ['myups@198.18.0.1', 'ups.status']);
    return r.code === 0 && r.stdout === 'OL\n';
  });
  const loop = await exec(path.join(BIN, 'upsc'), ['myups@localhost', 'ups.status']);
  assert.notEqual(loop.code, 0, 'upsd still answers on localhost after LISTEN 198.18.0.1');
  upsd2.proc.kill('SIGTERM');
  await exec(path.join(BIN, 'upsdrvctl'), ['stop']);
});
