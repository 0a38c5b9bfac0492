/**
 * APC's "smart" serial protocol, as plain data and pure functions: which
 * one-byte query feeds which NUT variable and how its reply is converted, the
 * status byte, the unsolicited alert bytes, the protocol-info (`a`) and
 * capability (`^Z`) replies, and a byte reader that separates reply lines
 * from alerts. Used by the driver (driver.ts) and the simulator
 * (simulator.ts); no I/O here.
 *
 * Link: 2400 8N1. A query is one byte (a few are two); the reply ends in
 * CR LF; `NA` means "not supported". `Y` → `SM` enters smart mode.
 */

/** How a reply becomes a NUT value. */
export type ApcConversion =
  | 'verbatim' // NUT copies the reply (leading zeros kept: ups.load 016.0)
  | 'minutes' // minutes → seconds (j: "0327:" → 19620; q: "02" → 120)
  | 'hours' // hours → seconds (E: "336" → 1209600); ON/OFF words kept
  | 'reason'; // transfer cause letter → text (G)

export interface ApcVariable {
  /** The query byte(s), e.g. 'B', '\x01' (^A). */
  readonly cmd: string;
  readonly name: string;
  readonly conv: ApcConversion;
  /** Settable by cycling with `-` through the capability list (or as a string). */
  readonly rw?: 'enum' | 'string';
  /** Width of a settable string (ups.id, battery.date). */
  readonly width?: number;
  /** A reply must match this to be used (ups.firmware from `b`). */
  readonly accept?: RegExp;
  /** Read once at start-up, never polled again. */
  readonly static?: boolean;
}

/** Query byte → variable (several queries may feed one variable: first one that answers wins). */
export const APC_VARIABLES: readonly ApcVariable[] = [
  { cmd: '\x01', name: 'ups.model', conv: 'verbatim', static: true },
  { cmd: 'n', name: 'ups.serial', conv: 'verbatim', static: true },
  { cmd: 'm', name: 'ups.mfr.date', conv: 'verbatim', static: true },
  { cmd: 'b', name: 'ups.firmware', conv: 'verbatim', static: true, accept: /^[A-Za-z0-9]+\.[A-Za-z0-9]+\.[A-Za-z0-9]+$/ },
  { cmd: 'V', name: 'ups.firmware', conv: 'verbatim', static: true },
  { cmd: 'v', name: 'ups.firmware.aux', conv: 'verbatim', static: true },
  { cmd: 'g', name: 'battery.voltage.nominal', conv: 'verbatim', static: true },
  { cmd: 'C', name: 'ups.temperature', conv: 'verbatim' },
  { cmd: 'P', name: 'ups.load', conv: 'verbatim' },
  { cmd: 'L', name: 'input.voltage', conv: 'verbatim' },
  { cmd: 'F', name: 'input.frequency', conv: 'verbatim' },
  { cmd: 'O', name: 'output.voltage', conv: 'verbatim' },
  { cmd: '/', name: 'output.current', conv: 'verbatim' },
  { cmd: 'f', name: 'battery.charge', conv: 'verbatim' },
  { cmd: 'B', name: 'battery.voltage', conv: 'verbatim' },
  { cmd: 'j', name: 'battery.runtime', conv: 'minutes' },
  { cmd: 'M', name: 'input.voltage.maximum', conv: 'verbatim' },
  { cmd: 'N', name: 'input.voltage.minimum', conv: 'verbatim' },
  { cmd: '9', name: 'input.quality', conv: 'verbatim' },
  { cmd: 'G', name: 'input.transfer.reason', conv: 'reason' },
  { cmd: 'X', name: 'ups.test.result', conv: 'verbatim' },
  { cmd: '>', name: 'battery.packs', conv: 'verbatim' },
  { cmd: '<', name: 'battery.packs.bad', conv: 'verbatim' },
  { cmd: 'h', name: 'ambient.humidity', conv: 'verbatim' },
  { cmd: 't', name: 'ambient.temperature', conv: 'verbatim' },
  { cmd: 'i', name: 'ups.contacts', conv: 'verbatim' },
  // settable through the capability list
  { cmd: 'q', name: 'battery.runtime.low', conv: 'minutes', rw: 'enum' },
  { cmd: 'l', name: 'input.transfer.low', conv: 'verbatim', rw: 'enum' },
  { cmd: 'u', name: 'input.transfer.high', conv: 'verbatim', rw: 'enum' },
  { cmd: 's', name: 'input.sensitivity', conv: 'verbatim', rw: 'enum' },
  { cmd: 'E', name: 'ups.test.interval', conv: 'hours', rw: 'enum' },
  { cmd: 'r', name: 'ups.delay.start', conv: 'verbatim', rw: 'enum' },
  { cmd: 'p', name: 'ups.delay.shutdown', conv: 'verbatim', rw: 'enum' },
  { cmd: 'e', name: 'battery.charge.restart', conv: 'verbatim', rw: 'enum' },
  { cmd: 'k', name: 'battery.alarm.threshold', conv: 'verbatim', rw: 'enum' },
  { cmd: 'o', name: 'output.voltage.nominal', conv: 'verbatim', rw: 'enum' },
  { cmd: 'c', name: 'ups.id', conv: 'verbatim', rw: 'string', width: 8 },
  { cmd: 'x', name: 'battery.date', conv: 'verbatim', rw: 'string', width: 8 },
];

