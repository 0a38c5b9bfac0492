/**
 * Certificates and keys for the NUT link, from the places NUT users keep
 * them: an NSS database (Debian's NUT, the how-to), a PEM file holding a
 * chain followed by its key (NUT's OpenSSL CERTFILE form), or a folder of
 * PEM CA files (no `c_rehash` hashing needed). Plus the checks a client
 * makes on a server certificate: the name it must carry and its SHA-256
 * fingerprint (for pinning).
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { WalnutError } from './errors.js';
import { isNssDb, splitPem, trustedCas } from './nss.js';

export class TlsConfigError extends WalnutError {
  constructor(message: string) {
    super('TLS_CONFIG', message);
  }
}

const KEY_TYPES = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'];

export interface PemBundle {
  /** Certificates in file order: the leaf first, then its chain. */
  certs: string[];
  key?: string;
}

/** Splits a PEM file (NUT's CERTFILE: the chain, then the key). */
export function parsePemBundle(text: string, file = 'PEM file'): PemBundle {
  const certs = splitPem(text);
  let key: string | undefined;
  for (const t of KEY_TYPES) {
    const k = splitPem(text, t);
    if (k.length) {
      key = k[0];
      break;
    }
  }
  for (const c of certs) {
    try {
      new X509Certificate(c);
    } catch (e) {
      throw new TlsConfigError(`${file}: a certificate does not parse: ${(e as Error).message}`);
    }
  }
  return key === undefined ? { certs } : { certs, key };
}

export function readPemBundle(file: string): PemBundle {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TlsConfigError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parsePemBundle(text, file);
}

/**
 * CA certificates from CERTPATH: an NSS database (its trusted CAs), a folder
 * of PEM files (*.pem, *.crt, *.cer, any name: every certificate in them),
 * or one PEM file.
 */
export async function readCaCertificates(where: string): Promise<string[]> {
  let st: fs.Stats;
  try {
    st = fs.statSync(where);
  } catch {
    throw new TlsConfigError(`CERTPATH ${where} does not exist`);
  }
  if (st.isDirectory()) {
    if (isNssDb(where)) return trustedCas(where);
    const out: string[] = [];
    for (const f of fs.readdirSync(where).sort()) {
      const p = path.join(where, f);
      if (!fs.statSync(p).isFile()) continue;
      if (!/\.(pem|crt|cer)$/i.test(f) && !/^[0-9a-f]{8}\.\d+$/.test(f)) continue;
      out.push(...readPemBundle(p).certs);
    }
    if (out.length === 0) throw new TlsConfigError(`CERTPATH ${where} holds no NSS database and no PEM certificate (*.pem, *.crt)`);
    return out;
  }
  const certs = readPemBundle(where).certs;
  if (certs.length === 0) throw new TlsConfigError(`CERTPATH ${where}: no certificate in it`);
  return certs;
}

/** SHA-256 fingerprint as `AB:CD:...` (what openssl and browsers print). */
export function fingerprint(cert: string | Buffer | tls.PeerCertificate): string {
  if (typeof cert === 'object' && !Buffer.isBuffer(cert) && 'fingerprint256' in cert) return cert.fingerprint256;
  return new X509Certificate(cert as string | Buffer).fingerprint256;
}

/** Normalises a fingerprint the user typed (`sha256:ab cd..`, no colons, lower case). */
export function normaliseFingerprint(s: string): string | undefined {
  const hex = s.replace(/^sha-?256[:=]?/i, '').replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

/**
 * Does the server certificate carry `name`? Subject alternative names when
 * the certificate has them (DNS names and IP addresses, as browsers check),
 * else the subject CN (the how-to's certutil certificates have only a CN,
 * which NSS accepts). Returns the reason when it does not.
 */
export function certNameMismatch(cert: tls.PeerCertificate, name: string): string | undefined {
  if (cert.subjectaltname) {
    const err = tls.checkServerIdentity(name, cert);
    return err ? err.message : undefined;
  }
  const cnRaw = cert.subject?.CN as string | string[] | undefined;
  const cns = Array.isArray(cnRaw) ? cnRaw : cnRaw ? [cnRaw] : [];
  if (cns.some((cn) => cn.toLowerCase() === name.toLowerCase())) return undefined;
  return `the certificate is for ${cns.length ? cns.map((c) => `"${c}"`).join(', ') : 'no name'}, not "${name}"`;
}
