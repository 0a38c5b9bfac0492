/**
 * A simulated APC Smart-UPS: answers the smart protocol from the variables
 * of a NUT dump (.dev), keeps settable values in a capability list, takes
 * instant commands, and sends the alert bytes a real unit sends when its
 * status changes. Pure: bytes in → bytes out; the pty wiring lives in
 * simulator-port.ts. Used by the tests and by `walnut simulate apcsmart`.
 */
import type { Clock } from '../../common/clock.js';
import {
  APC_COMMANDS,
  APC_VARIABLES,
  TWICE_GAP_MS,
  encodeStatus,
  formatCapabilities,
  localeFor,
  replyFor,
} from './protocol.js';
import type { ApcVariable, Capability } from './protocol.js';

export interface SimulatorOptions {
  /** NUT variables (e.g. from a .dev file): name → value. */
  vars: ReadonlyMap<string, string>;
  clock: Clock;
  /** Answer queries before `Y` (some old units do); default false. */
  smartAtStart?: boolean;
}

/** What the simulated unit did, for tests: every command it received and acted on. */
export interface SimEvent {
  readonly at: number;
  readonly cmd: string;
  readonly action?: string;
}

const CRLF = '\r\n';

function choicesFor(v: ApcVariable, reply: string): string[] {
  const w = reply.length;
  const num = Number(reply);
  switch (v.cmd) {
    case 's':
      return ['H', 'M', 'L', 'A'];
    case 'k':
      return ['0', 'T', 'L', 'N'];
    case 'E':
      return ['336', '168', 'ON ', 'OFF'];
    case 'q':
      return ['02', '05', '07', '10'];
    default:
      if (Number.isFinite(num) && /^\d+$/.test(reply)) {
        const step = v.cmd === 'l' || v.cmd === 'u' ? 3 : v.cmd === 'e' ? 15 : v.cmd === 'o' ? 10 : 60;
        const out = new Set<string>([reply]);
        for (let k = 1; out.size < 4; k++) out.add(String(Math.max(0, num + k * step)).padStart(w, '0').slice(-w));
        return [...out];
      }
      return [reply];
  }
}

export class ApcSmartSimulator {
  private smart: boolean;
  private readonly replies = new Map<string, string>();
  private readonly caps: Capability[] = [];
  private status: string[];
  private lastQuery: string | undefined;
  /** A string set in progress (`c` or `x`, then `-`, then the new text). */
  private stringSet: { cmd: string; width: number; text: string } | undefined;
  private atDigits: string | undefined;
  private pendingTwice: { cmd: string; at: number } | undefined;
  readonly events: SimEvent[] = [];
  /** Set when the load was cut (Z, K, S, @): the unit no longer answers until load.on. */
  loadOff = false;

  constructor(private readonly opts: SimulatorOptions) {
    this.smart = opts.smartAtStart ?? false;
    const vars = opts.vars;
    // one query per variable: the first that fits (ups.firmware: 'b' for dotted versions, else 'V')
    const served = new Set<string>();
    for (const v of APC_VARIABLES) {
      const value = vars.get(v.name);
      if (value === undefined || served.has(v.name) || (v.accept && !v.accept.test(value))) continue;
      served.add(v.name);
      this.replies.set(v.cmd, replyFor(v, value));
    }
    const locale = localeFor(vars.get('output.voltage.nominal'));
    for (const v of APC_VARIABLES) {
      if (v.rw !== 'enum') continue;
      const r = this.replies.get(v.cmd);
      if (r === undefined) continue;
      const values = choicesFor(v, r);
      if (values.some((x) => x.length !== values[0]!.length)) continue;
      this.caps.push({ cmd: v.cmd, locale: v.cmd === 'o' ? '4' : locale, values });
    }
    this.status = (vars.get('ups.status') ?? 'OL').split(/\s+/).filter(Boolean);
  }

  /** The `a` reply: protocol 3, the alerts it sends, every byte it understands. */
  protocolInfo(): string {
    const cmds = new Set<string>(['\x1a', 'Q', 'Y', 'a', 'R', '-', '@', 'S', ...this.replies.keys()]);
    for (const c of APC_COMMANDS) cmds.add(c.cmd);
    return `3.!$%+?=#|.${[...cmds].join('')}`;
  }

  get statusTokens(): readonly string[] {
    return this.status;
  }

  /** The current reply to a query byte (tests). */
  valueOf(cmd: string): string | undefined {
    return this.replies.get(cmd);
  }

  /** Changes a variable as the unit would report it; returns nothing to send (values are polled). */
  setVar(name: string, value: string): void {
    const candidates = APC_VARIABLES.filter((x) => x.name === name);
    const v = candidates.find((x) => this.replies.has(x.cmd)) ?? candidates[0];
    if (!v) throw new Error(`the smart protocol has no query for ${name}`);
    this.replies.set(v.cmd, replyFor(v, value));
  }

