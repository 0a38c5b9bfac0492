/**
 * upsd's TLS material: the server certificate and key from an NSS database
 * (`CERTPATH` + `CERTIDENT "nick" "password"`, as NUT's Debian build and the
 * how-to), or from a PEM file (`CERTFILE`: the chain, then the key, NUT's
 * OpenSSL form). `CERTREQUEST` asks for (1) or requires (2) a client
 * certificate, checked against the CAs the NSS database trusts (or, with
 * CERTFILE, the PEM CAs in CERTPATH when given). TLS 1.2 is the minimum
 * always (NUT allows 1.0 unless DISABLE_WEAK_SSL).
 *
 * A configured certificate that cannot be loaded is an error: upsd does not
 * fall back to plain text on its own.
 */
import tls from 'node:tls';
import type { UpsdConf } from '../config/types.js';
import { exportIdentity, trustedCas } from '../common/nss.js';
import { TlsConfigError, readCaCertificates, readPemBundle } from '../common/tls-material.js';

export interface ServerTls {
  readonly context: tls.SecureContext;
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
  /** For the log: where the certificate came from (never the password). */
  readonly describe: string;
}

export const MIN_TLS_VERSION: tls.SecureVersion = 'TLSv1.2';

/** True when upsd.conf asks for TLS (a certificate is configured). */
export function tlsConfigured(conf: UpsdConf): boolean {
  return conf.certFile !== undefined || conf.certIdent !== undefined;
}

/** Loads the certificate; undefined when upsd.conf configures none. Throws TlsConfigError / NssError. */
export async function loadServerTls(conf: UpsdConf): Promise<ServerTls | undefined> {
  const request = conf.certRequest ?? 0;
  const base: tls.SecureContextOptions = { minVersion: MIN_TLS_VERSION };
  let describe: string;
  let ca: string[] | undefined;
  if (conf.certFile !== undefined) {
    const b = readPemBundle(conf.certFile);
    if (b.certs.length === 0) throw new TlsConfigError(`CERTFILE ${conf.certFile}: no certificate in it (it must hold the certificate chain, then the private key)`);
    if (b.key === undefined) throw new TlsConfigError(`CERTFILE ${conf.certFile}: no private key in it (it must hold the certificate chain, then the private key)`);
    base.cert = b.certs.join('');
    base.key = b.key;
    describe = `certificate file ${conf.certFile}`;
    if (request > 0 && conf.certPath !== undefined) ca = await readCaCertificates(conf.certPath);
  } else if (conf.certIdent !== undefined) {
    if (conf.certPath === undefined) throw new TlsConfigError('CERTIDENT needs CERTPATH (the NSS certificate database folder)');
    const id = await exportIdentity(conf.certPath, conf.certIdent.name, conf.certIdent.password);
    base.pfx = id.pfx;
    base.passphrase = id.passphrase;
    describe = `certificate "${conf.certIdent.name}" of NSS database ${conf.certPath}`;
    if (request > 0) ca = await trustedCas(conf.certPath);
  } else {
    return undefined;
  }
  if (request === 2 && (!ca || ca.length === 0)) {
    throw new TlsConfigError('CERTREQUEST REQUIRE: no trusted CA to check client certificates against (trust one in the NSS database, or give CERTPATH with PEM CAs)');
  }
  if (ca && ca.length) base.ca = ca;
  let context: tls.SecureContext;
  try {
    context = tls.createSecureContext(base);
  } catch (e) {
    throw new TlsConfigError(`${describe}: ${(e as Error).message}`);
  }
  return { context, requestCert: request > 0, rejectUnauthorized: request === 2, describe };
}
