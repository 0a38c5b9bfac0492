/**
 * Every .dev file of the shared DDL collection (574 real device dumps) loads
 * in Walnut's dummy-ups without an error, and its values come through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../src/common/clock.js';
import { lexText } from '../../src/common/lexer.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { DriverInstance, resolveSettings } from '../../src/drivers/core/index.js';
import { dummyUps } from '../../src/drivers/dummy/index.js';
import { requirePeers, SHARED_DIR } from '../support/peers.js';
import { devFiles } from './nut-helpers.js';

test('every DDL .dev file loads without error', async (t) => {
  if (!requirePeers(t, 'shared')) return;
  const files = devFiles(path.join(SHARED_DIR, 'ddl'));
  assert.equal(files.length, 574);
  let vars = 0;
  for (const file of files) {
    const r = resolveSettings({
      upsName: 'ddl',
      driverName: dummyUps.name,
      options: dummyUps.options,
      flags: dummyUps.flags,
      extra: [{ key: 'port', value: file }],
    });
    assert.ok(r.ok, file);
    if (!r.ok) continue;
    const sink = new MemorySink();
    const inst = new DriverInstance(dummyUps, r.settings, { clock: new ManualClock(), log: createLogger(sink), env: {} });
    await inst.init();
    await inst.poll();
    await inst.stop();
    const errors = sink.lines.filter((l) => l.severity === 'error' || l.severity === 'warning');
    assert.deepEqual(errors, [], `${file} logged problems`);
    assert.equal(inst.state.isStale, false, file);
    assert.equal(inst.state.getInfo('driver.parameter.mode'), 'dummy-once');
    // a value from the file made it (the first var line with a plain value)
    const first = lexText(fs.readFileSync(file)).lines.find(
      (l) => l.words.length === 2 && !l.words[0]!.startsWith('driver.') && !/^(ups\.status|device\.|ups\.(mfr|model|serial))/i.test(l.words[0]!),
    );
    if (first) {
      const name = first.words[0]!.split(':')[0]!;
      const last = lexText(fs.readFileSync(file)).lines.filter((l) => l.words[0]!.split(':')[0] === name).at(-1)!;
      if (last.words.length === 2) assert.equal(inst.state.getInfo(name), last.words[1], `${file}: ${name}`);
    }
    vars += inst.state.table.size;
  }
  t.diagnostic(`${files.length} files, ${vars} variables`);
});
