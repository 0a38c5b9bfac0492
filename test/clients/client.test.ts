/**
 * NutClient: name parsing (pure), framing and error edge cases against an
 * in-test fake server (what a real upsd cannot produce), and every request
 * against a real NUT 2.8.0 upsd.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { Duplex } from 'node:stream';
import fc from 'fast-check';
import { NutClient, NutServerError, NameError, splitAddr, splitName, wireWord } from '../../src/clients/client.js';
import { lexLine } from '../../src/common/lexer.js';
import { ManualClock } from '../../src/common/clock.js';
import { ProtocolError, TransportError } from '../../src/common/errors.js';
import { freePort } from '../support/ports.js';
import { requirePeers, skipUnless } from '../support/peers.js';
import { startRealNut, waitFor } from './nut-instance.js';
import type { NutInstance } from './nut-instance.js';

/* ------------------------------------------------------------- names */

describe('splitName / splitAddr (upscli_splitname rules)', () => {
  test('defaults and forms', () => {
    assert.deepEqual(splitName('ups'), { ups: 'ups', host: 'localhost', port: 3493 });
    assert.deepEqual(splitName('ups@host'), { ups: 'ups', host: 'host', port: 3493 });
    assert.deepEqual(splitName('ups@10.0.0.1:1234'), { ups: 'ups', host: '10.0.0.1', port: 1234 });
    assert.deepEqual(splitName('ups@[::1]:3500'), { ups: 'ups', host: '::1', port: 3500 });
    assert.deepEqual(splitName('ups@[fe80::1]'), { ups: 'ups', host: 'fe80::1', port: 3493 });
    assert.deepEqual(splitName('ups@::1'), { ups: 'ups', host: '::1', port: 3493 });
    assert.deepEqual(splitAddr(undefined), { host: 'localhost', port: 3493 });
    assert.deepEqual(splitAddr('h:99'), { host: 'h', port: 99 });
    assert.deepEqual(splitAddr('[::1]:99'), { host: '::1', port: 99 });
  });

  test('bad names give NUT 2.8.0 wording', () => {
    assert.throws(() => splitName('ups@h:abc'), (e: unknown) => e instanceof NameError && /no port specified after ':' separator/.test(e.message));
    assert.throws(() => splitName('ups@h:99999'), NameError);
    assert.throws(() => splitName('ups@h:'), NameError);
    assert.throws(() => splitName('ups@[::1'), /missing closing bracket in \[domain literal\]/);
    assert.throws(() => splitName('@h'), NameError);
    assert.throws(() => splitName('ups@'), NameError);
  });

  test('property: ups@host:port round-trips', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/),
        fc.oneof(fc.stringMatching(/^[a-z][a-z0-9.-]{0,30}$/), fc.ipV4(), fc.ipV6().map((h) => `[${h}]`)),
        fc.integer({ min: 1, max: 65535 }),
        (ups, host, port) => {
          const r = splitName(`${ups}@${host}:${port}`);
          assert.equal(r.ups, ups);
          assert.equal(r.host, host.replace(/^\[(.*)\]$/, '$1'));
          assert.equal(r.port, port);
        },
      ),
    );
  });

  test('property: wireWord survives NUT lexing for any printable value', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x20-\x7e]{0,40}$/), (v) => {
        assert.deepEqual(lexLine(`SET VAR u v ${wireWord(v)}`), ['SET', 'VAR', 'u', 'v', v]);
      }),
    );
  });
});

/* ------------------------------------------------------- fake servers */

