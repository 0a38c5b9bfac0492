/**
 * Making X.509 certificates without OpenSSL's command line: a small DER
 * encoder for exactly what `walnut tls init` needs (a CA, and server or
 * client certificates it signs, ECDSA P-256 with SHA-256, subject
 * alternative names for DNS names and IP addresses). Keys come from
 * node:crypto; the result is checked by parsing it back (X509Certificate).
 */
import crypto from 'node:crypto';
import net from 'node:net';

/* ----------------------------------------------------------------- DER */

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 + n, ...c);

function int(v: number | Buffer): Buffer {
  let hex = typeof v === 'number' ? v.toString(16) : '';
  if (hex.length % 2) hex = `0${hex}`;
  let b = typeof v === 'number' ? Buffer.from(hex, 'hex') : Buffer.from(v);
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(s: string): Buffer {
  const parts = s.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const stack: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      stack.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bool = (b: boolean) => tlv(0x01, Buffer.from([b ? 0xff : 0]));
const octets = (b: Buffer) => tlv(0x04, b);

function bitString(b: Buffer, unused = 0): Buffer {
  return tlv(0x03, Buffer.from([unused]), b);
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  if (d.getUTCFullYear() < 2050) return tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii'));
  return tlv(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}

/* ------------------------------------------------------------ pieces */

const OID = {
  cn: '2.5.4.3',
  o: '2.5.4.10',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

function name(cn: string, org?: string): Buffer {
  const rdns = [set(seq(oid(OID.cn), utf8(cn)))];
  if (org) rdns.unshift(set(seq(oid(OID.o), utf8(org))));
  return seq(...rdns);
}

function ext(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/** Key identifier (RFC 5280 method 1): SHA-1 of the subjectPublicKey bits of an SPKI. */
function keyId(spki: Buffer): Buffer {
  // SubjectPublicKeyInfo: SEQ { AlgorithmIdentifier, BIT STRING }
  let [, h] = readTlv(spki, 0);
  let off = h;
  const [, ah, al] = readTlv(spki, off);
  off += ah + al;
  const [, bh, bl] = readTlv(spki, off);
  h = bh;
  return crypto.createHash('sha1').update(spki.subarray(off + h + 1, off + h + bl)).digest();
}

function sanValue(names: readonly string[]): Buffer {
  const entries = names.map((n) => {
    if (net.isIPv4(n)) return tlv(0x87, Buffer.from(n.split('.').map(Number)));
    if (net.isIPv6(n)) return tlv(0x87, ipv6Bytes(n));
    return tlv(0x82, Buffer.from(n, 'ascii'));
  });
  return seq(...entries);
}

function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

/* ------------------------------------------------------------- certs */

export interface Issued {
  certPem: string;
  /** Empty when the key was made elsewhere (CertRequest.publicKey). */
  keyPem: string;
  cert: crypto.X509Certificate;
  /** Undefined when the key was made elsewhere. */
  key: crypto.KeyObject | undefined;
}

export interface CertRequest {
  cn: string;
  org?: string;
  /** DNS names and IP addresses (subjectAltName). */
  names?: readonly string[];
  /** Validity in days (default 825 for leaves, 3650 for a CA). */
  days?: number;
  ca?: boolean;
  usage?: 'server' | 'client' | 'both';
  /** Signing CA; absent: self-signed. */
  issuer?: Issued;
  now?: Date;
  /** Certify this public key (made elsewhere, e.g. in an NSS database) instead of a new one; needs issuer. */
  publicKey?: crypto.KeyObject;
}

function pem(type: string, der: Buffer): string {
  const b64 = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${type}-----\n${b64}\n-----END ${type}-----\n`;
}

/** Makes a key pair and a certificate (ECDSA P-256, SHA-256). */
export function issueCertificate(req: CertRequest): Issued {
  if (req.publicKey && !req.issuer) throw new Error('a certificate for a foreign public key needs an issuer');
  const pair = req.publicKey ? undefined : crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKey = req.publicKey ?? pair!.publicKey;
  const privateKey = pair?.privateKey;
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const now = req.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + (req.days ?? (req.ca ? 3650 : 825)) * 86400 * 1000);
  const issuerCert = req.issuer?.cert;
  const issuerName = req.issuer ? Buffer.from(issuerCert!.raw).subarray(0) : undefined;
  const subject = name(req.cn, req.org);
  const algId = seq(oid(OID.ecdsaSha256));
  const exts: Buffer[] = [];
  if (req.ca) {
    exts.push(ext(OID.basicConstraints, true, seq(bool(true), int(0))));
    exts.push(ext(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1))); // keyCertSign, cRLSign
  } else {
    exts.push(ext(OID.basicConstraints, true, seq()));
    exts.push(ext(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7))); // digitalSignature
    const usage = req.usage ?? 'server';
    const ekus = usage === 'both' ? [OID.serverAuth, OID.clientAuth] : usage === 'client' ? [OID.clientAuth] : [OID.serverAuth];
    exts.push(ext(OID.extKeyUsage, false, seq(...ekus.map(oid))));
  }
  if (req.names && req.names.length) exts.push(ext(OID.subjectAltName, false, sanValue(req.names)));
  exts.push(ext(OID.subjectKeyId, false, octets(keyId(spki))));
  if (req.issuer) {
    const issuerSpki = req.issuer.cert.publicKey.export({ type: 'spki', format: 'der' });
    exts.push(ext(OID.authorityKeyId, false, seq(tlv(0x80, keyId(issuerSpki)))));
  }
  const serial = crypto.randomBytes(16);
  serial[0]! &= 0x7f;
  const tbs = seq(
    explicit(0, int(2)),
    int(serial),
    algId,
    req.issuer ? subjectOf(issuerName!) : subject,
    seq(time(notBefore), time(notAfter)),
    subject,
    spki,
    explicit(3, seq(...exts)),
  );
  const signer = req.issuer ? req.issuer.key : privateKey;
  if (!signer) throw new Error('the issuer has no private key');
  const sig = crypto.sign('sha256', tbs, { key: signer, dsaEncoding: 'der' });
  const der = seq(tbs, algId, bitString(sig));
  const cert = new crypto.X509Certificate(der);
  return {
    certPem: pem('CERTIFICATE', der),
    keyPem: privateKey ? privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() : '',
    cert,
    key: privateKey,
  };
}

/** The public key of a PKCS#10 certificate request (DER), e.g. one `certutil -R` made. */
export function csrPublicKey(csrDer: Buffer): crypto.KeyObject {
  // CertificationRequest SEQ → CertificationRequestInfo SEQ → version, subject, SubjectPublicKeyInfo
  let [, h] = readTlv(csrDer, 0);
  let off = h;
  [, h] = readTlv(csrDer, off);
  off += h;
  for (let i = 0; i < 2; i++) {
    const [, hh, l] = readTlv(csrDer, off);
    off += hh + l;
  }
  const [, hh, l] = readTlv(csrDer, off);
  return crypto.createPublicKey({ key: csrDer.subarray(off, off + hh + l), format: 'der', type: 'spki' });
}

/* ------------------------------------------- reading the issuer's subject */

/** Reads one DER element at `off`: [tag, headerLength, contentLength]. */
function readTlv(b: Buffer, off: number): [number, number, number] {
  const tag = b[off]!;
  let l = b[off + 1]!;
  let hdr = 2;
  if (l & 0x80) {
    const n = l & 0x7f;
    l = 0;
    for (let i = 0; i < n; i++) l = l * 256 + b[off + 2 + i]!;
    hdr += n;
  }
  return [tag, hdr, l];
}

/** The subject Name element (DER) of a certificate's DER. */
function subjectOf(certDer: Buffer): Buffer {
  // Certificate SEQ → TBSCertificate SEQ → [0] version, serial, sigAlg, issuer, validity, subject
  let [, h] = readTlv(certDer, 0);
  let off = h; // inside Certificate
  [, h] = readTlv(certDer, off);
  off += h; // inside TBS
  for (let i = 0; i < 5; i++) {
    const [, hh, l] = readTlv(certDer, off);
    off += hh + l;
  }
  const [, hh, l] = readTlv(certDer, off);
  return certDer.subarray(off, off + hh + l);
}

/** Loads a CA made earlier (PEM certificate + PEM key) to sign more certificates. */
export function loadIssuer(certPem: string, keyPem: string): Issued {
  const cert = new crypto.X509Certificate(certPem);
  const key = crypto.createPrivateKey(keyPem);
  if (!cert.checkPrivateKey(key)) throw new Error('the CA key does not belong to the CA certificate');
  return { certPem, keyPem, cert, key };
}
