/**
 * Peers are real programs and data outside Walnut that tests use: Debian's
 * NUT 2.8.0, socat, the shared reference data. A missing peer skips the test
 * with a visible reason, and fails it under WALNUT_REQUIRE_PEERS=1 (CI).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DIR = process.env.WALNUT_SHARED ?? path.resolve(REPO_ROOT, '../shared');
export const NUT_LIBEXEC = process.env.NUT_LIBEXEC ?? '/lib/nut';

export type Peer = 'nut' | 'shared' | 'socat' | 'rsyslog' | 'snmpd' | 'nut-snmp' | 'nss';

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Why a peer is missing, or undefined when it is there. */
export function peerMissing(peer: Peer): string | undefined {
  switch (peer) {
    case 'nut': {
      for (const b of ['upsd', 'dummy-ups']) {
        if (!fs.existsSync(path.join(NUT_LIBEXEC, b))) return `real NUT not installed (${NUT_LIBEXEC}/${b}; apt-get install nut-server nut-client)`;
      }
      for (const b of ['upsc', 'upscmd', 'upsrw']) if (!which(b)) return `real NUT client ${b} not installed (apt-get install nut-client)`;
      return undefined;
    }
    case 'shared':
      return fs.existsSync(path.join(SHARED_DIR, 'reference')) ? undefined : `reference data not found at ${SHARED_DIR} (set WALNUT_SHARED)`;
    case 'socat':
      return which('socat') ? undefined : 'socat not installed (apt-get install socat)';
    case 'rsyslog':
      return which('rsyslogd') ? undefined : 'rsyslog not installed (apt-get install rsyslog)';
    case 'snmpd':
      return which('snmpd') ? undefined : 'Debian snmpd not installed (apt-get install snmpd)';
    case 'nss':
      return which('certutil') && which('pk12util') ? undefined : 'NSS tools not installed (apt-get install libnss3-tools)';
    case 'nut-snmp':
      return fs.existsSync(path.join(NUT_LIBEXEC, 'snmp-ups')) ? undefined : `real NUT snmp-ups not installed (${NUT_LIBEXEC}/snmp-ups; apt-get install nut-snmp)`;
  }
}

export const REQUIRE_PEERS = process.env.WALNUT_REQUIRE_PEERS === '1';

/**
 * Call at the top of a test: returns true when the peers are there. When one
 * is missing it skips the test (with the reason), or throws under
 * WALNUT_REQUIRE_PEERS=1.
 */
export function requirePeers(t: TestContext, ...peers: Peer[]): boolean {
  for (const p of peers) {
    const why = peerMissing(p);
    if (why) {
      if (REQUIRE_PEERS) throw new Error(`required peer missing: ${why}`);
      t.skip(`peer missing: ${why}`);
      return false;
    }
  }
  return true;
}

/** For describe()/test() options: `{ skip: skipUnless('nut') }`. Throws under WALNUT_REQUIRE_PEERS=1. */
export function skipUnless(...peers: Peer[]): string | false {
  for (const p of peers) {
    const why = peerMissing(p);
    if (why) {
      if (REQUIRE_PEERS) throw new Error(`required peer missing: ${why}`);
      return `peer missing: ${why}`;
    }
  }
  return false;
}
