/**
 * TLS on the NUT link (issue: TLS). The how-to's "Setup SSL" section done
 * literally (an NSS database made with certutil, CN = the server's address,
 * CERTPATH/CERTIDENT in upsd.conf), interop with NUT 2.8.0's NSS build in
 * both directions, every refusal with its message and no credentials on the
 * wire, a stalled handshake that delays nobody, PEM certificates from
 * `walnut tls init`, and pinning.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { spawn } from 'node:child_process';
import { REPO_ROOT, NUT_LIBEXEC, requirePeers, skipUnless } from '../support/peers.js';
import { execProgram, waitFor, stopChild, stopProc } from '../support/proc.js';
import type { Proc } from '../support/proc.js';
import { freePort } from '../support/ports.js';
import { nutDir, startRealDummy, startRealUpsd, writeDummyUps, writeUpsdConf } from '../support/real-nut.js';
import { tempDir } from '../support/tmp.js';
import { makeNssDb } from '../support/certs.js';
import type { NssSetup } from '../support/certs.js';
import { startRealNut } from '../clients/nut-instance.js';
import { afterStartTls, startRelay, startWalnutServer } from './tls-support.js';
import type { WalnutServer } from './tls-support.js';
import { tlsInit } from '../../src/common/tls-init.js';
import { monHost, procLog } from '../monitor/helpers.js';
import { NutClient } from '../../src/clients/client.js';
import { negotiateTls } from '../../src/clients/tls.js';

const bin = (p: string) => path.join(REPO_ROOT, 'bin', p);

function walnutTool(tool: string, args: string[], tlsEnv: Record<string, string>) {
  return execProgram(bin(tool), args, { ...process.env, WALNUT_NO_BUNDLE: process.env.WALNUT_NO_BUNDLE ?? '', ...tlsEnv }, 20_000);
}

/** Raw: connect, STARTTLS, return the socket after `OK STARTTLS`. */
async function rawStartTls(port: number): Promise<net.Socket> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => {
    s.once('connect', () => r());
    s.once('error', j);
  });
  s.write('STARTTLS\n');
  const line = await new Promise<string>((r) => s.once('data', (d) => r(d.toString())));
  assert.equal(line, 'OK STARTTLS\n');
  return s;
}

