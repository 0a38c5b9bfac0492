/**
 * Pure snmp-ups logic over a MibMapping: which OIDs to read, how SNMP values
 * become NUT variables and status tokens, how a command or a SET of a
 * variable becomes an SNMP SET, and which mapping `mibs=` selects.
 * No sockets, no time: the driver (snmp-ups.ts) does the I/O.
 */
import type { SnmpSetValue, SnmpValue } from '../../transports/snmp.js';
import type { MibCommand, MibMapping, MibVar } from './mib.js';
import { oidList, scaleAt } from './mib.js';

export type ValueMap = ReadonlyMap<string, SnmpValue>;

/** NUT's number text: whole numbers as integers, others with 2 decimals; a fixed `decimals` always. */
export function formatNumber(n: number, decimals?: number): string {
  if (decimals !== undefined) return n.toFixed(decimals);
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(2);
}

/** A raw value usable as a number (integers, gauges, timeticks, numeric strings), else undefined. */
export function numberOf(v: SnmpValue): number | undefined {
  if (typeof v.value === 'number' && v.type !== 'oid' && v.type !== 'ipaddress') return Number.isFinite(v.value) ? v.value : undefined;
  if (v.type === 'string' && typeof v.value === 'string') {
    const s = v.value.trim();
    if (/^[+-]?\d+(\.\d+)?$/.test(s)) return Number(s);
  }
  return undefined;
}

/** The key of a raw value in a value map: an integer in decimal, an OID's last arc, or trimmed text. */
export function rawKey(v: SnmpValue): string | undefined {
  if (v.type === 'exception' || v.value === null) return undefined;
  if (v.type === 'oid' && typeof v.value === 'string') {
    const arcs = v.value.split('.');
    return arcs[arcs.length - 1];
  }
  if (typeof v.value === 'number') return String(v.value);
  return v.value.trim();
}

/** NUT shows strings with unprintable bytes as space-separated hex bytes. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x08\x0b-\x1f\x7f-\xff]/.test(s)) return s;
  const bytes = Buffer.from(s, 'latin1');
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--; // C strings end at NUL
  return [...bytes.subarray(0, end)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

export interface Decoded {
  /** The published text, or undefined when none of the OIDs gave a usable value. */
  value: string | undefined;
  /** The OID that gave it, and its SNMP type (SET writes the same type). */
  oid?: string;
  why?: string;
}

/** One variable from the values read (first usable OID wins). */
export function decodeVar(v: MibVar, values: ValueMap): Decoded {
  const oids = oidList(v);
  const reasons: string[] = [];
  for (let i = 0; i < oids.length; i++) {
    const oid = oids[i]!;
    const raw = values.get(oid);
    if (!raw) continue;
    if (raw.type === 'exception') {
      reasons.push(`${oid}: ${raw.exception}`);
      continue;
    }
    const key = rawKey(raw);
    if (key !== undefined && v.absent?.includes(key)) {
      reasons.push(`${oid}: not available (${key})`);
      continue;
    }
    switch (v.kind) {
      case 'number': {
        const n = numberOf(raw);
        if (n === undefined) {
          reasons.push(`${oid}: ${raw.type} ${JSON.stringify(raw.value)} is not a number`);
          continue;
        }
        // TimeTicks (hundredths of a second) are seconds before scaling, as in NUT
        const secs = raw.type === 'timeticks' ? n / 100 : n;
        return { value: formatNumber(secs * scaleAt(v, i), v.decimals), oid };
      }
      case 'string': {
        if (raw.value === null) continue;
        return { value: typeof raw.value === 'number' ? String(raw.value) : printable(raw.value), oid };
      }
      case 'enum': {
        let text = key === undefined ? undefined : v.map?.[key];
        if (text === undefined && v.unmappedRaw && typeof raw.value === 'number') text = String(raw.value);
        if (text === undefined) {
          reasons.push(`${oid}: no text for value ${JSON.stringify(key)}`);
          continue;
        }
        return { value: text, oid };
      }
    }
  }
  return { value: undefined, why: reasons.join('; ') || 'no answer' };
}

/** The OIDs read at start, and at every full refresh (every variable, status, command probes). */
export function allOids(m: MibMapping): string[] {
  const s = new Set<string>();
  for (const v of m.vars) for (const o of oidList(v)) s.add(o);
  for (const st of m.status) s.add(st.oid);
  for (const c of m.commands) for (const o of probeOids(c)) s.add(o);
  return [...s];
}

/** The OIDs whose presence offers a command. */
export function probeOids(c: MibCommand): readonly string[] {
  return c.probe === undefined ? [c.oid] : typeof c.probe === 'string' ? [c.probe] : c.probe;
}

/** The OIDs read at every poll: status and `quick` variables. */
export function quickOids(m: MibMapping): string[] {
  const s = new Set<string>();
  for (const st of m.status) s.add(st.oid);
  for (const v of m.vars) if (v.quick) for (const o of oidList(v)) s.add(o);
  return [...s];
}

