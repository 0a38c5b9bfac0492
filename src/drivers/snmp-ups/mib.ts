/**
 * The MIB-to-NUT table format of snmp-ups. A vendor is one MibMapping: plain
 * data (OIDs, scaling, value maps, status tokens, commands as SETs), no code.
 * Adding a vendor = adding one such object to ./mibs/ (or a JSON file given
 * with the `mibfile` option), checked by validateMapping().
 *
 * OIDs are numeric, without a leading dot.
 */

/** How a raw SNMP value becomes the published text. */
export type VarKind =
  /** a number (scaled), published as an integer when whole, else with 2 decimals (NUT's %.2f) */
  | 'number'
  /** the value as text (strings as they are, numbers in decimal) */
  | 'string'
  /** the raw value looked up in `map`; unmapped values publish nothing */
  | 'enum';

export interface MibVar {
  /** NUT variable name (ups.load, battery.charge, ...). */
  name: string;
  /** OIDs tried in order: the first that answers with a usable value wins (e.g. high precision first). */
  oid: string | readonly string[];
  kind: VarKind;
  /** Multiplier applied to numbers (0.1 for tenths, 60 for minutes; TimeTicks are first made seconds). Per OID when an array. */
  scale?: number | readonly number[];
  /** enum: raw value (decimal text, or the last arc of an OID value) → published text. */
  map?: Readonly<Record<string, string>>;
  /** Writable: flags RW plus STRING:len or NUMBER, and how SET writes the OID (first OID of the list). */
  rw?: { type: 'string'; len: number } | { type: 'number' };
  /** Read at every poll (status-like); the others are read every `pollfreq` seconds. */
  quick?: boolean;
  /** Published when the agent has none of the OIDs (NUT's defaults, e.g. phases = 1). */
  default?: string;
  /** Raw values meaning "not available" (published as nothing). */
  absent?: readonly string[];
  /** number: always this many digits after the point (default: none for whole numbers, else 2). */
  decimals?: number;
  /** enum: an unmapped value is published as the raw number instead of nothing. */
  unmappedRaw?: boolean;
}

export interface MibStatus {
  /** A status OID; its raw value is looked up in `map`. */
  oid: string;
  /** raw value → space-separated NUT status tokens ('' = none). Unmapped values add nothing. */
  map: Readonly<Record<string, string>>;
}

/** A value written by SET for an instant command; `option` takes it from ups.conf (e.g. offdelay). */
export type CmdValue = string | number | { option: string; default: number };

export interface MibCommand {
  cmd: string;
  oid: string;
  type: 'integer' | 'string' | 'oid';
  value: CmdValue;
  /** The command is offered only when this OID (or one of these) answers at start (default: `oid` itself). */
  probe?: string | readonly string[];
}

/** NUT alarm texts from an alarm table walk: value (OID or number) → status token and/or alarm text. */
export interface MibAlarms {
  /** Walked subtree (e.g. UPS-MIB upsAlarmDescr column). */
  walk: string;
  map: Readonly<Record<string, { status?: string; alarm?: string }>>;
}

export interface MibMapping {
  /** The `mibs=` name (ietf, apcc, ...). */
  name: string;
  /** driver.version.data: "<name> MIB <version>" */
  version: string;
  /** sysObjectID values (or prefixes) that select this mapping under mibs=auto. */
  sysOids: readonly string[];
  /** OID whose presence confirms the mapping (mibs=auto, after sysObjectID, or alone). */
  autoCheck: string;
  /** OID that must answer when the mapping is named explicitly (mibs=name): NUT reads ups.model. */
  testOid: string;
  /** Fixed values published at start (ups.mfr when the MIB has no such OID). */
  fixed?: Readonly<Record<string, string>>;
  vars: readonly MibVar[];
  status: readonly MibStatus[];
  alarms?: MibAlarms;
  commands: readonly MibCommand[];
}

export const oidList = (v: MibVar): readonly string[] => (typeof v.oid === 'string' ? [v.oid] : v.oid);

/** The scale of the i-th OID of a variable. */
export function scaleAt(v: MibVar, i: number): number {
  if (v.scale === undefined) return 1;
  if (typeof v.scale === 'number') return v.scale;
  return v.scale[i] ?? v.scale[v.scale.length - 1] ?? 1;
}

const OID_RE = /^\d+(\.\d+)+$/;
const NAME_RE = /^[a-z0-9][a-zA-Z0-9_.-]*$/;

/** Everything wrong with a mapping (empty when it is usable). */
export function validateMapping(m: MibMapping): string[] {
  const errs: string[] = [];
  const where = (s: string) => `${m.name}: ${s}`;
  if (!m.name || !/^[a-z0-9_-]+$/i.test(m.name)) errs.push(where(`bad mapping name ${JSON.stringify(m.name)}`));
  for (const o of [m.autoCheck, m.testOid, ...m.sysOids]) if (!OID_RE.test(o)) errs.push(where(`bad OID ${JSON.stringify(o)}`));
  const names = new Set<string>();
  for (const v of m.vars) {
    if (!NAME_RE.test(v.name)) errs.push(where(`bad variable name ${JSON.stringify(v.name)}`));
    if (names.has(v.name)) errs.push(where(`variable ${v.name} listed twice`));
    names.add(v.name);
    const oids = oidList(v);
    if (oids.length === 0) errs.push(where(`${v.name}: no OID`));
    for (const o of oids) if (!OID_RE.test(o)) errs.push(where(`${v.name}: bad OID ${JSON.stringify(o)}`));
    if (v.kind === 'enum' && !v.map) errs.push(where(`${v.name}: enum without map`));
    if (v.decimals !== undefined && !(Number.isInteger(v.decimals) && v.decimals >= 0 && v.decimals <= 6)) errs.push(where(`${v.name}: bad decimals`));
    if (!['number', 'string', 'enum'].includes(v.kind)) errs.push(where(`${v.name}: bad kind ${String(v.kind)}`));
    const scales = v.scale === undefined ? [] : typeof v.scale === 'number' ? [v.scale] : v.scale;
    for (const s of scales) if (!Number.isFinite(s) || s === 0) errs.push(where(`${v.name}: bad scale ${s}`));
  }
  for (const s of m.status) if (!OID_RE.test(s.oid)) errs.push(where(`status: bad OID ${JSON.stringify(s.oid)}`));
  const cmds = new Set<string>();
  for (const c of m.commands) {
    if (!NAME_RE.test(c.cmd)) errs.push(where(`bad command name ${JSON.stringify(c.cmd)}`));
    if (cmds.has(c.cmd)) errs.push(where(`command ${c.cmd} listed twice`));
    cmds.add(c.cmd);
    if (!OID_RE.test(c.oid)) errs.push(where(`${c.cmd}: bad OID ${JSON.stringify(c.oid)}`));
    const probes = c.probe === undefined ? [] : typeof c.probe === 'string' ? [c.probe] : c.probe;
    for (const o of probes) if (!OID_RE.test(o)) errs.push(where(`${c.cmd}: bad probe OID ${JSON.stringify(o)}`));
    if (c.type === 'oid' && typeof c.value === 'string' && !OID_RE.test(c.value.replace(/^\./, ''))) errs.push(where(`${c.cmd}: bad OID value`));
  }
  return errs;
}