describe('TLS: the how-to, literally (NSS database made with certutil)', { skip: skipUnless('nss') }, () => {
  let dir: ReturnType<typeof tempDir>;
  let nss: NssSetup;
  let srv: WalnutServer;
  before(async () => {
    if (skipUnless('nss')) return;
    dir = tempDir('walnut-tls-howto-');
    // "Certificate CN and certificate nick in db should be hosts domain name or ip address"
    nss = makeNssDb(dir.dir, { cn: '127.0.0.1', nick: '127.0.0.1', password: 'topsecret', clientCert: 'client-host' });
    srv = await startWalnutServer([`CERTPATH ${nss.db}`, 'CERTIDENT "127.0.0.1" "topsecret"']);
  });
  after(async () => {
    await srv?.stop();
    dir?.cleanup();
  });

  test('upsd loads the NSS certificate; STARTTLS gives TLS 1.2+ with that certificate; a second STARTTLS is ALREADY-SSL-MODE', async (t) => {
    if (!requirePeers(t, 'nss')) return;
    assert.ok(srv.log.lines.some((l) => /TLS: using certificate "127.0.0.1" of NSS database/.test(l.message)));
    assert.ok(!srv.log.lines.some((l) => l.message.includes('topsecret')), 'the database password reached the log');
    const raw = await rawStartTls(srv.port);
    const s = tls.connect({ socket: raw, ca: nss.caPem, checkServerIdentity: () => undefined });
    await new Promise<void>((r, j) => {
      s.once('secureConnect', () => r());
      s.once('error', j);
    });
    assert.ok(s.authorized, String(s.authorizationError));
    assert.equal(s.getPeerCertificate().subject.CN, '127.0.0.1');
    assert.match(s.getProtocol() ?? '', /TLSv1\.[23]/);
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.write('STARTTLS\nGET VAR dummy ups.status\n');
    await waitFor('replies over TLS', () => got.includes('VAR dummy ups.status'), 5000, 20);
    assert.match(got, /^ERR ALREADY-SSL-MODE\nVAR dummy ups.status "OL"\n/);
    s.destroy();
  });

  test("the how-to's upsmon.conf settings (CERTPATH = the same database, CERTHOST, CERTVERIFY 1, FORCESSL 1): Walnut's upscmd logs in over TLS; after OK STARTTLS the wire carries no plain text", async (t) => {
    if (!requirePeers(t, 'nss')) return;
    const relay = await startRelay(srv.port);
    try {
      const env = { WALNUT_CERTPATH: nss.db, WALNUT_CERTHOST: '127.0.0.1=127.0.0.1', WALNUT_CERTVERIFY: '1', WALNUT_FORCESSL: '1' };
      const r = await walnutTool('upscmd', ['-u', 'admin', '-p', 'adminpass', `dummy@127.0.0.1:${relay.port}`, 'load.off'], env);
      assert.equal(r.stderr.trim(), 'OK', r.stdout + r.stderr);
      const up = afterStartTls(relay.upstream[0]!);
      assert.ok(up.length > 100, 'nothing after STARTTLS');
      assert.equal(up[0], 0x16, 'the first byte after STARTTLS is not a TLS handshake record');
      for (const word of ['USERNAME', 'PASSWORD', 'adminpass', 'INSTCMD', 'load.off']) assert.ok(!up.includes(word), `${word} crossed the wire in plain text`);
      assert.ok(srv.log.lines.some((l) => /User admin@127\.0\.0\.1 logged into UPS|TLS with 127\.0\.0\.1/.test(l.message)));
    } finally {
      await relay.stop();
    }
  });

  test("Walnut's upsmon with the how-to's upsmon.conf lines (CERTPATH = the NSS database, CERTHOST, CERTVERIFY 1, FORCESSL 1) logs in over TLS; with CERTPIN it pins the certificate", async (t) => {
    if (!requirePeers(t, 'nss')) return;
    const pins = path.join(dir.dir, 'upsmon-pins');
    const host = monHost('tls', [`MONITOR dummy@127.0.0.1:${srv.port} 1 monsec secpass secondary`], [
      `CERTPATH ${nss.db}`,
      'CERTHOST 127.0.0.1 "127.0.0.1" 1 1',
      'CERTVERIFY 1',
      'FORCESSL 1',
      `CERTPIN ${pins}`,
    ]);
    const relay = await startRelay(srv.port);
    try {
      // through the relay, so the capture shows what upsmon puts on the wire
      fs.writeFileSync(host.conf, fs.readFileSync(host.conf, 'utf8').replace(`127.0.0.1:${srv.port}`, `127.0.0.1:${relay.port}`));
      host.start(['-F', '-p']);
      await waitFor('upsmon logged in over TLS', () => srv.log.lines.some((l) => /User monsec@127\.0\.0\.1 logged into UPS \[dummy\] \(SSL\)/.test(l.message)), 20000, 100).catch((e: Error) => {
        throw new Error(`${e.message}\n${procLog(host.proc)}`);
      });
      const up = afterStartTls(relay.upstream[0]!);
      assert.equal(up[0], 0x16);
      for (const word of ['USERNAME', 'PASSWORD', 'secpass', 'LOGIN']) assert.ok(!up.includes(word), `${word} in plain text`);
      assert.match(fs.readFileSync(pins, 'utf8'), new RegExp(`127\\.0\\.0\\.1:${relay.port} [0-9A-F:]{95}`));
    } finally {
      await host.stop();
      await relay.stop();
    }
  });

  test('NUT 2.8.0 upsc (NSS build, opportunistic TLS) reads Walnut’s upsd over TLS', async (t) => {
    if (!requirePeers(t, 'nss', 'nut')) return;
    const before = srv.log.lines.filter((l) => /^TLS with /.test(l.message)).length;
    const r = await execProgram('/usr/bin/upsc', [`dummy@127.0.0.1:${srv.port}`, 'ups.status']);
    assert.equal(r.stdout, 'OL\n');
    assert.equal(r.code, 0);
    await waitFor('a TLS session in upsd’s log', () => srv.log.lines.filter((l) => /^TLS with /.test(l.message)).length > before, 3000, 20);
  });

  test('NUT 2.8.0 upsmon with FORCESSL 1, CERTVERIFY 1 and an NSS client database logs into Walnut’s upsd over TLS', async (t) => {
    if (!requirePeers(t, 'nss', 'nut')) return;
    const d = tempDir('walnut-tls-upsmon-');
    const etc = path.join(d.dir, 'etc');
    const run = path.join(d.dir, 'run');
    fs.mkdirSync(etc);
    fs.mkdirSync(run);
    fs.writeFileSync(
      path.join(etc, 'upsmon.conf'),
      [
        `MONITOR dummy@127.0.0.1:${srv.port} 1 monsec secpass secondary`,
        'MINSUPPLIES 1',
        'SHUTDOWNCMD "/bin/true"',
        'POLLFREQ 1',
        'RUN_AS_USER root',
        `POWERDOWNFLAG ${run}/killpower`,
        `CERTPATH ${nss.clientDb}`,
        'CERTHOST 127.0.0.1 "127.0.0.1" 1 1',
        'CERTVERIFY 1',
        'FORCESSL 1',
        '',
      ].join('\n'),
      { mode: 0o640 },
    );
    // upsmon writes its PID file to the compiled-in /run/nut: give it a private mount with its own run dir there
    const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /run/nut && shift && exec "$@"', 'sh', run, path.join(NUT_LIBEXEC, 'upsmon'), '-p', '-F'], {
      env: { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: run, NUT_ALTPIDPATH: run },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (b) => (out += b));
    child.stderr!.on('data', (b) => (out += b));
    try {
      await waitFor('upsmon logged in over TLS', () => srv.log.lines.some((l) => /User monsec@127\.0\.0\.1 logged into UPS \[dummy\] \(SSL\)/.test(l.message)), 15000, 100);
      assert.ok(!/SSL.*fail|certificate.*invalid/i.test(out), out);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nupsmon said:\n${out}`);
    } finally {
      await stopChild(child);
      child.stdout!.destroy();
      child.stderr!.destroy();
      d.cleanup();
    }
  });

  test('CERTREQUEST REQUIRE: a client without a certificate is refused; with CERTIDENT (its certificate in the NSS database) it gets in', async (t) => {
    if (!requirePeers(t, 'nss')) return;
    const strict = await startWalnutServer([`CERTPATH ${nss.db}`, 'CERTIDENT "127.0.0.1" "topsecret"', 'CERTREQUEST REQUIRE']);
    try {
      const bare = await walnutTool('upsc', [`dummy@127.0.0.1:${strict.port}`, 'ups.status'], { WALNUT_CERTPATH: nss.db, WALNUT_CERTVERIFY: '1', WALNUT_FORCESSL: '1' });
      assert.equal(bare.code, 1);
      assert.match(bare.stderr, /TLS handshake failed|certificate/i);
      // a client certificate from the database (CERTIDENT) is accepted
      const { exportIdentity } = await import('../../src/common/nss.js');
      const id = await exportIdentity(nss.db, 'client-host', 'topsecret');
      const raw = await rawStartTls(strict.port);
      const s = tls.connect({ socket: raw, ca: nss.caPem, pfx: id.pfx, passphrase: id.passphrase, checkServerIdentity: () => undefined });
      await new Promise<void>((r, j) => {
        s.once('secureConnect', () => r());
        s.once('error', j);
      });
      s.write('GET VAR dummy ups.status\n');
      const reply = await new Promise<string>((r) => s.once('data', (d) => r(d.toString())));
      assert.equal(reply, 'VAR dummy ups.status "OL"\n');
      s.destroy();
    } finally {
      await strict.stop();
    }
  });
});

describe('TLS refusals: a clear message, and no credentials on the wire', { skip: skipUnless('nss') }, () => {
  let dir: ReturnType<typeof tempDir>;
  let good: NssSetup;
  let srv: WalnutServer;
  before(async () => {
    if (skipUnless('nss')) return;
    dir = tempDir('walnut-tls-refuse-');
    good = makeNssDb(dir.dir, { cn: '127.0.0.1', password: 'pw1', name: 'good' });
    srv = await startWalnutServer([`CERTPATH ${good.db}`, 'CERTIDENT "127.0.0.1" "pw1"']);
  });
  after(async () => {
    await srv?.stop();
    dir?.cleanup();
  });

  async function loginThroughRelay(port: number, env: Record<string, string>) {
    const relay = await startRelay(port);
    try {
      const r = await walnutTool('upscmd', ['-u', 'admin', '-p', 'adminpass', `dummy@127.0.0.1:${relay.port}`, 'load.off'], env);
      const wire = Buffer.concat(relay.upstream.flat());
      return { r, wire };
    } finally {
      await relay.stop();
    }
  }

  test('a man in the middle with a certificate from another CA', async (t) => {
    if (!requirePeers(t, 'nss')) return;
    const evil = makeNssDb(dir.dir, { cn: '127.0.0.1', password: 'pw2', name: 'evil', caName: 'Evil CA' });
    const mitm = await startWalnutServer([`CERTPATH ${evil.db}`, 'CERTIDENT "127.0.0.1" "pw2"']);
    try {
      const { r, wire } = await loginThroughRelay(mitm.port, { WALNUT_CERTPATH: good.clientDb, WALNUT_CERTVERIFY: '1', WALNUT_FORCESSL: '1' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /127\.0\.0\.1: the server's certificate is not trusted \(.+\): it is not signed by a CA of .+; fingerprint [0-9A-F:]{95}/);
      assert.ok(!wire.includes('USERNAME') && !wire.includes('adminpass'), 'credentials crossed the wire');
    } finally {
      await mitm.stop();
    }
  });

  test('a certificate for another name than CERTHOST says', async (t) => {
    if (!requirePeers(t, 'nss')) return;
    const { r, wire } = await loginThroughRelay(srv.port, { WALNUT_CERTPATH: good.db, WALNUT_CERTVERIFY: '1', WALNUT_FORCESSL: '1', WALNUT_CERTHOST: '127.0.0.1=ups.example.net' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not match the expected name "ups\.example\.net": the certificate is for "127\.0\.0\.1"/);
    assert.ok(!wire.includes('USERNAME') && !wire.includes('adminpass'));
  });

  test('a server that answers ERR to STARTTLS while FORCESSL is on', async (t) => {
    if (!requirePeers(t, 'nss')) return;
    const plain = await startWalnutServer([]);
    try {
      const { r, wire } = await loginThroughRelay(plain.port, { WALNUT_FORCESSL: '1' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the server does not offer TLS \(ERR FEATURE-NOT-CONFIGURED\) and FORCESSL is on: not connecting in plain text/);
      assert.equal(wire.toString(), 'STARTTLS\n', 'only STARTTLS may cross the wire');
      // without FORCESSL: plain text, with a warning
      const soft = await walnutTool('upsc', [`dummy@127.0.0.1:${plain.port}`, 'ups.status'], { WALNUT_CERTPATH: good.db });
      assert.equal(soft.stdout, 'OL\n');
      assert.match(soft.stderr, /does not offer TLS \(ERR FEATURE-NOT-CONFIGURED\); continuing in plain text/);
    } finally {
      await plain.stop();
    }
  });

  test('TLS 1.0 and 1.1 are refused, by default and with DISABLE_WEAK_SSL', async (t) => {
    if (!requirePeers(t, 'nss')) return;
    const weak = await startWalnutServer([`CERTPATH ${good.db}`, 'CERTIDENT "127.0.0.1" "pw1"', 'DISABLE_WEAK_SSL true']);
    try {
      for (const port of [srv.port, weak.port]) {
        for (const v of ['TLSv1', 'TLSv1.1'] as const) {
          const raw = await rawStartTls(port);
          const err = await new Promise<Error | undefined>((resolve) => {
            const s = tls.connect({ socket: raw, minVersion: v, maxVersion: v, ciphers: 'DEFAULT:@SECLEVEL=0', rejectUnauthorized: false });
            s.once('secureConnect', () => {
              s.destroy();
              resolve(undefined);
            });
            s.once('error', (e) => resolve(e));
          });
          assert.ok(err, `${v} was accepted on port ${port}`);
          assert.match(err.message, /protocol|version|alert/i);
        }
      }
    } finally {
      await weak.stop();
    }
  });

  test('a pinned fingerprint that changed', async (t) => {
    if (!requirePeers(t, 'nss')) return;
    const pinFile = path.join(dir.dir, 'certpins');
    const first = await walnutTool('upsc', [`dummy@127.0.0.1:${srv.port}`, 'ups.status'], { WALNUT_CERTPIN: pinFile });
    assert.equal(first.stdout, 'OL\n', first.stderr);
    const pinned = fs.readFileSync(pinFile, 'utf8');
    assert.match(pinned, new RegExp(`127\\.0\\.0\\.1:${srv.port} [0-9A-F:]{95}`));
    // the same server again: fine
    assert.equal((await walnutTool('upsc', [`dummy@127.0.0.1:${srv.port}`, 'ups.status'], { WALNUT_CERTPIN: pinFile })).stdout, 'OL\n');
    // another certificate on that address
    const other = makeNssDb(dir.dir, { cn: '127.0.0.1', password: 'pw3', name: 'other' });
    const port = srv.port;
    const impostor = await startWalnutServer([`CERTPATH ${other.db}`, 'CERTIDENT "127.0.0.1" "pw3"']);
    try {
      const relayed = await startRelay(impostor.port);
      // the pin file names host:port; point the old entry at the relay's port
      fs.writeFileSync(pinFile, pinned.replace(`127.0.0.1:${port} `, `127.0.0.1:${relayed.port} `));
      try {
        const r = await walnutTool('upscmd', ['-u', 'admin', '-p', 'adminpass', `dummy@127.0.0.1:${relayed.port}`, 'load.off'], { WALNUT_CERTPIN: pinFile });
        assert.equal(r.code, 1);
        const m = /the server's certificate changed: pinned ([0-9A-F:]{95}), presented ([0-9A-F:]{95})/.exec(r.stderr);
        assert.ok(m, r.stderr);
        assert.notEqual(m[1], m[2]);
        assert.ok(!Buffer.concat(relayed.upstream.flat()).includes('USERNAME'));
      } finally {
        await relayed.stop();
      }
    } finally {
      await impostor.stop();
    }
  });
});

describe('TLS: a client that stalls the handshake delays nobody', { skip: skipUnless('nss') }, () => {
  test('STARTTLS then silence (and a half-sent ClientHello): other clients are answered; the staller is dropped after the handshake timeout', async (t) => {
    if (!requirePeers(t, 'nss')) return;
    const d = tempDir('walnut-tls-stall-');
    const nss = makeNssDb(d.dir, { cn: '127.0.0.1', password: 'pw' });
    const srv = await startWalnutServer([`CERTPATH ${nss.db}`, 'CERTIDENT "127.0.0.1" "pw"'], { tlsHandshakeTimeoutMs: 1500 });
    try {
      const silent = await rawStartTls(srv.port);
      const half = await rawStartTls(srv.port);
      half.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])); // a ClientHello cut short
      let silentClosed = false;
      silent.on('close', () => (silentClosed = true));
      silent.on('error', () => {});
      half.on('error', () => {});
      // meanwhile other clients are answered at once, in plain text and over TLS
      const plainClient = await NutClient.connect('127.0.0.1', srv.port, { timeoutMs: 1000 });
      assert.equal(await plainClient.get('dummy', 'ups.status'), 'OL');
      plainClient.close();
      const tlsClient = await NutClient.connect('127.0.0.1', srv.port, { timeoutMs: 1000 });
      await negotiateTls(tlsClient, '127.0.0.1', srv.port, { certPath: nss.caFile, certVerify: true, forceSsl: true });
      assert.equal(await tlsClient.get('dummy', 'ups.status'), 'OL');
      tlsClient.close();
      assert.equal(silentClosed, false, 'dropped before the timeout');
      await waitFor('the silent client dropped', () => silentClosed, 5000, 50);
      assert.ok(srv.log.lines.some((l) => /TLS handshake with 127\.0\.0\.1 not finished after 1\.5 s; dropping the client/.test(l.message)));
      half.destroy();
    } finally {
      await srv.stop();
      d.cleanup();
    }
  });
});

describe('TLS: walnut tls init (PEM, and NSS for NUT)', { skip: skipUnless('nss') }, () => {
  test("upsd with the CERTFILE it makes; Walnut's upsc verifies with ca.pem, NUT 2.8.0 upsc reads it too", async (t) => {
    if (!requirePeers(t, 'nss')) return;
    const d = tempDir('walnut-tls-init-');
    try {
      const r = await tlsInit({ dir: path.join(d.dir, 'tls'), names: ['127.0.0.1', 'localhost'] });
      assert.deepEqual(r.upsmonConf, [`CERTPATH ${path.join(d.dir, 'tls', 'ca.pem')}`, 'CERTVERIFY 1', 'FORCESSL 1']);
      const srv = await startWalnutServer(r.upsdConf);
      try {
        const env = { WALNUT_CERTPATH: path.join(d.dir, 'tls', 'ca.pem'), WALNUT_CERTVERIFY: '1', WALNUT_FORCESSL: '1' };
        const w = await walnutTool('upsc', [`dummy@127.0.0.1:${srv.port}`, 'ups.status'], env);
        assert.equal(w.stdout, 'OL\n', w.stderr);
        assert.equal(w.stderr, '');
        const show = await execProgram(bin('walnut'), ['tls', 'show', `127.0.0.1:${srv.port}`]);
        assert.match(show.stdout, new RegExp(`fingerprint: ${r.fingerprint}`));
        if (!requirePeers(t, 'nut')) return;
        const n = await execProgram('/usr/bin/upsc', [`dummy@127.0.0.1:${srv.port}`, 'ups.status']);
        assert.equal(n.stdout, 'OL\n');
      } finally {
        await srv.stop();
      }
    } finally {
      d.cleanup();
    }
  });

  test('--nss: NUT 2.8.0 upsd serves with the NSS database it makes; Walnut’s upsc verifies it with ca.pem', async (t) => {
    if (!requirePeers(t, 'nss', 'nut')) return;
    const d = nutDir('walnut-tls-init-nss-');
    let upsd: Proc | undefined;
    let driver: Proc | undefined;
    try {
      const r = await tlsInit({ dir: path.join(d.dir, 'tls'), names: ['127.0.0.1'], nss: true, nssPassword: 'nsspw' });
      assert.deepEqual(r.upsdConf.slice(0, 2), [`CERTPATH ${path.join(d.dir, 'tls', 'cert_db')}`, 'CERTIDENT "127.0.0.1" "nsspw"']);
      const port = await freePort();
      writeUpsdConf(d, port);
      fs.appendFileSync(path.join(d.etc, 'upsd.conf'), r.upsdConf.slice(0, 2).join('\n') + '\n');
      writeDummyUps(d);
      driver = startRealDummy(d, 'dummy');
      upsd = startRealUpsd(d);
      const env = { WALNUT_CERTPATH: path.join(d.dir, 'tls', 'ca.pem'), WALNUT_CERTVERIFY: '1', WALNUT_FORCESSL: '1' };
      let last = '';
      await waitFor('real upsd answers over TLS', async () => {
        const w = await walnutTool('upsc', [`dummy@127.0.0.1:${port}`, 'ups.status'], env);
        last = w.stderr;
        return w.stdout === 'OL\n' && w.stderr === '';
      }, 15000, 300).catch((e: Error) => {
        throw new Error(`${e.message}: ${last}`);
      });
    } finally {
      await stopProc(upsd);
      await stopProc(driver);
      d.cleanup();
    }
  });
});

describe('TLS: Walnut’s clients against NUT 2.8.0’s upsd with TLS', { skip: skipUnless('nss', 'nut') }, () => {
  test('upsc and upscmd verify the real server (PEM CA, and the NSS client database), with FORCESSL', async (t) => {
    if (!requirePeers(t, 'nss', 'nut')) return;
    const nut = await startRealNut(['--tls']);
    try {
      for (const certPath of [path.join(nut.dir, 'ca.pem'), path.join(nut.dir, 'clientdb')]) {
        const env = { WALNUT_CERTPATH: certPath, WALNUT_CERTVERIFY: '1', WALNUT_FORCESSL: '1' };
        const r = await walnutTool('upsc', [nut.ups, 'ups.status'], env);
        assert.equal(r.stdout, 'OL\n', `${certPath}: ${r.stderr}`);
        assert.equal(r.stderr, '');
        const c = await walnutTool('upscmd', ['-u', 'admin', '-p', 'adminpass', nut.ups, 'load.off'], env);
        assert.equal(c.stderr.trim(), 'OK');
      }
    } finally {
      await nut.stop();
    }
  });
});
