/**
 * snmp-ups: a UPS network card read over SNMP (NUT's drivers/snmp-ups).
 *
 * Start: open the session (v1/v2c community or v3 USM), pick the mapping
 * (`mibs=auto` by sysObjectID and entry-point OIDs, or a named one), read
 * every mapped OID, publish variables, RW flags and the commands whose OIDs
 * the agent has. Each poll reads the status and `quick` OIDs; every
 * `pollfreq` seconds everything. A failed request makes the data stale and
 * the next good answer makes it fresh again (the session is reopened after
 * a failure). Commands and writable variables are SNMP SETs from the table.
 */
import fs from 'node:fs';
import { WalnutError } from '../../common/errors.js';
import { FLAG_NUMBER, FLAG_RW, FLAG_STRING } from '../../state/table.js';
import { AUTH_PROTOCOLS, PRIV_PROTOCOLS, openSnmp, parseAgentAddress } from '../../transports/snmp.js';
import type { AuthProtocol, PrivProtocol, SecLevel, SnmpClient, SnmpOptions, SnmpValue, SnmpVersion } from '../../transports/snmp.js';
import { STAT_FAILED, STAT_HANDLED, STAT_INVALID, STAT_UNKNOWN } from '../core/driver.js';
import type { DriverContext, DriverDefinition, DriverHooks } from '../core/driver.js';
import { allOids, alarmsOf, commandSet, probeOids, decodeVar, detectMapping, detectionOids, quickOids, setvarSet, statusTokens } from './decode.js';
import type { MibMapping, MibVar } from './mib.js';
import { oidList, validateMapping } from './mib.js';
import { BUILTIN_MIBS } from './mibs/index.js';
import { SYS_OBJECT_ID } from './mibs/system.js';

export const SNMP_UPS_VERSION = '1.21';

/** OIDs per GET request (agents and UDP sizes are happy with this). */
const GET_CHUNK = 24;

/** A mapping from a JSON file (the `mibfile` option): same shape as the built-in ones. */
export function loadMappingFile(file: string): MibMapping {
  let m: MibMapping;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as MibMapping;
  } catch (e) {
    throw new WalnutError('DRIVER_CONFIG', `Fatal error: mibfile ${file}: ${(e as Error).message}`);
  }
  if (typeof m !== 'object' || m === null || !Array.isArray(m.vars) || !Array.isArray(m.status) || !Array.isArray(m.commands) || !Array.isArray(m.sysOids)) {
    throw new WalnutError('DRIVER_CONFIG', `Fatal error: mibfile ${file}: needs name, version, sysOids, autoCheck, testOid, vars, status, commands`);
  }
  const errs = validateMapping(m);
  if (errs.length) throw new WalnutError('DRIVER_CONFIG', `Fatal error: mibfile ${file}: ${errs.join('; ')}`);
  return m;
}

function oneOf<T extends string>(what: string, v: string | undefined, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  if (!hit) throw new WalnutError('DRIVER_CONFIG', `Fatal error: ${what} = ${v} is not valid (use one of ${allowed.join(', ')})`);
  return hit;
}

function positive(what: string, v: string | undefined, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min) throw new WalnutError('DRIVER_CONFIG', `Fatal error: ${what} = ${v} is not valid (a whole number >= ${min})`);
  return n;
}

