/**
 * A simulated Megatec Q1 UPS (pure model, no I/O): it answers Q1 / QS / D,
 * F and I from the values of a NUT dump (.dev, as `upsc` printed them for
 * a real unit), in the byte layout of the recorded real exchanges
 * (shared/serial/megatec-q1.txt), and carries out the instant command
 * requests (Q, T, TL, T<nn>, CT, S<n>[R<mmmm>], C) on its own state.
 * Requests it does not know are echoed back, as real units do.
 *
 * Recorded replies can be replayed verbatim instead of the rendered ones
 * (`replies`: request → replies, cycled).
 *
 * Time is injected (Clock): a test runs for T<nn> minutes, a shutdown
 * S<n> happens n minutes after the request, the load comes back R<m>
 * minutes later.
 */
import type { Clock } from '../../common/clock.js';
import { systemClock } from '../../common/clock.js';
import { cFixed } from './protocol.js';

/** Parses `key: value` lines of a .dev dump (comments and blank lines skipped). */
export function parseDevDump(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#') || !line.includes(':')) continue;
    const i = line.indexOf(':');
    const key = line.slice(0, i).trim();
    if (!/^[A-Za-z0-9._-]+$/.test(key)) continue;
    vars.set(key, line.slice(i + 1).trim());
  }
  return vars;
}

/** The `== N ==` blocks of megatec-q1.txt: request → recorded replies (plain text ones). */
export interface RecordedBlock {
  id: string;
  device: string;
  exchanges: Array<{ request: string; responses: string[] }>;
  /** `expected:` / `observed:` key: value lines of the block. */
  expected: Map<string, string>;
}

