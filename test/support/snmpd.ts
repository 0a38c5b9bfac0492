/**
 * Debian's snmpd as a UPS network card for tests: started on
 * udp:127.0.0.1:<free port> with a temp snmpd.conf (`-C`: no other config),
 * v1/v2c communities (public read-only, private read-write), an optional
 * SNMPv3 USM user (createUser + rwuser), and UPS subtrees served by
 * test/drivers/snmp-ups/fixtures/pass-persist.mjs from a JSON state file the
 * test rewrites; every SET the agent receives is logged. Stopped by PID.
 * Traps avoided: no agentAddress in the conf (only on the command line), no
 * MIB loading (MIBS= and numeric OIDs only), a private SNMP_PERSISTENT_DIR.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './peers.js';
import { startProc, stopProc, waitFor, type Proc } from './proc.js';
import { tempDir } from './tmp.js';
import { openSnmp } from '../../src/transports/snmp.js';

export const SNMPD = process.env.SNMPD ?? '/usr/sbin/snmpd';
export const PASS_PERSIST = path.join(REPO_ROOT, 'test/drivers/snmp-ups/fixtures/pass-persist.mjs');

/** [type, value] as pass_persist prints them: integer, gauge, counter, timeticks, string, objectid, ipaddress. */
export type AgentVar = [string, string];
export type AgentVars = Record<string, AgentVar>;

export interface SetRecord {
  oid: string;
  type: string;
  value: string;
}

export interface SnmpV3User {
  name: string;
  authProtocol: 'MD5' | 'SHA' | 'SHA-256' | 'SHA-512';
  authPassword: string;
  privProtocol: 'DES' | 'AES';
  privPassword: string;
}

export interface SnmpdOptions {
  vars: AgentVars;
  /** Subtrees served by the pass_persist script (default: UPS-MIB and APC's enterprise). */
  subtrees?: string[];
  sysObjectID?: string;
  sysContact?: string;
  sysLocation?: string;
  sysDescr?: string;
  v3?: SnmpV3User;
  /** OIDs that refuse SETs. */
  readonly?: string[];
}

export interface SnmpdAgent {
  port: number;
  dir: string;
  /** Replaces the agent's UPS variables. */
  setVars(vars: AgentVars, extra?: { delayMs?: number; slow?: string[] }): void;
  /** Changes some variables (undefined deletes). */
  patch(changes: Record<string, AgentVar | undefined>): void;
  vars(): AgentVars;
  /** SETs received so far. */
  sets(): SetRecord[];
  clearSets(): void;
  /** Stops snmpd (by PID); start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  log(): string;
  /** Stops and removes the temp dir. */
  close(): Promise<void>;
}

/** A UDP port free on 127.0.0.1 right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * True when the agent answers a v2c GET of sysObjectID.0 and of one OID in
 * each pass_persist subtree within timeoutMs (snmpd starts each script on
 * first use, which takes a Node start-up: done here, not in the test).
 */
async function pingAgent(port: number, subtrees: string[]): Promise<boolean> {
  const quick = openSnmp({ host: '127.0.0.1', port, version: 'v2c', community: 'public', retries: 0, timeoutMs: 150 });
  try {
    const [v] = await quick.get(['1.3.6.1.2.1.1.2.0']);
    if (v?.type !== 'oid') return false;
  } catch {
    return false;
  } finally {
    quick.close();
  }
  const slow = openSnmp({ host: '127.0.0.1', port, version: 'v2c', community: 'public', retries: 0, timeoutMs: 5000 });
  try {
    for (const s of subtrees) await slow.getNext([s]);
    return true;
  } catch {
    return false;
  } finally {
    slow.close();
  }
}

export async function startSnmpd(opts: SnmpdOptions): Promise<SnmpdAgent> {
  const t = tempDir('walnut-snmpd-');
  const dir = t.dir;
  const stateFile = path.join(dir, 'state.json');
  const setLog = path.join(dir, 'sets.log');
  const persist = path.join(dir, 'persist');
  fs.mkdirSync(persist);
  fs.writeFileSync(setLog, '');
  let state: { vars: AgentVars; readonly: string[]; delayMs?: number; slow?: string[] } = { vars: { ...opts.vars }, readonly: opts.readonly ?? [] };
  const writeState = () => {
    const tmp = `${stateFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, stateFile);
  };
  writeState();
  const port = await freeUdpPort();
  const subtrees = opts.subtrees ?? ['.1.3.6.1.2.1.33', '.1.3.6.1.4.1.318'];
  const lines = [
    'rocommunity public 127.0.0.1',
    'rwcommunity private 127.0.0.1',
    `sysObjectID ${opts.sysObjectID ?? '.1.3.6.1.4.1.8072.3.2.10'}`,
    `sysContact ${opts.sysContact ?? 'ops@example.net'}`,
    `sysLocation ${opts.sysLocation ?? 'Rack 4'}`,
    `sysDescr ${opts.sysDescr ?? 'Walnut test UPS card'}`,
    ...subtrees.map((s) => `pass_persist ${s} ${process.execPath} ${PASS_PERSIST} ${stateFile} ${setLog}`),
  ];
  if (opts.v3) {
    const u = opts.v3;
    lines.push(`createUser ${u.name} ${u.authProtocol} "${u.authPassword}" ${u.privProtocol} "${u.privPassword}"`, `rwuser ${u.name} priv`);
  }
  const conf = path.join(dir, 'snmpd.conf');
  fs.writeFileSync(conf, lines.join('\n') + '\n');
  const env = { ...process.env, MIBS: '', MIBDIRS: '', SNMP_PERSISTENT_DIR: persist, SNMPCONFPATH: dir };
  let proc: Proc | undefined;
  const logs: string[] = [];

  const start = async () => {
    proc = startProc(SNMPD, ['-f', '-Lo', '-C', '-c', conf, '-p', path.join(dir, 'snmpd.pid'), `udp:127.0.0.1:${port}`], env);
    const p = proc;
    await waitFor(`snmpd on udp ${port}`, async () => {
      if (p.child.exitCode !== null) throw new Error(`snmpd exited: ${p.log.join('')}`);
      return pingAgent(port, subtrees);
    }, 10_000, 100);
  };
  const stop = async () => {
    if (proc) logs.push(...proc.log);
    await stopProc(proc);
    proc = undefined;
  };
  await start();
  return {
    port,
    dir,
    setVars(vars, extra) {
      state = { vars: { ...vars }, readonly: state.readonly, ...(extra?.delayMs ? { delayMs: extra.delayMs } : {}), ...(extra?.slow ? { slow: extra.slow } : {}) };
      writeState();
    },
    patch(changes) {
      for (const [k, v] of Object.entries(changes)) {
        if (v === undefined) delete state.vars[k];
        else state.vars[k] = v;
      }
      writeState();
    },
    vars() {
      return JSON.parse(fs.readFileSync(stateFile, 'utf8')).vars as AgentVars;
    },
    sets() {
      return fs
        .readFileSync(setLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as SetRecord);
    },
    clearSets() {
      fs.writeFileSync(setLog, '');
    },
    stop,
    start,
    log: () => [...logs, ...(proc?.log ?? [])].join(''),
    async close() {
      await stop();
      t.cleanup();
    },
  };
}
