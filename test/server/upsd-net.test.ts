/** upsd over real sockets: pipelining, split writes, idle timeout, huge lines, drivers misbehaving, reload. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/tmp.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { startUpsd, UpsdConfigError, type Upsd } from '../../src/server/index.js';
import { RawClient, TestDriver, waitFor } from './net-helpers.js';
import { DUMMY_DUMP, USERS_TEXT, TEST_DESCRIPTIONS } from './helpers.js';

interface Env {
  dir: string;
  upsd: Upsd;
  port: number;
  sink: MemorySink;
  driver: TestDriver;
  cleanup(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function setup(opts: { upsConf?: string; upsdConf?: string; idleTimeoutMs?: number; dump?: string } = {}): Promise<Env> {
  const { dir, cleanup } = tempDir('walnut-upsd-');
  fs.mkdirSync(path.join(dir, 'etc'));
  fs.mkdirSync(path.join(dir, 'state'));
  fs.writeFileSync(
    path.join(dir, 'etc/ups.conf'),
    opts.upsConf ?? '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n\tdesc = "real-nut reference dummy UPS"\n',
  );
  fs.writeFileSync(path.join(dir, 'etc/upsd.conf'), opts.upsdConf ?? 'MAXAGE 15\n');
  fs.writeFileSync(path.join(dir, 'etc/upsd.users'), USERS_TEXT);
  const driver = new TestDriver(path.join(dir, 'state/dummy-ups-dummy'), opts.dump ?? DUMMY_DUMP);
  await driver.start();
  const sink = new MemorySink();
  const upsd = await startUpsd({
    confPath: path.join(dir, 'etc'),
    statePath: path.join(dir, 'state'),
    listen: [{ host: '127.0.0.1', port: 0 }],
    logger: createLogger(sink, 2),
    descriptions: TEST_DESCRIPTIONS,
    env: {},
    ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
  });
  const port = upsd.addresses()[0]!.port;
  let done = false;
  const env: Env = {
    dir,
    upsd,
    port,
    sink,
    driver,
    async cleanup() {
      if (done) return;
      done = true;
      await upsd.stop();
      await driver.stop();
      cleanup();
    },
  };
  cleanups.push(() => env.cleanup());
  // wait for the dump
  const c = await RawClient.connect(port);
  await waitFor(async () => (await c.ask('GET VAR dummy ups.status'))[0] === 'VAR dummy ups.status "OL"', 5000, 'dump');
  c.close();
  return env;
}

test('pipelined requests in one write, one reply each, in order', async () => {
  const e = await setup();
  const c = await RawClient.connect(e.port);
  c.write('VER\nNETVER\nGET VAR dummy ups.status\nLIST UPS\n\nget var DUMMY UPS.LOAD\r\n');
  assert.deepEqual(await c.lines(8), [
    'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/',
    '1.3',
    'VAR dummy ups.status "OL"',
    'BEGIN LIST UPS',
    'UPS dummy "real-nut reference dummy UPS"',
    'END LIST UPS',
    'ERR UNKNOWN-COMMAND',
    'VAR DUMMY UPS.LOAD "25"',
  ]);
  c.close();
  await e.cleanup();
});

test('a request split across writes; NUL, control and non-UTF-8 bytes dropped from words', async () => {
  const e = await setup();
  const c = await RawClient.connect(e.port);
  c.write('GET VA');
  await new Promise((r) => setTimeout(r, 50));
  c.write('R dummy u');
  await new Promise((r) => setTimeout(r, 50));
  c.write('ps.status\n');
  assert.deepEqual(await c.lines(1), ['VAR dummy ups.status "OL"']);
  c.write(Buffer.from('GET VAR dummy ups.\x00status\nGET VAR dummy ups.st\xff\xc3\xa9atus\nGET VAR dummy ups.st\x01atus\n', 'latin1'));
  assert.deepEqual(await c.lines(3), ['VAR dummy ups.status "OL"', 'VAR dummy ups.status "OL"', 'VAR dummy ups.status "OL"']);
  // byte by byte
  for (const b of Buffer.from('LIST CMD dummy\n')) c.write(Buffer.from([b]));
  assert.deepEqual(await c.lines(3), ['BEGIN LIST CMD dummy', 'CMD dummy load.off', 'END LIST CMD dummy']);
  c.close();
  await e.cleanup();
});

test('parse error (# in quotes) answers ERR INVALID-ARGUMENT and the rest of the chunk is still served', async () => {
  const e = await setup();
  const c = await RawClient.connect(e.port);
  c.write('GET VAR dummy "ups#status"\nVER\n');
  assert.deepEqual(await c.lines(2), ['ERR INVALID-ARGUMENT', 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/']);
  // an unbalanced quote swallows lines until the next quote
  c.write('GET VAR dummy "ups.status\nVER\nVER\n"\nNETVER\n');
  assert.deepEqual(await c.lines(2), ['ERR VAR-NOT-SUPPORTED', '1.3']);
  c.close();
  await e.cleanup();
});

test('a 1 MB line is answered; long replies are not cut at 512 bytes', async () => {
  const e = await setup();
  const c = await RawClient.connect(e.port);
  c.write('GET VAR dummy ' + 'A'.repeat(1 << 20) + '\n');
  assert.deepEqual(await c.lines(1), ['ERR VAR-NOT-SUPPORTED']);
  c.write('GET VAR dummy ups.status ' + 'B'.repeat(1 << 20) + '\nVER\n');
  assert.deepEqual(await c.lines(2), ['VAR dummy ups.status "OL"', 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/']);
  const long = 'x'.repeat(600);
  c.write(`GET DESC dummy ${long}\nVER\n`);
  const [d, v] = await c.lines(2);
  assert.equal(d, `DESC dummy ${'x'.repeat(512)} "Description unavailable"`);
  assert.ok(d!.length > 512);
  assert.equal(v, 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/');
  c.close();
  await e.cleanup();
});

test('LOGOUT closes; a half-closed client still gets its replies; idle clients are dropped', async () => {
  const e = await setup({ idleTimeoutMs: 300 });
  const c = await RawClient.connect(e.port);
  c.write('LOGOUT\nVER\n');
  assert.deepEqual(await c.lines(1), ['OK Goodbye']);
  assert.ok(await c.waitClosed(2000));
  assert.equal(c.pending, '');

  const h = await RawClient.connect(e.port);
  h.sock.end('VER\nNETVER\nVER'); // the last line has no LF: not answered
  assert.deepEqual(await h.lines(2), ['Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/', '1.3']);
  assert.ok(await h.waitClosed(2000));

  const idle = await RawClient.connect(e.port);
  const busy = await RawClient.connect(e.port);
  const t0 = Date.now();
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 100));
    await busy.ask('VER');
  }
  assert.ok(idle.closed, 'idle client dropped');
  assert.ok(!busy.closed, 'active client kept');
  assert.ok(Date.now() - t0 >= 300);
  busy.close();
  await e.cleanup();
});

test('a client that never reads is dropped, others are served', async () => {
  const e = await setup();
  const hog = await RawClient.connect(e.port);
  hog.sock.pause();
  const req = Buffer.from('LIST VAR dummy\n'.repeat(2000));
  let closed = false;
  hog.sock.on('close', () => (closed = true));
  for (let i = 0; i < 200 && !closed; i++) {
    hog.sock.write(req);
    await new Promise((r) => setTimeout(r, 5));
  }
  await waitFor(() => closed, 10_000, 'the hog to be dropped');
  const c = await RawClient.connect(e.port);
  assert.deepEqual(await c.ask('GET VAR dummy ups.status'), ['VAR dummy ups.status "OL"']);
  c.close();
  await e.cleanup();
});

test('MAXCONN limits clients', async () => {
  const e = await setup({ upsdConf: 'MAXCONN 3\n' });
  const cs = [await RawClient.connect(e.port), await RawClient.connect(e.port), await RawClient.connect(e.port)];
  for (const c of cs) assert.deepEqual(await c.ask('NETVER'), ['1.3']);
  const extra = await RawClient.connect(e.port);
  assert.ok(await extra.waitClosed(2000));
  cs[0]!.close();
  await waitFor(() => e.upsd.core.settings.maxConn === 3, 100);
  await new Promise((r) => setTimeout(r, 100));
  const again = await RawClient.connect(e.port);
  assert.deepEqual(await again.ask('NETVER'), ['1.3']);
  for (const c of [...cs, again]) c.close();
  await e.cleanup();
});

test('SET / INSTCMD reach the driver; TRACKING results come back', async () => {
  const e = await setup();
  const c = await RawClient.connect(e.port);
  assert.deepEqual(await c.ask('USERNAME admin'), ['OK']);
  assert.deepEqual(await c.ask('PASSWORD adminpass'), ['OK']);
  assert.deepEqual(await c.ask('SET VAR dummy ups.load 50'), ['OK']);
  assert.deepEqual(await c.ask('SET TRACKING ON'), ['OK']);
  const [r] = await c.ask('INSTCMD dummy load.off 5');
  const id = r!.replace('OK TRACKING ', '');
  assert.match(id, /^[0-9A-F-]{36}$/);
  await waitFor(() => e.driver.received.includes(`INSTCMD load.off "5" TRACKING ${id}`), 2000, 'INSTCMD at the driver');
  assert.ok(e.driver.received.includes('SET ups.load "50"'));
  assert.deepEqual(await c.ask(`GET TRACKING ${id}`), ['PENDING']);
  e.driver.broadcast(`TRACKING ${id} 0\n`);
  await waitFor(async () => (await c.ask(`GET TRACKING ${id}`))[0] === 'SUCCESS', 2000, 'tracking result');
  assert.match(e.sink.text(), new RegExp(`^tracking ID: ${id}\tresult: SUCCESS$`, 'm'));
  c.close();
  await e.cleanup();
});

test('driver garbage, a huge line, dying mid-dump and restarting: upsd stays up and recovers', async () => {
  const e = await setup({ upsdConf: 'MAXAGE 3\n' });
  const c = await RawClient.connect(e.port);
  // garbage and an endless line without LF
  e.driver.broadcast(Buffer.from('\x00\xff\xfeGARBAGE "x" y\nSETINFO\nADDRANGE a\n' + 'Z'.repeat(2 << 20)).toString('latin1'));
  e.driver.broadcast('\nSETINFO ups.load "26"\n');
  await waitFor(async () => (await c.ask('GET VAR dummy ups.load'))[0] === 'VAR dummy ups.load "26"', 3000, 'update after garbage');
  // PING on silence (MAXAGE 3 → every second)
  await waitFor(() => e.driver.received.includes('PING'), 4000, 'PING');
  // the driver dies mid-dump and comes back
  await e.driver.stop();
  await waitFor(async () => (await c.ask('GET VAR dummy ups.status'))[0] === 'ERR DRIVER-NOT-CONNECTED', 3000, 'DRIVER-NOT-CONNECTED');
  e.driver.onLine = (line, sock) => {
    if (line === 'DUMPALL') {
      sock.write('SETINFO ups.status "OB"\nSETINFO ups.load "1"\n');
      sock.destroy();
    }
  };
  await e.driver.start();
  await waitFor(() => e.driver.received.filter((l) => l === 'DUMPALL').length >= 2, 5000, 'reconnect');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await c.ask('GET VAR dummy ups.load'), ['ERR DRIVER-NOT-CONNECTED']);
  e.driver.onLine = undefined;
  e.driver.dump = DUMMY_DUMP;
  await waitFor(async () => (await c.ask('GET VAR dummy ups.status'))[0] === 'VAR dummy ups.status "OL"', 6000, 'recovery');
  const log = e.sink.text();
  assert.match(log, /^Connected to UPS \[dummy\]: dummy-ups-dummy$/m);
  c.close();
  await e.cleanup();
});

test('a frozen driver goes stale after MAXAGE and recovers', async () => {
  const e = await setup({ upsdConf: 'MAXAGE 2\n' });
  const c = await RawClient.connect(e.port);
  e.driver.onLine = () => undefined; // stops answering PING
  await waitFor(async () => (await c.ask('GET VAR dummy ups.status'))[0] === 'ERR DATA-STALE', 5000, 'DATA-STALE');
  await waitFor(() => /^Data for UPS \[dummy\] is stale - check driver$/m.test(e.sink.text()), 3000, 'stale log');
  e.driver.broadcast('PONG\n');
  await waitFor(async () => (await c.ask('GET VAR dummy ups.status'))[0] === 'VAR dummy ups.status "OL"', 3000, 'fresh again');
  await waitFor(() => /^UPS \[dummy\] data is no longer stale$/m.test(e.sink.text()), 3000, 'no longer stale log');
  c.close();
  await e.cleanup();
});

test('reload: clients stay, new UPS first in LIST UPS, removed UPS kicks its logged-in clients', async () => {
  const e = await setup();
  const viewer = await RawClient.connect(e.port);
  const mon = await RawClient.connect(e.port);
  assert.deepEqual(await mon.ask('USERNAME monpri'), ['OK']);
  assert.deepEqual(await mon.ask('PASSWORD pripass'), ['OK']);
  assert.deepEqual(await mon.ask('LOGIN dummy'), ['OK']);
  fs.writeFileSync(
    path.join(e.dir, 'etc/ups.conf'),
    '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n\tdesc = "renamed desc"\n[second]\n\tdriver = dummy-ups\n\tport = b.dev\n',
  );
  const r = await e.upsd.reload();
  assert.equal(r.ok, true);
  assert.deepEqual(r.added, ['second']);
  assert.deepEqual(await viewer.list('LIST UPS'), [
    'BEGIN LIST UPS',
    'UPS second "Description unavailable"',
    'UPS dummy "renamed desc"',
    'END LIST UPS',
  ]);
  assert.deepEqual(await viewer.ask('GET VAR second ups.status'), ['ERR DRIVER-NOT-CONNECTED']);
  assert.deepEqual(await mon.ask('GET NUMLOGINS dummy'), ['NUMLOGINS dummy 1']);
  // a config error keeps the running config
  fs.writeFileSync(path.join(e.dir, 'etc/upsd.conf'), 'MAXAGE 15\nSTATEPATH "/tmp/a#b"\n');
  const bad = await e.upsd.reload();
  assert.equal(bad.ok, false);
  assert.equal((await viewer.list('LIST UPS')).length, 4);
  fs.writeFileSync(path.join(e.dir, 'etc/upsd.conf'), 'MAXAGE 15\n');
  // remove dummy: its logged-in client is kicked, the other stays
  fs.writeFileSync(path.join(e.dir, 'etc/ups.conf'), '[second]\n\tdriver = dummy-ups\n\tport = b.dev\n');
  const r2 = await e.upsd.reload();
  assert.deepEqual(r2.removed, ['dummy']);
  assert.ok(await mon.waitClosed(2000), 'logged-in client kicked');
  assert.deepEqual(await viewer.ask('GET VAR dummy ups.status'), ['ERR UNKNOWN-UPS']);
  viewer.close();
  await e.cleanup();
});

test('startUpsd refuses a config with errors, naming FILE:LINE', async () => {
  const { dir, cleanup } = tempDir('walnut-upsd-bad-');
  try {
    fs.mkdirSync(path.join(dir, 'etc'));
    fs.writeFileSync(path.join(dir, 'etc/ups.conf'), '[dummy]\n\tdriver = dummy-ups\n\tport = x\n');
    fs.writeFileSync(path.join(dir, 'etc/upsd.conf'), 'MAXAGE 15\nSTATEPATH "/tmp/a#b"\n');
    fs.writeFileSync(path.join(dir, 'etc/upsd.users'), USERS_TEXT);
    await assert.rejects(
      startUpsd({ confPath: path.join(dir, 'etc'), statePath: dir, listen: [{ host: '127.0.0.1', port: 0 }], logger: createLogger(new MemorySink()), env: {} }),
      (err: unknown) => err instanceof UpsdConfigError && /upsd\.conf:2: error:/.test(err.message),
    );
    fs.writeFileSync(path.join(dir, 'etc/upsd.conf'), 'MAXAGE 15\n');
    fs.writeFileSync(path.join(dir, 'etc/ups.conf'), '# nothing\n');
    await assert.rejects(
      startUpsd({ confPath: path.join(dir, 'etc'), statePath: dir, listen: [{ host: '127.0.0.1', port: 0 }], logger: createLogger(new MemorySink()), env: {} }),
      UpsdConfigError,
    );
  } finally {
    cleanup();
  }
});

test('LISTEN: IPv6, IPv4 and host names (resolved to every address); addresses() reports the bound ports', async () => {
  const { dir, cleanup } = tempDir('walnut-upsd-listen-');
  const sink = new MemorySink();
  try {
    fs.mkdirSync(path.join(dir, 'etc'));
    fs.writeFileSync(path.join(dir, 'etc/ups.conf'), '[dummy]\n\tdriver = dummy-ups\n\tport = x\n');
    fs.writeFileSync(path.join(dir, 'etc/upsd.conf'), 'MAXAGE 15\n');
    fs.writeFileSync(path.join(dir, 'etc/upsd.users'), USERS_TEXT);
    const upsd = await startUpsd({
      confPath: path.join(dir, 'etc'),
      statePath: dir,
      listen: [
        { host: '::1', port: 0 },
        { host: 'localhost', port: 0 },
      ],
      logger: createLogger(sink),
      env: {},
    });
    try {
      const a = upsd.addresses();
      assert.ok(a.length >= 2, JSON.stringify(a));
      assert.ok(a.some((x) => x.family === 'IPv6' && x.host === '::1'));
      assert.ok(a.some((x) => x.family === 'IPv4' && x.host === '127.0.0.1'));
      for (const x of a) {
        const c = await RawClient.connect(x.port, x.host);
        assert.deepEqual(await c.ask('GET VAR dummy ups.status'), ['ERR DRIVER-NOT-CONNECTED']);
        assert.deepEqual(await c.ask('USERNAME monpri'), ['OK']);
        assert.deepEqual(await c.ask('PASSWORD pripass'), ['OK']);
        assert.deepEqual(await c.ask('LOGIN dummy'), ['OK']);
        c.close();
      }
      assert.match(sink.text(), /^listening on ::1 port \d+$/m);
      assert.match(sink.text(), /^User monpri@::1 logged into UPS \[dummy\]$/m);
      assert.match(sink.text(), /^User monpri@127\.0\.0\.1 logged into UPS \[dummy\]$/m);
    } finally {
      await upsd.stop();
    }
  } finally {
    cleanup();
  }
});

test('LIST CLIENT lists logged-in clients newest first; NUMLOGINS drops when a client goes away', async () => {
  const e = await setup();
  const a = await RawClient.connect(e.port);
  const b = await RawClient.connect(e.port, '127.0.0.1');
  for (const c of [a, b]) {
    await c.ask('USERNAME monsec');
    await c.ask('PASSWORD secpass');
    assert.deepEqual(await c.ask('LOGIN dummy'), ['OK']);
  }
  assert.deepEqual(await a.ask('GET NUMLOGINS dummy'), ['NUMLOGINS dummy 2']);
  assert.deepEqual(await a.list('LIST CLIENT dummy'), ['BEGIN LIST CLIENT dummy', 'CLIENT dummy 127.0.0.1', 'CLIENT dummy 127.0.0.1', 'END LIST CLIENT dummy']);
  b.close();
  await waitFor(async () => (await a.ask('GET NUMLOGINS dummy'))[0] === 'NUMLOGINS dummy 1', 3000, 'numlogins drop');
  a.close();
  await e.cleanup();
});

test('reload: a UPS whose driver changed is reconnected to the new socket', async () => {
  const e = await setup();
  const other = new TestDriver(path.join(e.dir, 'state/other-drv-dummy'), DUMMY_DUMP.replace('SETINFO ups.load "25"', 'SETINFO ups.load "77"'));
  await other.start();
  try {
    const c = await RawClient.connect(e.port);
    fs.writeFileSync(path.join(e.dir, 'etc/ups.conf'), '[dummy]\n\tdriver = other-drv\n\tport = x\n');
    const r = await e.upsd.reload();
    assert.equal(r.ok, true);
    await waitFor(async () => (await c.ask('GET VAR dummy ups.load'))[0] === 'VAR dummy ups.load "77"', 5000, 'new driver data');
    c.close();
  } finally {
    await other.stop();
    await e.cleanup();
  }
});