export function parseExchanges(text: string): RecordedBlock[] {
  const blocks: RecordedBlock[] = [];
  let cur: RecordedBlock | undefined;
  let inExpected = false;
  for (const line of text.split('\n')) {
    const head = /^== (.+?) =+\s*$/.exec(line);
    if (head) {
      cur = { id: head[1]!.trim(), device: '', exchanges: [], expected: new Map() };
      blocks.push(cur);
      inExpected = false;
      continue;
    }
    if (!cur) continue;
    const m = /^([a-z_]+)(?: \([^)]*\))?:\s?(.*)$/.exec(line);
    if (m && !line.startsWith(' ')) {
      const [, key, rest] = m as unknown as [string, string, string];
      inExpected = key === 'expected' || key.startsWith('expected');
      if (key === 'device') cur.device = rest;
      else if (key === 'request') {
        // "Q1   (note)" or "string index 0x03 (Q1)" or "Q1   response: ..." (documentation lines)
        const doc = /^(\S+)\s+response:\s(.*)$/.exec(rest);
        const idx = /^string index 0x[0-9a-f]+ \((\w+)/i.exec(rest);
        const req = doc ? doc[1]! : idx ? idx[1]! : rest.split(/\s+/)[0]!;
        cur.exchanges.push({ request: req, responses: [] });
        if (doc) cur.exchanges[cur.exchanges.length - 1]!.responses.push(doc[2]!.replace(/\s+\(Megatec IC dialect.*$/, ''));
      } else if (key === 'response') {
        cur.exchanges[cur.exchanges.length - 1]?.responses.push(rest);
      }
      continue;
    }
    if (inExpected) {
      const kv = /^\s+([a-z0-9._]+):\s(.*)$/.exec(line);
      if (kv) cur.expected.set(kv[1]!, kv[2]!);
    }
  }
  return blocks;
}

export interface Q1SimOptions {
  /** Values as `upsc` printed them (a parsed .dev). */
  vars: Map<string, string>;
  /**
   * The battery field holds the voltage of one of this many packs/cells
   * (default 1: the whole battery).
   */
  packs?: number;
  /** Status query command answered (default 'Q1'; mustek/voltronic-qs: 'QS', megatec/old: 'D'). */
  statusCommand?: string;
  /** Answer I (default true; false: echo, like units without vendor info). */
  vendor?: boolean;
  /** Recorded replies to replay verbatim (request → replies, cycled), CR added. */
  replies?: Map<string, string[]>;
  clock?: Clock;
}

/** What a test can watch: every request, and the commands that changed something. */
export interface SimEvent {
  at: number;
  request: string;
  reply: string | undefined;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Right-aligned fixed-width number, zero padded (`%05.1f`), or the blank form when unknown. */
function field(v: number | undefined, width: number, digits: number, blank: string): string {
  if (v === undefined) return blank;
  let s = cFixed(Math.abs(v), digits);
  if (s.length > width) s = s.slice(0, width);
  return s.padStart(width, '0');
}

export class Q1Simulator {
  readonly vars: Map<string, string>;
  readonly log: SimEvent[] = [];
  private readonly clock: Clock;
  private readonly statusCommand: string;
  private readonly packs: number;
  private readonly vendor: boolean;
  private readonly replies: Map<string, string[]>;
  private replyPos = new Map<string, number>();
  /** Flags the commands and controls change. */
  onBattery = false;
  lowBattery = false;
  failed = false;
  beeper: boolean;
  private testUntil: number | undefined;
  private shutdownAt: number | undefined;
  private restartAfterMs: number | undefined;
  private restartAt: number | undefined;
  outputOff = false;
  /** Values while on mains, restored when mains come back. */
  private mains: { iv: string | undefined; ivf: string | undefined; freq: string | undefined };

  constructor(opts: Q1SimOptions) {
    this.vars = new Map(opts.vars);
    this.clock = opts.clock ?? systemClock;
    this.statusCommand = opts.statusCommand ?? 'Q1';
    this.packs = opts.packs ?? 1;
    this.vendor = opts.vendor ?? true;
    this.replies = opts.replies ?? new Map();
    const st = (this.vars.get('ups.status') ?? 'OL').split(/\s+/);
    this.onBattery = st.includes('OB');
    this.lowBattery = st.includes('LB');
    this.beeper = (this.vars.get('ups.beeper.status') ?? 'enabled') === 'enabled';
    this.mains = { iv: this.vars.get('input.voltage'), ivf: this.vars.get('input.voltage.fault'), freq: this.vars.get('input.frequency') };
  }

  /* ------------------------------------------------------------ controls */

  /** Mains lost (true) or back (false). */
  setOnBattery(on: boolean): void {
    if (on === this.onBattery) return;
    this.onBattery = on;
    if (on) {
      this.mains = { iv: this.vars.get('input.voltage'), ivf: this.vars.get('input.voltage.fault'), freq: this.vars.get('input.frequency') };
      this.vars.set('input.voltage', '0.0');
      this.vars.set('input.voltage.fault', '0.0');
      this.vars.set('input.frequency', '0.0');
    } else {
      for (const [k, v] of [
        ['input.voltage', this.mains.iv],
        ['input.voltage.fault', this.mains.ivf],
        ['input.frequency', this.mains.freq],
      ] as const) {
        if (v === undefined) this.vars.delete(k);
        else this.vars.set(k, v);
      }
    }
  }

  setLowBattery(low: boolean): void {
    this.lowBattery = low;
  }

  set(name: string, value: string | undefined): void {
    if (value === undefined) this.vars.delete(name);
    else this.vars.set(name, value);
  }

  get testing(): boolean {
    this.tick();
    return this.testUntil !== undefined;
  }

  get shutdownPending(): boolean {
    this.tick();
    return this.shutdownAt !== undefined;
  }

  /** Moves the timed actions (end of test, shutdown, restart) forward to now. */
  private tick(): void {
    const now = this.clock.now();
    if (this.testUntil !== undefined && now >= this.testUntil) this.testUntil = undefined;
    if (this.shutdownAt !== undefined && now >= this.shutdownAt) {
      this.shutdownAt = undefined;
      this.outputOff = true;
      if (this.restartAfterMs !== undefined && this.restartAfterMs > 0) this.restartAt = now + this.restartAfterMs;
    }
    if (this.restartAt !== undefined && now >= this.restartAt && !this.onBattery) {
      this.restartAt = undefined;
      this.outputOff = false;
    }
  }

  /* ------------------------------------------------------------- replies */

  /** The status line (46 bytes + CR) from the current values. */
  renderStatus(): string {
    this.tick();
    const v = (k: string) => num(this.vars.get(k));
    const batt = v('battery.voltage');
    const raw = batt === undefined ? undefined : batt / this.packs;
    const battField = raw === undefined ? '-.--' : raw >= 10 ? field(raw, 4, 1, '-.--') : field(raw, 4, 2, '-.--');
    const out = this.outputOff ? 0 : v('output.voltage');
    const load = this.outputOff ? 0 : v('ups.load');
    const status = (this.vars.get('ups.status') ?? '').split(/\s+/);
    const bits = [
      this.onBattery,
      this.lowBattery,
      status.includes('BOOST') || status.includes('TRIM') || status.includes('BYPASS'),
      this.failed,
      (this.vars.get('ups.type') ?? 'offline / line interactive') !== 'online',
      this.testUntil !== undefined,
      this.shutdownAt !== undefined,
      this.beeper,
    ]
      .map((b) => (b ? '1' : '0'))
      .join('');
    return (
      '(' +
      [
        field(v('input.voltage'), 5, 1, '---.-'),
        field(v('input.voltage.fault') ?? v('input.voltage'), 5, 1, '---.-'),
        field(out, 5, 1, '---.-'),
        field(load === undefined ? undefined : Math.round(load), 3, 0, '---'),
        field(v('input.frequency'), 4, 1, '--.-'),
        battField,
        field(v('ups.temperature'), 4, 1, '--.-'),
        bits,
      ].join(' ') +
      '\r'
    );
  }

  /** `#VVV.V CCC BB.BB FF.F`. */
  renderRatings(): string {
    const v = (k: string) => num(this.vars.get(k));
    return (
      '#' +
      [
        field(v('input.voltage.nominal'), 5, 1, '  .  '),
        field(v('input.current.nominal'), 3, 0, ' . '),
        field(v('battery.voltage.nominal'), 5, 2, '  .  '),
        field(v('input.frequency.nominal'), 4, 1, '  . '),
      ].join(' ') +
      '\r'
    );
  }

  /** `#<mfr 15> <model 10> <firmware 10>`. */
  renderVendor(): string {
    const t = (k: string, alt: string, w: number) => (this.vars.get(k) ?? this.vars.get(alt) ?? '').slice(0, w).padEnd(w, ' ');
    return `#${t('device.mfr', 'ups.mfr', 15)} ${t('device.model', 'ups.model', 10)} ${t('ups.firmware', 'ups.firmware', 10)}\r`;
  }

  /** One request (without its CR): the reply bytes, or undefined for none. */
  handle(request: string): string | undefined {
    const reply = this.answer(request);
    this.log.push({ at: this.clock.now(), request, reply });
    if (this.log.length > 10_000) this.log.splice(0, 5_000);
    return reply;
  }

  private answer(req: string): string | undefined {
    this.tick();
    const recorded = this.replies.get(req);
    if (recorded && recorded.length) {
      const i = this.replyPos.get(req) ?? 0;
      this.replyPos.set(req, (i + 1) % recorded.length);
      return recorded[i]! + '\r';
    }
    if (req === this.statusCommand) return this.renderStatus();
    if (req === 'F') return this.renderRatings();
    if (req === 'I' && this.vendor) return this.renderVendor();
    if (req === 'Q') {
      this.beeper = !this.beeper;
      return undefined;
    }
    if (req === 'T' || req === 'TL' || /^T\d\d$/.test(req)) {
      const mins = req === 'T' ? 10 / 60 : req === 'TL' ? 2 : parseInt(req.slice(1), 10);
      if (req !== 'T' && req !== 'TL' && (mins < 1 || mins > 99)) return req + '\r';
      this.testUntil = this.clock.now() + mins * 60_000;
      return undefined;
    }
    if (req === 'CT') {
      this.testUntil = undefined;
      return undefined;
    }
    const s = /^S(\.[2-9]|0\d|10)(?:R(\d{4}))?$/.exec(req);
    if (s) {
      const off = s[1]!.startsWith('.') ? parseInt(s[1]!.slice(1), 10) * 6 : parseInt(s[1]!, 10) * 60;
      this.shutdownAt = this.clock.now() + off * 1000;
      this.restartAfterMs = s[2] === undefined ? undefined : parseInt(s[2], 10) * 60_000;
      this.restartAt = undefined;
      return undefined;
    }
    if (req === 'C') {
      this.shutdownAt = undefined;
      this.restartAt = undefined;
      this.outputOff = false;
      return undefined;
    }
    return req + '\r';
  }
}
