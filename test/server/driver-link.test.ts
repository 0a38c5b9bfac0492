/** The driver link on a ManualClock: reconnect pacing, rate-limited log, PING, staleness log. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ManualClock } from '../../src/common/clock.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { UpsdCore } from '../../src/server/core.js';
import { UpsEntry } from '../../src/server/ups.js';
import { DriverLink } from '../../src/server/driver-link.js';
import { tempDir } from '../support/tmp.js';
import { TestDriver, waitFor } from './net-helpers.js';
import { DUMMY_DUMP } from './helpers.js';

const settle = () => new Promise((r) => setTimeout(r, 30));

/** Advances manual time a second at a time (letting real I/O run in between) until cond holds. */
async function advanceUntil(clock: ManualClock, cond: () => boolean, maxSeconds: number, what: string): Promise<void> {
  for (let i = 0; i < maxSeconds; i++) {
    if (cond()) return;
    clock.advance(1000);
    await settle();
  }
  if (!cond()) throw new Error(`not reached within ${maxSeconds} s of manual time: ${what}`);
}

test('driver link: reconnects every ~2 s, logs "Can\'t connect" rate-limited, PINGs on silence, logs staleness', async () => {
  const { dir, cleanup } = tempDir('walnut-link-');
  const clock = new ManualClock(1_000_000);
  const sink = new MemorySink();
  const core = new UpsdCore(clock, createLogger(sink));
  core.settings.maxAge = 15;
  const sockPath = path.join(dir, 'dummy-ups-dummy');
  const ups = new UpsEntry({ name: 'dummy', driver: 'dummy-ups', port: 'x', socketPath: sockPath });
  core.add(ups);
  const link = new DriverLink(core, ups);
  const driver = new TestDriver(sockPath, DUMMY_DUMP);
  const cantConnect = () => sink.lines.filter((l) => l.message.startsWith("Can't connect to UPS [dummy] (dummy-ups-dummy)")).length;
  try {
    link.start();
    await waitFor(() => cantConnect() === 1, 3000, 'first failure logged');
    assert.match(sink.text(), /Can't connect to UPS \[dummy\] \(dummy-ups-dummy\): No such file or directory/);
    // retries every 2 s, without logging again
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      await settle();
    }
    assert.equal(cantConnect(), 1);
    // after the rate-limit window, logged once more
    for (let i = 0; i < 6; i++) {
      clock.advance(60_000);
      await settle();
    }
    assert.ok(cantConnect() >= 2 && cantConnect() <= 3, sink.text());

    await driver.start();
    await advanceUntil(clock, () => ups.connected && ups.dumpDone, 10, 'connected and dumped');
    assert.match(sink.text(), /^Connected to UPS \[dummy\]: dummy-ups-dummy$/m);
    assert.equal(ups.table.value('ups.status'), 'OL');

    // silence: PING after more than MAXAGE/3 (5 s), answered by PONG
    driver.received.length = 0;
    for (let i = 0; i < 6; i++) {
      clock.advance(1000);
      await settle();
    }
    await waitFor(() => driver.received.includes('PING'), 2000, 'PING');
    // a driver that stops answering goes stale after MAXAGE, logged once
    driver.onLine = () => undefined;
    for (let i = 0; i < 17; i++) {
      clock.advance(1000);
      await settle();
    }
    assert.equal(sink.lines.filter((l) => l.message === 'Data for UPS [dummy] is stale - check driver').length, 1);
    driver.broadcast('PONG\n');
    await waitFor(() => !ups.isStale(clock.now(), core.maxAgeMs), 2000, 'fresh');
    clock.advance(1000);
    assert.match(sink.text(), /^UPS \[dummy\] data is no longer stale$/m);

    // the driver goes away: data dropped, reconnect after ~2 s
    await driver.stop();
    await waitFor(() => !ups.connected, 2000, 'disconnect seen');
    assert.equal(ups.table.size, 0);
    driver.onLine = undefined;
    await driver.start();
    await advanceUntil(clock, () => ups.connected && ups.dumpDone, 10, 'reconnected');
  } finally {
    link.stop();
    await driver.stop();
    cleanup();
  }
});