/** ups.conf options → SNMP session options (throws WalnutError on bad values). */
export function sessionOptions(ctx: Pick<DriverContext, 'option' | 'settings'>): SnmpOptions {
  const { host, port } = parseAgentAddress(ctx.settings.port);
  const version = oneOf<SnmpVersion>('snmp_version', ctx.option('snmp_version'), ['v1', 'v2c', 'v3'], 'v1');
  const o: SnmpOptions = {
    host,
    port,
    version,
    community: ctx.option('community') ?? 'public',
    retries: positive('snmp_retries', ctx.option('snmp_retries'), 5),
    timeoutMs: positive('snmp_timeout', ctx.option('snmp_timeout'), 1, 1) * 1000,
  };
  if (version === 'v3') {
    const secLevel = oneOf<SecLevel>('secLevel', ctx.option('secLevel'), ['noAuthNoPriv', 'authNoPriv', 'authPriv'], 'noAuthNoPriv');
    const secName = ctx.option('secName');
    if (!secName) throw new WalnutError('DRIVER_CONFIG', 'Fatal error: snmp_version = v3 needs secName');
    const authPassword = ctx.option('authPassword');
    const privPassword = ctx.option('privPassword');
    if (secLevel !== 'noAuthNoPriv' && !authPassword) throw new WalnutError('DRIVER_CONFIG', `Fatal error: secLevel = ${secLevel} needs authPassword`);
    if (secLevel === 'authPriv' && !privPassword) throw new WalnutError('DRIVER_CONFIG', 'Fatal error: secLevel = authPriv needs privPassword');
    o.v3 = {
      secLevel,
      secName,
      authProtocol: oneOf<AuthProtocol>('authProtocol', ctx.option('authProtocol'), AUTH_PROTOCOLS, 'MD5'),
      privProtocol: oneOf<PrivProtocol>('privProtocol', ctx.option('privProtocol'), PRIV_PROTOCOLS, 'DES'),
      ...(authPassword !== undefined ? { authPassword } : {}),
      ...(privPassword !== undefined ? { privPassword } : {}),
    };
  }
  return o;
}

class SnmpUps implements DriverHooks {
  private client: SnmpClient | undefined;
  private readonly sess: SnmpOptions;
  private mapping!: MibMapping;
  private readonly mappings: readonly MibMapping[];
  private readonly pollFreqMs: number;
  private lastFull = -Infinity;
  /** The SNMP type the agent last answered with, per OID (SET writes the same). */
  private readonly types = new Map<string, string>();
  private readonly offered = new Set<string>();
  private failures = 0;

  constructor(private readonly ctx: DriverContext) {
    this.sess = sessionOptions(ctx);
    this.pollFreqMs = positive('pollfreq', ctx.option('pollfreq'), 30, 1) * 1000;
    const file = ctx.option('mibfile');
    this.mappings = file ? [loadMappingFile(file), ...BUILTIN_MIBS] : BUILTIN_MIBS;
  }

  private get log() {
    return this.ctx.log;
  }

  private session(): SnmpClient {
    this.client ??= openSnmp(this.sess);
    return this.client;
  }

  /** GETs in chunks; the values by OID. */
  private async read(oids: readonly string[]): Promise<Map<string, SnmpValue>> {
    const out = new Map<string, SnmpValue>();
    const s = this.session();
    for (let i = 0; i < oids.length; i += GET_CHUNK) {
      const chunk = oids.slice(i, i + GET_CHUNK);
      const vals = await s.get(chunk);
      chunk.forEach((oid, j) => {
        const v = vals[j];
        // an agent answering with another OID than asked is ignored
        if (v && v.oid === oid) {
          out.set(oid, v);
          if (v.type !== 'exception') this.types.set(oid, v.type);
        } else this.log.debug(2, `snmp-ups [${this.ctx.ups}]: ${oid}: no usable answer`);
      });
    }
    return out;
  }

