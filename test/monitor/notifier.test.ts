/**
 * Notification delivery (src/monitor/notifier.ts) with real processes:
 * NOTIFYCMD through /bin/sh with NOTIFYTYPE and UPSNAME, the message as one
 * literal argument (no shell injection from a UPS's alarm text), IGNORE,
 * SYSLOG through the Logger; and NUT's %s formatting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/proc.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { DEFAULT_NOTIFY_TEXT, formatNotify, Notifier } from '../../src/monitor/index.js';
import { NOTIFY_TYPES } from '../../src/config/keys.js';

test('NOTIFYCMD gets NOTIFYTYPE, UPSNAME and the message as one literal argument', async () => {
  const t = tempDir('walnut-notifier-');
  try {
    const out = path.join(t.dir, 'out');
    const canary = path.join(t.dir, 'pwned');
    const script = path.join(t.dir, 'notify.sh');
    fs.writeFileSync(script, `#!/bin/sh\nprintf '%s|%s|%s|%s\\n' "$NOTIFYTYPE" "\${UPSNAME-unset}" "$#" "$1" >> ${out}\n`, { mode: 0o755 });
    const sink = new MemorySink();
    // NOTIFYCMD may carry its own arguments: it is shell text
    const n = new Notifier({ logger: createLogger(sink), notifyCmd: `${script} extra-arg`, wallCommand: '/bin/true' });
    const evil = `UPS u@h: one or more active alarms: [x" $(touch ${canary}) \`touch ${canary}\` 'q' $HOME]`;
    n.notify('ALARM', 'u@h', evil, ['SYSLOG', 'EXEC']);
    n.notify('SHUTDOWN', '', 'Auto logout and shutdown proceeding', ['EXEC']);
    n.notify('ONBATT', 'u@h', 'ignored', []);
    n.notify('ONLINE', 'u@h', 'ignored too', ['IGNORE', 'EXEC', 'SYSLOG']);
    await n.settle();
    await waitFor('two lines', () => fs.existsSync(out) && fs.readFileSync(out, 'utf8').split('\n').length === 3, 5000);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n').sort();
    assert.deepEqual(lines, [`ALARM|u@h|2|extra-arg`, `SHUTDOWN||2|extra-arg`].sort());
    assert.ok(!fs.existsSync(canary), 'nothing of the message ran');
    assert.deepEqual(sink.lines, [{ severity: 'notice', message: evil }]);
  } finally {
    t.cleanup();
  }
});

test('the message is $1 when NOTIFYCMD has no arguments of its own', async () => {
  const t = tempDir('walnut-notifier-');
  try {
    const out = path.join(t.dir, 'out');
    const script = path.join(t.dir, 'notify.sh');
    fs.writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$1" > ${out}\n`, { mode: 0o755 });
    const n = new Notifier({ logger: createLogger(new MemorySink()), notifyCmd: script });
    n.notify('ONBATT', 'u@h', `UPS u@h on battery "quoted" $PATH`, ['EXEC']);
    await n.settle();
    assert.equal(fs.readFileSync(out, 'utf8'), 'UPS u@h on battery "quoted" $PATH\n');
  } finally {
    t.cleanup();
  }
});

test('NUT default texts for every notify type; %s formatting', () => {
  for (const ty of NOTIFY_TYPES) assert.ok(DEFAULT_NOTIFY_TEXT[ty], ty);
  assert.equal(formatNotify('UPS %s on battery', 'a@b'), 'UPS a@b on battery');
  assert.equal(formatNotify('UPS %s: one or more active alarms: [%s]', 'a@b', 'Overheat'), 'UPS a@b: one or more active alarms: [Overheat]');
  assert.equal(formatNotify('no placeholder', 'a@b'), 'no placeholder');
  assert.equal(formatNotify('100%% sure about %s', 'a@b'), '100% sure about a@b');
  assert.equal(formatNotify('%d %n %s %s %s', 'a@b', 'x'), '%d %n a@b x ', 'printf conversions are not interpreted');
});
