/**
 * src/transports/serial.ts on a real socat pty pair: framing by CR and by
 * length, timeouts with the partial bytes, flush, and reopening after the
 * port disappeared (unplug → TransportError → replug → works again).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { SerialTransport, ReadTimeout, exchange, TERM_CR, showBytes } from '../../../src/transports/serial.js';
import { TransportError } from '../../../src/common/errors.js';
import { requirePeers } from '../../support/peers.js';
import { startTestPty, type TestPty } from '../../support/pty.js';
import { sleep, waitFor } from '../../support/proc.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function pair(): Promise<{ pty: TestPty; drv: SerialTransport; dev: SerialTransport }> {
  const pty = await startTestPty();
  const drv = new SerialTransport({ path: pty.a, dtr: true, rts: false });
  const dev = new SerialTransport({ path: pty.b });
  cleanups.push(async () => {
    await drv.close();
    await dev.close();
    await pty.cleanup();
  });
  return { pty, drv, dev };
}

test('showBytes makes control bytes visible', () => {
  assert.equal(showBytes('Q1\r'), 'Q1\\r');
  assert.equal(showBytes(Buffer.of(0x28, 0x00, 0xff, 0x0a)), '(\\x00\\xff\\n');
});

test('serial: CR framing, length framing, timeout with partial bytes, flush', async (t) => {
  if (!requirePeers(t, 'socat')) return;
  const { drv, dev } = await pair();
  await drv.open();
  await dev.open();
  // request/reply framed by CR
  const served = dev.readUntil(TERM_CR, { timeoutMs: 2000 }).then(async (req) => {
    assert.equal(req.toString('latin1'), 'Q1\r');
    await dev.write('(230.0 000.0 230.0 013 50.0 13.6 25.0 00001001\r');
  });
  const reply = await exchange(drv, 'Q1\r', { terminator: TERM_CR }, { timeoutMs: 2000 });
  await served;
  assert.equal(reply.toString('latin1'), '(230.0 000.0 230.0 013 50.0 13.6 25.0 00001001\r');
  // two frames in one write come out one by one
  await dev.write('AB\rCD\r');
  assert.equal((await drv.readUntil(TERM_CR, { timeoutMs: 2000 })).toString(), 'AB\r');
  assert.equal((await drv.readUntil(TERM_CR, { timeoutMs: 2000 })).toString(), 'CD\r');
  // length framing
  await dev.write('0123456789');
  assert.equal((await drv.readBytes(4, { timeoutMs: 2000 })).toString(), '0123');
  assert.equal((await drv.readBytes(6, { timeoutMs: 2000 })).toString(), '456789');
  // timeout keeps what arrived
  await dev.write('(230.0 trunc');
  await assert.rejects(drv.readUntil(TERM_CR, { timeoutMs: 300 }), (e: unknown) => {
    assert.ok(e instanceof ReadTimeout);
    assert.equal(e.reason, 'timeout');
    assert.equal(e.partial.toString(), '(230.0 trunc');
    return true;
  });
  // flush drops stale input
  await dev.write('stale\r');
  await sleep(100);
  await drv.flush();
  await dev.write('fresh\r');
  assert.equal((await drv.readUntil(TERM_CR, { timeoutMs: 2000 })).toString(), 'fresh\r');
  // an over-long frame is refused, not buffered forever
  await dev.write('x'.repeat(100));
  await assert.rejects(drv.readUntil(TERM_CR, { timeoutMs: 2000, maxLength: 50 }), /more than 50 bytes/);
  // readFor returns what arrived in the window
  await dev.write('abc');
  assert.equal((await drv.readFor(200)).toString(), 'abc');
  assert.equal((await drv.readFor(50)).length, 0);
});

test('serial: the port disappears (unplug) → errors; it comes back (replug) → reopened without a new object', async (t) => {
  if (!requirePeers(t, 'socat')) return;
  const { pty, drv } = await pair();
  let dev = new SerialTransport({ path: pty.b });
  cleanups.push(() => dev.close());
  await drv.open();
  await pty.unplug();
  await waitFor('driver side closed', () => !drv.isOpen, 5000);
  await assert.rejects(drv.write('Q1\r'), (e: unknown) => e instanceof TransportError && e.reason === 'disconnected');
  await assert.rejects(drv.readUntil(TERM_CR, { timeoutMs: 200 }), TransportError);
  await pty.replug();
  await dev.close();
  dev = new SerialTransport({ path: pty.b });
  await dev.open();
  const served = dev.readUntil(TERM_CR, { timeoutMs: 2000 }).then((r) => dev.write(`echo ${r.toString()}`));
  const reply = await exchange(drv, 'F\r', { terminator: TERM_CR }, { timeoutMs: 2000 });
  await served;
  assert.equal(reply.toString(), 'echo F\r');
  assert.equal(drv.opens, 2);
});

test('serial: a path that does not exist is a disconnected TransportError', async () => {
  const drv = new SerialTransport({ path: '/nonexistent/ttyX' });
  await assert.rejects(drv.open(), (e: unknown) => e instanceof TransportError && e.reason === 'disconnected');
});
