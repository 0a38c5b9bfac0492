/**
 * Conversions named by the subdriver tables (NUT's info_lkp_t tables and
 * conversion functions), with their reverse for writes, and a printf subset
 * that rounds like C (exact ties go to the even digit).
 */
import type { ConverterName } from './types.js';

export interface Converter {
  /** Device value → published string; undefined when the value has no meaning (nothing is published). */
  toNut(value: number): string | undefined;
  /** Published string → device value; undefined when the text is not one of the values. */
  fromNut?(text: string): number | undefined;
  /** The published values, for enums. */
  values?: readonly string[];
  /** For unit conversions: the number before formatting (a row's `format` then applies). */
  numeric?: (value: number) => number;
}

function lookup(pairs: ReadonlyArray<[number, string]>): Converter {
  return {
    toNut: (v) => pairs.find(([k]) => k === v)?.[1],
    fromNut: (t) => pairs.find(([, s]) => s === t)?.[0],
    values: pairs.map(([, s]) => s),
  };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** HID/USB date: ((year - 1980) << 9) | (month << 5) | day. */
export function hidDate(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const v = Math.trunc(value);
  const year = 1980 + (v >> 9);
  const month = (v >> 5) & 0x0f;
  const day = v & 0x1f;
  return `${year}/${pad2(month)}/${pad2(day)}`;
}

function hidDateFrom(text: string): number | undefined {
  const m = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]) - 1980;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 0 || y > 127 || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  return (y << 9) | (mo << 5) | d;
}

/** APC battery replacement date: the value printed in hex reads MMDDYY. */
export function apcDate(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const hex = Math.trunc(value).toString(16).padStart(6, '0');
  if (!/^\d{6}$/.test(hex)) return undefined;
  const mm = hex.slice(0, 2);
  const dd = hex.slice(2, 4);
  const yy = Number(hex.slice(4, 6));
  // APC counts years from 2000 (a two-digit year above 70 belongs to the 1900s)
  const year = yy > 70 ? 1900 + yy : 2000 + yy;
  return `${year}/${mm}/${dd}`;
}

function apcDateFrom(text: string): number | undefined {
  const m = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(text);
  if (!m) return undefined;
  return parseInt(`${m[2]}${m[3]}${m[1]!.slice(2)}`, 16);
}

export const CONVERTERS: Readonly<Record<ConverterName, Converter>> = {
  date: { toNut: hidDate, fromNut: hidDateFrom },
  apcDate: { toNut: apcDate, fromNut: apcDateFrom },
  beeper: lookup([
    [1, 'disabled'],
    [2, 'enabled'],
    [3, 'muted'],
  ]),
  eatonBeeper: lookup([
    [1, 'disabled'],
    [2, 'enabled'],
    [3, 'muted'],
  ]),
  testResult: lookup([
    [1, 'Done and passed'],
    [2, 'Done and warning'],
    [3, 'Done and error'],
    [4, 'Aborted'],
    [5, 'In progress'],
    [6, 'No test initiated'],
    [7, 'Test scheduled'],
  ]),
  yesno: lookup([
    [0, 'no'],
    [1, 'yes'],
  ]),
  mgeYesNo: lookup([
    [0, 'no'],
    [1, 'yes'],
  ]),
  onoff: lookup([
    [0, 'disabled'],
    [1, 'enabled'],
  ]),
  onOffStatus: lookup([
    [0, 'off'],
    [1, 'on'],
  ]),
  apcSensitivity: lookup([
    [0, 'low'],
    [1, 'medium'],
    [2, 'high'],
  ]),
  eatonSensitivity: lookup([
    [0, 'normal'],
    [1, 'high'],
    [2, 'low'],
  ]),
  eatonEcoMode: lookup([
    [0, 'normal'],
    [1, 'High Efficiency'],
    [2, 'ESS'],
  ]),
  kelvinToCelsius: {
    numeric: (v) => v - 273.15,
    toNut: (v) => formatNumber('%.1f', v - 273.15),
    fromNut: (t) => (isNumeric(t) ? Number(t) + 273.15 : undefined),
  },
  secondsToMinutes: {
    toNut: (v) => formatNumber('%.0f', Math.trunc(v / 60)),
    fromNut: (t) => (isNumeric(t) ? Number(t) * 60 : undefined),
  },
  minutesToSeconds: {
    toNut: (v) => formatNumber('%.0f', v * 60),
    fromNut: (t) => (isNumeric(t) ? Math.trunc(Number(t) / 60) : undefined),
  },
  trippliteVoltage: {
    // Some Tripp Lite units report 12 V-class values in tenths of a volt
    toNut: (v) => formatNumber('%.1f', v),
  },
  cpsBatteryVoltage: {
    // Applied by the CyberPower quirk on the value; published with one decimal
    toNut: (v) => formatNumber('%.1f', v),
  },
  liebertDivide10: {
    toNut: (v) => formatNumber('%.1f', v > 100 ? v / 10 : v),
  },
  percent: {
    toNut: (v) => (v >= 0 && v <= 100 ? formatNumber('%.0f', v) : undefined),
    fromNut: (t) => (isNumeric(t) ? Number(t) : undefined),
  },
  divide10: { toNut: (v) => formatNumber('%.1f', v / 10), fromNut: (t) => (isNumeric(t) ? Number(t) * 10 : undefined) },
  divide100: { toNut: (v) => formatNumber('%.2f', v / 100), fromNut: (t) => (isNumeric(t) ? Number(t) * 100 : undefined) },
  divide1000: { toNut: (v) => formatNumber('%.3f', v / 1000), fromNut: (t) => (isNumeric(t) ? Number(t) * 1000 : undefined) },
};

