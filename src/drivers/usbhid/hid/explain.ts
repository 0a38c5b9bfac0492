/**
 * Explain mode: what a descriptor (and optionally recorded or live reports)
 * means, path by path: report id, type, bit offset and size, logical and
 * physical range, unit and exponent, the decoded value, and (given a
 * subdriver mapper) the NUT variable and status token each path becomes.
 *
 * Pure: `walnut hid explain` feeds it files, `usbhid-ups --explain` a live
 * device (pass `readReport` to fetch reports on demand, or `reports`).
 */
import { decodeLogical, effectiveExponent, formatValue, logicalToValue } from './decode.js';
import { parseDescriptor } from './parser.js';
import { mainFlagWords, unitName } from './print.js';
import type { RecordedReports } from './recorded.js';
import { reportKey, type HidField, type HidReport, type HidReportType, type HidWarning, type UsageTable } from './types.js';
import { GENERIC_USAGES, hex8, pathToString } from './usages.js';

/** The part of a subdriver mapper (src/drivers/usbhid/subdrivers createHidMapper) explain uses. */
export interface ExplainMapper {
  apply(path: string, value: number): {
    vars: Array<[string, string]>;
    entries: ReadonlyArray<{ var?: string; status?: { bit: string; invert?: boolean }; instcmd?: { name: string; value: unknown } }>;
  };
  /** The table entries for a path, without changing state (used when there is no value). */
  entriesFor?(path: string): ReadonlyArray<{ var?: string; status?: { bit: string; invert?: boolean }; instcmd?: { name: string; value: unknown } }>;
  statusTokens(): string;
  alarms(): string;
}

export interface ExplainOptions {
  /** Recorded reports (readRecordedReports of a log or reports.txt). */
  reports?: RecordedReports;
  /** Or a function returning a report's bytes (live device); undefined when it cannot be read. */
  readReport?: (type: HidReportType, id: number) => Uint8Array | undefined;
  /** Names for the printed paths (default: generic, vendor usages as hex like NUT's explore). */
  usages?: UsageTable;
  /** The subdriver's mapper: turns decoded values into NUT variables and status. */
  mapper?: ExplainMapper;
  /** Shown in the header, e.g. "APC HID 0.100". */
  subdriverName?: string;
  /** Adjust the parsed fields before decoding (a subdriver's descriptor fix-ups). */
  prepare?: (fields: HidField[]) => void;
}

export interface ExplainStatus {
  /** The internal status bit (online, discharging, ...). */
  bit: string;
  /** The ups.status token it feeds (OL, DISCHRG, LB, ...), when it has one. */
  token?: string;
  /** Whether the decoded value sets the bit. */
  active?: boolean;
}

export interface ExplainRow {
  /** NUT path with the generic names (what the subdriver tables match). */
  path: string;
  /** The same path with the explain usage names (vendor names when known). */
  displayPath: string;
  usage: string;
  type: HidReportType;
  reportId: number;
  bitOffset: number;
  bitSize: number;
  logMin: number;
  logMax: number;
  physMin: number;
  physMax: number;
  unit: number;
  unitName: string;
  unitExponent: number;
  /** Exponent applied to the value (UnitExponent − 7 for volt and VA/W). */
  exponent: number;
  flags: string;
  /** Decoded logical value and final value, when a report was available. */
  logical?: number;
  value?: number;
  valueText?: string;
  /** The report was shorter than the field: the missing bytes read as 0 (as NUT). */
  padded?: boolean;
  error?: string;
  /** NUT variables set from this path (mapper). */
  variables?: Array<{ name: string; value: string }>;
  /** Variables the table maps this path to (even without a value). */
  maps?: string[];
  status?: ExplainStatus[];
  commands?: string[];
}

export interface Explanation {
  bytes: number;
  items: number;
  fields: number;
  reports: HidReport[];
  warnings: HidWarning[];
  subdriver?: string;
  rows: ExplainRow[];
  /** With a mapper and values: ups.status and ups.alarm as the subdriver builds them, and every variable. */
  status?: string;
  alarms?: string;
  variables?: Array<{ name: string; value: string }>;
}