  async initInfo(): Promise<void> {
    const st = this.ctx.state;
    const ups = this.ctx.ups;
    const mibs = this.ctx.option('mibs') ?? 'auto';
    if (mibs !== 'auto' && !this.mappings.some((m) => m.name === mibs)) {
      throw new WalnutError('DRIVER_CONFIG', `Fatal error: mibs = ${mibs} is not a known mapping (use auto or one of ${this.mappings.map((m) => m.name).join(', ')})`);
    }
    let probe: Map<string, SnmpValue>;
    try {
      probe = await this.read([SYS_OBJECT_ID, ...detectionOids(this.mappings)]);
    } catch (e) {
      this.closeSession();
      throw new WalnutError('DRIVER_INIT', `snmp-ups [${ups}]: no answer from ${this.sess.host}:${this.sess.port ?? 161} (${(e as Error).message})`);
    }
    const sys = probe.get(SYS_OBJECT_ID);
    const sysOid = sys && sys.type === 'oid' && typeof sys.value === 'string' ? sys.value : undefined;
    const answers = (oid: string) => {
      const v = probe.get(oid);
      return !!v && v.type !== 'exception';
    };
    const det = detectMapping(this.mappings, mibs, sysOid, answers);
    if (!det.mapping) {
      throw new WalnutError(
        'DRIVER_INIT',
        mibs === 'auto'
          ? `snmp-ups [${ups}]: no supported device detected at ${this.sess.host} (sysObjectID ${sysOid ?? 'unknown'}; tried ${det.tried.join(', ')})`
          : `Requested 'mibs' value '${mibs}' did not match this device [${ups}] (host ${this.ctx.settings.port})`,
      );
    }
    this.mapping = det.mapping;
    this.log.info(`snmp-ups [${ups}]: using the ${det.mapping.name} mapping (sysObjectID ${sysOid ?? 'unknown'})`);
    st.setInfo('driver.version.data', `${det.mapping.name} MIB ${det.mapping.version}`);
    for (const [k, v] of Object.entries(det.mapping.fixed ?? {})) st.setInfo(k, v);

    const values = await this.read(allOids(det.mapping)).catch((e: Error) => {
      this.closeSession();
      throw new WalnutError('DRIVER_INIT', `snmp-ups [${ups}]: reading the device failed (${e.message})`);
    });
    const alarms = await this.readAlarms();
    this.apply(values, false, alarms);
    this.lastFull = this.ctx.clock.now();
    for (const c of det.mapping.commands) {
      // offered only when the agent has the object the command writes (or its probe)
      if (probeOids(c).some((o) => (values.get(o)?.type ?? 'exception') !== 'exception')) {
        this.offered.add(c.cmd);
        st.addCmd(c.cmd);
      }
    }
    st.dataOk();
  }

  private async readAlarms(): Promise<SnmpValue[]> {
    if (!this.mapping.alarms) return [];
    return this.session().walk(this.mapping.alarms.walk, 64);
  }

  /** Publishes what was read; `quickOnly` limits variables to the quick ones. */
  private apply(values: Map<string, SnmpValue>, quickOnly: boolean, alarmRows: SnmpValue[]): void {
    const st = this.ctx.state;
    for (const v of this.mapping.vars) {
      if (quickOnly && !v.quick) continue;
      const d = decodeVar(v, values);
      if (d.value === undefined) {
        if (v.default !== undefined && st.getInfo(v.name) === undefined) st.setInfo(v.name, v.default);
        else if (d.why && d.why !== 'no answer') this.log.debug(3, `snmp-ups [${this.ctx.ups}]: ${v.name}: ${d.why}`);
        continue;
      }
      const fresh = st.getInfo(v.name) === undefined;
      st.setInfo(v.name, d.value);
      if (fresh && v.rw) {
        if (v.rw.type === 'string') {
          st.setFlags(v.name, FLAG_RW | FLAG_STRING);
          st.setAux(v.name, v.rw.len);
        } else st.setFlags(v.name, FLAG_RW | FLAG_NUMBER);
      }
    }
    st.statusInit();
    for (const t of statusTokens(this.mapping, values, alarmRows)) st.statusSet(t);
    st.statusCommit();
    if (this.mapping.alarms) {
      st.alarmInit();
      for (const a of alarmsOf(this.mapping, alarmRows)) if (a.alarm) st.alarmSet(a.alarm);
      st.alarmCommit();
    }
  }

  async update(): Promise<void> {
    const now = this.ctx.clock.now();
    const full = this.failures > 0 || now - this.lastFull >= this.pollFreqMs;
    try {
      const values = await this.read(full ? allOids(this.mapping) : quickOids(this.mapping));
      const alarms = await this.readAlarms();
      if (![...values.values()].some((v) => v.type !== 'exception')) throw new Error('the agent has none of the mapped objects');
      this.apply(values, !full, alarms);
      if (full) this.lastFull = now;
      if (this.failures > 0) this.log.info(`snmp-ups [${this.ctx.ups}]: the agent answers again`);
      this.failures = 0;
      this.ctx.state.dataOk();
    } catch (e) {
      this.failures++;
      if (this.failures === 1) this.log.warn(`snmp-ups [${this.ctx.ups}]: data stale: ${(e as Error).message}`);
      this.ctx.state.dataStale();
      this.closeSession();
    }
  }

