/**
 * The driver socket server on real unix sockets: several clients, broadcast,
 * TRACKING replies only to the requester, 2.8.x extras, garbage lines, a
 * client that disconnects in the middle of a dump.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ManualClock } from '../../src/common/clock.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { startDriver, STAT_HANDLED, STAT_UNKNOWN } from '../../src/drivers/core/index.js';
import type { DriverContext, DriverDefinition, DriverHandle } from '../../src/drivers/core/index.js';
import { resolveSettings } from '../../src/drivers/core/config.js';
import { tempDir } from '../support/tmp.js';

function echoDriver(vars = 5): DriverDefinition {
  return {
    name: 'echo-ups',
    version: '0.1',
    description: 'socket test driver',
    options: [],
    flags: [],
    create(ctx: DriverContext) {
      return {
        initInfo() {
          for (let i = 0; i < vars; i++) ctx.state.setInfo(`test.var${i}`, `value ${i}`);
          ctx.state.setInfo('ups.status', 'OL');
          ctx.state.addCmd('beeper.toggle');
        },
        update() {
          ctx.state.dataOk();
        },
        setvar(name, value) {
          if (name === 'ups.fail') return 3;
          ctx.state.setInfo(name, value);
          return STAT_HANDLED;
        },
        instcmd(cmd) {
          return cmd === 'beeper.toggle' ? STAT_HANDLED : STAT_UNKNOWN;
        },
      };
    },
  };
}

async function start(vars = 5): Promise<{ h: DriverHandle; dir: string; cleanup: () => Promise<void>; sink: MemorySink }> {
  const t = tempDir('walnut-sock-');
  const def = echoDriver(vars);
  const r = resolveSettings({ upsName: 'u1', driverName: def.name, options: [], flags: [], extra: [{ key: 'port', value: 'none' }] });
  assert.ok(r.ok);
  const sink = new MemorySink();
  const h = await startDriver({
    definition: def,
    upsName: 'u1',
    settings: r.ok ? r.settings : undefined,
    statePath: t.dir,
    clock: new ManualClock(),
    log: createLogger(sink, 2),
  });
  return {
    h,
    dir: t.dir,
    sink,
    cleanup: async () => {
      await h.stop();
      t.cleanup();
    },
  };
}

/** A socket client that collects lines. */
class LineClient {
  readonly sock: net.Socket;
  lines: string[] = [];
  private buf = '';
  private waiters: Array<() => void> = [];
  constructor(p: string) {
    this.sock = net.createConnection(p);
    this.sock.setEncoding('latin1');
    this.sock.on('data', (d: string) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.sock.on('error', () => {});
  }
  connected(): Promise<void> {
    return new Promise((r) => (this.sock.connecting ? this.sock.once('connect', () => r()) : r()));
  }
  send(s: string): void {
    this.sock.write(s);
  }
  /** Waits until a line matching re arrives (5 s at most). */
  async waitLine(re: RegExp, ms = 5000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const l = this.lines.find((x) => re.test(x));
      if (l !== undefined) return l;
      if (Date.now() > end) throw new Error(`no line matching ${re}; got ${JSON.stringify(this.lines.slice(-10))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  close(): void {
    this.sock.destroy();
  }
}

const settle = () => new Promise((r) => setTimeout(r, 100));

test('socket: path, mode 0660, stale socket replaced, DUMPALL, PING', async () => {
  const t = tempDir('walnut-sock-');
  const stale = path.join(t.dir, 'echo-ups-u1');
  fs.writeFileSync(stale, 'old');
  const def = echoDriver();
  const r = resolveSettings({ upsName: 'u1', driverName: def.name, options: [], flags: [], extra: [{ key: 'port', value: 'x' }] });
  assert.ok(r.ok);
  const h = await startDriver({ definition: def, upsName: 'u1', settings: r.ok ? r.settings : undefined, statePath: t.dir, clock: new ManualClock() });
  try {
    assert.equal(h.socketPath, stale);
    const st = fs.statSync(stale);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o660);
    const c = new LineClient(stale);
    c.send('DUMPALL\n');
    await c.waitLine(/^DUMPDONE$/);
    assert.equal(c.lines.join('\n') + '\n', h.state.dumpAll());
    assert.equal(c.lines.at(-2), 'DATAOK');
    c.send('PING\n');
    await c.waitLine(/^PONG$/);
    c.close();
  } finally {
    await h.stop();
    assert.equal(fs.existsSync(stale), false, 'socket removed on stop');
    t.cleanup();
  }
});

test('socket: several clients get every change; TRACKING goes only to the requester', async () => {
  const s = await start();
  const a = new LineClient(s.h.socketPath!);
  const b = new LineClient(s.h.socketPath!);
  const c = new LineClient(s.h.socketPath!);
  try {
    await Promise.all([a.connected(), b.connected(), c.connected()]);
    c.send('NOBROADCAST\n');
    await settle();
    s.h.state.setInfo('ups.status', 'OB');
    await a.waitLine(/^SETINFO ups\.status "OB"$/);
    await b.waitLine(/^SETINFO ups\.status "OB"$/);
    a.send('SET test.var1 "new \\"v\\"" TRACKING abc-1\n');
    await a.waitLine(/^TRACKING abc-1 0$/);
    await b.waitLine(/^SETINFO test\.var1 "new \\"v\\""$/);
    assert.equal(s.h.state.getInfo('test.var1'), 'new "v"');
    b.send('INSTCMD beeper.toggle TRACKING t2\n');
    b.send('INSTCMD load.off now TRACKING t3\n');
    b.send('SET ups.fail 1 TRACKING t4\n');
    b.send('INSTCMD beeper.toggle\n');
    await b.waitLine(/^TRACKING t4 3$/);
    assert.ok(b.lines.includes('TRACKING t2 0'));
    assert.ok(b.lines.includes('TRACKING t3 1'));
    await settle();
    assert.ok(!a.lines.some((l) => l.startsWith('TRACKING t')), 'a saw no tracking reply of b');
    assert.ok(!b.lines.some((l) => l.startsWith('TRACKING abc-1')), 'b saw no tracking reply of a');
    assert.deepEqual(c.lines, [], 'NOBROADCAST client gets nothing');
    c.send('BROADCAST 1\n');
    await settle();
    s.h.state.setInfo('ups.status', 'OL');
    await c.waitLine(/^SETINFO ups\.status "OL"$/);
    c.send('GETPID\nDUMPVALUE test.var0\nDUMPSTATUS\nDUMPVALUE no.such\n');
    await c.waitLine(/^SETINFO ups\.status "OL"$/);
    await c.waitLine(/^PID \d+$/);
    await c.waitLine(/^SETINFO test\.var0 "value 0"$/);
    assert.equal(await c.waitLine(/^PID/), `PID ${process.pid}`);
    c.send('LOGOUT\n');
    await c.waitLine(/^OK Goodbye$/);
    await new Promise<void>((r) => (c.sock.closed ? r() : c.sock.once('close', () => r())));
  } finally {
    a.close();
    b.close();
    c.close();
    await s.cleanup();
  }
});

test('socket: garbage lines are ignored and the connection keeps working', async () => {
  const s = await start();
  const a = new LineClient(s.h.socketPath!);
  try {
    await a.connected();
    a.send('HELLO world\nSET\nINSTCMD\nINSTCMD a b c d e f\nSET x y NOTTRACKING z\n\x00\xff\x01\n"unbalanced # hash"\n\n   \nPING\n');
    await a.waitLine(/^PONG$/);
    a.send('ping\n');
    await settle();
    assert.deepEqual(a.lines, ['PONG', 'PONG']);
    assert.equal(s.h.state.getInfo('x'), undefined);
    assert.ok(s.sink.text().includes('Parse error on sock'));
    // the same driver still serves a full dump
    a.send('DUMPALL\n');
    await a.waitLine(/^DUMPDONE$/);
  } finally {
    a.close();
    await s.cleanup();
  }
});

test('socket: a client that disconnects in the middle of a dump does not hurt the driver', async () => {
  const s = await start(20000);
  const quitter = new LineClient(s.h.socketPath!);
  const stayer = new LineClient(s.h.socketPath!);
  try {
    await Promise.all([quitter.connected(), stayer.connected()]);
    quitter.send('DUMPALL\n');
    await quitter.waitLine(/^SETINFO/);
    quitter.close();
    // keep broadcasting while the dead client goes away
    for (let i = 0; i < 50; i++) s.h.state.setInfo('test.var1', `v${i}`);
    await settle();
    stayer.send('DUMPALL\n');
    await stayer.waitLine(/^DUMPDONE$/, 10000);
    assert.ok(stayer.lines.includes('SETINFO test.var1 "v49"'));
    assert.ok(stayer.lines.includes('SETINFO test.var19999 "value 19999"'));
    // a newcomer is still accepted
    const n = new LineClient(s.h.socketPath!);
    n.send('PING\n');
    await n.waitLine(/^PONG$/);
    n.close();
  } finally {
    quitter.close();
    stayer.close();
    await s.cleanup();
  }
});

test('socket: a state path that does not exist gives a clear error, and nothing keeps running', async () => {
  const def = echoDriver();
  const r = resolveSettings({ upsName: 'u1', driverName: def.name, options: [], flags: [], extra: [{ key: 'port', value: 'x' }] });
  assert.ok(r.ok);
  const clock = new ManualClock();
  await assert.rejects(
    startDriver({ definition: def, upsName: 'u1', settings: r.ok ? r.settings : undefined, statePath: '/nonexistent/walnut/state', clock }),
    /Can't create the driver socket \/nonexistent\/walnut\/state\/echo-ups-u1: .*state path/,
  );
  clock.advance(60_000);
  assert.equal(clock.pending(), 0, 'no timers left behind');
});