  /**
   * Changes the status (e.g. ['OB'], ['OB', 'LB']) and returns the alert
   * bytes a real unit sends for that change.
   */
  setStatus(tokens: readonly string[]): string {
    const before = new Set(this.status);
    const after = new Set(tokens);
    let alerts = '';
    if (!before.has('OB') && after.has('OB')) alerts += '!';
    if (before.has('OB') && !after.has('OB') && after.has('OL')) alerts += '$';
    if (!before.has('LB') && after.has('LB')) alerts += '%';
    if (before.has('LB') && !after.has('LB')) alerts += '+';
    if (!before.has('RB') && after.has('RB')) alerts += '#';
    if (!before.has('OVER') && after.has('OVER')) alerts += '?';
    if (before.has('OVER') && !after.has('OVER')) alerts += '=';
    this.status = [...tokens];
    return alerts;
  }

  private record(cmd: string, action?: string): void {
    this.events.push(action === undefined ? { at: this.opts.clock.now(), cmd } : { at: this.opts.clock.now(), cmd, action });
  }

  /** Bytes from the driver → bytes to send back. */
  receive(input: Uint8Array | string): string {
    const s = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    let out = '';
    for (const ch of s) out += this.one(ch);
    return out;
  }

  private one(ch: string): string {
    if (this.stringSet) {
      const ss = this.stringSet;
      ss.text += ch;
      if (ss.text.length < ss.width) return '';
      this.stringSet = undefined;
      this.replies.set(ss.cmd, ss.text);
      this.record(ss.cmd, `set ${JSON.stringify(ss.text)}`);
      return `|OK${CRLF}`;
    }
    if (this.atDigits !== undefined) {
      this.atDigits += ch;
      if (this.atDigits.length < 3) return '';
      const n = this.atDigits;
      this.atDigits = undefined;
      if (!/^\d{3}$/.test(n)) return `NA${CRLF}`;
      this.record(`@${n}`, 'shutdown and return');
      this.loadOff = true;
      return `OK${CRLF}`;
    }
    if (!this.smart) {
      if (ch === 'Y') {
        this.smart = true;
        this.record('Y', 'smart mode');
        return `SM${CRLF}`;
      }
      return '';
    }
    const q = this.lastQuery;
    this.lastQuery = undefined;
    const twice = APC_COMMANDS.find((c) => c.cmd === ch && c.twice);
    if (!twice) this.pendingTwice = undefined;
    switch (ch) {
      case 'Y':
        return `SM${CRLF}`;
      case 'R':
        this.smart = false;
        this.record('R', 'dumb mode');
        return `BYE${CRLF}`;
      case 'Q':
        this.record('Q');
        return `${encodeStatus(this.status)}${CRLF}`;
      case 'a':
        return `${this.protocolInfo()}${CRLF}`;
      case '\x1a':
        return `${formatCapabilities(this.caps)}${CRLF}`;
      case '-': {
        if (q === undefined) return `NA${CRLF}`;
        const v = APC_VARIABLES.find((x) => x.cmd === q && x.rw);
        if (!v) return `NA${CRLF}`;
        if (v.rw === 'string') {
          this.stringSet = { cmd: q, width: v.width ?? 8, text: '' };
          return '';
        }
        const cap = this.caps.find((c) => c.cmd === q);
        if (!cap) return `NA${CRLF}`;
        const cur = this.replies.get(q) ?? cap.values[0]!;
        const idx = cap.values.indexOf(cur);
        const next = cap.values[(idx + 1) % cap.values.length]!;
        this.replies.set(q, next);
        this.record(`${q}-`, `now ${JSON.stringify(next)}`);
        return `|${next}${CRLF}`;
      }
      case '@':
        this.atDigits = '';
        return '';
      case 'S':
        if (!this.status.includes('OB')) return `NA${CRLF}`;
        this.record('S', 'soft shutdown');
        this.loadOff = true;
        return `OK${CRLF}`;
      case '\x7f':
        this.record('DEL', 'abort shutdown');
        this.loadOff = false;
        return `OK${CRLF}`;
      case 'A':
        this.record('A', 'panel test');
        return `OK${CRLF}`;
      case 'U':
        this.record('U', 'simulated power failure');
        return `OK${CRLF}`;
      case 'W':
        this.record('W', 'battery test');
        this.replies.set('X', 'OK');
        return `OK${CRLF}`;
      case 'D':
        this.record('D', 'runtime calibration');
        return `OK${CRLF}`;
      case '^':
        this.record('^', 'bypass toggle');
        return `BYP${CRLF}`;
    }
    if (twice) {
      const now = this.opts.clock.now();
      const p = this.pendingTwice;
      if (p && p.cmd === ch && now - p.at >= TWICE_GAP_MS - 300 && now - p.at <= 5000) {
        this.pendingTwice = undefined;
        const name = ch === '\x0e' ? 'load on' : ch === 'Z' ? 'load off' : 'shutdown with grace period';
        this.record(ch === '\x0e' ? '^N^N' : `${ch}${ch}`, name);
        this.loadOff = ch !== '\x0e';
        return ch === 'K' ? `*${CRLF}` : `OK${CRLF}`;
      }
      this.pendingTwice = { cmd: ch, at: now };
      return '';
    }
    const r = this.replies.get(ch);
    if (r !== undefined) {
      this.lastQuery = ch;
      return `${r}${CRLF}`;
    }
    return `NA${CRLF}`;
  }
}
