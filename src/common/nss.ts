/**
 * Reading Mozilla NSS certificate databases (what NUT's Debian build and the
 * how-to use: `CERTPATH` + `CERTIDENT "nick" "password"`) through Debian's
 * libnss3-tools: `pk12util` exports a certificate with its key as PKCS#12
 * (which Node's TLS takes as `pfx`), `certutil` lists and exports
 * certificates as PEM. Passwords go to the tools in private temp files,
 * never on a command line or in a message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { WalnutError } from './errors.js';

export class NssError extends WalnutError {
  constructor(message: string) {
    super('NSS', message);
  }
}

const TOOL_DIRS = ['/usr/bin', '/usr/local/bin', '/bin'];

/** The path of an NSS tool, or undefined when libnss3-tools is not installed. */
export function nssTool(name: 'certutil' | 'pk12util'): string | undefined {
  for (const d of (process.env.PATH ?? '').split(':').concat(TOOL_DIRS)) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** True when `dir` holds an NSS database (cert9.db: sql, or the old cert8.db: dbm). */
export function isNssDb(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'cert9.db')) || fs.existsSync(path.join(dir, 'cert8.db'));
}

function dbSpec(dir: string): string {
  if (/^(sql|dbm):/.test(dir)) return dir;
  return fs.existsSync(path.join(dir, 'cert9.db')) || !fs.existsSync(path.join(dir, 'cert8.db')) ? `sql:${dir}` : `dbm:${dir}`;
}

function run(tool: string, args: string[], timeoutMs = 20_000): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tool, args, { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: stdout ?? Buffer.alloc(0), stderr: (stderr ?? Buffer.alloc(0)).toString('utf8').trim() });
    });
  });
}

function need(name: 'certutil' | 'pk12util'): string {
  const t = nssTool(name);
  if (!t) throw new NssError(`reading an NSS certificate database needs ${name} (Debian: apt-get install libnss3-tools), or use PEM files instead (CERTFILE)`);
  return t;
}

/** A private folder for password files, removed by the callback's end. */
async function withSecrets<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-nss-'));
  fs.chmodSync(dir, 0o700);
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface NssIdentity {
  /** PKCS#12 bytes: the certificate, its chain as the database holds it, and the key. */
  pfx: Buffer;
  passphrase: string;
}

/**
 * Exports certificate `nick` with its private key from the database in
 * `dir`, unlocked with `password` (the CERTIDENT password).
 */
export async function exportIdentity(dir: string, nick: string, password: string): Promise<NssIdentity> {
  const pk12util = need('pk12util');
  if (!isNssDb(dir)) throw new NssError(`${dir} is not an NSS certificate database (no cert9.db or cert8.db)`);
  return withSecrets(async (tmp) => {
    const dbPw = path.join(tmp, 'db.pw');
    const outPw = path.join(tmp, 'p12.pw');
    const out = path.join(tmp, 'id.p12');
    const passphrase = crypto.randomBytes(18).toString('base64url');
    fs.writeFileSync(dbPw, `${password}\n`, { mode: 0o600 });
    fs.writeFileSync(outPw, `${passphrase}\n`, { mode: 0o600 });
    const r = await run(pk12util, ['-o', out, '-n', nick, '-d', dbSpec(dir), '-k', dbPw, '-w', outPw]);
    if (r.code !== 0 || !fs.existsSync(out)) {
      const why = r.stderr.replace(/\s+/g, ' ') || `exit code ${r.code}`;
      if (/SEC_ERROR_BAD_PASSWORD|Bad password|incorrect password/i.test(why)) throw new NssError(`NSS database ${dir}: wrong password for certificate "${nick}" (CERTIDENT)`);
      if (/could not find|not found|SEC_ERROR_UNRECOGNIZED_OID|find cert/i.test(why)) throw new NssError(`NSS database ${dir}: no certificate with the nickname "${nick}" (CERTIDENT); see certutil -L -d ${dir}`);
      throw new NssError(`NSS database ${dir}: cannot export certificate "${nick}": ${why}`);
    }
    return { pfx: fs.readFileSync(out), passphrase };
  });
}

export interface NssCert {
  nick: string;
  /** certutil's trust attributes, e.g. "CT,C,C" or "u,u,u". */
  trust: string;
  pem: string;
}

/** Every certificate of the database (no password needed: public parts only). */
export async function listCertificates(dir: string): Promise<NssCert[]> {
  const certutil = need('certutil');
  if (!isNssDb(dir)) throw new NssError(`${dir} is not an NSS certificate database (no cert9.db or cert8.db)`);
  const spec = dbSpec(dir);
  const l = await run(certutil, ['-L', '-d', spec]);
  if (l.code !== 0) throw new NssError(`NSS database ${dir}: cannot list certificates: ${l.stderr || `exit code ${l.code}`}`);
  const out: NssCert[] = [];
  for (const line of l.stdout.toString('utf8').split('\n')) {
    // "NUT Test CA                                                  CT,C,C"
    const m = /^(.*\S)\s{2,}([pPcCTu]*,[pPcCTu]*,[pPcCTu]*)\s*$/.exec(line);
    if (!m) continue;
    const nick = m[1]!;
    const pem = await run(certutil, ['-L', '-d', spec, '-n', nick, '-a']);
    if (pem.code !== 0) continue;
    // a nickname may hold several certificates: keep each PEM block
    for (const block of splitPem(pem.stdout.toString('utf8'))) out.push({ nick, trust: m[2]!, pem: block });
  }
  return out;
}

/** The certificates the database trusts to issue server or client certificates (trust C or T). */
export async function trustedCas(dir: string): Promise<string[]> {
  return (await listCertificates(dir)).filter((c) => /[CT]/.test(c.trust.split(',')[0] ?? '')).map((c) => c.pem);
}

/** The PEM blocks of one type ("CERTIFICATE") in a text. */
export function splitPem(text: string, type = 'CERTIFICATE'): string[] {
  const re = new RegExp(`-----BEGIN ${type}-----[\\s\\S]*?-----END ${type}-----`, 'g');
  return [...text.matchAll(re)].map((m) => `${m[0]}\n`);
}
