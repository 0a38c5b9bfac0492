/**
 * apcsmart end to end on a real pty pair (Debian's socat): the simulated
 * Smart-UPS (built from real units' dumps) on one side, Walnut's apcsmart
 * on the other, Walnut's (or NUT 2.8.0's) upsd above it, and upsc / upscmd /
 * upsrw as a user runs them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { TRANSFER_REASONS } from '../../../src/drivers/apcsmart/protocol.js';
import { REPO_ROOT, requirePeers, skipUnless } from '../../support/peers.js';
import { execProgram, waitFor, stopProc } from '../../support/proc.js';
import { freePort } from '../../support/ports.js';
import { startRealUpsd, writeUpsdConf } from '../../support/real-nut.js';
import { sharedDev, startStack, upsc } from './helpers.js';
import type { Stack } from './helpers.js';

/** Variables these dumps hold that NUT 2.8's apcsmart no longer publishes (renamed) or gets from accessories. */
const NOT_READ = new Set([
  'output.voltage.target.battery',
  'ups.firmware.old',
  'ups.display.language',
  'ambient.temperature.alarm.minimum',
  'ambient.temperature.alarm.maximum',
  'ambient.humidity.alarm.minimum',
  'ambient.humidity.alarm.maximum',
]);

const DUMPS = [
  'APC__Smart-UPS_1500__apcsmart__2.2.1__01.dev',
  'APC__Smart-UPS_RT_3000_XL__apcsmart__2.7.1__01.dev',
  'APC__Matrix-UPS_3000__apcsmart__2.2.0__01.dev',
  'APC__Smart-UPS_5000_RM__apcsmart__2.6.3__01.dev',
];

function cmd(port: number, args: string[]) {
  return execProgram(path.join(REPO_ROOT, 'bin/upscmd'), ['-u', 'admin', '-p', 'adminpass', `ups@127.0.0.1:${port}`, ...args]);
}

