/**
 * `walnut hid`: look inside USB HID Power Device data without a device.
 *
 *   walnut hid explain DESCRIPTOR [REPORTS] [--json | --nut] [--subdriver NAME]
 *                      [--vendorid HEX] [--productid HEX] [--no-fix]
 *   walnut hid print DESCRIPTOR
 *
 * DESCRIPTOR: hex text (as in ../shared/hid/<device>/descriptor.hex), a
 * usbhid-ups debug log that dumps it ("Report Descriptor: (N bytes) => ..."),
 * or the raw binary. REPORTS: a usbhid-ups debug log (Report[get] lines) or
 * a reports.txt ("input 0x0b 0b 90 01 ..."). The subdriver is chosen like
 * usbhid-ups does, from the vendor/product id (options, or the "- VendorID:"
 * / "- ProductID:" lines of the log); none given: the generic HID fallback.
 */
import fs from 'node:fs';
import { fixFields } from '../drivers/usbhid/driver-runtime.js';
import { explainDescriptor, formatExplanation, formatNutPaths, GENERIC_USAGES, printDescriptor, readDescriptorData, readRecordedReports, usageTableFromNames, type HidField, type RecordedReports } from '../drivers/usbhid/hid/index.js';
import { createHidMapper, selectSubdriver, subdriverVersionData } from '../drivers/usbhid/subdrivers/index.js';

export interface HidCliIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: HidCliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

const USAGE = `usage: walnut hid explain DESCRIPTOR [REPORTS] [--json | --nut] [--subdriver NAME] [--vendorid HEX] [--productid HEX] [--no-fix]
       walnut hid print DESCRIPTOR

  explain   every HID path with report id, type, bit offset/size, logical and
            physical range, unit; with REPORTS each path's decoded value and
            the NUT variable and status token the subdriver makes of it;
            --json for machines, --nut for usbhid-ups explore's "Path:" lines
  print     the descriptor, one item per line
`;

interface Args {
  cmd: string;
  files: string[];
  json: boolean;
  /** --nut: the values as usbhid-ups explore logs them ("Path: ..., Value: ..."), generic names */
  nut: boolean;
  subdriver?: string;
  vendorId?: number;
  productId?: number;
  fix: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { cmd: '', files: [], json: false, nut: false, fix: true };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const value = (): string | undefined => {
      const eq = w.indexOf('=');
      if (eq > 0) return w.slice(eq + 1);
      i++;
      return argv[i];
    };
    const name = w.replace(/=.*$/, '');
    if (name === '--json') a.json = true;
    else if (name === '--nut') a.nut = true;
    else if (name === '--no-fix') a.fix = false;
    else if (name === '--subdriver') {
      const v = value();
      if (!v) return '--subdriver needs a name';
      a.subdriver = v;
    } else if (name === '--vendorid' || name === '--productid') {
      const v = value();
      if (!v || !/^(0x)?[0-9a-fA-F]{1,4}$/.test(v)) return `${name} needs a hex id (e.g. 051d)`;
      if (name === '--vendorid') a.vendorId = parseInt(v.replace(/^0x/i, ''), 16);
      else a.productId = parseInt(v.replace(/^0x/i, ''), 16);
    } else if (w === '-h' || w === '--help') return 'help';
    else if (w.startsWith('-') && w !== '-') return `unknown option ${w}`;
    else if (!a.cmd) a.cmd = w;
    else a.files.push(w);
  }
  return a;
}

function readFile(p: string): Uint8Array {
  return p === '-' ? fs.readFileSync(0) : fs.readFileSync(p);
}

/** Device identity from a usbhid-ups log ("- VendorID: 051d", "- Product: ..."). */
export function logIdentity(text: string): { vendorId?: number; productId?: number; vendor?: string; product?: string } {
  const out: { vendorId?: number; productId?: number; vendor?: string; product?: string } = {};
  const vid = /- VendorID: ([0-9a-fA-F]{4})/.exec(text);
  const pid = /- ProductID: ([0-9a-fA-F]{4})/.exec(text);
  const mfr = /- Manufacturer: (.*)$/m.exec(text);
  const prod = /- Product: (.*)$/m.exec(text);
  if (vid) out.vendorId = parseInt(vid[1]!, 16);
  if (pid) out.productId = parseInt(pid[1]!, 16);
  if (mfr) out.vendor = mfr[1]!.trim();
  if (prod) out.product = prod[1]!.trim();
  return out;
}


async function explain(a: Args, io: HidCliIo): Promise<number> {
  const [descPath, repPath] = a.files;
  if (!descPath || a.files.length > 2) {
    io.err(USAGE);
    return 1;
  }
  const descData = readFile(descPath);
  const bytes = readDescriptorData(descData);
  let reports: RecordedReports | undefined;
  let ident: ReturnType<typeof logIdentity> = {};
  if (repPath) {
    const text = Buffer.from(readFile(repPath)).toString('utf8');
    reports = readRecordedReports(text);
    ident = logIdentity(text);
    if (reports.entries.length === 0) io.err(`walnut hid: warning: no reports found in ${repPath}\n`);
  } else {
    ident = logIdentity(Buffer.from(descData).toString('latin1'));
  }
  const vid = a.vendorId ?? ident.vendorId;
  const pid = a.productId ?? ident.productId;
  const sd = selectSubdriver(vid ?? 0, pid ?? 0, ident.vendor, ident.product, a.subdriver);
  // Paths for the mapper: parse once to know what the device has.
  const first = explainDescriptor(bytes);
  const mapper = createHidMapper(sd, { paths: first.rows.map((r) => r.path) });
  const fix = sd.quirks.fixReportDesc;
  const e = explainDescriptor(bytes, {
    ...(reports ? { reports } : {}),
    usages: a.nut ? GENERIC_USAGES : usageTableFromNames(sd.usages),
    mapper,
    subdriverName: `${subdriverVersionData(sd)}${vid !== undefined ? ` (${(vid ?? 0).toString(16).padStart(4, '0')}:${(pid ?? 0).toString(16).padStart(4, '0')})` : ''}`,
    ...(a.fix && fix ? { prepare: (fields: HidField[]) => void fixFields(fields, (ff) => fix(ff, vid ?? 0, pid ?? 0)) } : {}),
  });
  if (a.json) io.out(JSON.stringify(e, null, 2) + '\n');
  else if (a.nut) io.out(formatNutPaths(e));
  else io.out(formatExplanation(e));
  return 0;
}

export async function main(argv: string[], io: HidCliIo = stdio): Promise<number> {
  const a = parseArgs(argv);
  if (a === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (typeof a === 'string') {
    io.err(`walnut hid: ${a}\n${USAGE}`);
    return 1;
  }
  try {
    switch (a.cmd) {
      case 'explain':
        return await explain(a, io);
      case 'print': {
        const [p] = a.files;
        if (!p || a.files.length !== 1) {
          io.err(USAGE);
          return 1;
        }
        io.out(printDescriptor(readDescriptorData(readFile(p))));
        return 0;
      }
      default:
        io.err(a.cmd ? `walnut hid: unknown subcommand '${a.cmd}'\n${USAGE}` : USAGE);
        return 1;
    }
  } catch (e) {
    io.err(`walnut hid: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
