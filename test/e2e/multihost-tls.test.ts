/**
 * The TLS namespace run (issue 4's acceptance): the Walnut outage run of
 * multihost-outage.test.ts — the UPS host with Walnut's upsd, dummy-ups and
 * primary upsmon, two Walnut secondaries and a real NUT 2.8.0 one, each in its
 * own network namespace — with every link on TLS, set up as the how-to's
 * "Setup SSL" section says:
 *
 * - upsd.conf: `CERTPATH <NSS database>` and `CERTIDENT "198.18.0.1" "<db password>"`,
 *   the database made with certutil (test/support/certs.ts: a CA and a server
 *   certificate whose CN and nickname are the UPS host's address);
 * - upsmon.conf on every host: `CERTPATH`, `CERTHOST 198.18.0.1 "198.18.0.1" 1 1`,
 *   `CERTVERIFY 1`, `FORCESSL 1` — the UPS host's primary reads the server's own
 *   database (as in the how-to), the secondaries a client database holding only
 *   the CA (real NUT's upsmon needs an NSS database there).
 *
 * Assertions: the outage run's own (assertOutage), plus: every upsmon login in
 * upsd's log is a TLS session ("(SSL)"), and no password reaches any log.
 * And a refusal inside the lab: one more Walnut secondary (an outsider to the
 * run) trusts only another CA's database; with FORCESSL 1 it never logs in, its
 * upsmon says the certificate is not trusted, and the others go on.
 */
import { test, after } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers } from '../support/peers.js';
import { tempDir } from '../support/tmp.js';
import { makeNssDb } from '../support/certs.js';
import {
  PASSWORD,
  UPS_ADDR,
  assertOutage,
  destroyAllRuns,
  find,
  playOutage,
  requireLab,
  runLab,
  waitUntil,
  type Run,
  type RunOptions,
} from './multihost-harness.js';

after(destroyAllRuns);

const SERVER_DB_PASSWORD = 'nss-db-secret-7f3a';
const ROGUE_DB_PASSWORD = 'nss-rogue-secret-2c91';

/** The how-to's upsmon.conf lines for the UPS host's address. */
function upsmonTls(certPath: string): string {
  return [`CERTPATH ${certPath}`, `CERTHOST ${UPS_ADDR} "${UPS_ADDR}" 1 1`, 'CERTVERIFY 1', 'FORCESSL 1', ''].join('\n');
}

test(
  'TLS in namespaces (the how-to\'s NSS setup on every link): Walnut upsd + primary, Walnut and NUT secondaries go through the outage over TLS; a secondary trusting another CA is refused',
  { timeout: 120_000 },
  async (t) => {
    if (!requireLab(t) || !requirePeers(t, 'nut', 'nss')) return;
    const certs = tempDir('walnut-multihost-tls-');
    try {
      const t0 = Date.now();
      // "Certificate CN and certificate nick in db should be hosts domain name or ip address"
      const server = makeNssDb(certs.dir, { cn: UPS_ADDR, nick: UPS_ADDR, password: SERVER_DB_PASSWORD, name: 'cert_db' });
      // another CA, with a certificate for the same address: what the refused secondary trusts
      const rogue = makeNssDb(certs.dir, { cn: UPS_ADDR, nick: UPS_ADDR, password: ROGUE_DB_PASSWORD, name: 'rogue_db', caName: 'Rogue Test CA' });
      t.diagnostic(`certutil: two NSS databases in ${Date.now() - t0} ms`);
      const opts: RunOptions = {
        server: 'walnut',
        hosts: [
          { impl: 'walnut', role: 'master' },
          { impl: 'walnut', role: 'slave' },
          { impl: 'walnut', role: 'secondary' },
          { impl: 'nut', role: 'slave' },
        ],
        outsiders: [{ impl: 'walnut', role: 'slave' }],
        upsdConf: `CERTPATH ${server.db}\nCERTIDENT "${server.nick}" "${SERVER_DB_PASSWORD}"\n`,
        extraConf: {
          0: upsmonTls(server.db),
          1: upsmonTls(server.clientDb),
          2: upsmonTls(server.clientDb),
          3: upsmonTls(server.clientDb),
          4: upsmonTls(rogue.clientDb),
        },
      };
      await runLab(t, opts, async (r) => {
        const rogueHost = r.outsiders[0]!;
        // the refused secondary starts with the others logged in, and tries while the outage plays
        r.startUpsmon(rogueHost);
        const upsdLog = () => r.upsdLogs.map((p) => p.log()).join('');
        await waitUntil('the rogue secondary to report the refusal', () => /certificate is not trusted/.test(rogueHost.upsmon!.log()), 20_000, () => r.dump());
        r.mark('rogue refused');
        await playOutage(r);
        assertOutage(r);
        for (const line of assertTls(r, upsdLog(), rogueHost.upsmon!.log())) t.diagnostic(line);
      });
    } finally {
      certs.cleanup();
    }
  },
);