/** Instant commands: NUT name → bytes sent. */
export interface ApcCommand {
  readonly name: string;
  /** The byte the UPS must list in its `a` reply for the command to be offered. */
  readonly cmd: string;
  /** Sent twice, 1.3 s apart (a reply in between aborts). */
  readonly twice?: boolean;
  /** "Nasty": the user must request it twice, 3–15 s apart. */
  readonly confirm?: boolean;
}

export const APC_COMMANDS: readonly ApcCommand[] = [
  { name: 'test.panel.start', cmd: 'A' },
  { name: 'test.failure.start', cmd: 'U' },
  { name: 'test.battery.start', cmd: 'W' },
  { name: 'test.battery.stop', cmd: 'W' },
  { name: 'calibrate.start', cmd: 'D' },
  { name: 'calibrate.stop', cmd: 'D' },
  { name: 'bypass.start', cmd: '^' },
  { name: 'bypass.stop', cmd: '^' },
  { name: 'load.on', cmd: '\x0e', twice: true },
  { name: 'load.off', cmd: 'Z', twice: true, confirm: true },
  { name: 'shutdown.stayoff', cmd: 'K', twice: true, confirm: true },
  { name: 'shutdown.return', cmd: '@', confirm: true },
  { name: 'shutdown.stop', cmd: '\x7f' },
];

/** A nasty command's second request must come this long after the first... */
export const CONFIRM_MIN_MS = 3000;
/** ...and no later than this. */
export const CONFIRM_MAX_MS = 15000;
/** Pause between the two sends of a twice-sent command. */
export const TWICE_GAP_MS = 1300;

/** Unsolicited bytes the UPS sends between replies. */
export const ALERTS: Readonly<Record<string, string>> = {
  '!': 'on battery',
  $: 'back on line',
  '%': 'low battery',
  '+': 'battery no longer low',
  '#': 'replace battery',
  '?': 'overload',
  '=': 'overload cleared',
  '&': 'check alarm register',
  '|': 'EEPROM changed',
  '~': 'register changed',
};

/** Status byte bits in NUT's printing order. */
export const STATUS_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'CAL'],
  [0x02, 'TRIM'],
  [0x04, 'BOOST'],
  [0x08, 'OL'],
  [0x10, 'OB'],
  [0x20, 'OVER'],
  [0x40, 'LB'],
  [0x80, 'RB'],
];

/** `Q` reply (two hex digits) → status tokens; undefined when not a status byte. */
export function decodeStatus(reply: string): string[] | undefined {
  if (!/^[0-9A-Fa-f]{2}$/.test(reply)) return undefined;
  const v = parseInt(reply, 16);
  if (v === 0) return ['OFF'];
  return STATUS_BITS.filter(([bit]) => (v & bit) !== 0).map(([, t]) => t);
}

/** Status tokens → `Q` reply (what a simulated UPS answers). Unknown tokens are ignored. */
export function encodeStatus(tokens: readonly string[]): string {
  let v = 0;
  for (const t of tokens) for (const [bit, name] of STATUS_BITS) if (name === t) v |= bit;
  return v.toString(16).toUpperCase().padStart(2, '0');
}

