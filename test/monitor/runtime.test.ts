/**
 * Walnut's upsmon as a program, over loopback, against Walnut's upsd and
 * against real NUT 2.8.0 upsd: the primary/secondary FSD + HOSTSYNC
 * handshake, NOTIFYCMD and SHUTDOWNCMD (scripts that only write markers),
 * POWERDOWNFLAG, a power return before LB, a failed login.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers } from '../support/peers.js';
import { waitFor } from '../support/proc.js';
import { POWERDOWNFLAG_MAGIC } from '../../src/monitor/index.js';
import { hasNote, monHost, procLog, realUps, walnutUps, type MonHost, type UpsHost } from './helpers.js';

async function handshake(ups: UpsHost, label: string): Promise<void> {
  const pri = monHost(`${label}-pri`, [`MONITOR ${ups.system} 1 monpri pripass primary`]);
  const sec = monHost(`${label}-sec`, [`MONITOR ${ups.system} 1 monsec secpass secondary`]);
  const hosts: MonHost[] = [pri, sec];
  try {
    pri.start(['-F', '-p']); // mono mode
    sec.start(['-F', '-u', 'root']); // split mode (root parent, child as root here: the scripts write to /tmp)
    await waitFor('both upsmons logged in', async () => (await ups.numLogins()) === 2, 60_000, 100);
    await ups.setStatus('OB');
    await waitFor('ONBATT on both', () => hosts.every((h) => hasNote(h, 'ONBATT')), 10_000);
    await ups.setStatus('OB LB');
    await waitFor('both SHUTDOWNCMDs ran', () => hosts.every((h) => h.shutdowns().length === 1), 25_000);
    const [pe, se] = await Promise.all([pri.proc!.exited, sec.proc!.exited]);
    assert.equal(pe, 0, procLog(pri.proc));
    assert.equal(se, 0, procLog(sec.proc));

    // the secondary went down before the primary, and the primary waited for it
    assert.ok(sec.shutdowns()[0]! < pri.shutdowns()[0]!, 'secondary SHUTDOWNCMD before the primary one');
    assert.match(await ups.status(), /^FSD OB LB$/);
    for (const h of hosts) assert.equal(fs.readFileSync(h.killpower, 'latin1'), POWERDOWNFLAG_MAGIC);

    const p = pri.notes();
    const s = sec.notes();
    const sys = ups.system;
    assert.deepEqual(
      p.filter((n) => n.type !== 'FSD').map((n) => [n.type, n.ups, n.msg]),
      [
        ['ONBATT', sys, `UPS ${sys} on battery`],
        ['LOWBATT', sys, `UPS ${sys} battery is low`],
        ['SHUTDOWN', '', 'Auto logout and shutdown proceeding'],
      ],
    );
    // the secondary may see LB and FSD in one poll ("FSD OB LB"): order within a poll is the token order
    assert.deepEqual(
      s.map((n) => [n.type, n.ups, n.msg]).sort(),
      [
        ['ONBATT', sys, `UPS ${sys} on battery`],
        ['LOWBATT', sys, `UPS ${sys} battery is low`],
        ['FSD', sys, `UPS ${sys}: forced shutdown in progress`],
        ['SHUTDOWN', '', 'Auto logout and shutdown proceeding'],
      ].sort(),
    );
    assert.equal(s[0]!.type, 'ONBATT');
    assert.ok(hasNote(sec, 'FSD') || hasNote(sec, 'LOWBATT'));
    assert.ok(procLog(pri.proc).includes('Set FSD on UPS'), procLog(pri.proc));
    // no ONLINE at start-up
    for (const h of hosts) assert.ok(!hasNote(h, 'ONLINE'));
  } finally {
    for (const h of hosts) await h.stop();
  }
}

// independent UPSes and ports: the three runs overlap (most of their time is waiting)
describe('upsmon over the network', { concurrency: true }, () => {
  test('primary + secondary against Walnut upsd: FSD, HOSTSYNC, SHUTDOWNCMD order, POWERDOWNFLAG', { timeout: 120_000 }, async () => {
    const ups = await walnutUps();
    try {
      await handshake(ups, 'w');
    } finally {
      await ups.stop();
    }
  });

  test('primary + secondary against real NUT 2.8.0 upsd', { timeout: 120_000 }, async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const ups = await realUps();
    try {
      await handshake(ups, 'r');
    } finally {
      await ups.stop();
    }
  });

  test('TLS against real NUT 2.8.0 upsd (STARTTLS): FORCESSL + CERTVERIFY with the CA, and refused with a wrong CA', { timeout: 120_000 }, async (t) => {
    if (!requirePeers(t, 'nut')) return;
    const { startRealNut } = await import('../clients/nut-instance.js');
    const nut = await startRealNut(['--tls']);
    const good = monHost('tls-ok', [`MONITOR ${nut.ups} 1 monsec secpass secondary`], ['FORCESSL 1', 'CERTVERIFY 1', `CERTPATH ${path.join(nut.dir, 'ca.pem')}`]);
    const otherCa = path.join(good.dir, 'other-ca.pem');
    // a CA that did not sign upsd's certificate
    fs.writeFileSync(otherCa, selfSigned());
    const bad = monHost('tls-bad', [`MONITOR ${nut.ups} 1 monsec secpass secondary`], ['FORCESSL 1', 'CERTVERIFY 1', `CERTPATH ${otherCa}`]);
    try {
      good.start(['-F', '-p']);
      bad.start(['-F', '-p']);
      await waitFor('the verified session logged in', () => hasNoteOrLogin(nut.port).catch(() => false), 60_000);
      await waitFor('COMMBAD for the wrong CA', () => hasNote(bad, 'COMMBAD'), 15_000);
      const dev = path.join(nut.dir, 'etc', 'dummy.dev');
      fs.writeFileSync(dev, fs.readFileSync(dev, 'utf8').replace(/^ups\.status: .*$/m, 'ups.status: OB'));
      const s = Math.floor(Date.now() / 1000) + 2;
      fs.utimesSync(dev, s, s);
      await waitFor('ONBATT over TLS', () => hasNote(good, 'ONBATT'), 20_000);
      assert.ok(!hasNote(good, 'COMMBAD'), procLog(good.proc));
      assert.ok(!hasNote(bad, 'ONBATT'));
      assert.match(procLog(bad.proc), /certificate|self.signed|unable to verify/i);
      // upsd says the login came over TLS
      assert.match(fs.readFileSync(path.join(nut.dir, 'log', 'upsd.log'), 'latin1'), /User monsec@127\.0\.0\.1 logged into UPS \[dummy\] \(SSL\)/);
    } finally {
      await good.stop();
      await bad.stop();
      await nut.stop();
    }

    async function hasNoteOrLogin(port: number): Promise<boolean> {
      const { NutClient } = await import('../../src/clients/client.js');
      const c = await NutClient.connect('127.0.0.1', port, { timeoutMs: 3000 });
      try {
        return (await c.getNumLogins('dummy')) >= 1;
      } finally {
        c.close();
      }
    }
  });
});

/** A self-signed CA certificate (public part only) that signed nothing of real NUT's. */
function selfSigned(): string {
  return `-----BEGIN CERTIFICATE-----
MIIDKzCCAhOgAwIBAgIUKfpZ0H9+IYYBdl6dHk7FWNxUVHcwDQYJKoZIhvcNAQEL
BQAwJDEiMCAGA1UEAwwZV2FsbnV0IHRlc3Q6IHVucmVsYXRlZCBDQTAgFw0yNjEx
MjkxMTA0NDBaGA8yMTI2MTEwNTExMDQ0MFowJDEiMCAGA1UEAwwZV2FsbnV0IHRl
c3Q6IHVucmVsYXRlZCBDQTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEB
APkT9FKwuGVIY1MJAaf9JUpusNzc3OQW2IY7OFHh6xuwAeA7BOsKmY3YJSXk4U5W
Qfvo3n+IJrDmI9T2YSsx0KH98DXpbLFUG3icD5mhsYTBf2WMNNTsAvRfQXwlHCAj
Ie4kjaExdpZALsAe7OvCpsXZoYdWmMy/DP0V7XlN2F64rbLTmmowc3V3KLpdBpBz
Du+9yBCAK2d2nATQnEaaIyRzA+Itdc9HV3C17XvObqG0EmEPbqYbkr4kI94X60T6
G7t52pLIwwnWOLavlGhhG1a9HiuB1FOGzbP8z9WSz6fNuNP/TND4cXyAxp6jC6qD
E53Rh2Wd4MG2s1SsNfTG4hMCAwEAAaNTMFEwHQYDVR0OBBYEFOak86dkHUZ6eWTV
dBebxDG9VjJpMB8GA1UdIwQYMBaAFOak86dkHUZ6eWTVdBebxDG9VjJpMA8GA1Ud
EwEB/wQFMAMBAf8wDQYJKoZIhvcNAQELBQADggEBAEF4CgdOeoRTLGpQS+CCGBxG
htCpn1hRjkwiu+bUxwVmg6rgUWvTRvPcsbASYHNLAK4DVeZkAojjJZStLMhQYJSQ
6HbVVo3VXxTyCZIoqtN8BOmwX3808N+aTbeSmwgMg6FGVrZrTEaClRSKHBKuwvkR
N4jBMiZIDjit5ha4lyuHvJoplJENwODn3Fv+Cgz2u7nUUo6p8q9zYlKtwzaYu4ZN
o39tIDXKA/UOx7GFFPpGVuCby3svbHWsPzRILOMrS6K+UzflEChAgvzRciMtNEd4
Nyxn52FNh14iWaRF2wXw9nIm+6A3DCoRJ/IAl9+78Ho4bF5Nz1uO7j0C908o8q0=
-----END CERTIFICATE-----\n`;
}
