/**
 * The Megatec "Q1" protocol family, as pure functions: the reply layouts
 * (which bytes feed which NUT variable, and how they are printed), the
 * validation that refuses malformed, truncated or noisy replies, the status
 * bits, and the instant command requests.
 *
 * Facts from shared/reference/nut-monitor-drivers.md §4.4 and the real
 * exchanges in shared/serial/megatec-q1.txt. Byte positions are NUT's: the
 * leading '(' or '#' is byte 0, ranges are inclusive.
 */

/** How a field is printed once parsed (NUT's printf formats). */
export type FieldFormat = 'f0' | 'f1' | 'f2' | 'text';

export interface ReplyField {
  /** NUT variable fed by the field. */
  name: string;
  from: number;
  /** Inclusive; undefined = to the end of the reply (before CR). */
  to?: number;
  format: FieldFormat;
}

/** A query and the layout of its reply. */
export interface ReplyLayout {
  /** What is sent, without the CR. */
  command: string;
  /** Leading byte of a valid reply. */
  leading: string;
  /** Minimum reply length in bytes, CR included. */
  minLength: number;
  /** Maximum accepted length, CR included (longer is noise). */
  maxLength: number;
  fields: ReplyField[];
  /** Byte positions that must be spaces (field separators). */
  separators: number[];
  /** Position of an 8-character status bit field (Q1 layout). */
  bitsAt?: number;
}

/** `(MMM.M NNN.N PPP.P QQQ RR.R S.SS TT.T b7b6b5b4b3b2b1b0` (46 bytes + CR). */
export function statusLayout(command: string): ReplyLayout {
  return {
    command,
    leading: '(',
    minLength: 47,
    maxLength: 47,
    fields: [
      { name: 'input.voltage', from: 1, to: 5, format: 'f1' },
      { name: 'input.voltage.fault', from: 7, to: 11, format: 'f1' },
      { name: 'output.voltage', from: 13, to: 17, format: 'f1' },
      { name: 'ups.load', from: 19, to: 21, format: 'f0' },
      { name: 'input.frequency', from: 23, to: 26, format: 'f1' },
      { name: 'battery.voltage', from: 28, to: 31, format: 'f2' },
      { name: 'ups.temperature', from: 33, to: 36, format: 'f1' },
    ],
    separators: [6, 12, 18, 22, 27, 32, 37],
    bitsAt: 38,
  };
}

/** `#VVV.V CCC BB.BB FF.F` (21 bytes + CR): the ratings. */
export const RATINGS_LAYOUT: ReplyLayout = {
  command: 'F',
  leading: '#',
  minLength: 22,
  maxLength: 22,
  fields: [
    { name: 'input.voltage.nominal', from: 1, to: 5, format: 'f0' },
    { name: 'input.current.nominal', from: 7, to: 9, format: 'f1' },
    { name: 'battery.voltage.nominal', from: 11, to: 15, format: 'f1' },
    { name: 'input.frequency.nominal', from: 17, to: 20, format: 'f0' },
  ],
  separators: [6, 10, 16],
};

/** `#<mfr 15> <model 10> <firmware 10>` (38 bytes + CR), NUT 2.8.0's layout. */
export function vendorLayout(command: string): ReplyLayout {
  return {
    command,
    leading: '#',
    minLength: 39,
    maxLength: 39,
    fields: [
      { name: 'device.mfr', from: 1, to: 15, format: 'text' },
      { name: 'device.model', from: 17, to: 26, format: 'text' },
      { name: 'ups.firmware', from: 28, to: 37, format: 'text' },
    ],
    separators: [],
  };
}

/**
 * The "Megatec IC" vendor dialect (one byte shorter, NUT 2.8.5):
 * mfr 1-7, ups.serial 8-15, model 17-21, battery.runtime 22-26, firmware 28-end.
 */