/** Status bit → ups.status token (NUT's status rules, reference §4.3). */
export const STATUS_TOKENS: Readonly<Record<string, string>> = {
  online: 'OL',
  discharging: 'DISCHRG',
  charging: 'CHRG',
  lowbatt: 'LB',
  timelimitexp: 'LB',
  shutdownimm: 'LB',
  overload: 'OVER',
  replacebatt: 'RB',
  nobattery: 'RB',
  trim: 'TRIM',
  boost: 'BOOST',
  bypassauto: 'BYPASS',
  bypassman: 'BYPASS',
  off: 'OFF',
  cal: 'CAL',
};

function reportFor(opts: ExplainOptions, f: HidField, cache: Map<string, Uint8Array | undefined>): Uint8Array | undefined {
  const key = reportKey(f.type, f.reportId);
  if (cache.has(key)) return cache.get(key);
  let bytes: Uint8Array | undefined;
  if (opts.readReport) {
    bytes = opts.readReport(f.type, f.reportId);
  } else if (opts.reports) {
    // The report of the field's own type; NUT reads input fields with a feature
    // Get_Report, so an input field falls back to the feature read of its id.
    bytes = opts.reports.reports.get(key)?.bytes;
    if (!bytes && f.type === 'input') bytes = opts.reports.reports.get(reportKey('feature', f.reportId))?.bytes;
  }
  cache.set(key, bytes);
  return bytes;
}

/** Explain a descriptor (bytes), with values when reports are given. */
export function explainDescriptor(bytes: Uint8Array, opts: ExplainOptions = {}): Explanation {
  const desc = parseDescriptor(bytes);
  opts.prepare?.(desc.fields);
  const names = opts.usages ?? GENERIC_USAGES;
  const cache = new Map<string, Uint8Array | undefined>();
  const haveValues = opts.reports !== undefined || opts.readReport !== undefined;
  const rows: ExplainRow[] = [];
  const variables = new Map<string, string>();
  for (const f of desc.fields) {
    const row: ExplainRow = {
      path: f.path,
      displayPath: pathToString(f.usagePath, names),
      usage: hex8(f.usage),
      type: f.type,
      reportId: f.reportId,
      bitOffset: f.bitOffset,
      bitSize: f.bitSize,
      logMin: f.logMin,
      logMax: f.logMax,
      physMin: f.physMin,
      physMax: f.physMax,
      unit: f.unit,
      unitName: unitName(f.unit),
      unitExponent: f.unitExponent,
      exponent: effectiveExponent(f),
      flags: mainFlagWords(f.flagBits, f.type === 'input'),
    };
    if (haveValues) {
      const rep = reportFor(opts, f, cache);
      if (!rep) {
        row.error = 'no report recorded';
      } else {
        try {
          const logical = decodeLogical(f, rep, { zeroPad: true });
          row.logical = logical;
          row.value = logicalToValue(f, logical);
          row.valueText = formatValue(row.value);
          if ((f.reportId !== 0 ? 8 : 0) + f.bitOffset + f.bitSize > rep.length * 8) row.padded = true;
        } catch (e) {
          row.error = e instanceof Error ? e.message : String(e);
        }
      }
    }
    if (opts.mapper) {
      const res = row.value !== undefined ? opts.mapper.apply(f.path, row.value) : { vars: [] as Array<[string, string]>, entries: opts.mapper.entriesFor?.(f.path) ?? [] };
      const maps = res.entries.filter((e) => e.var).map((e) => e.var!);
      if (maps.length) row.maps = [...new Set(maps)];
      if (res.vars.length) {
        row.variables = res.vars.map(([name, value]) => ({ name, value }));
        for (const [n, v] of res.vars) variables.set(n, v);
      }
      const st = res.entries.filter((e) => e.status).map((e) => {
        const s: ExplainStatus = { bit: e.status!.bit };
        const token = STATUS_TOKENS[e.status!.bit];
        if (token) s.token = token;
        if (row.value !== undefined) s.active = (row.value !== 0) !== (e.status!.invert ?? false);
        return s;
      });
      if (st.length) row.status = st;
      const cmds = res.entries.filter((e) => e.instcmd).map((e) => e.instcmd!.name);
      if (cmds.length) row.commands = cmds;
    }
    rows.push(row);
  }
  const out: Explanation = {
    bytes: bytes.length,
    items: desc.items.length,
    fields: desc.fields.length,
    reports: [...desc.reports.values()],
    warnings: desc.warnings,
    rows,
  };
  if (opts.subdriverName) out.subdriver = opts.subdriverName;
  if (opts.mapper && haveValues) {
    out.status = opts.mapper.statusTokens();
    out.alarms = opts.mapper.alarms();
    out.variables = [...variables].sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value }));
  }
  return out;
}

