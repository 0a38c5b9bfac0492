/**
 * A small SNMP client over the `net-snmp` package: GET, GETNEXT, walk and
 * SET for SNMP v1, v2c and v3 (USM: noAuthNoPriv, authNoPriv, authPriv),
 * with a timeout and a retry count per request.
 *
 * Values come back decoded into plain data (SnmpValue): numbers for the
 * integer types, strings for OCTET STRING (latin1, byte for byte) and OIDs,
 * and an `exception` for noSuchObject / noSuchInstance / endOfMibView (or a
 * v1 noSuchName). A failed request (timeout, agent error, bad reply) rejects
 * with a TransportError; nothing here throws synchronously after open().
 */
import { createRequire } from 'node:module';
import { TransportError } from '../common/errors.js';

/* ---------- the part of net-snmp's (untyped) API used here ---------- */

interface NsVarbind {
  oid: string;
  type: number;
  value: unknown;
}
type NsCallback = (error: Error | null, varbinds?: NsVarbind[]) => void;
interface NsSession {
  get(oids: string[], cb: NsCallback): void;
  getNext(oids: string[], cb: NsCallback): void;
  set(varbinds: NsVarbind[], cb: NsCallback): void;
  close(): void;
  on(ev: 'error' | 'close', fn: (e?: Error) => void): void;
}
interface NetSnmp {
  createSession(target: string, community: string, options: Record<string, unknown>): NsSession;
  createV3Session(target: string, user: Record<string, unknown>, options: Record<string, unknown>): NsSession;
  isVarbindError(vb: NsVarbind): boolean;
  Version1: number;
  Version2c: number;
  Version3: number;
  ObjectType: Record<string, number>;
  SecurityLevel: Record<string, number>;
  AuthProtocols: Record<string, number>;
  PrivProtocols: Record<string, number>;
  RequestTimedOutError: new (...a: unknown[]) => Error;
  RequestFailedError: new (...a: unknown[]) => Error & { status?: number };
}

const require = createRequire(import.meta.url);
const ns = require('net-snmp') as NetSnmp;
const T = ns.ObjectType as Record<string, number>;

/* ---------- public types ---------- */

export type SnmpVersion = 'v1' | 'v2c' | 'v3';
export type SecLevel = 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';

/** NUT's authProtocol / privProtocol spellings. */
export const AUTH_PROTOCOLS = ['MD5', 'SHA', 'SHA224', 'SHA256', 'SHA384', 'SHA512'] as const;
export const PRIV_PROTOCOLS = ['DES', 'AES', 'AES256', 'AES256C'] as const;
export type AuthProtocol = (typeof AUTH_PROTOCOLS)[number];
export type PrivProtocol = (typeof PRIV_PROTOCOLS)[number];

export interface SnmpV3Options {
  secLevel: SecLevel;
  secName: string;
  authProtocol?: AuthProtocol;
  authPassword?: string;
  privProtocol?: PrivProtocol;
  privPassword?: string;
}

export interface SnmpOptions {
  host: string;
  port?: number;
  version: SnmpVersion;
  /** v1/v2c community (default public). */
  community?: string;
  v3?: SnmpV3Options;
  /** Per try, ms (NUT: snmp_timeout seconds, default 1). */
  timeoutMs?: number;
  /** Extra tries after the first (NUT: snmp_retries, default 5). */
  retries?: number;
}

export type SnmpType = 'integer' | 'string' | 'oid' | 'ipaddress' | 'counter' | 'gauge' | 'timeticks' | 'counter64' | 'opaque' | 'null' | 'boolean' | 'bitstring';
export type SnmpException = 'noSuchObject' | 'noSuchInstance' | 'endOfMibView';

export interface SnmpValue {
  oid: string;
  type: SnmpType | 'exception';
  /** number for integer/counter/gauge/timeticks (counter64 too, as a number), string for string/oid/ipaddress. */
  value: number | string | null;
  exception?: SnmpException;
}

export interface SnmpSetValue {
  oid: string;
  type: 'integer' | 'string' | 'oid' | 'gauge' | 'timeticks' | 'ipaddress';
  value: number | string;
}

export interface SnmpClient {
  readonly options: Readonly<SnmpOptions>;
  /** GET: one SnmpValue per OID, in order (a missing one is an exception value, not an error). */
  get(oids: readonly string[]): Promise<SnmpValue[]>;
  /** GETNEXT: the next object after each OID. */
  getNext(oids: readonly string[]): Promise<SnmpValue[]>;
  /** Every object under `base` (GETNEXT until it leaves the subtree), at most maxItems. */
  walk(base: string, maxItems?: number): Promise<SnmpValue[]>;
  /** SET; resolves with the agent's echo, rejects with the agent's error status. */
  set(values: readonly SnmpSetValue[]): Promise<SnmpValue[]>;
  close(): void;
}

