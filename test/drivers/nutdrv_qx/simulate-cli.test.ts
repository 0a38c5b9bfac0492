/**
 * `walnut simulate qx` as a user runs it: a pty made with socat at --link,
 * control lines on stdin, Walnut's nutdrv_qx on the link, `quit` ends it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers, REPO_ROOT } from '../../support/peers.js';
import { tempDir } from '../../support/tmp.js';
import { stopChild, waitFor } from '../../support/proc.js';
import { startDriver, type DriverHandle } from '../../../src/drivers/core/driver.js';
import { nutdrvQx } from '../../../src/drivers/nutdrv_qx/index.js';
import { IPPON_DEV, MEGATEC_TXT } from './harness.js';
import { main as simulateMain, startSimulation } from '../../../src/cli/walnut-simulate.js';
import { createLogger, MemorySink } from '../../../src/common/log.js';

const WALNUT = path.join(REPO_ROOT, 'bin/walnut');
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('walnut simulate: usage and refusals (in-process main)', async () => {
  const run = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await simulateMain(argv, { out: (x) => (stdout += x), err: (x) => (stderr += x) });
    return { code, stdout, stderr };
  };
  const none = await run([]);
  assert.equal(none.code, 1);
  assert.match(none.stdout, /usage: walnut simulate KIND/);
  assert.match(none.stdout, /qx +Megatec Q1/);
  const bad = await run(['nosuch']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown kind 'nosuch'/);
  const opt = await run(['qx', '--bogus', '1']);
  assert.equal(opt.code, 1);
  assert.match(opt.stderr, /unknown option '--bogus'/);
  const both = await run(['qx', '--link', '/tmp/x', '--tty', '/tmp/y']);
  assert.equal(both.code, 1);
  const missing = await run(['qx', '--dev', '/nonexistent.dev', '--tty', '/nonexistent-tty']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nonexistent\.dev/);
});

test('walnut simulate qx --dev --link: the driver reads it; stdin controls change the status; quit ends it', async (t) => {
  if (!requirePeers(t, 'socat', 'shared')) return;
  const tmp = tempDir('walnut-simcli-');
  cleanups.push(tmp.cleanup);
  const link = path.join(tmp.dir, 'ups-tty');
  const child = spawn(WALNUT, ['simulate', 'qx', '--dev', IPPON_DEV, '--link', link], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => stopChild(child));
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  await waitFor('simulator ready', () => out.includes('ready'), 15_000);
  assert.ok(fs.existsSync(link));
  let drv: DriverHandle | undefined = await startDriver({
    definition: nutdrvQx,
    upsName: 'sim',
    extra: [
      { key: 'port', value: link },
      { key: 'pollinterval', value: '1' },
    ],
  });
  cleanups.push(() => drv?.stop());
  assert.equal(drv.state.getInfo('ups.status'), 'OL');
  assert.equal(drv.state.getInfo('input.voltage'), '222.0');
  child.stdin!.write('ob\n');
  await waitFor('OB', () => drv!.state.getInfo('ups.status') === 'OB', 10_000);
  child.stdin!.write('lb\n');
  await waitFor('OB LB', () => drv!.state.getInfo('ups.status') === 'OB LB', 10_000);
  child.stdin!.write('log\n');
  await waitFor('log shown', () => /Q1 -> \(000\.0/.test(out), 10_000);
  await drv.stop();
  drv = undefined;
  child.stdin!.write('quit\n');
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  assert.equal(code, 0);
  assert.ok(!fs.existsSync(link), 'the link is removed');
});

test('startSimulation (library) with --exchanges/--record replays a real unit\'s bytes: record 2, on battery', async (t) => {
  if (!requirePeers(t, 'socat', 'shared')) return;
  const tmp = tempDir('walnut-simrec-');
  cleanups.push(tmp.cleanup);
  const link = path.join(tmp.dir, 'tty');
  const opts = new Map([
    ['link', link],
    ['exchanges', MEGATEC_TXT],
    ['record', '2'],
  ]);
  const h = await startSimulation('qx', opts, createLogger(new MemorySink()));
  cleanups.push(() => h.stop());
  const drv = await startDriver({ definition: nutdrvQx, upsName: 'rec', extra: [{ key: 'port', value: link }, { key: 'protocol', value: 'megatec' }] });
  cleanups.push(() => drv.stop());
  assert.equal(drv.state.getInfo('ups.status'), 'OB');
  assert.equal(drv.state.getInfo('input.voltage'), '0.0');
  assert.equal(drv.state.getInfo('output.voltage'), '230.0');
  assert.equal(drv.state.getInfo('battery.voltage'), '12.80');
  assert.equal(drv.state.getInfo('ups.beeper.status'), 'disabled');
  await assert.rejects(startSimulation('qx', new Map([['exchanges', MEGATEC_TXT], ['record', '99'], ['link', path.join(tmp.dir, 'x')]]), createLogger(new MemorySink())), /no record == 99 ==/);
});