describe('apcsmart on a pty', { skip: skipUnless('socat', 'shared') }, () => {
  test('upsc shows what the real units showed (4 dumps, Walnut upsd)', async (t) => {
    if (!requirePeers(t, 'socat', 'shared')) return;
    for (const f of DUMPS) {
      const vars = sharedDev(f);
      const s = await startStack(vars);
      try {
        const r = await upsc(s.upsdPort);
        assert.equal(r.code, 0, r.stderr);
        let compared = 0;
        for (const [name, value] of vars) {
          if (/^(driver|device)\./.test(name) || NOT_READ.has(name)) continue;
          const expected = name === 'input.transfer.reason' && /^[A-Z]$/.test(value) ? TRANSFER_REASONS[value] : value;
          assert.equal(r.vars.get(name), expected, `${f}: ${name}`);
          compared++;
        }
        assert.ok(compared >= 5, `${f}: only ${compared} variables compared`);
        // what NUT's core adds
        assert.equal(r.vars.get('device.model'), vars.get('ups.model'));
        assert.equal(r.vars.get('driver.name'), 'apcsmart');
      } finally {
        await s.stop();
      }
    }
  });

  let s: Stack | undefined;
  test('status changes reach upsc within one poll: alerts at once, silent changes at the next poll', async (t) => {
    if (!requirePeers(t, 'socat', 'shared')) return;
    s = await startStack(sharedDev(DUMPS[0]!), { pollinterval: 2 });
    const status = async () => (await upsc(s!.upsdPort, 'walnut', 'ups.status')).stdout.trim();
    assert.equal(await status(), 'OL');
    await s.port.setStatus(['OB']); // sends '!'
    await waitFor('OB after the ! alert', async () => (await status()) === 'OB', 3000, 100);
    await s.port.setStatus(['OB', 'LB']); // sends '%'
    await waitFor('OB LB after the % alert', async () => (await status()) === 'OB LB', 3000, 100);
    // a change the unit does not announce: seen at the next Q poll (pollinterval 2 s)
    s.port.sim.setStatus(['OL', 'TRIM']);
    await waitFor('TRIM OL at the next poll', async () => (await status()) === 'TRIM OL', 2000 + 1500, 100);
    await s.port.setStatus(['OL']);
    await waitFor('OL again', async () => (await status()) === 'OL', 3000, 100);
  });

  test('upscmd reaches the unit with the right bytes; dangerous commands need a second request 3–15 s later', async (t) => {
    if (!requirePeers(t, 'socat', 'shared') || !s) return;
    const events = () => s!.port.sim.events.map((e) => e.cmd);
    // upscmd prints OK on stderr, as NUT's
    let r = await cmd(s.upsdPort, ['test.battery.start']);
    assert.equal(r.stderr.trim(), 'OK', r.stdout);
    await waitFor('W at the unit', () => events().includes('W'), 3000);
    r = await cmd(s.upsdPort, ['test.panel.start']);
    await waitFor('A at the unit', () => events().includes('A'), 3000);
    // load.off: the first request is accepted but does nothing
    r = await cmd(s.upsdPort, ['load.off']);
    assert.equal(r.stderr.trim(), 'OK');
    await new Promise((res) => setTimeout(res, 3200));
    assert.ok(!events().includes('ZZ'), 'load.off acted on the first request');
    r = await cmd(s.upsdPort, ['load.off']);
    assert.equal(r.stderr.trim(), 'OK');
    // the driver sends Z twice, 1.3 s apart; the unit acts on the second
    await waitFor('ZZ at the unit', () => events().includes('ZZ'), 5000);
    const zz = s.port.sim.events.find((e) => e.cmd === 'ZZ')!;
    assert.equal(zz.action, 'load off');
    // shutdown.return at:5 → @005 (after its own confirmation)
    await cmd(s.upsdPort, ['shutdown.return', 'at:5']);
    await new Promise((res) => setTimeout(res, 3200));
    assert.ok(!events().includes('@005'));
    await cmd(s.upsdPort, ['shutdown.return', 'at:5']);
    await waitFor('@005 at the unit', () => events().includes('@005'), 3000);
  });

  test('upsrw cycles a setting through the capability list', async (t) => {
    if (!requirePeers(t, 'socat', 'shared') || !s) return;
    const rw = await execProgram(path.join(REPO_ROOT, 'bin/upsrw'), [`ups@127.0.0.1:${s.upsdPort}`]);
    assert.match(rw.stdout, /\[input\.transfer\.high\]/);
    const cur = s.port.sim.valueOf('u')!;
    const section = rw.stdout.split('\n\n').find((b) => b.startsWith('[input.transfer.high]'))!;
    const options = [...section.matchAll(/Option: "(\d+)"/g)].map((m) => m[1]!);
    const target = options.find((o) => o !== cur)!;
    assert.ok(target, rw.stdout);
    const r = await execProgram(path.join(REPO_ROOT, 'bin/upsrw'), ['-s', `input.transfer.high=${target}`, '-u', 'admin', '-p', 'adminpass', `ups@127.0.0.1:${s.upsdPort}`]);
    assert.equal(r.stderr.trim(), 'OK', r.stdout);
    await waitFor('the unit holds the new value', () => s!.port.sim.valueOf('u') === target, 5000);
    await waitFor('upsc shows it', async () => (await upsc(s!.upsdPort, 'walnut', 'input.transfer.high')).stdout.trim() === target, 5000, 100);
    // ups.id is a string setting: '-' then 8 characters
    const r2 = await execProgram(path.join(REPO_ROOT, 'bin/upsrw'), ['-s', 'ups.id=RACK7', '-u', 'admin', '-p', 'adminpass', `ups@127.0.0.1:${s.upsdPort}`]);
    assert.equal(r2.stderr.trim(), 'OK', r2.stdout);
    await waitFor('ups.id set', () => s!.port.sim.valueOf('c') === 'RACK7   ', 5000);
  });

  test('the port goes away: data stale; it comes back: the driver recovers without a restart', async (t) => {
    if (!requirePeers(t, 'socat', 'shared') || !s) return;
    await s.pty.unplug();
    await waitFor('Data stale', async () => /Data stale/.test((await upsc(s!.upsdPort)).stderr), 15000, 200);
    await s.pty.replug();
    await waitFor('fresh data again', async () => (await upsc(s!.upsdPort)).code === 0, 15000, 200);
    assert.equal((await upsc(s.upsdPort, 'walnut', 'ups.model')).stdout.trim(), 'Smart-UPS 1500');
    await s.stop();
    s = undefined;
  });

  test('the same driver feeds NUT 2.8.0’s upsd through the driver socket', async (t) => {
    if (!requirePeers(t, 'socat', 'shared', 'nut')) return;
    const vars = sharedDev(DUMPS[1]!);
    const st = await startStack(vars, { upsd: false });
    const port = await freePort();
    writeUpsdConf(st.dir, port);
    const upsd = startRealUpsd(st.dir);
    try {
      // real upsd answers before the rest of the driver's dump has arrived: wait for all of it
      let nut = await upsc(port, 'nut');
      await waitFor('the whole dump through real upsd', async () => {
        nut = await upsc(port, 'nut');
        return nut.code === 0 && ['ups.model', 'ups.status', 'output.current', 'driver.name'].every((k) => nut.vars.has(k));
      }, 10000, 200).catch(() => {});
      assert.equal(nut.vars.get('ups.model'), 'Smart-UPS RT 3000 XL');
      assert.equal(nut.vars.get('ups.status'), 'OL');
      assert.equal(nut.vars.get('output.current'), '01.55');
      assert.equal(nut.vars.get('driver.name'), 'apcsmart');
      // a status change goes through too
      await st.port.setStatus(['OB']);
      await waitFor('OB through real upsd', async () => (await upsc(port, 'nut', 'ups.status')).stdout.trim() === 'OB', 5000, 100);
    } finally {
      await stopProc(upsd);
      await st.stop();
    }
    assert.ok(fs.existsSync(REPO_ROOT));
  });
});

