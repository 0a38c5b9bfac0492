/**
 * `walnut tls init`: TLS for the NUT link in one step. Makes a CA and a
 * server certificate for the host's names and addresses (PEM, no OpenSSL
 * needed), optionally an NSS database for NUT's own Debian programs
 * (certutil), and returns the lines to put in upsd.conf and upsmon.conf.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { csrPublicKey, issueCertificate, loadIssuer } from './x509.js';
import type { Issued } from './x509.js';
import { NssError, nssTool } from './nss.js';

export interface TlsInitOptions {
  /** Folder for the files (created; default $NUT_CONFPATH/tls). */
  dir: string;
  /** Names and addresses the server certificate carries (the first is its CN). */
  names: string[];
  /** Also make NSS databases (server: cert_db, clients: client_db) for NUT's own programs. */
  nss?: boolean;
  /** Password of the server NSS database (default: a random one, written to cert_db.pw). */
  nssPassword?: string;
  /** Replace existing files (default: refuse, so a working setup is not overwritten). */
  force?: boolean;
  /** Group that may read the keys (default `nut` when it exists and we are root). */
  group?: string;
}

export interface TlsInitResult {
  files: { path: string; what: string }[];
  upsdConf: string[];
  upsmonConf: string[];
  /** upsmon.conf for NUT's own upsmon (NSS build), when nss was asked. */
  nutUpsmonConf?: string[];
  fingerprint: string;
}

/** The host's names and addresses: hostname, its FQDN if known, localhost, loopbacks, interface addresses. */
export function defaultNames(): string[] {
  const out = new Set<string>();
  out.add(os.hostname());
  out.add('localhost');
  out.add('127.0.0.1');
  out.add('::1');
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv6' && a.address.startsWith('fe80')) continue;
      out.add(a.address);
    }
  }
  return [...out];
}

function groupId(name: string): number | undefined {
  try {
    const line = fs
      .readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    return line ? Number(line.split(':')[2]) : undefined;
  } catch {
    return undefined;
  }
}

export async function tlsInit(o: TlsInitOptions): Promise<TlsInitResult> {
  if (o.names.length === 0) throw new Error('no name for the server certificate');
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o750 });
  const caCert = path.join(o.dir, 'ca.pem');
  const caKey = path.join(o.dir, 'ca.key');
  const serverPem = path.join(o.dir, 'upsd.pem');
  if (!o.force) {
    for (const f of [caCert, serverPem]) if (fs.existsSync(f)) throw new Error(`${f} exists; use --force to replace it (clients trusting the old CA will then refuse the new certificate)`);
  }
  const gid = process.getuid?.() === 0 ? groupId(o.group ?? 'nut') : undefined;
  const files: TlsInitResult['files'] = [];
  const write = (p: string, text: string | Buffer, mode: number, what: string) => {
    fs.writeFileSync(p, text, { mode });
    fs.chmodSync(p, mode);
    if (gid !== undefined) fs.chownSync(p, 0, gid);
    files.push({ path: p, what });
  };
  const [cn, ...rest] = o.names;
  const ca: Issued = issueCertificate({ cn: `Walnut NUT CA (${os.hostname()})`, org: 'Walnut', ca: true });
  write(caCert, ca.certPem, 0o644, 'the CA certificate: copy it to every client host');
  write(caKey, ca.keyPem, 0o600, 'the CA key: keep it private (signs more certificates)');
  const server = issueCertificate({ cn: cn!, org: 'Walnut', names: [cn!, ...rest], issuer: loadIssuer(ca.certPem, ca.keyPem) });
  // NUT's CERTFILE form: the chain, then the key
  write(serverPem, server.certPem + ca.certPem + server.keyPem, 0o640, "upsd's certificate chain and key (CERTFILE)");
  const result: TlsInitResult = {
    files,
    upsdConf: [`CERTFILE ${serverPem}`],
    upsmonConf: [`CERTPATH ${caCert}`, 'CERTVERIFY 1', 'FORCESSL 1'],
    fingerprint: server.cert.fingerprint256,
  };
  if (o.nss) {
    const certutil = nssTool('certutil');
    if (!certutil) throw new NssError('--nss needs certutil (Debian: apt-get install libnss3-tools)');
    const db = path.join(o.dir, 'cert_db');
    const cdb = path.join(o.dir, 'client_db');
    for (const d of [db, cdb]) {
      if (fs.existsSync(d)) {
        if (!o.force) throw new Error(`${d} exists; use --force to replace it`);
        fs.rmSync(d, { recursive: true, force: true });
      }
      fs.mkdirSync(d, { mode: 0o750 });
    }
    const password = o.nssPassword ?? crypto.randomBytes(12).toString('base64url');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-tls-'));
    try {
      const pw = path.join(tmp, 'pw');
      const noise = path.join(tmp, 'noise');
      fs.writeFileSync(pw, `${password}\n`, { mode: 0o600 });
      fs.writeFileSync(noise, crypto.randomBytes(2048));
      const run = (args: string[]) => execFileSync(certutil, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      run(['-N', '-d', `sql:${db}`, '-f', pw]);
      run(['-A', '-d', `sql:${db}`, '-f', pw, '-n', 'Walnut NUT CA', '-t', 'CT,C,C', '-a', '-i', caCert]);
      // the server key is made inside the database; our CA signs its request
      const csr = path.join(tmp, 'csr.der');
      run(['-R', '-d', `sql:${db}`, '-f', pw, '-z', noise, '-s', `CN=${cn},O=Walnut`, '-k', 'rsa', '-g', '2048', '-o', csr]);
      const signed = issueCertificate({ cn: cn!, org: 'Walnut', names: [cn!, ...rest], issuer: loadIssuer(ca.certPem, ca.keyPem), publicKey: csrPublicKey(fs.readFileSync(csr)) });
      const certFile = path.join(tmp, 'server.pem');
      fs.writeFileSync(certFile, signed.certPem);
      run(['-A', '-d', `sql:${db}`, '-f', pw, '-n', cn!, '-t', 'u,u,u', '-a', '-i', certFile]);
      run(['-N', '-d', `sql:${cdb}`, '--empty-password']);
      run(['-A', '-d', `sql:${cdb}`, '-n', 'Walnut NUT CA', '-t', 'CT,C,C', '-a', '-i', caCert]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    for (const d of [db, cdb]) {
      for (const f of fs.readdirSync(d)) {
        fs.chmodSync(path.join(d, f), 0o640);
        if (gid !== undefined) fs.chownSync(path.join(d, f), 0, gid);
      }
      if (gid !== undefined) fs.chownSync(d, 0, gid);
    }
    files.push({ path: db, what: `NSS database for upsd: CA + server certificate "${cn}" (password in cert_db.pw)` });
    write(path.join(o.dir, 'cert_db.pw'), `${password}\n`, 0o600, 'the NSS database password');
    files.push({ path: cdb, what: "NSS database for NUT's own clients: the CA, trusted" });
    result.upsdConf = [`CERTPATH ${db}`, `CERTIDENT "${cn}" "${password}"`, `# or, Walnut's upsd only: CERTFILE ${serverPem}`];
    result.nutUpsmonConf = [`CERTPATH ${cdb}`, `CERTHOST ${cn} "${cn}" 1 1`, 'CERTVERIFY 1', 'FORCESSL 1'];
  }
  return result;
}