/* ---------- helpers ---------- */

/** `1.3.6` from `.1.3.6` / `1.3.6`; throws on anything else. */
export function normalizeOid(oid: string): string {
  const s = oid.startsWith('.') ? oid.slice(1) : oid;
  if (!/^\d+(\.\d+)*$/.test(s)) throw new TransportError('io', `not a numeric OID: ${JSON.stringify(oid)}`);
  return s;
}

/** True when `oid` is strictly below `base` (both normalized). */
export function oidUnder(oid: string, base: string): boolean {
  return oid.startsWith(base + '.');
}

/** Compares two numeric OIDs arc by arc. */
export function compareOids(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

const TYPE_NAMES: Record<number, SnmpType> = {};
for (const [n, name] of [
  ['Integer', 'integer'],
  ['OctetString', 'string'],
  ['OID', 'oid'],
  ['IpAddress', 'ipaddress'],
  ['Counter', 'counter'],
  ['Gauge', 'gauge'],
  ['TimeTicks', 'timeticks'],
  ['Counter64', 'counter64'],
  ['Opaque', 'opaque'],
  ['Null', 'null'],
  ['Boolean', 'boolean'],
  ['BitString', 'bitstring'],
] as const) {
  const code = T[n];
  if (code !== undefined) TYPE_NAMES[code] = name;
}

function decodeCounter64(v: unknown): number {
  if (Buffer.isBuffer(v)) {
    let n = 0;
    for (const b of v) n = n * 256 + b;
    return n;
  }
  return Number(v);
}

/** net-snmp varbind → SnmpValue (pure). */
export function decodeVarbind(vb: NsVarbind): SnmpValue {
  const oid = vb.oid;
  if (vb.type === T.NoSuchObject) return { oid, type: 'exception', value: null, exception: 'noSuchObject' };
  if (vb.type === T.NoSuchInstance) return { oid, type: 'exception', value: null, exception: 'noSuchInstance' };
  if (vb.type === T.EndOfMibView) return { oid, type: 'exception', value: null, exception: 'endOfMibView' };
  const type = TYPE_NAMES[vb.type] ?? 'opaque';
  const v = vb.value;
  switch (type) {
    case 'integer':
    case 'counter':
    case 'gauge':
    case 'timeticks':
      return { oid, type, value: typeof v === 'number' ? v : Number(v) };
    case 'counter64':
      return { oid, type, value: decodeCounter64(v) };
    case 'string':
    case 'opaque':
    case 'bitstring':
      return { oid, type, value: Buffer.isBuffer(v) ? v.toString('latin1') : String(v ?? '') };
    case 'oid':
    case 'ipaddress':
      return { oid, type, value: String(v ?? '') };
    case 'null':
      return { oid, type, value: null };
    case 'boolean':
      return { oid, type, value: v ? 1 : 0 };
  }
}

function encodeSetType(t: SnmpSetValue['type']): number {
  const code = { integer: T.Integer, string: T.OctetString, oid: T.OID, gauge: T.Gauge, timeticks: T.TimeTicks, ipaddress: T.IpAddress }[t];
  if (code === undefined) throw new TransportError('io', `unsupported SET type ${t}`);
  return code;
}

const AUTH_MAP: Record<AuthProtocol, string> = { MD5: 'md5', SHA: 'sha', SHA224: 'sha224', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };
const PRIV_MAP: Record<PrivProtocol, string> = { DES: 'des', AES: 'aes', AES256: 'aes256b', AES256C: 'aes256r' };

/** "host", "host:port", "[v6]:port" → host and port (default 161). */
export function parseAgentAddress(port: string): { host: string; port: number } {
  const m6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(port);
  if (m6) return { host: m6[1]!, port: m6[2] ? Number(m6[2]) : 161 };
  const parts = port.split(':');
  if (parts.length === 2 && /^\d+$/.test(parts[1]!)) return { host: parts[0]!, port: Number(parts[1]) };
  return { host: port, port: 161 };
}

/* ---------- the client ---------- */

function wrapError(e: unknown, what: string): TransportError {
  if (e instanceof TransportError) return e;
  if ((e as Error)?.name === 'RequestTimedOutError') return new TransportError('timeout', `SNMP ${what}: no answer (timeout)`, { cause: e });
  return new TransportError('io', `SNMP ${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

class NetSnmpClient implements SnmpClient {
  private session: NsSession;
  private closed = false;

  constructor(readonly options: Readonly<SnmpOptions>) {
    const o = options;
    const common: Record<string, unknown> = {
      port: o.port ?? 161,
      retries: o.retries ?? 5,
      timeout: o.timeoutMs ?? 1000,
      transport: o.host.includes(':') ? 'udp6' : 'udp4',
      idBitsSize: 32,
    };
    if (o.version === 'v3') {
      const v3 = o.v3;
      if (!v3 || !v3.secName) throw new TransportError('io', 'SNMPv3 needs secName');
      const user: Record<string, unknown> = { name: v3.secName, level: ns.SecurityLevel[v3.secLevel] };
      if (v3.secLevel !== 'noAuthNoPriv') {
        if (!v3.authPassword) throw new TransportError('io', `SNMPv3 ${v3.secLevel} needs authPassword`);
        user.authProtocol = ns.AuthProtocols[AUTH_MAP[v3.authProtocol ?? 'MD5']];
        user.authKey = v3.authPassword;
      }
      if (v3.secLevel === 'authPriv') {
        if (!v3.privPassword) throw new TransportError('io', 'SNMPv3 authPriv needs privPassword');
        user.privProtocol = ns.PrivProtocols[PRIV_MAP[v3.privProtocol ?? 'DES']];
        user.privKey = v3.privPassword;
      }
      this.session = ns.createV3Session(o.host, user, { ...common, version: ns.Version3 });
    } else {
      this.session = ns.createSession(o.host, o.community ?? 'public', { ...common, version: o.version === 'v1' ? ns.Version1 : ns.Version2c });
    }
    // a socket error must never become an uncaught exception
    this.session.on('error', () => {});
  }

  private call(what: string, fn: (cb: NsCallback) => void): Promise<NsVarbind[]> {
    if (this.closed) return Promise.reject(new TransportError('disconnected', 'SNMP session closed'));
    return new Promise((resolve, reject) => {
      try {
        fn((err, vbs) => (err ? reject(wrapError(err, what)) : resolve(vbs ?? [])));
      } catch (e) {
        reject(wrapError(e as Error, what));
      }
    });
  }

  async get(oids: readonly string[]): Promise<SnmpValue[]> {
    const list = oids.map(normalizeOid);
    if (list.length === 0) return [];
    try {
      const vbs = await this.call('get', (cb) => this.session.get(list, cb));
      return vbs.map(decodeVarbind);
    } catch (e) {
      // SNMPv1: one missing OID fails the whole PDU with noSuchName; ask one by one
      const status = ((e as TransportError).cause as { status?: number } | undefined)?.status;
      if (this.options.version === 'v1' && status === 2) {
        if (list.length === 1) return [{ oid: list[0]!, type: 'exception', value: null, exception: 'noSuchObject' }];
        const out: SnmpValue[] = [];
        for (const oid of list) out.push(...(await this.get([oid])));
        return out;
      }
      throw e;
    }
  }

  async getNext(oids: readonly string[]): Promise<SnmpValue[]> {
    const list = oids.map(normalizeOid);
    try {
      const vbs = await this.call('getnext', (cb) => this.session.getNext(list, cb));
      return vbs.map(decodeVarbind);
    } catch (e) {
      const status = ((e as TransportError).cause as { status?: number } | undefined)?.status;
      if (this.options.version === 'v1' && status === 2) return list.map((oid) => ({ oid, type: 'exception', value: null, exception: 'endOfMibView' }));
      throw e;
    }
  }

  async walk(base: string, maxItems = 10_000): Promise<SnmpValue[]> {
    const root = normalizeOid(base);
    const out: SnmpValue[] = [];
    let cur = root;
    while (out.length < maxItems) {
      const [v] = await this.getNext([cur]);
      if (!v || v.type === 'exception' || !oidUnder(v.oid, root)) break;
      if (compareOids(v.oid, cur) <= 0) break; // an agent going backwards would loop forever
      out.push(v);
      cur = v.oid;
    }
    return out;
  }

  async set(values: readonly SnmpSetValue[]): Promise<SnmpValue[]> {
    const vbs: NsVarbind[] = values.map((v) => ({ oid: normalizeOid(v.oid), type: encodeSetType(v.type), value: v.value }));
    const res = await this.call('set', (cb) => this.session.set(vbs, cb));
    return res.map(decodeVarbind);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.session.close();
    } catch {
      /* already closed */
    }
  }
}

/** Opens an SNMP session (UDP; nothing is sent until the first request). Throws TransportError on bad v3 settings. */
export function openSnmp(options: SnmpOptions): SnmpClient {
  return new NetSnmpClient(options);
}
