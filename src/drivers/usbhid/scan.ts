/**
 * `walnut scan` as a library (NUT's `nut-scanner -U`): from a list of
 * attached USB devices (src/transports/usb.ts listUsbDevices, or a test's
 * list), the HID UPS units a usbhid-ups subdriver claims, printed as
 * ready ups.conf sections or in nut-scanner's parsable form.
 */
import type { UsbDeviceInfo } from '../../transports/hid.js';
import { findSubdriver } from './subdrivers/index.js';

export interface ScanEntry {
  driver: string;
  port: string;
  /** Options in nut-scanner's order: vendorid, productid, product, serial, vendor, bus. */
  options: Array<[string, string]>;
  info: UsbDeviceInfo;
}

const HEX = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

/** The units `isUps` accepts (a HID interface is required when the list knows it). */
export function scanEntries(devices: readonly UsbDeviceInfo[], isUps: (d: UsbDeviceInfo) => boolean): ScanEntry[] {
  const out: ScanEntry[] = [];
  for (const d of devices) {
    if (d.hid === false || !isUps(d)) continue;
    const options: Array<[string, string]> = [
      ['vendorid', HEX(d.vendorId)],
      ['productid', HEX(d.productId)],
    ];
    if (d.product !== undefined) options.push(['product', d.product]);
    if (d.serial !== undefined) options.push(['serial', d.serial]);
    if (d.vendor !== undefined) options.push(['vendor', d.vendor]);
    options.push(['bus', d.bus]);
    out.push({ driver: 'usbhid-ups', port: 'auto', options, info: d });
  }
  return out;
}

/** A double-quoted ups.conf value (backslash and quote escaped, so the file parses back). */
function q(v: string): string {
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** nut-scanner's default display: one `[nutdevN]` ups.conf section per unit. */
export function formatUpsConf(entries: readonly ScanEntry[]): string {
  let s = '';
  entries.forEach((e, i) => {
    s += `[nutdev${i + 1}]\n\tdriver = ${q(e.driver)}\n\tport = ${q(e.port)}\n`;
    for (const [k, v] of e.options) s += `\t${k} = ${q(v)}\n`;
  });
  return s;
}

/** nut-scanner -P: `USB:driver="usbhid-ups",port="auto",vendorid="051D",...` */
export function formatParsable(entries: readonly ScanEntry[]): string {
  return entries.map((e) => `USB:driver=${q(e.driver)},port=${q(e.port)}${e.options.map(([k, v]) => `,${k}=${q(v)}`).join('')}\n`).join('');
}

export interface ScanOptions {
  list: () => Promise<UsbDeviceInfo[]>;
  isUps: (d: UsbDeviceInfo) => boolean;
  quiet?: boolean;
  format?: 'conf' | 'parsable';
}

export interface ScanResult {
  stdout: string;
  stderr: string;
  /** 0: units found; 1: none (as nut-scanner). */
  code: number;
  entries: ScanEntry[];
}

export async function scanUsb(opts: ScanOptions): Promise<ScanResult> {
  let stderr = opts.quiet ? '' : 'Scanning USB bus.\n';
  let devices: UsbDeviceInfo[];
  try {
    devices = await opts.list();
  } catch (e) {
    return { stdout: '', stderr: `${stderr}Cannot list USB devices: ${(e as Error).message}\n`, code: 1, entries: [] };
  }
  const entries = scanEntries(devices, opts.isUps);
  if (entries.length === 0) {
    stderr += 'No USB device found\n';
    return { stdout: '', stderr, code: 1, entries };
  }
  const stdout = opts.format === 'parsable' ? formatParsable(entries) : formatUpsConf(entries);
  return { stdout, stderr, code: 0, entries };
}

/** nut-scanner lists the IDs its drivers' tables know: the vendor subdrivers (not the generic fallback). */
export function isKnownUps(d: UsbDeviceInfo): boolean {
  return findSubdriver(d.vendorId, d.productId, d.vendor, d.product) !== undefined;
}