function range(a: number, b: number): string {
  return `${a}..${b}`;
}

/** The explanation as text for people. */
export function formatExplanation(e: Explanation): string {
  const out: string[] = [];
  out.push(`Report descriptor: ${e.bytes} bytes, ${e.items} items, ${e.fields} HID paths, ${e.reports.length} reports`);
  if (e.subdriver) out.push(`Subdriver: ${e.subdriver}`);
  for (const w of e.warnings) out.push(`Warning at byte ${w.offset}: ${w.message}`);
  out.push('');
  out.push('Reports:');
  for (const r of [...e.reports].sort((a, b) => a.id - b.id || a.type.localeCompare(b.type))) {
    out.push(`  0x${r.id.toString(16).padStart(2, '0')} ${r.type.padEnd(7)} ${String(r.bytes).padStart(4)} bytes (${r.bits} bits of data)`);
  }
  out.push('');
  out.push('Paths:');
  for (const r of e.rows) {
    const phys = r.physMin === 0 && r.physMax === 0 ? '-' : range(r.physMin, r.physMax);
    const unit = r.unit === 0 ? 'none' : `${r.unitName} (0x${r.unit.toString(16).padStart(8, '0')})`;
    const parts = [
      `  ${r.displayPath}`,
      `    ${r.type} report 0x${r.reportId.toString(16).padStart(2, '0')}, bit offset ${r.bitOffset}, size ${r.bitSize}, logical ${range(r.logMin, r.logMax)}, physical ${phys}, unit ${unit}, exponent ${r.unitExponent}${r.exponent !== r.unitExponent ? ` (applied ${r.exponent})` : ''}, ${r.flags}`,
    ];
    if (r.displayPath !== r.path) parts.push(`    generic path: ${r.path}`);
    if (r.valueText !== undefined) parts.push(`    value: ${r.valueText}${r.logical !== r.value ? ` (logical ${r.logical})` : ''}${r.padded ? ' (report short, missing bytes read as 0)' : ''}`);
    if (r.error) parts.push(`    value: unavailable (${r.error})`);
    if (r.variables?.length) parts.push(`    NUT: ${r.variables.map((v) => `${v.name} = ${v.value}`).join(', ')}`);
    else if (r.maps?.length) parts.push(`    NUT: ${r.maps.join(', ')}`);
    if (r.status?.length) {
      parts.push(`    status: ${r.status.map((s) => `${s.bit}${s.token ? ` -> ${s.token}` : ''}${s.active === undefined ? '' : s.active ? ' (set)' : ' (clear)'}`).join(', ')}`);
    }
    if (r.commands?.length) parts.push(`    commands: ${r.commands.join(', ')}`);
    out.push(...parts);
  }
  if (e.status !== undefined) {
    out.push('');
    out.push(`ups.status: ${e.status}`);
    if (e.alarms) out.push(`ups.alarm: ${e.alarms}`);
  }
  if (e.variables?.length) {
    out.push('');
    out.push('NUT variables:');
    for (const v of e.variables) out.push(`  ${v.name}: ${v.value}`);
  }
  return out.join('\n') + '\n';
}

/**
 * The rows as usbhid-ups's explore mode logs them (its "[D1] Path: ..." lines,
 * without the debug prefix): `Path: P, Type: Feature, ReportID: 0x01,
 * Offset: 0, Size: 8, Value: 1`, in descriptor order. Rows without a value
 * are left out (NUT logs nothing for a report it could not read).
 */
export function formatNutPaths(e: Explanation): string {
  const type = (t: HidReportType): string => t[0]!.toUpperCase() + t.slice(1);
  return e.rows
    .filter((r) => r.valueText !== undefined)
    .map((r) => `Path: ${r.displayPath}, Type: ${type(r.type)}, ReportID: 0x${r.reportId.toString(16).padStart(2, '0')}, Offset: ${r.bitOffset}, Size: ${r.bitSize}, Value: ${r.valueText}\n`)
    .join('');
}

/** Names → UsageTable (e.g. a subdriver's `usages` record) merged over the generic table. */
export function usageTableFromNames(names: Readonly<Record<string, number>>, base: UsageTable = GENERIC_USAGES): UsageTable {
  const m = new Map(base);
  for (const [name, u] of Object.entries(names)) m.set(u >>> 0, name);
  return m;
}