export const VENDOR_IC_LAYOUT: ReplyLayout = {
  command: 'I',
  leading: '#',
  minLength: 38,
  maxLength: 38,
  fields: [
    { name: 'device.mfr', from: 1, to: 7, format: 'text' },
    { name: 'ups.serial', from: 8, to: 15, format: 'text' },
    { name: 'device.model', from: 17, to: 21, format: 'text' },
    { name: 'battery.runtime', from: 22, to: 26, format: 'f0' },
    { name: 'ups.firmware', from: 28, format: 'text' },
  ],
  separators: [16, 27],
};

export interface ParsedValue {
  name: string;
  value: string;
}

export type ParseResult =
  | {
      ok: true;
      values: ParsedValue[];
      /** Fields present but not significant (blank, dashes, dots): not published. */
      skipped: string[];
      /** The 8 status characters, for status layouts. */
      bits?: string;
    }
  | { ok: false; reason: string };

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/;

/** NUT ignores values made only of blanks, dashes and dots ("non significant value"). */
export function isSignificant(text: string): boolean {
  return /[^\s.\-]/.test(text);
}

/** printf("%.Nf") as C prints it: exact ties go to the even digit. */
export function cFixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  const scaled = x * 10 ** digits;
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5 && Number.isSafeInteger(floor) && floor / 10 ** digits + 0.5 / 10 ** digits === x) {
    const even = floor % 2 === 0 ? floor : floor + 1;
    return (even / 10 ** digits).toFixed(digits);
  }
  return s === '-0' || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

export function formatNumber(x: number, f: Exclude<FieldFormat, 'text'>): string {
  return cFixed(x, f === 'f0' ? 0 : f === 'f1' ? 1 : 2);
}

