/**
 * A small pure reader for NUT DDL .dev files (../shared/ddl) that carry a
 * usbhid-ups debug/explore log: the upsc variables, the "Path: ..., Value: ..."
 * lines and the USB identification lines of the same unit.
 */

export interface DevPathValue {
  path: string;
  type: string;
  reportId: number;
  value: number;
}

export interface DevFile {
  /** upsc variables (the uncommented `name: value` lines), value kept byte for byte after ": ". */
  vars: Map<string, string>;
  /** First value seen for each path (the initial explore read), in file order. */
  paths: Map<string, DevPathValue>;
  /** Every Path line, in order. */
  allPaths: DevPathValue[];
  /** "#CMD:" lines, when present. */
  commands: string[];
  /** The "upscmd -l" listing (commented "name - description" lines), when present. */
  upscmd: string[];
  /** The "upsrw" listing (commented "[name]" blocks), when present. */
  upsrw: Map<string, { type: string; length?: number; value?: string }>;
  vendorId?: string;
  productId?: string;
  strings: { vendor?: string; product?: string; serial?: string };
}

const PATH_RE = /Path: ([^,]+), Type: (\w+), ReportID: 0x([0-9a-fA-F]+), Offset: \d+, Size: \d+, Value: (-?[0-9.eE+-]+)\s*$/;
const VAR_RE = /^([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+): ?(.*)$/;

export function parseDevFile(text: string): DevFile {
  const out: DevFile = { vars: new Map(), paths: new Map(), allPaths: [], commands: [], upscmd: [], upsrw: new Map(), strings: {} };
  let inCmdList = false;
  let rwVar: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#')) {
      const body = line.replace(/^#\s?/, '');
      if (/^Instant commands supported on UPS/.test(body)) {
        inCmdList = true;
        continue;
      }
      if (inCmdList) {
        if (body.trim() === '') continue;
        const c = /^([a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+) - /.exec(body);
        if (c) {
          out.upscmd.push(c[1]!);
          continue;
        }
        inCmdList = false;
      }
      const head = /^\s*\[([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\]\s*$/.exec(body);
      if (head) {
        rwVar = head[1]!;
        out.upsrw.set(rwVar, { type: '' });
        continue;
      }
      if (rwVar) {
        const entry = out.upsrw.get(rwVar)!;
        const ty = /^\s*Type: (.*)$/.exec(body);
        const len = /^\s*Maximum length: (\d+)/.exec(body);
        const val = /^\s*Value: (.*)$/.exec(body);
        if (ty) entry.type = ty[1]!.trim();
        else if (len) entry.length = Number(len[1]);
        else if (val) entry.value = val[1]!;
        else if (/^\s*$/.test(body) || /^DEVICE:/.test(body)) rwVar = /^DEVICE:/.test(body) ? undefined : rwVar;
      }
    } else {
      inCmdList = false;
      rwVar = undefined;
    }
    if (!line.startsWith('#')) {
      const m = VAR_RE.exec(line);
      if (m) out.vars.set(m[1]!, m[2]!);
      continue;
    }
    const p = PATH_RE.exec(line);
    if (p) {
      const pv: DevPathValue = { path: p[1]!, type: p[2]!, reportId: parseInt(p[3]!, 16), value: Number(p[4]) };
      out.allPaths.push(pv);
      if (!out.paths.has(pv.path)) out.paths.set(pv.path, pv);
      continue;
    }
    const c = /^#CMD:(\S+)/.exec(line);
    if (c) {
      out.commands.push(c[1]!);
      continue;
    }
    const id = /- (VendorID|ProductID|Manufacturer|Product|Serial Number): (.*)$/.exec(line);
    if (id) {
      const [, key, val] = id;
      if (key === 'VendorID') out.vendorId ??= val!.trim().toLowerCase();
      else if (key === 'ProductID') out.productId ??= val!.trim().toLowerCase();
      else if (key === 'Manufacturer') out.strings.vendor ??= val!;
      else if (key === 'Product') out.strings.product ??= val!;
      else out.strings.serial ??= val!;
    }
  }
  return out;
}
