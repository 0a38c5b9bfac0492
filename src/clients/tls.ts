/**
 * Client-side TLS for every Walnut client (upsc, upscmd, upsrw, upsmon, the
 * dummy-ups repeater): NUT's STARTTLS with NUT's settings (CERTPATH,
 * CERTIDENT, CERTHOST, CERTVERIFY, FORCESSL), plus certificate pinning.
 *
 * - STARTTLS is tried first, before any credential is sent.
 * - Without FORCESSL, a server answering ERR means plain text, as in NUT,
 *   but a warning says so (once per server).
 * - With FORCESSL, such a server is refused, and why is said.
 * - With CERTVERIFY (or CERTHOST ... verify=1) the server's certificate must
 *   chain to a CA of CERTPATH (an NSS database, a folder of PEM files or a
 *   PEM file) and carry the expected name (CERTHOST's name, else the host).
 * - Pinning: a pin file holds `HOST:PORT SHA256-FINGERPRINT` lines; a new
 *   server is recorded on first use, a changed certificate is refused with
 *   both fingerprints shown.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { WalnutError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { silentLogger } from '../common/log.js';
import { exportIdentity, isNssDb } from '../common/nss.js';
import { certNameMismatch, fingerprint, normaliseFingerprint, readCaCertificates } from '../common/tls-material.js';
import { NutClient, NutServerError } from './client.js';

export interface CertHostSetting {
  host: string;
  /** The name the server's certificate must carry. */
  name: string;
  verify: boolean;
  force: boolean;
}

export interface ClientTlsSettings {
  /** CERTPATH: an NSS database folder, a folder of PEM CA files, or a PEM file. */
  certPath?: string;
  /** CERTIDENT: this client's certificate (nickname, database password) in the NSS database of CERTPATH. */
  certIdent?: { name: string; password: string };
  certHosts?: readonly CertHostSetting[];
  certVerify?: boolean;
  forceSsl?: boolean;
  /** A pin file (`HOST:PORT FINGERPRINT` lines); new servers are recorded on first use. */
  pinFile?: string;
  /** Do not try STARTTLS at all (a server known to lack TLS). Ignored with FORCESSL. */
  noTls?: boolean;
}

/** Why a client refused to go on (never after sending credentials). */
export class TlsRefused extends WalnutError {
  constructor(message: string) {
    super('TLS_REFUSED', message);
  }
}

export interface TlsOutcome {
  secure: boolean;
  verified: boolean;
  protocol?: string;
  fingerprint?: string;
  /** What was logged about it, if anything (the plain-text fallback warning). */
  note?: string;
}

export interface EffectiveTls {
  verify: boolean;
  force: boolean;
  name: string;
}

/** CERTHOST for this host wins over CERTVERIFY / FORCESSL. */
export function effectiveTls(host: string, s: ClientTlsSettings): EffectiveTls {
  const h = s.certHosts?.find((x) => x.host.toLowerCase() === host.toLowerCase());
  return { verify: h?.verify ?? s.certVerify ?? false, force: h?.force ?? s.forceSsl ?? false, name: h?.name ?? host };
}

/** Warned-about servers (one warning per server and process). */
const warned = new Set<string>();

/* ---------------------------------------------------------------- pins */

export function readPins(file: string): Map<string, string> {
  const pins = new Map<string, string>();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return pins;
  }
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [key, fp] = t.split(/\s+/);
    const n = fp ? normaliseFingerprint(fp) : undefined;
    if (key && n) pins.set(key.toLowerCase(), n);
  }
  return pins;
}

