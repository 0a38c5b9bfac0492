/**
 * The data model of a USB HID report descriptor (HID 1.11, §6.2.2), as the
 * rest of usbhid-ups builds on it: the raw items, the fields ("HID objects"
 * in NUT's words) with their NUT path names, and the reports with their sizes.
 *
 * Conventions:
 * - A usage is a 32-bit number: (usage page << 16) | usage id, unsigned.
 * - A field's bitOffset counts from the first bit AFTER the report id byte
 *   (what NUT's debug log prints as "Offset"). Report bytes handed to
 *   decodeField/encodeField include the report id byte first when the
 *   report id is not 0 (as read from the device, and as NUT's log shows them).
 * - Names here are stable: later additions add fields, never rename.
 */
import { WalnutError } from '../../../common/errors.js';

export type HidReportType = 'input' | 'output' | 'feature';

export type HidItemType = 'main' | 'global' | 'local' | 'reserved' | 'long';

/** One item of the descriptor, exactly as it sits in the bytes. */
export interface HidItem {
  /** Byte offset of the item's prefix in the descriptor. */
  offset: number;
  /** Total length in bytes (prefix + data; long items: 3 + data). */
  length: number;
  type: HidItemType;
  /** The 4-bit tag (long items: the bLongItemTag byte). */
  tag: number;
  /** Data size in bytes: 0, 1, 2 or 4 for short items; any for long items. */
  dataSize: number;
  /** The data as an unsigned little-endian number (0 for long items). */
  data: number;
  /** The raw data bytes (for long items and for printing). */
  raw: Uint8Array;
  /** Human name: 'Usage Page', 'Logical Minimum', 'Input', 'Collection', ... */
  name: string;
  /** Collection depth at this item (End Collection: depth after closing). */
  depth: number;
}

/** Main-item data bits (HID 1.11 §6.2.2.5). */
export interface HidMainFlags {
  constant: boolean; // bit 0: Data(0) / Constant(1)
  variable: boolean; // bit 1: Array(0) / Variable(1)
  relative: boolean; // bit 2: Absolute(0) / Relative(1)
  wrap: boolean; // bit 3
  nonLinear: boolean; // bit 4
  noPreferred: boolean; // bit 5
  nullState: boolean; // bit 6
  volatile: boolean; // bit 7 (not for Input)
  bufferedBytes: boolean; // bit 8
}

/** One report element that carries a usage (NUT: an "HID object"). */
export interface HidField {
  /** NUT path name, e.g. UPS.PowerSummary.PresentStatus.ACPresent (generic usage table). */
  path: string;
  /** The usage of the element itself: (page << 16) | id. */
  usage: number;
  /**
   * The full path as numbers: collection usages, instance nodes
   * (0x00ff0000 | n, printed as "[n]") and the element's usage last.
   */
  usagePath: number[];
  reportId: number;
  type: HidReportType;
  /** Bit offset inside the report, after the report id byte. */
  bitOffset: number;
  /** Report Size of the element, in bits. */
  bitSize: number;
  logMin: number;
  logMax: number;
  physMin: number;
  physMax: number;
  /** Unit item value (e.g. 0x00f0d121 volt), 0 when none. */
  unit: number;
  /** Unit Exponent, already signed (nibble -8..7, or the item's signed value). */
  unitExponent: number;
  /** Raw main-item data bits. */
  flagBits: number;
  flags: HidMainFlags;
  /** Index of this element inside its main item (0 = first of Report Count). */
  index: number;
  /** Byte offset of the main item (Input/Output/Feature) that made this field. */
  itemOffset: number;
  /** Array items: the usages the element's value indexes (else undefined). */
  arrayUsages?: number[];
}

/** One report (id and direction) with its total size. */
export interface HidReport {
  id: number;
  type: HidReportType;
  /** Payload size in bits (all elements incl. padding, without the id byte). */
  bits: number;
  /** Bytes on the wire: ceil(bits / 8) plus 1 for the id byte when id != 0. */
  bytes: number;
}

export interface HidCollection {
  usage: number;
  /** Collection type byte (0 physical, 1 application, 2 logical, 0x80.. vendor). */
  kind: number;
  offset: number;
  depth: number;
}

export interface HidWarning {
  offset: number;
  message: string;
}

export interface HidDescriptor {
  /** The descriptor bytes, as parsed. */
  bytes: Uint8Array;
  items: HidItem[];
  fields: HidField[];
  /** Keyed by reportKey(type, id). */
  reports: Map<string, HidReport>;
  collections: HidCollection[];
  /** True when the descriptor has Report ID items (then report bytes start with the id). */
  usesReportIds: boolean;
  /** Fix-ups applied, like NUT's "LogMax is less than LogMin" correction. */
  warnings: HidWarning[];
}

export function reportKey(type: HidReportType, id: number): string {
  return `${type}:${id}`;
}

/** A malformed descriptor; `offset` is the byte offset of the offending item. */
export class HidParseError extends WalnutError {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super('HID_PARSE', `HID report descriptor, byte offset ${offset} (0x${offset.toString(16).padStart(4, '0')}): ${message}`);
    this.offset = offset;
  }
}

/** A report that does not fit a field (too short, unsupported size); `offset` is the byte offset in the report. */
export class HidDecodeError extends WalnutError {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super('HID_DECODE', `HID report, byte offset ${offset}: ${message}`);
    this.offset = offset;
  }
}

/** Usage → name, for one page or several: the key is the full 32-bit usage. */
export type UsageTable = ReadonlyMap<number, string>;