describe('apcsmart on a noisy line', { skip: skipUnless('socat', 'shared') }, () => {
  test('malformed, cut and noisy replies (fast-check) are refused with a debug message; the driver never crashes or stalls', async (t) => {
    if (!requirePeers(t, 'socat', 'shared')) return;
    const st = await startStack(sharedDev(DUMPS[0]!), { pollinterval: 1 });
    try {
      // one flaky line per sample: noise bytes inserted, replies cut, bytes flipped
      const manglers = fc.sample(
        fc.record({ noise: fc.uint8Array({ minLength: 1, maxLength: 12 }), cut: fc.nat(6), flip: fc.nat(255), mode: fc.constantFrom('noise', 'cut', 'flip', 'drop') }),
        { numRuns: 6, seed: 1129 },
      );
      for (const m of manglers) {
        st.port.mangle((out) => {
          switch (m.mode) {
            case 'noise':
              return Buffer.from(m.noise).toString('latin1') + out;
            case 'cut':
              return out.slice(0, Math.min(m.cut, out.length - 1));
            case 'flip':
              return String.fromCharCode(m.flip) + out.slice(1);
            default:
              return '';
          }
        });
        await new Promise((r) => setTimeout(r, 1000));
        // the driver process is alive and its socket answers (upsd reports fresh or stale, never a dead driver)
        const r = await upsc(st.upsdPort);
        assert.ok(r.code === 0 || /Data stale/.test(r.stderr), `${m.mode}: ${r.stderr}`);
      }
      st.port.mangle(undefined);
      await waitFor('clean data after the noise', async () => {
        const r = await upsc(st.upsdPort);
        return r.code === 0 && r.vars.get('ups.status') === 'OL' && r.vars.get('ups.model') === 'Smart-UPS 1500';
      }, 10000, 200);
      const debug = st.log.lines.filter((l) => l.severity === 'debug').map((l) => l.message);
      assert.ok(debug.some((m) => /ignored|unusable|bad status/.test(m)), 'no debug message about the bad replies');
    } finally {
      await st.stop();
    }
  });

  test('-k (killpower) on line power sends @000 (sdtype 0)', async (t) => {
    if (!requirePeers(t, 'socat', 'shared')) return;
    const st = await startStack(sharedDev(DUMPS[0]!), { upsd: false });
    try {
      await st.driver.stop();
      const r = await execProgram(path.join(REPO_ROOT, 'bin/apcsmart'), ['-a', 'ups', '-k'], st.dir.env, 20000);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(st.port.sim.events.some((e) => e.cmd === '@000'), JSON.stringify(st.port.sim.events.map((e) => e.cmd)));
    } finally {
      await st.stop();
    }
  });
});

describe('walnut simulate apcsmart', { skip: skipUnless('socat') }, () => {
  test('--link: the driver reads the built-in Smart-UPS; ob / lb on stdin reach the driver as alerts; quit ends it', async (t) => {
    if (!requirePeers(t, 'socat')) return;
    const { spawn } = await import('node:child_process');
    const { startDriver } = await import('../../../src/drivers/core/index.js');
    const { apcsmart } = await import('../../../src/drivers/apcsmart/index.js');
    const { tempDir } = await import('../../support/tmp.js');
    const { stopChild } = await import('../../support/proc.js');
    const tmp = tempDir('walnut-apcsim-');
    const link = path.join(tmp.dir, 'apc-tty');
    const child = spawn(path.join(REPO_ROOT, 'bin/walnut'), ['simulate', 'apcsmart', '--link', link], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    let drv: Awaited<ReturnType<typeof startDriver>> | undefined;
    try {
      await waitFor('simulator ready', () => out.includes('ready'), 15_000);
      drv = await startDriver({ definition: apcsmart, upsName: 'sim', extra: [{ key: 'port', value: link }, { key: 'pollinterval', value: '1' }] });
      assert.equal(drv.state.getInfo('ups.model'), 'Smart-UPS 1500');
      assert.equal(drv.state.getInfo('ups.status'), 'OL');
      child.stdin!.write('ob\n');
      await waitFor('OB', () => drv!.state.getInfo('ups.status') === 'OB', 10_000);
      child.stdin!.write('lb\n');
      await waitFor('OB LB', () => drv!.state.getInfo('ups.status') === 'OB LB', 10_000);
      child.stdin!.write('log\n');
      await waitFor('log shown', () => /Y -> smart mode/.test(out), 10_000);
      await drv.stop();
      drv = undefined;
      child.stdin!.write('quit\n');
      await waitFor('exit', () => child.exitCode !== null, 10_000);
      assert.equal(child.exitCode, 0);
    } finally {
      await drv?.stop();
      await stopChild(child);
      child.stdout!.destroy();
      child.stderr!.destroy();
      tmp.cleanup();
    }
  });
});