/** A scripted in-memory peer: records lines written by the client; the test pushes reply bytes. */
class FakePeer extends Duplex {
  written = '';
  constructor() {
    super();
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.written += chunk.toString('latin1');
    cb();
  }
  reply(s: string): void {
    this.push(Buffer.from(s, 'latin1'));
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('framing and errors (fake peer)', () => {
  test('a reply split at every offset is framed the same', async () => {
    const reply = 'BEGIN LIST VAR ups\nVAR ups a.b "x \\"y\\" \\#z"\nVAR ups c.d "2"\nEND LIST VAR ups\nVAR ups e.f "3"\n';
    for (let cut = 1; cut < reply.length; cut++) {
      const peer = new FakePeer();
      const c = NutClient.fromStream(peer);
      const list = c.listVar('ups');
      const one = c.get('ups', 'e.f');
      peer.reply(reply.slice(0, cut));
      await tick();
      peer.reply(reply.slice(cut));
      assert.deepEqual(await list, [
        { name: 'a.b', value: 'x "y" #z' },
        { name: 'c.d', value: '2' },
      ]);
      assert.equal(await one, '3');
      c.close();
    }
  });

  test('byte-by-byte delivery, CRLF, and replies matched in order', async () => {
    const peer = new FakePeer();
    const c = NutClient.fromStream(peer);
    const p = [c.get('u', 'a.a'), c.listCmd('u'), c.getNumLogins('u'), c.get('U', 'B.B')];
    const reply = 'VAR u a.a "1"\r\nBEGIN LIST CMD u\nCMD u x.y\nCMD u z\nEND LIST CMD u\nNUMLOGINS u 2\nvar u b.b "lower-case echo"\n';
    for (const ch of reply) {
      peer.reply(ch);
      await tick();
    }
    assert.deepEqual(await Promise.all(p), ['1', ['x.y', 'z'], 2, 'lower-case echo']);
    assert.equal(peer.written, 'GET VAR u a.a\nLIST CMD u\nGET NUMLOGINS u\nGET VAR U B.B\n');
    c.close();
  });

  test('ERR becomes NutServerError with the code and libupsclient text; the connection goes on', async () => {
    const peer = new FakePeer();
    const c = NutClient.fromStream(peer);
    const a = c.get('nosuch', 'ups.status');
    const b = c.listVar('ups');
    const d = c.get('ups', 'x.y');
    peer.reply('ERR UNKNOWN-UPS\nERR DATA-STALE\nERR SOMETHING-NEW\n');
    await assert.rejects(a, (e: unknown) => e instanceof NutServerError && e.code === 'UNKNOWN-UPS' && e.message === 'Unknown UPS' && e.reply === 'ERR UNKNOWN-UPS');
    await assert.rejects(b, (e: unknown) => e instanceof NutServerError && e.code === 'DATA-STALE' && e.message === 'Data stale');
    await assert.rejects(d, (e: unknown) => e instanceof NutServerError && e.code === 'SOMETHING-NEW' && e.message === 'Unknown error');
    assert.equal(c.isOpen, true);
    const v = c.ver();
    peer.reply('Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/\n');
    assert.equal(await v, 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/');
    c.close();
  });

  test('garbage: a reply not starting with the query words is a ProtocolError and ends the connection', async () => {
    const peer = new FakePeer();
    const c = NutClient.fromStream(peer);
    const a = c.get('ups', 'ups.status');
    const b = c.get('ups', 'ups.load');
    peer.reply('VAR ups ups.load "10"\n');
    await assert.rejects(a, ProtocolError);
    await assert.rejects(b, ProtocolError);
    assert.equal(c.isOpen, false);
    await assert.rejects(c.get('ups', 'x.y'), ProtocolError);
  });

  test('garbage inside a list, a bad END, an unsolicited line', async () => {
    for (const bad of ['BEGIN LIST VAR ups\nRW ups a.b "1"\n', 'BEGIN LIST VAR ups\nEND LIST VAR other\n', 'BEGIN LIST CMD ups\n']) {
      const peer = new FakePeer();
      const c = NutClient.fromStream(peer);
      const p = c.listVar('ups');
      peer.reply(bad);
      await assert.rejects(p, ProtocolError, bad);
    }
    const peer = new FakePeer();
    const c = NutClient.fromStream(peer);
    let closedWith: Error | null | undefined;
    c.onClose((e) => (closedWith = e));
    peer.reply('OK\n');
    await tick();
    assert.ok(closedWith instanceof ProtocolError);
  });

  test('an unparsable reply (# inside quotes) and an over-long line are protocol errors', async () => {
    let peer = new FakePeer();
    let c = NutClient.fromStream(peer);
    let p = c.get('ups', 'a.b');
    peer.reply('VAR ups a.b "x#y"\n');
    await assert.rejects(p, ProtocolError);
    peer = new FakePeer();
    c = NutClient.fromStream(peer);
    p = c.get('ups', 'a.b');
    peer.reply('VAR ups a.b "' + 'x'.repeat(70_000));
    await assert.rejects(p, ProtocolError);
  });

  test('timeout (injected clock) rejects everything pending with TransportError timeout', async () => {
    const clock = new ManualClock();
    const peer = new FakePeer();
    const c = NutClient.fromStream(peer, { timeoutMs: 5000, clock });
    const a = c.get('ups', 'a.b');
    const b = c.listUps();
    clock.advance(4999);
    await tick();
    assert.equal(c.isOpen, true);
    clock.advance(1);
    await assert.rejects(a, (e: unknown) => e instanceof TransportError && e.reason === 'timeout');
    await assert.rejects(b, (e: unknown) => e instanceof TransportError && e.reason === 'timeout');
    assert.equal(clock.pending(), 0);
  });

  test('values are sent quoted and encoded; PRIMARY falls back to MASTER', async () => {
    const peer = new FakePeer();
    const c = NutClient.fromStream(peer);
    const s = c.setVar('ups', 'ups.id', 'a "b" \\c #d');
    const i = c.instCmd('ups', 'test.x', 'two words');
    const u = c.username('mon user');
    const pw = c.password('p#w');
    peer.reply('OK\nOK TRACKING 1234-AB\nOK\nOK\n');
    assert.equal(await s, undefined);
    assert.equal(await i, '1234-AB');
    await u;
    await pw;
    assert.equal(
      peer.written,
      'SET VAR ups ups.id "a \\"b\\" \\\\c \\#d"\nINSTCMD ups test.x "two words"\nUSERNAME "mon user"\nPASSWORD "p\\#w"\n',
    );
    peer.written = '';
    const pr = c.primary('ups');
    peer.reply('ERR UNKNOWN-COMMAND\n');
    await tick();
    peer.reply('OK MASTER-GRANTED\n');
    await pr;
    assert.equal(peer.written, 'PRIMARY ups\nMASTER ups\n');
    peer.written = '';
    const pr2 = c.primary('ups');
    peer.reply('ERR ACCESS-DENIED\n');
    await tick();
    peer.reply('ERR ACCESS-DENIED\n');
    await assert.rejects(pr2, (e: unknown) => e instanceof NutServerError && e.code === 'ACCESS-DENIED');
    c.close();
  });

  test('GET TRACKING: statuses are values, FEATURE-NOT-CONFIGURED throws', async () => {
    const peer = new FakePeer();
    const c = NutClient.fromStream(peer);
    const p = [c.getTracking('id1'), c.getTracking('id2'), c.getTracking('id3'), c.getTracking()];
    const bad = c.getTracking('id4');
    peer.reply('PENDING\nSUCCESS\nERR UNKNOWN\nON\nERR FEATURE-NOT-CONFIGURED\n');
    assert.deepEqual(await Promise.all(p), ['PENDING', 'SUCCESS', 'ERR UNKNOWN', true]);
    await assert.rejects(bad, (e: unknown) => e instanceof NutServerError && e.code === 'FEATURE-NOT-CONFIGURED');
    c.close();
  });

  test('command(): raw lines, whole LIST blocks, ERR returned not thrown', async () => {
    const peer = new FakePeer();
    const c = NutClient.fromStream(peer);
    const a = c.command('LIST UPS');
    const b = c.command('FOO');
    peer.reply('BEGIN LIST UPS\nUPS dummy "d e"\nEND LIST UPS\nERR UNKNOWN-COMMAND\n');
    assert.deepEqual(await a, ['BEGIN LIST UPS', 'UPS dummy "d e"', 'END LIST UPS']);
    assert.deepEqual(await b, ['ERR UNKNOWN-COMMAND']);
    await assert.rejects(c.command('A\nB'));
    c.close();
  });

  test('STARTTLS seam: after OK STARTTLS the stream returned by upgrade carries the session', async () => {
    const peer = new FakePeer();
    const c = NutClient.fromStream(peer);
    // the upgraded stream (a TLS socket in production) is another fake peer here
    const upper = new FakePeer();
    const st = c.starttls(async (raw) => {
      assert.equal(raw, peer);
      return upper;
    });
    peer.reply('OK STARTTLS\n');
    await st;
    assert.equal(peer.written, 'STARTTLS\n');
    const v = c.get('ups', 'ups.status');
    await tick();
    assert.equal(upper.written, 'GET VAR ups ups.status\n');
    assert.equal(peer.written, 'STARTTLS\n');
    peer.reply('VAR ups ups.status "raw"\n'); // the raw socket is no longer read
    upper.reply('VAR ups ups.status "OL"\n');
    assert.equal(await v, 'OL');
    c.close();
  });
});

describe('real TCP edge cases (fake server)', () => {
  test('disconnect in the middle of a list: TransportError for it and for what is queued', async () => {
    const port = await freePort();
    const server = net.createServer((s) => {
      s.once('data', () => {
        s.write('BEGIN LIST VAR ups\nVAR ups a.b "1"\n');
        setTimeout(() => s.destroy(), 20);
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const c = await NutClient.connect('127.0.0.1', port, { timeoutMs: 5000 });
      let closed: Error | null | undefined;
      c.onClose((e) => (closed = e));
      const a = c.listVar('ups');
      const b = c.get('ups', 'a.b');
      await assert.rejects(a, (e: unknown) => e instanceof TransportError && e.reason === 'disconnected' && e.message === 'Server disconnected');
      await assert.rejects(b, TransportError);
      assert.ok(closed instanceof TransportError);
      await assert.rejects(c.ver(), TransportError);
    } finally {
      server.close();
    }
  });

  test('connection refused: NUT wording', async () => {
    const port = await freePort();
    await assert.rejects(NutClient.connect('127.0.0.1', port, { timeoutMs: 5000 }), (e: unknown) => e instanceof TransportError && e.message === 'Connection failure: Connection refused');
  });

  test('IPv6 loopback', async (t) => {
    const port = await freePort('::1').catch(() => undefined);
    if (port === undefined) return t.skip('no IPv6 loopback');
    const server = net.createServer((s) => s.on('data', () => s.write('1.3\n')));
    await new Promise<void>((r) => server.listen(port, '::1', r));
    try {
      const { host } = splitName(`u@[::1]:${port}`);
      const c = await NutClient.connect(host, port, { timeoutMs: 5000 });
      assert.equal(await c.netVer(), '1.3');
      c.close();
    } finally {
      server.close();
    }
  });
});

/* ----------------------------------------------------- real NUT upsd */

describe('against real NUT 2.8.0 upsd', { skip: skipUnless('nut') }, () => {
  let nut: NutInstance;
  const conns: NutClient[] = [];
  const open = async () => {
    const c = await NutClient.connect('127.0.0.1', nut.port, { timeoutMs: 10_000 });
    conns.push(c);
    return c;
  };

  before(async () => {
    nut = await startRealNut();
  });
  after(async () => {
    for (const c of conns) c.close();
    await nut?.stop();
  });

  test('reads: GET/LIST of every kind, pipelined', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const c = await open();
    const [status, type, stype, desc, cdesc, udesc, nl, ups, vars, rw, cmds, en, rg, cl, ver, netver, help] = await Promise.all([
      c.get('dummy', 'ups.status'),
      c.getType('dummy', 'ups.load'),
      c.getType('dummy', 'ups.mfr'),
      c.getDesc('dummy', 'ups.load'),
      c.getCmdDesc('dummy', 'load.off'),
      c.getUpsDesc('dummy'),
      c.getNumLogins('dummy'),
      c.listUps(),
      c.listVar('dummy'),
      c.listRw('dummy'),
      c.listCmd('dummy'),
      c.listEnum('dummy', 'ups.load'),
      c.listRange('dummy', 'ups.load'),
      c.listClient('dummy'),
      c.ver(),
      c.netVer(),
      c.help(),
    ]);
    assert.equal(status, 'OL');
    assert.deepEqual(type, ['RW', 'NUMBER']);
    assert.deepEqual(stype, ['RW', 'STRING:32']);
    assert.equal(desc, 'Load on UPS (percent of full)');
    assert.equal(cdesc, 'Turn off the load immediately');
    assert.equal(udesc, 'real-nut reference dummy UPS');
    assert.equal(nl, 0);
    assert.deepEqual(ups, [{ name: 'dummy', desc: 'real-nut reference dummy UPS' }]);
    assert.equal(vars.length, 25);
    assert.deepEqual(vars.find((v) => v.name === 'device.mfr'), { name: 'device.mfr', value: 'Dummy Manufacturer' });
    assert.equal(rw.length, 14);
    assert.deepEqual(cmds, ['load.off']);
    assert.deepEqual(en, []);
    assert.deepEqual(rg, []);
    assert.deepEqual(cl, []);
    assert.equal(ver, 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/');
    assert.equal(netver, '1.3');
    assert.equal(help, 'Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS');
  });

  test('many concurrent requests keep their order', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const c = await open();
    const names = ['battery.charge', 'ups.load', 'input.voltage', 'ups.model', 'battery.runtime'];
    const ps = Array.from({ length: 200 }, (_, i) => c.get('dummy', names[i % names.length]!));
    const got = await Promise.all(ps);
    const want = ['100', '25', '230.0', 'Dummy UPS', '3600'];
    got.forEach((v, i) => assert.equal(v, want[i % want.length]));
  });

  test('server errors carry their code', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const c = await open();
    const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: NutServerError) => e.code);
    assert.deepEqual(
      await Promise.all([
        codeOf(c.get('nosuch', 'ups.status')),
        codeOf(c.get('dummy', 'no.such')),
        codeOf(c.listEnum('dummy', 'no.such')),
        codeOf(c.setVar('dummy', 'ups.load', '1')),
        codeOf(c.login('dummy')),
        codeOf(c.command('BOGUS').then((l) => (l[0] === 'ERR UNKNOWN-COMMAND' ? Promise.reject({ code: 'UNKNOWN-COMMAND' }) : l))),
      ]),
      ['UNKNOWN-UPS', 'VAR-NOT-SUPPORTED', 'VAR-NOT-SUPPORTED', 'USERNAME-REQUIRED', 'USERNAME-REQUIRED', 'UNKNOWN-COMMAND'],
    );
    assert.equal(c.isOpen, true);
    // STARTTLS refused (no certificate): an error, and the session goes on in plaintext (TRYSSL)
    await assert.rejects(
      c.starttls(async () => assert.fail('no upgrade after an ERR')),
      (e: unknown) => e instanceof NutServerError && e.code === 'FEATURE-NOT-CONFIGURED',
    );
    assert.equal(await c.get('dummy', 'ups.status'), 'OL');
  });

  test('auth, login, primary, SET/INSTCMD with tracking, logout', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const mon = await open();
    await mon.username('monpri');
    await mon.password('pripass');
    await mon.login('dummy');
    await mon.primary('dummy');
    await assert.rejects(mon.login('dummy'), (e: NutServerError) => e.code === 'ALREADY-LOGGED-IN');
    assert.equal(await mon.getNumLogins('dummy'), 1);
    assert.deepEqual(await mon.listClient('dummy'), ['127.0.0.1']);

    const admin = await open();
    await admin.username('admin');
    await admin.password('adminpass');
    assert.equal(await admin.getTracking(), false);
    await admin.setTracking(true);
    assert.equal(await admin.getTracking(), true);
    const id = await admin.setVar('dummy', 'ups.mfr', 'Walnut UPS');
    assert.match(id ?? '', /^[0-9A-F-]{36}$/);
    let status = '';
    await waitFor('SET tracking', async () => (status = await admin.getTracking(id!)) !== 'PENDING', 10_000);
    assert.equal(status, 'SUCCESS');
    const cid = await admin.instCmd('dummy', 'load.off');
    await waitFor('INSTCMD tracking', async () => (status = await admin.getTracking(cid!)) !== 'PENDING', 10_000);
    assert.equal(status, 'ERR UNKNOWN'); // dummy-ups answers INSTCMD with 1
    await assert.rejects(admin.instCmd('dummy', 'no.such'), (e: NutServerError) => e.code === 'CMD-NOT-SUPPORTED');

    const viewer = await open();
    await viewer.username('viewer');
    await viewer.password('viewpass');
    await assert.rejects(viewer.setVar('dummy', 'ups.load', '5'), (e: NutServerError) => e.code === 'ACCESS-DENIED' && e.message === 'Access denied');
    await assert.rejects(viewer.fsd('dummy'), (e: NutServerError) => e.code === 'ACCESS-DENIED');

    await mon.logout();
    assert.equal(mon.isOpen, false);
    await waitFor('numlogins back to 0', async () => (await admin.getNumLogins('dummy')) === 0, 5000);
  });
});

describe('STARTTLS seam against real NUT 2.8.0 with TLS (NSS)', { skip: skipUnless('nut') }, () => {
  let nut: NutInstance;
  before(async () => {
    nut = await startRealNut(['--tls']);
  });
  after(async () => {
    await nut?.stop();
  });

  test('upgrade with tls.connect({ socket }) after OK STARTTLS, then the session goes on over TLS', async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const c = await NutClient.connect('127.0.0.1', nut.port, { timeoutMs: 10_000 });
    try {
      let secured: tls.TLSSocket | undefined;
      await c.starttls(
        (raw) =>
          new Promise((resolve, reject) => {
            // the test CA is not trusted here: verification belongs to the TLS task
            const s = tls.connect({ socket: raw as net.Socket, rejectUnauthorized: false }, () => resolve(s));
            secured = s;
            s.once('error', reject);
          }),
      );
      assert.ok(secured?.encrypted);
      assert.equal(await c.get('dummy', 'ups.status'), 'OL');
      assert.deepEqual(await c.command('STARTTLS'), ['ERR ALREADY-SSL-MODE']);
    } finally {
      c.close();
    }
  });
});
