/** Shared helpers of the hid-*.test.ts files: the ../shared/hid devices and an independent item walker. */
import fs from 'node:fs';
import path from 'node:path';
import { SHARED_DIR } from '../../support/peers.js';

export const HID_DIR = path.join(SHARED_DIR, 'hid');

export interface SharedDevice {
  name: string;
  dir: string;
  descriptorHex: string;
  log?: string;
  reportsTxt?: string;
  expectedUpsc?: string;
}

export function sharedDevices(): SharedDevice[] {
  if (!fs.existsSync(HID_DIR)) return [];
  return fs
    .readdirSync(HID_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(HID_DIR, e.name, 'descriptor.hex')))
    .map((e) => {
      const dir = path.join(HID_DIR, e.name);
      const opt = (f: string): string | undefined => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
      const d: SharedDevice = { name: e.name, dir, descriptorHex: fs.readFileSync(path.join(dir, 'descriptor.hex'), 'utf8') };
      const log = opt('usbhid-ups-debug.log');
      const rep = opt('reports.txt');
      const up = opt('expected-upsc.txt');
      if (log !== undefined) d.log = log;
      if (rep !== undefined) d.reportsTxt = rep;
      if (up !== undefined) d.expectedUpsc = up;
      return d;
    });
}

/** Hex text → bytes, the simplest way (independent of the library's reader). */
export function hexToBytes(text: string): Uint8Array {
  return Uint8Array.from((text.match(/[0-9a-fA-F]{2}/g) ?? []).map((h) => parseInt(h, 16)));
}

/**
 * An independent walk over the raw item headers (HID 1.11 §6.2.2.2): the
 * item count and the bits of every report (Report Size × Report Count per
 * Input/Output/Feature item, by report id, with Push/Pop of the globals).
 */
export function walkRaw(b: Uint8Array): { items: number; bits: Map<string, number> } {
  let items = 0;
  let size = 0;
  let count = 0;
  let id = 0;
  const stack: Array<[number, number, number]> = [];
  const bits = new Map<string, number>();
  const names: Record<number, string> = { 0x80: 'input', 0x90: 'output', 0xb0: 'feature' };
  for (let i = 0; i < b.length; ) {
    const p = b[i]!;
    if (p === 0xfe) {
      items++;
      i += 3 + b[i + 1]!;
      continue;
    }
    const n = [0, 1, 2, 4][p & 3]!;
    let v = 0;
    for (let k = n - 1; k >= 0; k--) v = v * 256 + b[i + 1 + k]!;
    const tagType = p & 0xfc;
    if (tagType === 0x74) size = v;
    else if (tagType === 0x94) count = v;
    else if (tagType === 0x84) id = v;
    else if (tagType === 0xa4) stack.push([size, count, id]);
    else if (tagType === 0xb4) [size, count, id] = stack.pop()!;
    else if (names[tagType]) {
      const key = `${names[tagType]}:${id}`;
      bits.set(key, (bits.get(key) ?? 0) + size * count);
    }
    items++;
    i += 1 + n;
  }
  return { items, bits };
}