/** Transfer-cause letters (`G`) and NUT's texts. */
export const TRANSFER_REASONS: Readonly<Record<string, string>> = {
  T: 'line voltage notch or spike',
  L: 'low utility voltage',
  H: 'high utility voltage',
  O: 'no transfers yet since turnon',
  S: 'simulated power failure or UPS test',
  R: 'unacceptable utility voltage rate of change',
};

/** A reply → the NUT value; undefined when the reply is not usable (NA, empty, rejected). */
export function convertReply(v: ApcVariable, reply: string): string | undefined {
  if (reply === '' || reply === 'NA') return undefined;
  if (v.accept && !v.accept.test(reply)) return undefined;
  switch (v.conv) {
    case 'verbatim':
      return reply;
    case 'minutes': {
      const m = /^(\d+)(?:\.\d+)?:?$/.exec(reply);
      return m ? String(parseInt(m[1]!, 10) * 60) : undefined;
    }
    case 'hours': {
      const m = /^\d+$/.exec(reply);
      return m ? String(parseInt(reply, 10) * 3600) : reply.trim();
    }
    case 'reason':
      return TRANSFER_REASONS[reply] ?? 'unknown';
  }
}

/** The inverse of convertReply: a NUT value → the UPS's reply (the simulator's answers, the capability value a set must reach). */
export function replyFor(v: ApcVariable, value: string): string {
  switch (v.conv) {
    case 'verbatim':
      return value;
    case 'minutes': {
      const n = Math.round(Number(value) / 60);
      return v.cmd === 'j' ? `${String(n).padStart(4, '0')}:` : String(n).padStart(2, '0');
    }
    case 'hours':
      return /^\d+$/.test(value) ? String(Math.round(Number(value) / 3600)) : value;
    case 'reason': {
      if (/^[A-Z]$/.test(value)) return value;
      const hit = Object.entries(TRANSFER_REASONS).find(([, text]) => text === value);
      return hit ? hit[0] : 'O';
    }
  }
}

export interface ProtocolInfo {
  readonly version: string;
  readonly alerts: string;
  /** Every query/command byte the UPS supports. */
  readonly commands: ReadonlySet<string>;
}

/** `a` reply: "3.!$%+?=#|.^A^N^Z+-89<>@ABCD..." (version, alerts, commands). */
export function parseProtocolInfo(reply: string): ProtocolInfo | undefined {
  const first = reply.indexOf('.');
  if (first < 0) return undefined;
  const second = reply.indexOf('.', first + 1);
  if (second < 0) return undefined;
  const version = reply.slice(0, first);
  if (!/^\d+$/.test(version)) return undefined;
  return { version, alerts: reply.slice(first + 1, second), commands: new Set(reply.slice(second + 1)) };
}

/** One settable variable's choices from the `^Z` capability list. */
export interface Capability {
  readonly cmd: string;
  readonly locale: string;
  readonly values: readonly string[];
}

export interface CapabilityParse {
  readonly caps: Capability[];
  /** Entries that were skipped (bad counts, cut short), for the debug log. */
  readonly problems: string[];
}

/**
 * `^Z` reply: '#' then entries [cmd][locale][count digit][width digit][count × width chars].
 * A broken entry is skipped and reported (some Smart-UPS RT firmware sends
 * them; NUT 2.8.0 gave up on the whole list), the rest is kept.
 */