/** Throws with every violation; returns what it saw, for t.diagnostic. */
function assertTls(r: Run, upsdLog: string, rogueLog: string): string[] {
  const errs: string[] = [];
  const check = (ok: boolean, msg: () => string) => {
    if (!ok) errs.push(msg());
  };
  const lines = upsdLog.split('\n');
  check(lines.some((l) => /TLS: using certificate "198\.18\.0\.1" of NSS database/.test(l)), () => 'upsd did not say it uses the NSS certificate');
  // every login, on every host, is a TLS session
  const logins = lines.filter((l) => /User \S+ logged into UPS/.test(l));
  for (const l of logins) check(/ \(SSL\)$/.test(l.trimEnd()), () => `a login in plain text: ${JSON.stringify(l)}`);
  for (const h of r.hosts) {
    const user = h === r.ups ? 'locupsmon' : 'remupsmon';
    check(
      logins.some((l) => l.includes(`User ${user}@${h.net.addr} logged into UPS [myups] (SSL)`)),
      () => `${h.label}: no "User ${user}@${h.net.addr} logged into UPS [myups] (SSL)" in upsd's log`,
    );
  }
  // the refused secondary: never logged in, said why, sent nothing it should not, and did not shut down
  const rogue = r.outsiders[0]!;
  check(!lines.some((l) => l.includes(`@${rogue.net.addr} `)), () => `${rogue.label}: upsd logged a session from it: ${lines.filter((l) => l.includes(rogue.net.addr)).join(' / ')}`);
  check(
    /Poll UPS \[myups@198\.18\.0\.1\] failed - .*the server's certificate is not trusted \(.+\): it is not signed by a CA of .*rogue_db-client; fingerprint [0-9A-F:]{95}/.test(rogueLog),
    () => `${rogue.label}: its upsmon does not say the certificate is not trusted:\n${rogueLog}`,
  );
  check(rogue.upsmon?.exitedAt === undefined, () => `${rogue.label}: upsmon exited (code ${rogue.upsmon?.exitCode})`);
  check(find(rogue, 'SHUTDOWNCMD').length === 0, () => `${rogue.label}: it shut down although it never saw the UPS`);
  // no password in any log: upsd, driver, every upsmon (the outsider's too), every NOTIFYCMD marker
  const logs: [string, string][] = r.lab.procs.map((p) => [`${p.host} ${p.name} pid ${p.pid}`, p.log()]);
  for (const h of [...r.hosts, ...r.outsiders]) {
    try {
      logs.push([`${h.label} markers`, fs.readFileSync(path.join(h.dir, 'markers.log'), 'latin1')]);
    } catch {
      /* none: assertOutage reports it */
    }
  }
  for (const [name, text] of logs) {
    for (const secret of [PASSWORD, SERVER_DB_PASSWORD, ROGUE_DB_PASSWORD]) check(!text.includes(secret), () => `${name}: a password (${secret}) in its log`);
  }
  if (errs.length) throw new Error(`${errs.length} TLS violation(s):\n- ${errs.join('\n- ')}\n${r.dump()}`);
  const refusal = rogueLog.split('\n').find((l) => l.includes('not trusted')) ?? '';
  return [...logins.map((l) => `upsd: ${l.trim()}`), `${rogue.label}: ${refusal.trim()}`, `no password in ${logs.length} logs`];
}
