/**
 * HID 1.11 report descriptor parser: walks the items with the global state
 * (Push/Pop), the local state (usages, usage ranges) and the collection stack,
 * and produces the fields (NUT's "HID objects") with their NUT path names and
 * the reports with their sizes.
 *
 * NUT conventions kept here (facts from NUT's behaviour and logs):
 * - In a Delimiter set only the first usage counts (the others are aliases).
 * - A 1- or 2-byte Usage combines with the Usage Page in effect when the
 *   Usage item is read; a 4-byte Usage carries its own page.
 * - A Collection whose type byte is >= 0x80 (vendor-defined, as MGE/Eaton
 *   and Liebert descriptors use) adds an instance node [type & 0x7f] to the
 *   path after the collection's usage (UPS.PowerConverter.Input.[1].FlowID).
 * - Report elements past the last listed usage carry no usage and are not
 *   fields (they count as padding in the report size), as NUT lists one
 *   object per usage.
 * - Logical Maximum < Logical Minimum (both read signed): the maximum is read
 *   unsigned instead (NUT: "interpreting LogMax -1 as 255"), with a warning.
 * - Unit Exponent: a 1-byte value 0..15 is the 4-bit signed nibble of HID
 *   1.11 (0x0e = -2); other values are read signed in their own size, and
 *   one outside -8..7 falls back to its low nibble (with a warning).
 */
import { encodeItems, readItems, signedData } from './items.js';
import {
  HidParseError,
  reportKey,
  type HidCollection,
  type HidDescriptor,
  type HidField,
  type HidItem,
  type HidMainFlags,
  type HidReport,
  type HidReportType,
  type HidWarning,
  type UsageTable,
} from './types.js';
import { GENERIC_USAGES, PAGE_INSTANCE, pathToString } from './usages.js';

export interface ParseOptions {
  /** Usage names for the field paths (default: the generic 0x84/0x85 table). */
  usages?: UsageTable;
  /** Safety limit on fields (default 65536). */
  maxFields?: number;
}

interface GlobalState {
  usagePage: number;
  logMin: number;
  logMax: number;
  logMaxData: number;
  logMaxSize: number;
  physMin: number;
  physMax: number;
  unitExponent: number;
  unit: number;
  reportSize: number;
  reportId: number;
  reportCount: number;
}

const MAX_REPORT_BYTES = 0xffff;
const MAX_USAGES = 0x10000;

function initialGlobals(): GlobalState {
  return { usagePage: 0, logMin: 0, logMax: 0, logMaxData: 0, logMaxSize: 0, physMin: 0, physMax: 0, unitExponent: 0, unit: 0, reportSize: 0, reportId: 0, reportCount: 0 };
}

export function mainFlags(bits: number): HidMainFlags {
  return {
    constant: (bits & 0x01) !== 0,
    variable: (bits & 0x02) !== 0,
    relative: (bits & 0x04) !== 0,
    wrap: (bits & 0x08) !== 0,
    nonLinear: (bits & 0x10) !== 0,
    noPreferred: (bits & 0x20) !== 0,
    nullState: (bits & 0x40) !== 0,
    volatile: (bits & 0x80) !== 0,
    bufferedBytes: (bits & 0x100) !== 0,
  };
}

/** Unit Exponent item data → signed exponent (see the header). */
export function unitExponentOf(data: number, size: number): number {
  if (size === 1 && data <= 0x0f) return data > 7 ? data - 16 : data;
  return signedData(data, size);
}

const MAIN_REPORT_TYPES: Record<number, HidReportType> = { 0x8: 'input', 0x9: 'output', 0xb: 'feature' };