  async instcmd(cmd: string, param: string | undefined): Promise<number> {
    const c = this.mapping.commands.find((x) => x.cmd === cmd.toLowerCase());
    if (!c || !this.offered.has(c.cmd)) {
      this.log.info(`instcmd: unknown command [${cmd}] [${param ?? '(null)'}]`);
      return STAT_UNKNOWN;
    }
    const set = commandSet(c, (n) => this.ctx.option(n), param);
    try {
      await this.session().set([set]);
      this.log.info(`snmp-ups [${this.ctx.ups}]: ${cmd}: SET ${set.oid} = ${set.value}`);
      return STAT_HANDLED;
    } catch (e) {
      this.log.warn(`snmp-ups [${this.ctx.ups}]: ${cmd} failed: ${(e as Error).message}`);
      return STAT_FAILED;
    }
  }

  async setvar(name: string, value: string): Promise<number> {
    const v: MibVar | undefined = this.mapping.vars.find((x) => x.name === name.toLowerCase());
    if (!v || !v.rw || this.ctx.state.getInfo(v.name) === undefined) {
      this.log.info(`setvar: unknown variable [${name}]`);
      return STAT_UNKNOWN;
    }
    const oid = oidList(v)[0]!;
    const set = setvarSet(v, value, this.types.get(oid));
    if ('error' in set) {
      this.log.info(`setvar: ${name}: ${set.error}`);
      return STAT_INVALID;
    }
    try {
      await this.session().set([set]);
    } catch (e) {
      this.log.warn(`snmp-ups [${this.ctx.ups}]: SET ${name} failed: ${(e as Error).message}`);
      return STAT_FAILED;
    }
    // read it back so the published value is the agent's
    try {
      const back = await this.read(oidList(v));
      const d = decodeVar(v, back);
      if (d.value !== undefined) this.ctx.state.setInfo(v.name, d.value);
    } catch {
      /* the next poll will tell */
    }
    return STAT_HANDLED;
  }

  async killpower(): Promise<number> {
    for (const cmd of ['shutdown.return', 'load.off.delay', 'load.off']) {
      if (this.offered.has(cmd)) return (await this.instcmd(cmd, undefined)) === STAT_HANDLED ? 0 : 1;
    }
    this.log.error(`snmp-ups [${this.ctx.ups}]: no shutdown command in the ${this.mapping.name} mapping`);
    return 1;
  }

  private closeSession(): void {
    this.client?.close();
    this.client = undefined;
  }

  close(): void {
    this.closeSession();
  }
}

export const snmpUps: DriverDefinition = {
  name: 'snmp-ups',
  version: SNMP_UPS_VERSION,
  description: 'Generic SNMP UPS driver',
  options: [
    { name: 'mibs', help: 'MIB mapping: auto (default), ietf, apcc, ... or the name in mibfile' },
    { name: 'mibfile', help: 'Walnut: a JSON MIB mapping file, tried before the built-in ones' },
    { name: 'community', help: 'SNMP v1/v2c community (default public)', sensitive: true },
    { name: 'snmp_version', help: 'v1 (default), v2c or v3' },
    { name: 'pollfreq', help: 'seconds between full reads (default 30)' },
    { name: 'semistaticfreq', help: 'accepted for NUT compatibility' },
    { name: 'snmp_retries', help: 'retries per request (default 5)' },
    { name: 'snmp_timeout', help: 'seconds per try (default 1)' },
    { name: 'secLevel', help: 'SNMPv3 noAuthNoPriv (default), authNoPriv, authPriv' },
    { name: 'secName', help: 'SNMPv3 security name (not published, as in NUT)', sensitive: true },
    { name: 'authPassword', help: 'SNMPv3 authentication pass phrase', sensitive: true },
    { name: 'privPassword', help: 'SNMPv3 privacy pass phrase', sensitive: true },
    { name: 'authProtocol', help: 'MD5 (default), SHA, SHA224, SHA256, SHA384, SHA512' },
    { name: 'privProtocol', help: 'DES (default), AES, AES256, AES256C' },
    { name: 'ondelay', help: 'start delay for load.on.delay / shutdown.reboot (seconds)' },
    { name: 'offdelay', help: 'shutdown delay for load.off.delay (seconds)' },
  ],
  flags: [
    { name: 'notransferoids', help: 'accepted for NUT compatibility (NUT 2.8.0 still reads the apcc transfer points with it)' },
    { name: 'symmetrathreephase', help: 'accepted for NUT compatibility (APC Symmetra 3-phase)' },
  ],
  create: (ctx) => new SnmpUps(ctx),
};
