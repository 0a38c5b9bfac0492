/**
 * Descriptor printer and assembler: one item per line,
 *
 *   0x0000  05 84           Usage Page 0x84                ; Power Device
 *   0x0002  09 04           Usage 0x04                     ; UPS
 *   0x0004  a1 01           Collection 0x01                ; Application
 *
 * The offset and hex columns are for people; assembleDescriptor() reads only
 * the item name and its value, whose digit count carries the data size
 * (0x84 = 1 byte, 0x00ff = 2, 0x0000ffff = 4; no value = 0 bytes), so
 * parse → print → assemble gives back the same bytes.
 */
import { encodeItems, itemByName, signedData } from './items.js';
import { parseDescriptor } from './parser.js';
import { HidParseError, type HidItem, type UsageTable } from './types.js';
import { GENERIC_USAGES, pageName, usageName } from './usages.js';

const COLLECTION_KINDS: Record<number, string> = {
  0: 'Physical',
  1: 'Application',
  2: 'Logical',
  3: 'Report',
  4: 'Named Array',
  5: 'Usage Switch',
  6: 'Usage Modifier',
};

export function collectionKindName(kind: number): string {
  if (kind >= 0x80) return `Vendor-defined 0x${kind.toString(16)} (instance [${kind & 0x7f}])`;
  return COLLECTION_KINDS[kind] ?? `Reserved 0x${kind.toString(16)}`;
}

export function mainFlagWords(bits: number, input: boolean): string {
  const w = [
    bits & 0x01 ? 'Cnst' : 'Data',
    bits & 0x02 ? 'Var' : 'Arr',
    bits & 0x04 ? 'Rel' : 'Abs',
  ];
  if (bits & 0x08) w.push('Wrap');
  if (bits & 0x10) w.push('NonLin');
  if (bits & 0x20) w.push('NoPref');
  if (bits & 0x40) w.push('Null');
  if (!input && bits & 0x80) w.push('Vol');
  if (bits & 0x100) w.push('Buf');
  return w.join(',');
}

const KNOWN_UNITS: Record<number, string> = {
  0x00f0d121: 'volt',
  0x0000d121: 'watt / VA',
  0x00001001: 'second',
  0x00100001: 'ampere',
  0x00010001: 'kelvin',
  0x0000f001: 'hertz',
  0x00101001: 'ampere-second',
  0x0000e121: 'joule',
};

/** Unit item value → words ("volt", or the SI exponents). */
export function unitName(unit: number): string {
  const u = unit >>> 0;
  if (u === 0) return 'none';
  const known = KNOWN_UNITS[u];
  if (known) return known;
  const systems = ['none', 'SI linear', 'SI rotation', 'English linear', 'English rotation'];
  const nib = (i: number): number => {
    const n = (u >>> (i * 4)) & 0xf;
    return n > 7 ? n - 16 : n;
  };
  const sys = u & 0xf;
  const dims = ['length', 'mass', 'time', 'temperature', 'current', 'luminous'];
  const parts: string[] = [];
  dims.forEach((d, i) => {
    const e = nib(i + 1);
    if (e) parts.push(`${d}^${e}`);
  });
  return `${systems[sys] ?? `system ${sys}`}${parts.length ? ' ' + parts.join(' ') : ''}`;
}

function hexData(it: HidItem): string {
  if (it.type === 'long') return `0x${it.tag.toString(16).padStart(2, '0')} 0x${Buffer.from(it.raw).toString('hex')}`;
  if (it.dataSize === 0) return '';
  return `0x${it.data.toString(16).padStart(it.dataSize * 2, '0')}`;
}

/** What an item means, for the comment column. */
function meaning(it: HidItem, page: number, table: UsageTable): string {
  if (it.type === 'global') {
    switch (it.tag) {
      case 0x0:
        return pageName(it.data);
      case 0x1:
      case 0x2:
      case 0x3:
      case 0x4:
        return String(signedData(it.data, it.dataSize));
      case 0x5:
        return String(it.dataSize === 1 && it.data <= 0xf ? (it.data > 7 ? it.data - 16 : it.data) : signedData(it.data, it.dataSize));
      case 0x6:
        return unitName(it.data);
      case 0x7:
      case 0x8:
      case 0x9:
        return String(it.data);
      default:
        return '';
    }
  }
  if (it.type === 'local' && (it.tag === 0 || it.tag === 1 || it.tag === 2)) {
    const u = it.dataSize === 4 ? it.data >>> 0 : ((page << 16) | (it.data & 0xffff)) >>> 0;
    return usageName(u, table);
  }
  if (it.type === 'main') {
    if (it.tag === 0xa) return collectionKindName(it.data & 0xff);
    if (it.tag === 0x8 || it.tag === 0x9 || it.tag === 0xb) return mainFlagWords(it.data, it.tag === 0x8);
  }
  return '';
}