export function pinKey(host: string, port: number): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${port}`.toLowerCase();
}

function addPin(file: string, key: string, fp: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const header = fs.existsSync(file) ? '' : '# Walnut: server certificate fingerprints pinned on first use (HOST:PORT SHA256)\n';
  fs.appendFileSync(file, `${header}${key} ${fp}\n`, { mode: 0o640 });
}

/* ------------------------------------------------------------ material */

const caCache = new Map<string, Promise<string[]>>();

function cas(certPath: string): Promise<string[]> {
  let p = caCache.get(certPath);
  if (!p) {
    p = readCaCertificates(certPath);
    caCache.set(certPath, p);
    p.catch(() => caCache.delete(certPath));
  }
  return p;
}

/** The TLS handshake on `raw` (after OK STARTTLS), checked as the settings say. */
export async function clientHandshake(raw: Duplex, host: string, port: number, s: ClientTlsSettings, log: Logger = silentLogger): Promise<{ socket: tls.TLSSocket; outcome: TlsOutcome }> {
  const eff = effectiveTls(host, s);
  const opts: tls.ConnectionOptions = {
    socket: raw,
    minVersion: 'TLSv1.2',
    rejectUnauthorized: false, // checked below, with a clear message
    checkServerIdentity: () => undefined,
  };
  if (!net.isIP(eff.name)) opts.servername = eff.name;
  if (eff.verify) {
    if (!s.certPath) throw new TlsRefused(`${host}: CERTVERIFY is on but no CERTPATH says which CA to trust`);
    opts.ca = await cas(s.certPath);
  }
  if (s.certIdent) {
    if (!s.certPath || !isNssDb(s.certPath)) throw new TlsRefused(`CERTIDENT "${s.certIdent.name}" needs CERTPATH to be the NSS database holding it`);
    const id = await exportIdentity(s.certPath, s.certIdent.name, s.certIdent.password);
    opts.pfx = id.pfx;
    opts.passphrase = id.passphrase;
  }
  const sock = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const t = tls.connect(opts);
    const onError = (e: Error) => reject(new TlsRefused(`${host}: TLS handshake failed: ${e.message}`));
    t.once('error', onError);
    t.once('secureConnect', () => {
      t.off('error', onError);
      resolve(t);
    });
  });
  const peer = sock.getPeerCertificate();
  const fp = peer && peer.fingerprint256 ? peer.fingerprint256 : '';
  const fail = (msg: string): never => {
    sock.destroy();
    throw new TlsRefused(msg);
  };
  if (eff.verify) {
    if (!sock.authorized) fail(`${host}: the server's certificate is not trusted (${sock.authorizationError}): it is not signed by a CA of ${s.certPath}; fingerprint ${fp}`);
    const bad = certNameMismatch(peer, eff.name);
    if (bad) fail(`${host}: the server's certificate does not match the expected name "${eff.name}": ${bad}`);
  }
  if (s.pinFile) {
    const key = pinKey(host, port);
    const pinned = readPins(s.pinFile).get(key);
    if (pinned && pinned !== fp) {
      fail(`${host}: the server's certificate changed: pinned ${pinned}, presented ${fp}. If the change is expected, remove the line "${key}" from ${s.pinFile}`);
    }
    if (!pinned && fp) {
      addPin(s.pinFile, key, fp);
      log.info(`${host}: pinned the server's certificate ${fp} in ${s.pinFile}`);
    }
  }
  if (!eff.verify && !s.pinFile) {
    const k = `unverified ${pinKey(host, port)}`;
    if (!warned.has(k)) {
      warned.add(k);
      log.warn(`${host}: TLS without certificate verification (set CERTVERIFY 1 and CERTPATH, or pin the certificate)`);
    }
  }
  const outcome: TlsOutcome = { secure: true, verified: eff.verify, fingerprint: fp };
  const proto = sock.getProtocol();
  if (proto) outcome.protocol = proto;
  return { socket: sock, outcome };
}

/**
 * STARTTLS on a fresh connection, before any credential. Resolves with what
 * happened; rejects with TlsRefused when FORCESSL (or verification) forbids
 * going on. The client is closed on refusal.
 */
export async function negotiateTls(client: NutClient, host: string, port: number, s: ClientTlsSettings, log: Logger = silentLogger): Promise<TlsOutcome> {
  const eff = effectiveTls(host, s);
  if (s.noTls && !eff.force) return { secure: false, verified: false };
  let outcome: TlsOutcome | undefined;
  try {
    await client.starttls(async (raw) => {
      const r = await clientHandshake(raw, host, port, s, log);
      outcome = r.outcome;
      return r.socket;
    });
  } catch (e) {
    if (e instanceof NutServerError) {
      if (eff.force) {
        client.close();
        throw new TlsRefused(`${host}: the server does not offer TLS (${e.reply}) and FORCESSL is on: not connecting in plain text`);
      }
      const note = `${host}: the server does not offer TLS (${e.reply}); continuing in plain text`;
      const k = `plain ${pinKey(host, port)}`;
      if (!warned.has(k)) {
        warned.add(k);
        log.warn(note);
      }
      return { secure: false, verified: false, note };
    }
    client.close();
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof TlsRefused) throw cause;
    throw e instanceof TlsRefused ? e : new TlsRefused(`${host}: ${(e as Error).message}`);
  }
  return outcome ?? { secure: true, verified: false };
}

/** Client TLS settings for the command-line tools, from the environment (WALNUT_CERTPATH, ...). */
export function toolTlsSettings(env: NodeJS.ProcessEnv): ClientTlsSettings {
  const s: ClientTlsSettings = {};
  if (env.WALNUT_CERTPATH) s.certPath = env.WALNUT_CERTPATH;
  if (env.WALNUT_CERTVERIFY === '1') s.certVerify = true;
  if (env.WALNUT_FORCESSL === '1') s.forceSsl = true;
  if (env.WALNUT_CERTPIN) s.pinFile = env.WALNUT_CERTPIN;
  if (env.WALNUT_CERTHOST) {
    // HOST=NAME: the name the certificate of HOST must carry
    const hosts: CertHostSetting[] = [];
    for (const part of env.WALNUT_CERTHOST.split(',')) {
      const [h, n] = part.split('=');
      if (h && n) hosts.push({ host: h, name: n, verify: s.certVerify ?? false, force: s.forceSsl ?? false });
    }
    s.certHosts = hosts;
  }
  if (env.WALNUT_NOTLS === '1') s.noTls = true;
  return s;
}