export function isNumeric(text: string): boolean {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text);
}

/**
 * Fixed-point rendering like C's printf("%.Nf"): the exact binary value is
 * rounded, and an exact tie goes to the even digit (printf("%.0f", 26.5) is "26").
 */
export function toFixedC(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  // Up to 100 fraction digits toFixed is the exact decimal expansion for our magnitudes
  const extra = Math.min(100, digits + 40);
  const exact = Math.abs(x).toFixed(extra);
  const dot = exact.indexOf('.');
  const keep = exact.slice(0, dot + 1 + digits);
  const rest = exact.slice(dot + 1 + digits);
  const first = rest.charCodeAt(0) - 48;
  const tail = rest.slice(1);
  let roundUp = false;
  if (first > 5) roundUp = true;
  else if (first === 5) {
    if (/[1-9]/.test(tail)) roundUp = true;
    else {
      const lastKept = keep.replace('.', '');
      const lastDigit = lastKept.charCodeAt(lastKept.length - 1) - 48;
      roundUp = lastDigit % 2 === 1;
    }
  }
  let body = digits === 0 ? keep.slice(0, -1) : keep;
  if (roundUp) body = incrementDecimal(body);
  // C keeps the sign of negative values that round to zero ("-0")
  return (x < 0 || Object.is(x, -0) ? '-' : '') + body;
}

function incrementDecimal(s: string): string {
  const chars = s.split('');
  let i = chars.length - 1;
  while (i >= 0) {
    const c = chars[i]!;
    if (c === '.') {
      i--;
      continue;
    }
    if (c === '9') {
      chars[i] = '0';
      i--;
    } else {
      chars[i] = String.fromCharCode(c.charCodeAt(0) + 1);
      return chars.join('');
    }
  }
  return '1' + chars.join('');
}

/** The printf subset the tables use: %[0][width][.prec](f|d|i|s), with surrounding text. */
export function formatNumber(format: string, value: number): string {
  return format.replace(/%(-?)(0?)(\d*)(?:\.(\d+))?([fdisx%])/g, (_m, left: string, zero: string, width: string, prec: string | undefined, conv: string) => {
    let s: string;
    switch (conv) {
      case '%':
        return '%';
      case 'f':
        s = toFixedC(value, prec === undefined ? 6 : Number(prec));
        break;
      case 'd':
      case 'i':
        s = String(Math.trunc(value));
        break;
      case 'x':
        s = Math.trunc(value).toString(16);
        break;
      default:
        s = String(value);
    }
    const w = width ? Number(width) : 0;
    if (s.length < w) {
      if (left) s = s.padEnd(w, ' ');
      else if (zero && conv !== 's') {
        const neg = s.startsWith('-');
        s = (neg ? '-' : '') + s.slice(neg ? 1 : 0).padStart(w - (neg ? 1 : 0), '0');
      } else s = s.padStart(w, ' ');
    }
    return s;
  });
}
