/**
 * A noisy serial line on a real pty: garbled, truncated, unterminated,
 * over-long and missing replies (fast-check picks them) are refused with a
 * debug message; the data goes stale, upsd keeps answering, the driver never
 * crashes or stalls, and the first good reply makes the data fresh again.
 * Bytes left over after a reply (as in record 6's stale buffer) are flushed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { requirePeers } from '../../support/peers.js';
import { startBench, IPPON_DEV, type Bench } from './harness.js';

const benches: Bench[] = [];
after(async () => {
  for (const b of benches) await b.cleanup();
});

const GOOD = '(222.0 221.4 221.4 013 50.3 13.6 25.0 00001001\r';

test('noisy line through a pty: refused with a debug message, never a crash or a stall, then recovery', async (t) => {
  if (!requirePeers(t, 'socat', 'nut', 'shared')) return;
  // a long poll interval: the test drives the polls itself
  const b = await startBench({ dev: IPPON_DEV, upsName: 'ippon', section: ['protocol = megatec', 'pollinterval = 3600'] });
  benches.push(b);
  const inst = b.driver!.instance;
  const st = b.driver!.state;
  assert.equal(st.isStale, false);

  const noise = fc.oneof(
    fc.string({ minLength: 1, maxLength: 60 }).map((s) => s.replace(/\r/g, '') + '\r'),
    fc.uint8Array({ minLength: 1, maxLength: 60 }).map((a) => Buffer.concat([Buffer.from(a.filter((x) => x !== 0x0d)), Buffer.of(0x0d)])),
    fc.integer({ min: 1, max: GOOD.length - 2 }).map((n) => GOOD.slice(0, n) + '\r'),
    fc.tuple(fc.integer({ min: 1, max: GOOD.length - 2 }), fc.integer({ min: 0, max: 31 })).map(([p, c]) => GOOD.slice(0, p) + String.fromCharCode(c === 13 ? 0 : c) + GOOD.slice(p + 1)),
  );
  await fc.assert(
    fc.asyncProperty(noise, async (junk) => {
      b.override = (req) => (req === 'Q1' ? junk : undefined);
      const before = b.log.lines.length;
      await inst.poll();
      assert.equal(st.isStale, true, `accepted ${JSON.stringify(junk.toString())}`);
      assert.ok(b.log.lines.slice(before).some((l) => l.severity === 'debug' && /status read refused/.test(l.message)));
      // upsd still answers (stale), the driver socket is alive
      const r = await b.upsc('ups.status');
      assert.match(r.stderr, /Data stale/);
      b.override = undefined;
      await inst.poll();
      assert.equal(st.isStale, false);
    }),
    { numRuns: 8 },
  );

  // silence, an unterminated reply, an over-long line: timeouts/limits, not a stall
  for (const junk of [null, '(222.0 221.4', 'x'.repeat(700)]) {
    b.override = (req) => (req === 'Q1' ? junk : undefined);
    const t0 = Date.now();
    await inst.poll();
    assert.ok(Date.now() - t0 < 10_000, 'a poll ends within its timeouts (2 tries × 1 s)');
    assert.equal(st.isStale, true);
    b.override = undefined;
    await inst.poll();
    assert.equal(st.isStale, false, `recovered after ${JSON.stringify(junk?.slice(0, 20))}`);
  }

  // stale bytes after the CR (record 6: "1\r000") never leak into the next reply
  b.override = (req) => (req === 'Q1' ? GOOD + '000' : undefined);
  await inst.poll();
  assert.equal(st.isStale, false);
  b.override = undefined;
  await inst.poll();
  assert.equal(st.isStale, false);
  assert.equal(st.getInfo('ups.load'), '13');
});
