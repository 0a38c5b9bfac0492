/**
 * upsmon's client-side TLS (nut-monitor-drivers.md §1.3, §1.10): STARTTLS
 * on every new session. FORCESSL 1 (or CERTHOST ... force 1) makes TLS
 * required; CERTVERIFY 1 (or CERTHOST ... verify 1) checks the server's
 * certificate against the CA certificates (PEM files) in CERTPATH.
 * Otherwise TLS is opportunistic: a server that does not offer it is used
 * in plain text, as NUT does.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { NutClient, NutServerError } from '../clients/client.js';
import type { UpsmonConf } from '../config/types.js';

export interface TlsPolicy {
  required: boolean;
  verify: boolean;
  /** CA certificates (PEM) from CERTPATH. */
  ca: string[] | undefined;
  /** The certificate name to expect (CERTHOST), else the host name. */
  servername: string;
}

/** The policy for one host, or an error text when the configuration cannot work. */
export function tlsPolicy(conf: Pick<UpsmonConf, 'forceSsl' | 'certVerify' | 'certPath' | 'certHosts'>, host: string): TlsPolicy | { error: string } {
  const ch = conf.certHosts.find((h) => h.host === host);
  const required = ch ? ch.force || conf.forceSsl : conf.forceSsl;
  const verify = ch ? ch.verify || conf.certVerify : conf.certVerify;
  let ca: string[] | undefined;
  if (verify) {
    if (!conf.certPath) return { error: 'CERTVERIFY is on but there is no CERTPATH to verify the server against' };
    ca = readCaDir(conf.certPath);
    if (ca.length === 0) return { error: `CERTPATH ${conf.certPath} holds no PEM certificate (Walnut reads *.pem / *.crt files, not an NSS database)` };
  }
  return { required: required || verify, verify, ca, servername: ch?.name ?? host };
}

function readCaDir(p: string): string[] {
  try {
    const st = fs.statSync(p);
    const files = st.isDirectory() ? fs.readdirSync(p).map((f) => path.join(p, f)) : [p];
    return files
      .filter((f) => /\.(pem|crt)$|\.\d+$/.test(f))
      .map((f) => fs.readFileSync(f, 'latin1'))
      .filter((t) => t.includes('-----BEGIN CERTIFICATE-----'));
  } catch {
    return [];
  }
}

/**
 * Sends STARTTLS. Resolves 'tls' once encrypted, 'plain' when the server
 * does not offer TLS and it is not required; rejects otherwise (the client
 * is then unusable when the handshake itself failed).
 */
export async function negotiateTls(client: NutClient, policy: TlsPolicy, host: string): Promise<'tls' | 'plain'> {
  try {
    await client.starttls(
      (raw: Duplex) =>
        new Promise<Duplex>((resolve, reject) => {
          const name = policy.servername.replace(/^\[|\]$/g, '');
          const sock = tls.connect({
            socket: raw,
            rejectUnauthorized: policy.verify,
            ...(policy.ca ? { ca: policy.ca } : {}),
            ...(/^[\d.]+$|:/.test(name) ? {} : { servername: name }),
            ...(policy.verify ? { checkServerIdentity: (_h: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(name, cert) } : {}),
          });
          sock.once('secureConnect', () => resolve(sock));
          sock.once('error', reject);
        }),
    );
    return 'tls';
  } catch (e) {
    if (e instanceof NutServerError && !policy.required) return 'plain';
    if (e instanceof NutServerError) throw new Error(`TLS is required (FORCESSL/CERTVERIFY) but ${host} answered STARTTLS with ${e.reply}`);
    throw e;
  }
}