/** Printable form of a reply for debug messages. */
export function showReply(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/**
 * Parses one reply (latin1 text, normally ending with CR) against a layout.
 * Anything that does not fit is refused with the reason: wrong leading byte,
 * wrong length, bytes that are not printable ASCII, a separator that is not
 * a space, a number field that is not a number, status bits not 0/1.
 */
export function parseReply(layout: ReplyLayout, raw: string): ParseResult {
  if (raw.length === 0) return { ok: false, reason: 'empty reply' };
  let text = raw;
  if (text.endsWith('\r')) text = text.slice(0, -1);
  else return { ok: false, reason: `reply not terminated by CR: "${showReply(raw)}"` };
  if (text.includes('\r')) return { ok: false, reason: `CR inside the reply: "${showReply(raw)}"` };
  const len = text.length + 1;
  if (text[0] !== layout.leading) {
    const echo = text === layout.command;
    return { ok: false, reason: echo ? `command ${layout.command} echoed back (not supported)` : `reply to ${layout.command} does not start with '${layout.leading}': "${showReply(raw)}"` };
  }
  if (len < layout.minLength) return { ok: false, reason: `reply to ${layout.command} too short (${len} bytes, need ${layout.minLength}): "${showReply(raw)}"` };
  if (len > layout.maxLength) return { ok: false, reason: `reply to ${layout.command} too long (${len} bytes, at most ${layout.maxLength}): "${showReply(raw)}"` };
  if (/[^\x20-\x7e]/.test(text)) return { ok: false, reason: `reply to ${layout.command} has non-printable bytes: "${showReply(raw)}"` };
  for (const p of layout.separators) {
    if (text[p] !== ' ') return { ok: false, reason: `reply to ${layout.command}: byte ${p} should be a space, not '${text[p] ?? ''}': "${showReply(raw)}"` };
  }
  const values: ParsedValue[] = [];
  const skipped: string[] = [];
  for (const f of layout.fields) {
    const field = text.slice(f.from, f.to === undefined ? undefined : f.to + 1);
    if (!isSignificant(field)) {
      skipped.push(f.name);
      continue;
    }
    if (f.format === 'text') {
      values.push({ name: f.name, value: field.trim() });
      continue;
    }
    if (!NUMBER.test(field)) return { ok: false, reason: `reply to ${layout.command}: ${f.name} is not a number ("${field}"): "${showReply(raw)}"` };
    values.push({ name: f.name, value: formatNumber(parseFloat(field), f.format) });
  }
  if (layout.bitsAt !== undefined) {
    const bits = text.slice(layout.bitsAt, layout.bitsAt + 8);
    if (!/^[01]{8}$/.test(bits)) return { ok: false, reason: `reply to ${layout.command}: status bits "${bits}" are not 8 binary digits: "${showReply(raw)}"` };
    return { ok: true, values, skipped, bits };
  }
  return { ok: true, values, skipped };
}

/* ------------------------------------------------------------ status bits */

export interface StatusInfo {
  /** ups.status tokens, in NUT's order. */
  tokens: string[];
  /** ups.alarm texts. */
  alarms: string[];
  /** ups.type */
  type: string;
  /** ups.beeper.status */
  beeper: 'enabled' | 'disabled';
}

/**
 * The eight Q1 status bits (b7..b0): utility fail, battery low,
 * bypass/boost/buck, UPS failed, UPS type, test in progress, shutdown
 * active, beeper on. Bit 5 is told apart by output/input voltage.
 */
export function decodeStatusBits(bits: string, inputVoltage: number | undefined, outputVoltage: number | undefined): StatusInfo {
  const b = (i: number) => bits[i] === '1';
  const tokens: string[] = [b(0) ? 'OB' : 'OL'];
  if (b(1)) tokens.push('LB');
  if (b(2) && inputVoltage !== undefined && outputVoltage !== undefined && inputVoltage > 0) {
    const r = outputVoltage / inputVoltage;
    if (r < 0.95) tokens.push('TRIM');
    else if (r < 1.05) tokens.push('BYPASS');
    else if (r < 1.5) tokens.push('BOOST');
  }
  if (b(5)) tokens.push('CAL');
  if (b(6)) tokens.push('FSD');
  return {
    tokens,
    alarms: b(3) ? ['UPS selftest failed!'] : [],
    type: b(4) ? 'offline / line interactive' : 'online',
    beeper: b(7) ? 'enabled' : 'disabled',
  };
}

/* ------------------------------------------------------------- protocols */

export type QxProtocolName = 'megatec' | 'megatec/old' | 'mustek' | 'voltronic-qs' | 'zinto';

export interface QxProtocol {
  name: QxProtocolName;
  /** driver.version.data */
  version: string;
  status: ReplyLayout;
  ratings: ReplyLayout | undefined;
  vendor: ReplyLayout | undefined;
  /** Extra request that must be answered for auto-detection (voltronic-qs: M → V). */
  probe?: { command: string; reply: string };
}

export const QX_PROTOCOLS: readonly QxProtocol[] = [
  { name: 'megatec', version: 'Megatec 0.06', status: statusLayout('Q1'), ratings: RATINGS_LAYOUT, vendor: vendorLayout('I') },
  { name: 'mustek', version: 'Mustek 0.07', status: statusLayout('QS'), ratings: RATINGS_LAYOUT, vendor: vendorLayout('I') },
  { name: 'voltronic-qs', version: 'Voltronic-QS 0.07', status: statusLayout('QS'), ratings: RATINGS_LAYOUT, vendor: undefined, probe: { command: 'M', reply: 'V' } },
  { name: 'megatec/old', version: 'Megatec/old 0.07', status: statusLayout('D'), ratings: RATINGS_LAYOUT, vendor: vendorLayout('I') },
  { name: 'zinto', version: 'Zinto 0.07', status: statusLayout('Q1'), ratings: RATINGS_LAYOUT, vendor: vendorLayout('FW?') },
];

/** The order tried when `protocol` is not set. */
export const DETECT_ORDER: readonly QxProtocolName[] = ['voltronic-qs', 'mustek', 'megatec/old', 'megatec', 'zinto'];

export function findProtocol(name: string): QxProtocol | undefined {
  return QX_PROTOCOLS.find((p) => p.name === name);
}

/* -------------------------------------------------------------- commands */

export const INSTANT_COMMANDS = [
  'beeper.toggle',
  'load.off',
  'load.on',
  'shutdown.return',
  'shutdown.stayoff',
  'shutdown.stop',
  'test.battery.start',
  'test.battery.start.deep',
  'test.battery.start.quick',
  'test.battery.stop',
] as const;

export type QxCommand = (typeof INSTANT_COMMANDS)[number];

/** ups.delay.shutdown (offdelay) and ups.delay.start (ondelay), seconds. */
export interface Delays {
  offdelay: number;
  ondelay: number;
}

export const OFFDELAY_RANGE: [number, number] = [12, 600];
export const ONDELAY_RANGE: [number, number] = [0, 599940];
export const DEFAULT_DELAYS: Delays = { offdelay: 30, ondelay: 180 };

/** The `S<n>` part: `.2`-`.9` below a minute (6 s steps), else `01`-`10` minutes. */
export function formatOffDelay(seconds: number): string {
  if (seconds < 60) return `.${Math.floor(seconds / 6)}`;
  return String(Math.floor(seconds / 60)).padStart(2, '0');
}

/** The `R<mmmm>` part: whole minutes. */
export function formatOnDelay(seconds: number): string {
  return String(Math.floor(seconds / 60)).padStart(4, '0');
}

export type CommandRequest = { ok: true; request: string } | { ok: false; reason: string };

/** The bytes sent for an instant command (CR included). */
export function commandRequest(cmd: string, param: string | undefined, delays: Delays): CommandRequest {
  switch (cmd) {
    case 'beeper.toggle':
      return { ok: true, request: 'Q\r' };
    case 'load.off':
      return { ok: true, request: 'S00R0000\r' };
    case 'load.on':
    case 'shutdown.stop':
      return { ok: true, request: 'C\r' };
    case 'shutdown.return':
      return { ok: true, request: `S${formatOffDelay(delays.offdelay)}R${formatOnDelay(delays.ondelay)}\r` };
    case 'shutdown.stayoff':
      return { ok: true, request: `S${formatOffDelay(delays.offdelay)}R0000\r` };
    case 'test.battery.start': {
      const s = param === undefined ? NaN : Number(param);
      if (!Number.isInteger(s) || s < 60 || s > 5940) {
        return { ok: false, reason: `test.battery.start needs a duration in seconds from 60 to 5940 (whole minutes are sent), not ${param === undefined ? 'nothing' : `"${param}"`}` };
      }
      return { ok: true, request: `T${String(Math.floor(s / 60)).padStart(2, '0')}\r` };
    }
    case 'test.battery.start.deep':
      return { ok: true, request: 'TL\r' };
    case 'test.battery.start.quick':
      return { ok: true, request: 'T\r' };
    case 'test.battery.stop':
      return { ok: true, request: 'CT\r' };
    default:
      return { ok: false, reason: `unknown command ${cmd}` };
  }
}

/**
 * A command's reply: none means done; `ACK` means done; anything else
 * (an echo of the request, `NAK`, `UPS No Ack`) means refused.
 */
export function commandAccepted(request: string, reply: string): { ok: boolean; why: string } {
  const r = reply.replace(/\r$/, '');
  if (r === '') return { ok: true, why: 'no reply' };
  if (r === 'ACK' || r === '(ACK') return { ok: true, why: 'ACK' };
  if (r === request.replace(/\r$/, '')) return { ok: false, why: 'echoed back (not supported)' };
  return { ok: false, why: `refused: "${showReply(reply)}"` };
}

/* ------------------------------------------------------------- settings */

export function checkDelay(name: 'ondelay' | 'offdelay', value: string): { ok: true; value: number } | { ok: false; reason: string } {
  const [min, max] = name === 'ondelay' ? ONDELAY_RANGE : OFFDELAY_RANGE;
  if (!/^\d+$/.test(value.trim())) return { ok: false, reason: `${name} must be a whole number of seconds, not "${value}"` };
  const n = parseInt(value, 10);
  if (n < min || n > max) return { ok: false, reason: `${name} ${n} is out of range ${min}-${max}` };
  return { ok: true, value: n };
}
