/**
 * Field values: report bytes ↔ logical ↔ physical ↔ the value NUT publishes.
 *
 * Decoding, with NUT's corrections (reference §4.3 "Decoding a value"):
 * 1. the raw element is masked to the bit width that LogMin/LogMax imply
 *    (real devices send garbage high bits), sign-extended only when
 *    LogMin < 0, then clamped to [LogMin, LogMax];
 * 2. logical → physical linear mapping, identity when PhyMin and PhyMax are
 *    both 0 (absent) or the ranges are empty;
 * 3. times 10^(UnitExponent − implied), where the Volt unit 0x00F0D121 and the
 *    VA/W unit 0x0000D121 carry an implied exponent of 7 (HID's SI units are
 *    g and cm: 1 V = 10^7 g·cm²·s⁻³·A⁻¹).
 * Encoding for writes is the inverse, rounded to an integer. It is NOT clamped
 * to [LogMin, LogMax]: writes such as -1 ("cancel the shutdown timer") go out
 * as the two's complement of the field's bits even where a descriptor says
 * LogMin 0 (clamping would turn "cancel" into 0, "shut down now"). Only what
 * the bits cannot hold is clamped (to -2^(n-1) .. 2^n - 1).
 */
import { HidDecodeError, type HidDescriptor, type HidField, type HidReportType, reportKey } from './types.js';

export const UNIT_VOLT = 0x00f0d121;
export const UNIT_WATT = 0x0000d121;

export interface DecodeOptions {
  /**
   * Read missing bytes past the end of a short report as 0 (NUT keeps a
   * zero-filled buffer of the descriptor's report size and devices often
   * answer with fewer bytes). Default false: a short report is refused.
   */
  zeroPad?: boolean;
}

/** Where the field's first bit sits in the report bytes (after the id byte). */
export function fieldBitStart(field: Pick<HidField, 'reportId' | 'bitOffset'>): number {
  return (field.reportId !== 0 ? 8 : 0) + field.bitOffset;
}

function checkReport(field: HidField, bytes: Uint8Array, zeroPad: boolean): void {
  if (field.bitSize > 32) throw new HidDecodeError(Math.floor(fieldBitStart(field) / 8), `${field.path}: fields wider than 32 bits (${field.bitSize}) are not numbers`);
  if (field.reportId !== 0) {
    if (bytes.length < 1) throw new HidDecodeError(0, `${field.path}: empty report (expected report id 0x${field.reportId.toString(16).padStart(2, '0')})`);
    if (bytes[0] !== field.reportId) {
      throw new HidDecodeError(0, `${field.path}: report id 0x${bytes[0]!.toString(16).padStart(2, '0')} is not the field's report id 0x${field.reportId.toString(16).padStart(2, '0')}`);
    }
  }
  const end = fieldBitStart(field) + field.bitSize;
  if (!zeroPad && end > bytes.length * 8) {
    throw new HidDecodeError(bytes.length, `${field.path}: report has ${bytes.length} byte(s), the field needs ${Math.ceil(end / 8)} (bits ${fieldBitStart(field)}..${end - 1})`);
  }
}

/** Unsigned little-endian bit string of up to 32 bits starting at bit `start` (missing bytes read 0). */
export function extractBits(bytes: Uint8Array, start: number, size: number): number {
  let v = 0;
  for (let k = size - 1; k >= 0; k--) {
    const idx = start + k;
    const bit = ((bytes[idx >> 3] ?? 0) >> (idx & 7)) & 1;
    v = v * 2 + bit;
  }
  return v;
}

/** Write the low `size` bits of `value` (two's complement for negatives) at bit `start`. */
export function insertBits(bytes: Uint8Array, start: number, size: number, value: number): void {
  let v = value < 0 ? 2 ** size + value : value;
  for (let k = 0; k < size; k++) {
    const idx = start + k;
    const bit = v % 2;
    v = Math.floor(v / 2);
    const b = idx >> 3;
    if (b >= bytes.length) return;
    if (bit) bytes[b]! |= 1 << (idx & 7);
    else bytes[b]! &= ~(1 << (idx & 7)) & 0xff;
  }
}

/** Bits needed to hold [logMin, logMax] (signed when logMin < 0); 0 when the range is empty. */
export function impliedWidth(logMin: number, logMax: number): number {
  if (logMin < 0) {
    let w = 1;
    while (w < 53 && (logMin < -(2 ** (w - 1)) || logMax > 2 ** (w - 1) - 1)) w++;
    return w;
  }
  if (logMax <= 0) return 0;
  let w = 1;
  while (w < 53 && logMax >= 2 ** w) w++;
  return w;
}