export function parseCapabilities(reply: string): CapabilityParse {
  const caps: Capability[] = [];
  const problems: string[] = [];
  if (!reply.startsWith('#')) {
    if (reply !== 'NA') problems.push(`capability reply does not start with '#': ${JSON.stringify(reply)}`);
    return { caps, problems };
  }
  let i = 1;
  while (i < reply.length) {
    if (i + 4 > reply.length) {
      problems.push(`capability entry cut short at offset ${i}`);
      break;
    }
    const cmd = reply[i]!;
    const locale = reply[i + 1]!;
    const count = Number(reply[i + 2]);
    const width = Number(reply[i + 3]);
    if (!Number.isInteger(count) || !Number.isInteger(width) || count < 1 || width < 1) {
      problems.push(`capability entry for ${JSON.stringify(cmd)} at offset ${i}: bad count or width (${JSON.stringify(reply.slice(i + 2, i + 4))})`);
      // resynchronise: skip to the next plausible entry start
      i += 4;
      continue;
    }
    const end = i + 4 + count * width;
    if (end > reply.length) {
      problems.push(`capability entry for ${JSON.stringify(cmd)} at offset ${i} needs ${count * width} characters, has ${reply.length - i - 4}`);
      break;
    }
    const values: string[] = [];
    for (let k = 0; k < count; k++) values.push(reply.slice(i + 4 + k * width, i + 4 + (k + 1) * width));
    caps.push({ cmd, locale, values });
    i = end;
  }
  return { caps, problems };
}

/** Formats capabilities back into a `^Z` reply (simulator). */
export function formatCapabilities(caps: readonly Capability[]): string {
  let s = '#';
  for (const c of caps) {
    const width = c.values[0]?.length ?? 0;
    s += `${c.cmd}${c.locale}${c.values.length}${width}${c.values.join('')}`;
  }
  return s;
}

/** The locale letter of the capability list that fits the UPS's nominal output voltage. */
export function localeFor(nominal: string | undefined): string {
  const v = Number(nominal);
  if (!Number.isFinite(v) || v <= 0) return 'I';
  if (v <= 105) return 'J';
  if (v <= 130) return 'D';
  if (v <= 215) return 'M';
  return 'I';
}

/** The capabilities that apply: locale '4' (all) or the UPS's own. */
export function capabilitiesFor(caps: readonly Capability[], locale: string): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const c of caps) if (c.locale === '4' || c.locale === locale) out.set(c.cmd, c.values);
  return out;
}

/** A printable name for a query byte in logs (^A, DEL, ...). */
export function byteName(cmd: string): string {
  return [...cmd]
    .map((ch) => {
      const c = ch.charCodeAt(0);
      if (c < 0x20) return `^${String.fromCharCode(c + 0x40)}`;
      if (c === 0x7f) return 'DEL';
      return ch;
    })
    .join('');
}

export type ReaderEvent = { kind: 'line'; text: string } | { kind: 'alert'; char: string } | { kind: 'noise'; byte: number; why: string };

/** Longest reply line accepted; longer input is dropped as noise. */
export const MAX_REPLY = 512;

/**
 * Splits the byte stream into reply lines and alert bytes. Alerts can arrive
 * at any time, even inside a reply (as NUT, they are taken out wherever they
 * are). CR is ignored; LF ends a line. Bytes outside printable ASCII are
 * reported as noise and dropped.
 */
export class ApcReader {
  private buf = '';
  private raw = false;
  constructor(private readonly alertChars = '!$%+#?=&|~') {}

  /**
   * The next line is taken whole: it may start with an alert byte (the `^Z`
   * list starts with '#') or hold control bytes (the `a` list names ^A, ^N, ^Z).
   */
  expectRaw(): void {
    this.raw = true;
  }

  push(chunk: Uint8Array | string): ReaderEvent[] {
    const out: ReaderEvent[] = [];
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    for (const ch of s) {
      const c = ch.charCodeAt(0);
      if (ch === '\r') continue;
      if (ch === '\n') {
        out.push({ kind: 'line', text: this.buf });
        this.buf = '';
        this.raw = false;
        continue;
      }
      if (this.alertChars.includes(ch) && this.buf === '' && !this.raw) {
        out.push({ kind: 'alert', char: ch });
        continue;
      }
      if ((c < 0x20 || c > 0x7e) && !this.raw) {
        out.push({ kind: 'noise', byte: c, why: 'not printable' });
        continue;
      }
      if (this.buf.length >= MAX_REPLY) {
        out.push({ kind: 'noise', byte: c, why: `line longer than ${MAX_REPLY}` });
        this.buf = '';
        continue;
      }
      this.buf += ch;
    }
    return out;
  }

  /** Drops a partial line (after a timeout). */
  reset(): void {
    this.buf = '';
    this.raw = false;
  }

  get partial(): string {
    return this.buf;
  }
}