/** Status tokens from the status OIDs, in mapping order, without duplicates. */
export function statusTokens(m: MibMapping, values: ValueMap, alarmRows: readonly SnmpValue[] = []): string[] {
  const out: string[] = [];
  const add = (text: string | undefined) => {
    for (const t of (text ?? '').split(' ')) if (t && !out.includes(t)) out.push(t);
  };
  for (const st of m.status) {
    const raw = values.get(st.oid);
    if (!raw) continue;
    const key = rawKey(raw);
    if (key !== undefined) add(st.map[key]);
  }
  if (m.alarms) for (const a of alarmsOf(m, alarmRows)) add(a.status);
  return out;
}

/** Alarm table rows → their mapped entries. */
export function alarmsOf(m: MibMapping, rows: readonly SnmpValue[]): Array<{ status?: string; alarm?: string }> {
  if (!m.alarms) return [];
  const out: Array<{ status?: string; alarm?: string }> = [];
  for (const r of rows) {
    const key = rawKey(r);
    const hit = key === undefined ? undefined : m.alarms.map[key];
    if (hit) out.push(hit);
  }
  return out;
}

/**
 * The value an instant command writes: options such as offdelay come from
 * ups.conf, or from the command's parameter (`upscmd ups load.off.delay 60`).
 */
export function commandSet(c: MibCommand, option: (name: string) => string | undefined, param?: string): SnmpSetValue {
  let value: string | number;
  if (typeof c.value === 'object') {
    const o = param !== undefined && /^\d+$/.test(param.trim()) ? param.trim() : option(c.value.option);
    const n = o === undefined ? c.value.default : Number(o);
    value = Number.isFinite(n) ? Math.trunc(n) : c.value.default;
  } else value = c.value;
  if (c.type === 'oid') return { oid: c.oid, type: 'oid', value: String(value).replace(/^\./, '') };
  if (c.type === 'integer') return { oid: c.oid, type: 'integer', value: Number(value) };
  return { oid: c.oid, type: 'string', value: String(value) };
}

/**
 * The SET for `upsrw` on a writable variable, or an error text. Numbers are
 * divided by the scale of the OID written; the SNMP type is the one the
 * agent last answered with for that OID (integer by default; TimeTicks are
 * written in hundredths of a second).
 */
export function setvarSet(v: MibVar, text: string, lastType: string | undefined): SnmpSetValue | { error: string } {
  if (!v.rw) return { error: `${v.name} is not writable` };
  const oid = oidList(v)[0]!;
  if (v.rw.type === 'string') {
    if (text.length > v.rw.len) return { error: `value longer than ${v.rw.len}` };
    return { oid, type: 'string', value: text };
  }
  if (!/^[+-]?\d+(\.\d+)?$/.test(text.trim())) return { error: `not a number: ${JSON.stringify(text)}` };
  const type = lastType === 'timeticks' || lastType === 'gauge' ? lastType : 'integer';
  const n = Math.round((Number(text) / scaleAt(v, 0)) * (type === 'timeticks' ? 100 : 1));
  if (type !== 'integer' && n < 0) return { error: 'negative value' };
  return { oid, type, value: n };
}

export interface Detection {
  mapping?: MibMapping;
  tried: string[];
}

/**
 * NUT's MIB choice. `mibs=auto`: first a mapping whose sysOids match the
 * agent's sysObjectID and whose autoCheck OID answers, then (in table order,
 * vendors before ietf) the first whose autoCheck OID answers.
 * `mibs=<name>`: that mapping, if its testOid (ups.model) answers.
 */
export function detectMapping(
  mappings: readonly MibMapping[],
  mibs: string,
  sysObjectId: string | undefined,
  answers: (oid: string) => boolean,
): Detection {
  const tried: string[] = [];
  if (mibs !== 'auto') {
    const m = mappings.find((x) => x.name === mibs);
    if (!m) return { tried };
    tried.push(m.name);
    return answers(m.testOid) ? { mapping: m, tried } : { tried };
  }
  const sys = sysObjectId?.replace(/^\./, '');
  if (sys) {
    for (const m of mappings) {
      if (m.sysOids.some((p) => sys === p || sys.startsWith(p + '.'))) {
        tried.push(`${m.name} (sysObjectID)`);
        if (answers(m.autoCheck)) return { mapping: m, tried };
      }
    }
  }
  for (const m of mappings) {
    tried.push(m.name);
    if (answers(m.autoCheck)) return { mapping: m, tried };
  }
  return { tried };
}

/** The OIDs detectMapping may ask about (read in one go before detecting). */
export function detectionOids(mappings: readonly MibMapping[]): string[] {
  const s = new Set<string>();
  for (const m of mappings) {
    s.add(m.autoCheck);
    s.add(m.testOid);
  }
  return [...s];
}