/** The corrected logical value of a raw element (steps 1 of the header). */
export function rawToLogical(field: Pick<HidField, 'logMin' | 'logMax' | 'bitSize'>, raw: number): number {
  let width = impliedWidth(field.logMin, field.logMax);
  if (width === 0 || width > field.bitSize) width = field.bitSize;
  if (width === 0) return field.logMin > 0 ? field.logMin : 0;
  let v = raw % 2 ** width;
  if (field.logMin < 0 && v >= 2 ** (width - 1)) v -= 2 ** width;
  if (field.logMax > field.logMin) v = Math.min(field.logMax, Math.max(field.logMin, v));
  return v;
}

/** The element's logical value (corrected, before physical mapping and exponent). */
export function decodeLogical(field: HidField, bytes: Uint8Array, opts: DecodeOptions = {}): number {
  checkReport(field, bytes, opts.zeroPad ?? false);
  return rawToLogical(field, extractBits(bytes, fieldBitStart(field), field.bitSize));
}

function hasPhysical(field: Pick<HidField, 'physMin' | 'physMax' | 'logMin' | 'logMax'>): boolean {
  return !(field.physMin === 0 && field.physMax === 0) && field.physMax !== field.physMin && field.logMax !== field.logMin;
}

export function logicalToPhysical(field: Pick<HidField, 'physMin' | 'physMax' | 'logMin' | 'logMax'>, v: number): number {
  if (!hasPhysical(field)) return v;
  return field.physMin + ((v - field.logMin) * (field.physMax - field.physMin)) / (field.logMax - field.logMin);
}

export function physicalToLogical(field: Pick<HidField, 'physMin' | 'physMax' | 'logMin' | 'logMax'>, v: number): number {
  if (!hasPhysical(field)) return v;
  return field.logMin + ((v - field.physMin) * (field.logMax - field.logMin)) / (field.physMax - field.physMin);
}

/** The exponent applied to the physical value: UnitExponent minus NUT's implied 7 for volts and VA/W. */
export function effectiveExponent(field: Pick<HidField, 'unit' | 'unitExponent'>): number {
  const implied = field.unit === UNIT_VOLT || field.unit === UNIT_WATT ? 7 : 0;
  return field.unitExponent - implied;
}

/** v × 10^exp, computed so that 1358 × 10^-2 is 13.58 exactly as printed. */
export function scale(v: number, exp: number): number {
  if (exp === 0) return v;
  return exp > 0 ? v * 10 ** exp : v / 10 ** -exp;
}

/** A logical value → the value NUT uses (physical mapping, then the exponent). */
export function logicalToValue(field: HidField, logical: number): number {
  return scale(logicalToPhysical(field, logical), effectiveExponent(field));
}

/**
 * Decode a field from its report bytes (report id byte first when the id is
 * not 0). Throws HidDecodeError (with the byte offset) when the report does
 * not fit the field.
 */
export function decodeField(field: HidField, reportBytes: Uint8Array, opts: DecodeOptions = {}): number {
  return logicalToValue(field, decodeLogical(field, reportBytes, opts));
}

/** NUT value → the logical value to write (rounded; clamped only to what the field's bits hold, see the header). */
export function valueToLogical(field: HidField, value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`${field.path}: cannot encode ${value}`);
  let v = Math.round(physicalToLogical(field, scale(value, -effectiveExponent(field))));
  const n = Math.min(field.bitSize, 52);
  if (n > 0) v = Math.min(2 ** n - 1, Math.max(-(2 ** (n - 1)), v));
  else v = 0;
  return v === 0 ? 0 : v; // no -0
}

/**
 * Encode `value` (in NUT's units) into the field's bits of `reportBytes`, in
 * place. Returns the logical value written. Throws HidDecodeError when the
 * report is too short or has another report id.
 */
export function encodeField(field: HidField, value: number, reportBytes: Uint8Array): number {
  checkReport(field, reportBytes, false);
  const logical = valueToLogical(field, value);
  insertBits(reportBytes, fieldBitStart(field), field.bitSize, logical);
  return logical;
}

/** A zero-filled report of the descriptor's size for (type, id), id byte set. */
export function newReport(desc: HidDescriptor, type: HidReportType, id: number): Uint8Array {
  const rep = desc.reports.get(reportKey(type, id));
  const len = rep ? rep.bytes : id !== 0 ? 1 : 0;
  const out = new Uint8Array(len);
  if (id !== 0 && len > 0) out[0] = id;
  return out;
}

/**
 * Format a value like NUT's debug log and upsc do for numbers (%g-like:
 * integers as integers, fractions without trailing zeros, 6 significant digits for
 * large or small magnitudes).
 */
export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const s = Number(v.toPrecision(6));
  return String(s);
}
