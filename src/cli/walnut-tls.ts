/**
 * `walnut tls init [--dir DIR] [--name NAME]... [--nss] [--nss-password PW] [--force] [--json]`
 *   makes a CA and upsd's certificate for this host's names and addresses,
 *   and prints the lines for upsd.conf and upsmon.conf.
 * `walnut tls show [HOST[:PORT]]`
 *   connects, starts TLS, and prints the server certificate's subject, names,
 *   issuer, validity and SHA-256 fingerprint (what a pin file records).
 */
import path from 'node:path';
import { nutPaths } from '../common/paths.js';
import { defaultNames, tlsInit } from '../common/tls-init.js';
import { NutClient, splitAddr } from '../clients/client.js';
import { clientHandshake } from '../clients/tls.js';
import type tls from 'node:tls';

const USAGE = `usage: walnut tls init [--dir DIR] [--name NAME]... [--nss] [--nss-password PW] [--force] [--json]
       walnut tls show [HOST[:PORT]]

init   makes a CA and a certificate for upsd carrying this host's names and
       addresses (default: hostname, localhost, loopbacks, interface addresses;
       --name replaces them, the first one is the certificate's CN), in DIR
       (default $NUT_CONFPATH/tls). --nss also makes NSS databases for NUT's
       own programs (needs certutil). Prints the lines to add to upsd.conf
       and upsmon.conf.
show   prints the TLS certificate a NUT server presents, with its fingerprint.
`;

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'init') return init(rest);
  if (sub === 'show') return show(rest);
  process.stdout.write(USAGE);
  return sub === '-h' || sub === '--help' ? 0 : 1;
}

async function init(args: string[]): Promise<number> {
  let dir: string | undefined;
  const names: string[] = [];
  let nss = false;
  let force = false;
  let json = false;
  let nssPassword: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--dir') dir = value();
      else if (a === '--name') names.push(value());
      else if (a === '--nss') nss = true;
      else if (a === '--nss-password') nssPassword = value();
      else if (a === '--force') force = true;
      else if (a === '--json') json = true;
      else {
        process.stderr.write(`walnut tls init: unknown option '${a}'\n\n${USAGE}`);
        return 1;
      }
    } catch (e) {
      process.stderr.write(`walnut tls init: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const target = path.resolve(dir ?? path.join(nutPaths(process.env).confPath, 'tls'));
  try {
    const r = await tlsInit({ dir: target, names: names.length ? names : defaultNames(), nss, force, ...(nssPassword !== undefined ? { nssPassword } : {}) });
    if (json) {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      return 0;
    }
    const lines = ['Made:'];
    for (const f of r.files) lines.push(`  ${f.path}\n      ${f.what}`);
    lines.push('', `Server certificate fingerprint (SHA-256): ${r.fingerprint}`, '', 'Add to upsd.conf on this host:');
    for (const l of r.upsdConf) lines.push(`  ${l}`);
    lines.push('', "Add to upsmon.conf on every host running Walnut's upsmon (copy ca.pem there):");
    for (const l of r.upsmonConf) lines.push(`  ${l}`);
    if (r.nutUpsmonConf) {
      lines.push('', "For NUT's own upsmon (NSS build), copy client_db and add:");
      for (const l of r.nutUpsmonConf) lines.push(`  ${l}`);
    }
    lines.push('', 'Then restart: walnut service restart (or systemctl restart nut-server nut-monitor).');
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  } catch (e) {
    process.stderr.write(`walnut tls init: ${(e as Error).message}\n`);
    return 1;
  }
}

async function show(args: string[]): Promise<number> {
  let addr;
  try {
    addr = splitAddr(args[0]);
  } catch (e) {
    process.stderr.write(`walnut tls show: ${(e as Error).message}\n`);
    return 1;
  }
  let client: NutClient | undefined;
  try {
    client = await NutClient.connect(addr.host, addr.port, { timeoutMs: 10_000 });
    let sock: tls.TLSSocket | undefined;
    await client.starttls(async (raw) => {
      const r = await clientHandshake(raw, addr.host, addr.port, {});
      sock = r.socket;
      return r.socket;
    });
    const c = sock!.getPeerCertificate();
    const out = [
      `server:      ${addr.host}:${addr.port} (${sock!.getProtocol()}, ${sock!.getCipher().name})`,
      `subject:     ${Object.entries(c.subject ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')}`,
      `names:       ${c.subjectaltname ?? '(none: only the CN)'}`,
      `issuer:      ${Object.entries(c.issuer ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')}`,
      `valid:       ${c.valid_from} to ${c.valid_to}`,
      `fingerprint: ${c.fingerprint256}`,
    ];
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  } catch (e) {
    process.stderr.write(`walnut tls show: ${addr.host}:${addr.port}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    client?.close();
  }
}
