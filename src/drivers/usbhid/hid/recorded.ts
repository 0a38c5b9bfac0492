/**
 * Readers for recorded HID data: descriptor hex text (as in ../shared/hid),
 * usbhid-ups debug logs (`Report Descriptor: (N bytes) => ...`,
 * `Report[get]: (N bytes) => ...` with continuation lines, and the decoded
 * `Path: ..., Type: ..., ReportID: ..., Offset: ..., Size: ..., Value: ...`
 * lines), reports.txt files (`input 0x0b 0b 90 01 ...`) and hid-recorder
 * captures (`R: 183 05 84 ...` descriptor, `E: 0.000 7 0b 90 ...` input reports).
 */
import { HidParseError, type HidReportType } from './types.js';

export interface RecordedReport {
  id: number;
  type: HidReportType;
  bytes: Uint8Array;
}

/** One report line of a log, in order. kind: get, buf, err, int, set, ... (the word in brackets). */
export interface RecordedEntry extends RecordedReport {
  kind: string;
  /** 1-based line number of the Report line. */
  line: number;
  /** The byte count the line announces (may differ from bytes.length when truncated). */
  declared: number;
}

/** One decoded `Path: ...` line of a NUT debug log. */
export interface RecordedPath {
  path: string;
  type: HidReportType;
  reportId: number;
  offset: number;
  size: number;
  /** The value as printed. */
  valueText: string;
  value: number;
  line: number;
  /** The report bytes of the last Report line before this one (undefined if none). */
  reportBytes?: Uint8Array;
  /** The kind of that Report line. */
  reportKind?: string;
}

export interface RecordedReports {
  /** First report read from the device (get/err/int lines, or reports.txt lines) per report id. Feature preferred. */
  byId: Map<number, RecordedReport>;
  /** First report per `${type}:${id}` (reportKey). */
  reports: Map<string, RecordedReport>;
  entries: RecordedEntry[];
  paths: RecordedPath[];
  /** The report descriptor, when the log carries one. */
  descriptor?: Uint8Array;
}

const HEX_BYTE = /^[0-9a-fA-F]{2}$/;

function hexBytes(words: string[]): number[] | undefined {
  const out: number[] = [];
  for (const w of words) {
    if (!HEX_BYTE.test(w)) return undefined;
    out.push(parseInt(w, 16));
  }
  return out;
}

/** A continuation line: optional timestamp, optional [Dn], then only hex bytes. */
function continuation(line: string): number[] | undefined {
  const m = /^\s*(?:\d+\.\d+\s+)?(?:\[D\d\])?\s+((?:[0-9a-fA-F]{2}\s*)+)$/.exec(line);
  if (!m) return undefined;
  return hexBytes(m[1]!.trim().split(/\s+/));
}

function kindType(kind: string): HidReportType {
  if (kind === 'int' || kind === 'input') return 'input';
  if (kind === 'output') return 'output';
  return 'feature';
}

const TYPE_WORDS: Record<string, HidReportType> = { input: 'input', output: 'output', feature: 'feature' };

/**
 * Read a NUT debug log or a reports.txt. Lines that are neither are ignored,
 * so a whole .dev file or a mail with a log in it works too.
 */
