/**
 * Test certificates made the way NUT users make them: an NSS database with
 * Debian's certutil, as the how-to's "Setup SSL" section does (a CA, and a
 * server certificate whose CN and nickname are the server's address), plus
 * the CA as PEM for non-NSS clients. Requires libnss3-tools
 * (requirePeers(t, 'nss')).
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';

export interface NssSetup {
  /** The NSS database folder (CERTPATH). */
  db: string;
  /** The database password (CERTIDENT's second word). */
  password: string;
  /** The server certificate's nickname (CERTIDENT's first word). */
  nick: string;
  /** The CA certificate as PEM. */
  caPem: string;
  caFile: string;
  /** A client database (CERTPATH for upsmon): only the CA, trusted; no password. */
  clientDb: string;
}

let serial = Math.floor(Math.random() * 1e6) + 10;

function certutil(args: string[], input?: string): string {
  return execFileSync('certutil', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * `dir/<name>`: a CA "<caName>" and a server certificate named `nick` with
 * CN=`cn` (and SAN entries when given), as the how-to's linked guide does.
 */
export function makeNssDb(dir: string, opts: { cn: string; nick?: string; san?: string; password?: string; caName?: string; name?: string; clientCert?: string }): NssSetup {
  const name = opts.name ?? 'cert_db';
  const db = path.join(dir, name);
  const clientDb = path.join(dir, `${name}-client`);
  const password = opts.password ?? 'topsecret';
  const nick = opts.nick ?? opts.cn;
  const caName = opts.caName ?? 'Walnut Test CA';
  fs.mkdirSync(db, { recursive: true });
  fs.mkdirSync(clientDb, { recursive: true });
  const pw = path.join(dir, `${name}.pw`);
  const noise = path.join(dir, `${name}.noise`);
  fs.writeFileSync(pw, `${password}\n`, { mode: 0o600 });
  fs.writeFileSync(noise, crypto.randomBytes(2048));
  const d = `sql:${db}`;
  certutil(['-N', '-d', d, '-f', pw]);
  certutil(['-S', '-d', d, '-f', pw, '-z', noise, '-n', caName, '-s', `CN=${caName},O=walnut-test`, '-x', '-t', 'CT,C,C', '-m', String(serial++), '-k', 'rsa', '-g', '2048', '-v', '12', '-2'], 'y\n0\ny\n');
  const serverArgs = ['-S', '-d', d, '-f', pw, '-z', noise, '-n', nick, '-s', `CN=${opts.cn},O=walnut-test`, '-c', caName, '-t', 'u,u,u', '-m', String(serial++), '-k', 'rsa', '-g', '2048', '-v', '12', '--extKeyUsage', 'serverAuth,clientAuth'];
  if (opts.san) serverArgs.push('--extSAN', opts.san);
  certutil(serverArgs);
  if (opts.clientCert) {
    certutil(['-S', '-d', d, '-f', pw, '-z', noise, '-n', opts.clientCert, '-s', `CN=${opts.clientCert},O=walnut-test`, '-c', caName, '-t', 'u,u,u', '-m', String(serial++), '-k', 'rsa', '-g', '2048', '-v', '12', '--extKeyUsage', 'clientAuth']);
  }
  const caPem = certutil(['-L', '-d', d, '-n', caName, '-a']);
  const caFile = path.join(dir, `${name}-ca.pem`);
  fs.writeFileSync(caFile, caPem);
  certutil(['-N', '-d', `sql:${clientDb}`, '--empty-password']);
  certutil(['-A', '-d', `sql:${clientDb}`, '-n', caName, '-t', 'CT,C,C', '-a', '-i', caFile]);
  fs.rmSync(noise, { force: true });
  fs.rmSync(pw, { force: true });
  return { db, password, nick, caPem, caFile, clientDb };
}