/** Parse a report descriptor. Throws HidParseError naming the byte offset of bad input. */
export function parseDescriptor(bytes: Uint8Array, options: ParseOptions = {}): HidDescriptor {
  const table = options.usages ?? GENERIC_USAGES;
  const maxFields = options.maxFields ?? 65536;
  const items = readItems(bytes);
  const fields: HidField[] = [];
  const reports = new Map<string, HidReport>();
  const collections: HidCollection[] = [];
  const warnings: HidWarning[] = [];
  let g = initialGlobals();
  const stack: GlobalState[] = [];
  // Local state
  let usages: number[] = [];
  let usageMin: number | undefined;
  let usageMinSized = false;
  // Delimiter sets (HID 1.11 §6.2.2.8): only the first usage of an open set counts, the rest are aliases.
  let delimiterOpen = false;
  let delimiterTaken = false;
  let usesReportIds = false;
  const warnedIds = new Set<number>(); // one LogMax warning per report id, as NUT
  // Collection stack: path nodes contributed by each open collection
  const open: { nodes: number[]; item: HidItem }[] = [];

  const resetLocal = (): void => {
    usages = [];
    usageMin = undefined;
    usageMinSized = false;
    delimiterOpen = false;
    delimiterTaken = false;
  };
  const fullUsage = (it: HidItem): number => (it.dataSize === 4 ? it.data >>> 0 : ((g.usagePage << 16) | (it.data & 0xffff)) >>> 0);

  for (const it of items) {
    it.depth = open.length;
    if (it.type === 'long' || it.type === 'reserved') continue;
    if (it.type === 'global') {
      switch (it.tag) {
        case 0x0:
          if (it.data > 0xffff) throw new HidParseError(it.offset, `Usage Page 0x${it.data.toString(16)} does not fit 16 bits`);
          g.usagePage = it.data;
          break;
        case 0x1:
          g.logMin = signedData(it.data, it.dataSize);
          break;
        case 0x2:
          g.logMax = signedData(it.data, it.dataSize);
          g.logMaxData = it.data;
          g.logMaxSize = it.dataSize;
          break;
        case 0x3:
          g.physMin = signedData(it.data, it.dataSize);
          break;
        case 0x4:
          g.physMax = signedData(it.data, it.dataSize);
          break;
        case 0x5: {
          const e = unitExponentOf(it.data, it.dataSize);
          if (e < -8 || e > 7) {
            g.unitExponent = unitExponentOf(it.data & 0xf, 1);
            warnings.push({ offset: it.offset, message: `Unit Exponent ${e} is outside HID's -8..7: its low nibble (${g.unitExponent}) is used` });
          } else {
            g.unitExponent = e;
          }
          break;
        }
        case 0x6:
          g.unit = it.data >>> 0;
          break;
        case 0x7:
          if (it.data > 0xffff) throw new HidParseError(it.offset, `Report Size ${it.data} is too large`);
          g.reportSize = it.data;
          break;
        case 0x8:
          if (it.data === 0 || it.data > 0xff) throw new HidParseError(it.offset, `Report ID ${it.data} is invalid (must be 1..255)`);
          g.reportId = it.data;
          usesReportIds = true;
          break;
        case 0x9:
          if (it.data > 0xffff) throw new HidParseError(it.offset, `Report Count ${it.data} is too large`);
          g.reportCount = it.data;
          break;
        case 0xa:
          if (stack.length >= 256) throw new HidParseError(it.offset, 'Push nested deeper than 256');
          stack.push({ ...g });
          break;
        case 0xb: {
          const top = stack.pop();
          if (!top) throw new HidParseError(it.offset, 'Pop without a matching Push');
          g = top;
          break;
        }
        default:
          warnings.push({ offset: it.offset, message: `reserved global item tag 0x${it.tag.toString(16)} ignored` });
      }
      continue;
    }
    if (it.type === 'local') {
      switch (it.tag) {
        case 0x0:
          if (usages.length >= MAX_USAGES) throw new HidParseError(it.offset, `more than ${MAX_USAGES} usages before one main item`);
          if (delimiterOpen && delimiterTaken) break; // an alias
          usages.push(fullUsage(it));
          if (delimiterOpen) delimiterTaken = true;
          break;
        case 0x1:
          usageMin = fullUsage(it);
          usageMinSized = it.dataSize === 4;
          break;
        case 0x2: {
          if (usageMin === undefined) throw new HidParseError(it.offset, 'Usage Maximum without a Usage Minimum before it');
          const max = it.dataSize === 4 || usageMinSized ? fullUsage(it) : ((usageMin & 0xffff0000) | (it.data & 0xffff)) >>> 0;
          if (max < usageMin) throw new HidParseError(it.offset, `Usage Maximum 0x${max.toString(16)} is below Usage Minimum 0x${usageMin.toString(16)}`);
          if (max - usageMin + 1 + usages.length > MAX_USAGES) throw new HidParseError(it.offset, `usage range of ${max - usageMin + 1} usages is too large`);
          if (!(delimiterOpen && delimiterTaken)) for (let u = usageMin; u <= max; u++) usages.push(u >>> 0);
          if (delimiterOpen) delimiterTaken = true;
          usageMin = undefined;
          break;
        }
        case 0xa:
          // Delimiter: 1 opens a set of alias usages, 0 closes it
          delimiterOpen = it.data === 1;
          delimiterTaken = false;
          break;
        default:
          // Designators and strings: no effect on paths or reports.
          break;
      }
      continue;
    }
    // Main items
    switch (it.tag) {
      case 0xa: {
        // Collection
        const usage = usages[0];
        const nodes: number[] = [];
        if (usage !== undefined) nodes.push(usage);
        const kind = it.data & 0xff;
        if (kind >= 0x80) nodes.push(((PAGE_INSTANCE << 16) | (kind & 0x7f)) >>> 0);
        collections.push({ usage: usage ?? 0, kind, offset: it.offset, depth: open.length });
        if (open.length >= 255) throw new HidParseError(it.offset, 'collections nested deeper than 255');
        open.push({ nodes, item: it });
        resetLocal();
        break;
      }
      case 0xc:
        if (open.length === 0) throw new HidParseError(it.offset, 'End Collection without an open Collection');
        open.pop();
        it.depth = open.length;
        resetLocal();
        break;
      case 0x8:
      case 0x9:
      case 0xb: {
        const type = MAIN_REPORT_TYPES[it.tag]!;
        const key = reportKey(type, g.reportId);
        let rep = reports.get(key);
        if (!rep) {
          rep = { id: g.reportId, type, bits: 0, bytes: 0 };
          reports.set(key, rep);
        }
        let logMax = g.logMax;
        if (logMax < g.logMin) {
          logMax = g.logMaxData;
          if (!warnedIds.has(g.reportId)) {
            warnedIds.add(g.reportId);
            warnings.push({ offset: it.offset, message: `Logical Maximum ${g.logMax} is less than Logical Minimum ${g.logMin}: read as ${logMax} (report 0x${g.reportId.toString(16).padStart(2, '0')})` });
          }
        }
        const prefix = open.flatMap((c) => c.nodes);
        const variable = (it.data & 0x02) !== 0;
        const flags = mainFlags(it.data);
        for (let i = 0; i < g.reportCount; i++) {
          // Variable items: element i has usage i; array items: every element indexes the whole list.
          const usage = variable ? usages[i] : usages[0];
          if (usage !== undefined) {
            if (fields.length >= maxFields) throw new HidParseError(it.offset, `more than ${maxFields} fields`);
            const usagePath = [...prefix, usage];
            const f: HidField = {
              path: pathToString(usagePath, table),
              usage,
              usagePath,
              reportId: g.reportId,
              type,
              bitOffset: rep.bits,
              bitSize: g.reportSize,
              logMin: g.logMin,
              logMax,
              physMin: g.physMin,
              physMax: g.physMax,
              unit: g.unit,
              unitExponent: g.unitExponent,
              flagBits: it.data,
              flags,
              index: i,
              itemOffset: it.offset,
            };
            if (!variable) f.arrayUsages = [...usages];
            fields.push(f);
          }
          rep.bits += g.reportSize;
          if (rep.bits > MAX_REPORT_BYTES * 8) throw new HidParseError(it.offset, `report 0x${g.reportId.toString(16)} (${type}) grows beyond ${MAX_REPORT_BYTES} bytes`);
        }
        rep.bytes = Math.ceil(rep.bits / 8) + (rep.id !== 0 ? 1 : 0);
        resetLocal();
        break;
      }
      default:
        warnings.push({ offset: it.offset, message: `reserved main item tag 0x${it.tag.toString(16)} ignored` });
        resetLocal();
    }
  }
  if (open.length > 0) {
    const c = open[open.length - 1]!;
    throw new HidParseError(c.item.offset, `Collection opened here is never closed (${open.length} open at the end, byte ${bytes.length})`);
  }
  return { bytes, items, fields, reports, collections, usesReportIds, warnings };
}

/** Re-name every field's path with another usage table (e.g. a subdriver's vendor names). */
export function renameFields(desc: HidDescriptor, table: UsageTable): HidField[] {
  return desc.fields.map((f) => ({ ...f, path: pathToString(f.usagePath, table) }));
}

/** The descriptor's items back to bytes (for the round-trip check). */
export function encodeDescriptor(desc: Pick<HidDescriptor, 'items'>): Uint8Array {
  return encodeItems(desc.items);
}

/** The fields of one report, in bit order. */
export function fieldsOfReport(desc: HidDescriptor, type: HidReportType, id: number): HidField[] {
  return desc.fields.filter((f) => f.type === type && f.reportId === id).sort((a, b) => a.bitOffset - b.bitOffset);
}

/** First field whose path equals `path` (optionally of one report type). */
export function findField(desc: HidDescriptor, path: string, type?: HidReportType): HidField | undefined {
  return desc.fields.find((f) => f.path === path && (type === undefined || f.type === type));
}