export interface PrintOptions {
  usages?: UsageTable;
}

/** Items → text, one item per line (see the header). */
export function printItems(items: readonly HidItem[], options: PrintOptions = {}): string {
  const table = options.usages ?? GENERIC_USAGES;
  const lines: string[] = [];
  let page = 0;
  const stack: number[] = [];
  for (const it of items) {
    if (it.type === 'global' && it.tag === 0x0) page = it.data & 0xffff;
    if (it.type === 'global' && it.tag === 0xa) stack.push(page);
    if (it.type === 'global' && it.tag === 0xb) page = stack.pop() ?? page;
    const prefixHex = it.type === 'long' ? ['fe', it.raw.length.toString(16).padStart(2, '0'), it.tag.toString(16).padStart(2, '0')] : [];
    const rawHex = [...(it.type === 'long' ? prefixHex : [(((it.tag & 0xf) << 4) | (['main', 'global', 'local', 'reserved'].indexOf(it.type) << 2) | (it.dataSize === 4 ? 3 : it.dataSize)).toString(16).padStart(2, '0')]), ...Array.from(it.raw, (b) => b.toString(16).padStart(2, '0'))];
    const hexCol = rawHex.length > 5 ? rawHex.slice(0, 5).join(' ') + ' ..' : rawHex.join(' ');
    const body = `${'  '.repeat(it.depth)}${it.name}${hexData(it) ? ' ' + hexData(it) : ''}`;
    const m = meaning(it, page, table);
    lines.push(`0x${it.offset.toString(16).padStart(4, '0')}  ${hexCol.padEnd(17)} ${m ? body.padEnd(40) + ' ; ' + m : body}`.trimEnd());
  }
  return lines.join('\n') + '\n';
}

/** Descriptor bytes → text. */
export function printDescriptor(bytes: Uint8Array, options: PrintOptions = {}): string {
  return printItems(parseDescriptor(bytes, options.usages ? { usages: options.usages } : {}).items, options);
}

/**
 * Printed text → descriptor bytes, from the item names and values only.
 * Throws HidParseError naming the byte offset (of the assembled output) and
 * the line of an item it cannot read.
 */
export function assembleDescriptor(text: string): Uint8Array {
  const items: Array<Pick<HidItem, 'type' | 'tag' | 'dataSize' | 'data' | 'raw'>> = [];
  let offset = 0;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/;.*$/, '').trim();
    if (!line) continue;
    const toks = line.split(/\s+/);
    let k = 0;
    if (/^0x[0-9a-f]+$/i.test(toks[0] ?? '') && toks.length > 1 && /^[0-9a-f]{2}$/.test(toks[1] ?? '')) k = 1; // offset column
    while (k < toks.length && (/^[0-9a-f]{2}$/.test(toks[k]!) || toks[k] === '..')) k++; // hex column
    const nameToks: string[] = [];
    while (k < toks.length && !/^0x/i.test(toks[k]!)) nameToks.push(toks[k++]!);
    const values = toks.slice(k);
    const name = nameToks.join(' ');
    if (name === 'Long Item') {
      const tag = /^0x([0-9a-f]{2})$/i.exec(values[0] ?? '');
      const data = /^0x((?:[0-9a-f]{2})*)$/i.exec(values[1] ?? '');
      if (!tag || !data) throw new HidParseError(offset, `line ${n + 1}: Long Item needs 0xTAG 0xDATA`);
      const raw = Uint8Array.from(Buffer.from(data[1]!, 'hex'));
      items.push({ type: 'long', tag: parseInt(tag[1]!, 16), dataSize: raw.length, data: 0, raw });
      offset += 3 + raw.length;
      continue;
    }
    const def = itemByName(name);
    if (!def) throw new HidParseError(offset, `line ${n + 1}: unknown item '${name}'`);
    let dataSize = 0;
    let data = 0;
    if (values.length > 1) throw new HidParseError(offset, `line ${n + 1}: more than one value`);
    if (values.length === 1) {
      const m = /^0x([0-9a-f]+)$/i.exec(values[0]!);
      if (!m || ![2, 4, 8].includes(m[1]!.length)) throw new HidParseError(offset, `line ${n + 1}: value '${values[0]}' must be 0x with 2, 4 or 8 hex digits`);
      dataSize = m[1]!.length / 2;
      data = parseInt(m[1]!, 16);
    }
    const raw = new Uint8Array(dataSize);
    let v = data;
    for (let i = 0; i < dataSize; i++) {
      raw[i] = v % 256;
      v = Math.floor(v / 256);
    }
    items.push({ type: def.type, tag: def.tag, dataSize, data, raw });
    offset += 1 + dataSize;
  }
  return encodeItems(items);
}
