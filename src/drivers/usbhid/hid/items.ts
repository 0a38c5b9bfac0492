/**
 * HID 1.11 §6.2.2.2-§6.2.2.3: the item layer. Splits descriptor bytes into
 * items (short and long) and encodes items back into bytes.
 */
import { HidParseError, type HidItem, type HidItemType } from './types.js';

const TYPES: HidItemType[] = ['main', 'global', 'local', 'reserved'];

export const MAIN_NAMES: Record<number, string> = {
  0x8: 'Input',
  0x9: 'Output',
  0xa: 'Collection',
  0xb: 'Feature',
  0xc: 'End Collection',
};
export const GLOBAL_NAMES: Record<number, string> = {
  0x0: 'Usage Page',
  0x1: 'Logical Minimum',
  0x2: 'Logical Maximum',
  0x3: 'Physical Minimum',
  0x4: 'Physical Maximum',
  0x5: 'Unit Exponent',
  0x6: 'Unit',
  0x7: 'Report Size',
  0x8: 'Report ID',
  0x9: 'Report Count',
  0xa: 'Push',
  0xb: 'Pop',
};
export const LOCAL_NAMES: Record<number, string> = {
  0x0: 'Usage',
  0x1: 'Usage Minimum',
  0x2: 'Usage Maximum',
  0x3: 'Designator Index',
  0x4: 'Designator Minimum',
  0x5: 'Designator Maximum',
  0x7: 'String Index',
  0x8: 'String Minimum',
  0x9: 'String Maximum',
  0xa: 'Delimiter',
};

export function itemName(type: HidItemType, tag: number): string {
  switch (type) {
    case 'main':
      return MAIN_NAMES[tag] ?? `Main Reserved Tag ${tag}`;
    case 'global':
      return GLOBAL_NAMES[tag] ?? `Global Reserved Tag ${tag}`;
    case 'local':
      return LOCAL_NAMES[tag] ?? `Local Reserved Tag ${tag}`;
    case 'reserved':
      return `Reserved Type Tag ${tag}`;
    case 'long':
      return 'Long Item';
  }
}

/** Item type and tag from a printed name (the inverse of itemName), or undefined. */
export function itemByName(name: string): { type: HidItemType; tag: number } | undefined {
  for (const [type, table] of [
    ['main', MAIN_NAMES],
    ['global', GLOBAL_NAMES],
    ['local', LOCAL_NAMES],
  ] as const) {
    for (const [tag, n] of Object.entries(table)) if (n === name) return { type, tag: Number(tag) };
  }
  const m = /^(Main|Global|Local) Reserved Tag (\d+)$/.exec(name) ?? /^Reserved (Type) Tag (\d+)$/.exec(name);
  if (m && Number(m[2]) <= 15) {
    const type = m[1] === 'Main' ? 'main' : m[1] === 'Global' ? 'global' : m[1] === 'Local' ? 'local' : 'reserved';
    return { type, tag: Number(m[2]) };
  }
  return undefined;
}

/** Unsigned little-endian value of up to 4 bytes. */
export function leUnsigned(b: Uint8Array, start: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + (b[start + i] ?? 0);
  return v;
}

/** Signed interpretation of an item's data (two's complement in its own size). */
export function signedData(data: number, size: number): number {
  if (size === 0) return 0;
  const bits = size * 8;
  const half = 2 ** (bits - 1);
  return data >= half ? data - 2 ** bits : data;
}

/**
 * Split descriptor bytes into items. Throws HidParseError at the offset of a
 * truncated item. Depth bookkeeping is left to the parser (depth = 0 here).
 */
export function readItems(bytes: Uint8Array): HidItem[] {
  const items: HidItem[] = [];
  let i = 0;
  while (i < bytes.length) {
    const prefix = bytes[i]!;
    if (prefix === 0xfe) {
      // Long item: 0xfe, bDataSize, bLongItemTag, data
      if (i + 3 > bytes.length) throw new HidParseError(i, `long item header truncated (needs 3 bytes, ${bytes.length - i} left)`);
      const size = bytes[i + 1]!;
      const tag = bytes[i + 2]!;
      if (i + 3 + size > bytes.length) throw new HidParseError(i, `long item data truncated (needs ${size} bytes, ${bytes.length - i - 3} left)`);
      items.push({ offset: i, length: 3 + size, type: 'long', tag, dataSize: size, data: 0, raw: bytes.slice(i + 3, i + 3 + size), name: 'Long Item', depth: 0 });
      i += 3 + size;
      continue;
    }
    const sizeCode = prefix & 3;
    const size = sizeCode === 3 ? 4 : sizeCode;
    const type = TYPES[(prefix >> 2) & 3]!;
    const tag = prefix >> 4;
    if (i + 1 + size > bytes.length) {
      throw new HidParseError(i, `item ${itemName(type, tag)} (prefix 0x${prefix.toString(16).padStart(2, '0')}) needs ${size} data byte(s), ${bytes.length - i - 1} left`);
    }
    items.push({ offset: i, length: 1 + size, type, tag, dataSize: size, data: leUnsigned(bytes, i + 1, size), raw: bytes.slice(i + 1, i + 1 + size), name: itemName(type, tag), depth: 0 });
    i += 1 + size;
  }
  return items;
}

/** One item → bytes (short items from type/tag/dataSize/data; long items from raw). */
export function encodeItem(item: Pick<HidItem, 'type' | 'tag' | 'dataSize' | 'data' | 'raw'>): Uint8Array {
  if (item.type === 'long') {
    const out = new Uint8Array(3 + item.raw.length);
    out[0] = 0xfe;
    out[1] = item.raw.length;
    out[2] = item.tag;
    out.set(item.raw, 3);
    return out;
  }
  const sizeCode = item.dataSize === 4 ? 3 : item.dataSize;
  if (![0, 1, 2, 3].includes(sizeCode) || (item.dataSize !== 0 && item.dataSize !== 1 && item.dataSize !== 2 && item.dataSize !== 4)) {
    throw new RangeError(`short item data size must be 0, 1, 2 or 4 (got ${item.dataSize})`);
  }
  const typeCode = TYPES.indexOf(item.type);
  const out = new Uint8Array(1 + item.dataSize);
  out[0] = ((item.tag & 0xf) << 4) | (typeCode << 2) | sizeCode;
  let v = item.data;
  for (let k = 0; k < item.dataSize; k++) {
    out[1 + k] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

/** Items → descriptor bytes. */
export function encodeItems(items: readonly Pick<HidItem, 'type' | 'tag' | 'dataSize' | 'data' | 'raw'>[]): Uint8Array {
  const parts = items.map(encodeItem);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