export function readRecordedReports(text: string): RecordedReports {
  const lines = text.split(/\r?\n/);
  const entries: RecordedEntry[] = [];
  const paths: RecordedPath[] = [];
  let descriptor: Uint8Array | undefined;
  let last: RecordedEntry | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/^#\s?/, '');
    const rep = /Report\[(\w+)\]: \((\d+) bytes\) =>((?:\s+[0-9a-fA-F]{2})*)\s*$/.exec(line);
    const desc = /Report Descriptor: \((\d+) bytes\) =>((?:\s+[0-9a-fA-F]{2})*)\s*$/.exec(line);
    if (rep || desc) {
      const declared = Number((rep ?? desc)![rep ? 2 : 1]);
      const bytes = hexBytes(((rep ?? desc)![rep ? 3 : 2] ?? '').trim().split(/\s+/).filter(Boolean)) ?? [];
      while (bytes.length < declared && i + 1 < lines.length) {
        const more = continuation(lines[i + 1]!.replace(/^#\s?/, ''));
        if (!more) break;
        bytes.push(...more);
        i++;
      }
      if (rep) {
        const kind = rep[1]!;
        const e: RecordedEntry = { kind, id: bytes[0] ?? 0, type: kindType(kind), bytes: Uint8Array.from(bytes), line: i + 1, declared };
        entries.push(e);
        last = e;
      } else if (!descriptor) {
        descriptor = Uint8Array.from(bytes);
      }
      continue;
    }
    const p = /Path: ([^,]+), Type: (\w+), ReportID: 0x([0-9a-fA-F]+), Offset: (\d+), Size: (\d+), Value: (\S+)/.exec(line);
    if (p) {
      const type = TYPE_WORDS[p[2]!.toLowerCase()];
      if (!type) continue;
      const rp: RecordedPath = {
        path: p[1]!.trim(),
        type,
        reportId: parseInt(p[3]!, 16),
        offset: Number(p[4]),
        size: Number(p[5]),
        valueText: p[6]!,
        value: Number(p[6]),
        line: i + 1,
      };
      if (last) {
        rp.reportBytes = last.bytes;
        rp.reportKind = last.kind;
      }
      paths.push(rp);
      continue;
    }
    // hid-recorder (hid-tools): "R: 183 05 84 ..." descriptor, "E: 000001.000123 7 0b 90 01 ..." input events
    const hr = /^R: (\d+)((?:\s+[0-9a-fA-F]{2})+)\s*$/.exec(line);
    if (hr) {
      if (!descriptor) descriptor = Uint8Array.from(hexBytes(hr[2]!.trim().split(/\s+/)) ?? []);
      continue;
    }
    const he = /^E: \d+\.\d+ (\d+)((?:\s+[0-9a-fA-F]{2})+)\s*$/.exec(line);
    if (he) {
      const bytes = hexBytes(he[2]!.trim().split(/\s+/)) ?? [];
      const e: RecordedEntry = { kind: 'int', id: bytes[0] ?? 0, type: 'input', bytes: Uint8Array.from(bytes), line: i + 1, declared: Number(he[1]) };
      entries.push(e);
      last = e;
      continue;
    }
    const t = /^\s*(input|output|feature)\s+(0x[0-9a-fA-F]+|\d+)\s+((?:[0-9a-fA-F]{2}\s*)+)$/i.exec(line);
    if (t) {
      const bytes = hexBytes(t[3]!.trim().split(/\s+/)) ?? [];
      const e: RecordedEntry = { kind: t[1]!.toLowerCase(), id: Number(t[2]), type: TYPE_WORDS[t[1]!.toLowerCase()]!, bytes: Uint8Array.from(bytes), line: i + 1, declared: bytes.length };
      entries.push(e);
      last = e;
    }
  }
  const reports = new Map<string, RecordedReport>();
  const byId = new Map<number, RecordedReport>();
  for (const e of entries) {
    if (e.kind === 'buf') continue; // NUT's own buffer copy, not a device read
    const key = `${e.type}:${e.id}`;
    const r: RecordedReport = { id: e.id, type: e.type, bytes: e.bytes };
    if (!reports.has(key)) reports.set(key, r);
    const prev = byId.get(e.id);
    if (!prev || (prev.type !== 'feature' && e.type === 'feature')) byId.set(e.id, r);
  }
  const out: RecordedReports = { byId, reports, entries, paths };
  if (descriptor) out.descriptor = descriptor;
  return out;
}

/**
 * Descriptor hex text → bytes. Accepts "05 84 09 04", "0x05, 0x84", one or
 * many per line, '#' and '//' comments. Throws HidParseError naming the byte
 * offset (in the resulting descriptor) where a bad token sits, with its line.
 */
export function parseHexText(text: string): Uint8Array {
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const body = lines[n]!.replace(/(#|\/\/).*$/, '');
    for (const tok of body.split(/[\s,]+/).filter(Boolean)) {
      const t = tok.replace(/^0x/i, '');
      if (!HEX_BYTE.test(t)) throw new HidParseError(out.length, `line ${n + 1}: '${tok}' is not a hex byte`);
      out.push(parseInt(t, 16));
    }
  }
  return Uint8Array.from(out);
}

/**
 * A descriptor file's content → bytes: hex text (as in ../shared/hid), a NUT
 * debug log with a "Report Descriptor:" dump, or raw binary.
 */
export function readDescriptorData(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString('latin1');
  if (/Report Descriptor: \(\d+ bytes\)/.test(text) || /^R: \d+ /m.test(text)) {
    const rec = readRecordedReports(text);
    if (rec.descriptor) return rec.descriptor;
  }
  if (/^[\s0-9a-fA-Fx,#/]*$/.test(text.replace(/(#|\/\/).*$/gm, '')) && /[0-9a-fA-F]{2}/.test(text)) return parseHexText(text);
  return data;
}
