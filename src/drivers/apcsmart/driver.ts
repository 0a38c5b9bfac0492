/**
 * apcsmart: APC units speaking the smart protocol on a serial line.
 *
 * Start-up: `Y` → `SM` (smart mode), `a` (the bytes this unit understands),
 * `^Z` (the choices of its settable values), then one query per variable the
 * unit supports. Each poll reads the status byte `Q` and the changing
 * values. Alert bytes (`!` on battery, `$` on line, `%`/`+` low battery...)
 * update the status at once and trigger a status poll. Dangerous commands
 * (load.off, shutdown.stayoff, shutdown.return) must be requested twice,
 * 3–15 s apart, as NUT does. A port that disappears makes the data stale;
 * the driver reopens it on the next poll and recovers without a restart.
 */
import { STAT_FAILED, STAT_HANDLED, STAT_INVALID, STAT_UNKNOWN } from '../core/driver.js';
import type { DriverContext, DriverDefinition, DriverHooks } from '../core/driver.js';
import { FLAG_RW, FLAG_STRING } from '../../state/table.js';
import {
  ALERTS,
  APC_COMMANDS,
  APC_VARIABLES,
  CONFIRM_MAX_MS,
  CONFIRM_MIN_MS,
  TWICE_GAP_MS,
  byteName,
  capabilitiesFor,
  convertReply,
  decodeStatus,
  localeFor,
  parseCapabilities,
  parseProtocolInfo,
  replyFor,
} from './protocol.js';
import type { ApcVariable } from './protocol.js';
import { SmartSession } from './session.js';
import { SerialTransport } from '../../transports/serial.js';
import type { ByteLink } from '../../transports/serial.js';

export const APCSMART_VERSION = '3.33';

/** NUT apcsmart options a ups.conf may hold that change nothing here (warned about at start). */
const UNUSED_OPTIONS = ['cable', 'awd', 'advorder', 'ttymode', 'cshdelay', 'wugrace', 'sdtime'];

/** Makes the byte link to the unit (the serial port at 2400 8N1 by default). */
export type LinkFactory = (port: string, ctx: DriverContext) => ByteLink;

export interface ApcsmartOptions {
  link?: LinkFactory;
}

class ApcsmartDriver implements DriverHooks {
  private session: SmartSession | undefined;
  private commands: ReadonlySet<string> | undefined;
  private caps = new Map<string, readonly string[]>();
  /** Variables this unit answers, by query byte. */
  private readonly supported: ApcVariable[] = [];
  private readonly confirmAt = new Map<string, number>();
  private statusPollPending = false;
  private lastStatus: string[] = [];
  private failures = 0;
  private needSync = true;

  constructor(private readonly ctx: DriverContext, private readonly opts: ApcsmartOptions) {}

  private get log() {
    return this.ctx.log;
  }

  private debug(msg: string): void {
    this.log.debug(1, `apcsmart [${this.ctx.ups}]: ${msg}`);
  }

  private ensureSession(): SmartSession {
    if (!this.session) {
      const make = this.opts.link ?? ((port: string, ctx: DriverContext) => new SerialTransport({ path: port, baudRate: 2400, lock: !ctx.flag('nolock') }, { clock: ctx.clock, log: ctx.log, logName: `apcsmart [${ctx.ups}]` }));
      this.session = new SmartSession(make(this.ctx.settings.port, this.ctx), {
        onAlert: (c) => this.onAlert(c),
        debug: (m) => this.debug(m),
      });
    }
    return this.session;
  }

  /** NUT's upsdrv_initups: open the port while still root; errors show up at the first request. */
  async openDevice(): Promise<void> {
    await this.ensureSession().link.open().catch(() => {});
  }

  /** The session, in smart mode (`Y` → `SM`) after a start or a communication failure. */
  private async open(): Promise<SmartSession> {
    const s = this.ensureSession();
    if (this.needSync) {
      // a few tries, as a sleeping unit may drop the first byte
      let last = '';
      for (let i = 0; i < 3 && this.needSync; i++) {
        try {
          last = await s.query('Y', { timeoutMs: 1000 });
          if (last === 'SM') this.needSync = false;
        } catch (e) {
          last = (e as Error).message;
        }
      }
      if (this.needSync) throw new Error(`unable to detect an APC Smart protocol UPS on port ${this.ctx.settings.port} (${last === '' ? 'no reply' : last} to 'Y')`);
    }
    return s;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => this.ctx.clock.setTimer(ms, r));
  }

  async initInfo(): Promise<void> {
    for (const o of UNUSED_OPTIONS) {
      if (this.ctx.option(o) !== undefined) this.log.warn(`apcsmart [${this.ctx.ups}]: option '${o}' is accepted for compatibility with NUT's ups.conf but has no effect in Walnut's apcsmart`);
    }
    if (this.ctx.option('sdtype') === '4') this.log.warn(`apcsmart [${this.ctx.ups}]: sdtype 4 (the CS hack) is not supported; -k uses sdtype 0`);
    const s = await this.open();
    const st = this.ctx.state;
    const a = await s.query('a', { raw: true }).catch(() => 'NA');
    const info = parseProtocolInfo(a);
    if (info) {
      this.commands = info.commands;
      this.debug(`protocol ${info.version}, ${info.commands.size} command bytes`);
    } else {
      this.debug(`no protocol info (${JSON.stringify(a)}): probing every query`);
    }
    const nominal = this.has('o') ? await s.query('o').catch(() => undefined) : undefined;
    const locale = localeFor(nominal);
    if (this.has('\x1a')) {
      const capReply = await s.query('\x1a', { raw: true, timeoutMs: 3000 }).catch(() => 'NA');
      const parsed = parseCapabilities(capReply);
      for (const p of parsed.problems) this.log.warn(`apcsmart [${this.ctx.ups}]: ${p}; entry skipped`);
      this.caps = capabilitiesFor(parsed.caps, locale);
    }
    st.setInfo('ups.mfr', 'APC');
    const seen = new Set<string>();
    for (const v of APC_VARIABLES) {
      if (seen.has(v.name) || !this.has(v.cmd)) continue;
      const reply = await s.query(v.cmd).catch(() => undefined);
      if (reply === undefined) continue;
      const value = convertReply(v, reply);
      if (value === undefined) continue;
      seen.add(v.name);
      this.supported.push(v);
      this.publish(v, value);
      if (v.rw === 'enum') {
        const choices = this.caps.get(v.cmd);
        if (choices && choices.length > 1) {
          st.setFlags(v.name, FLAG_RW);
          for (const c of choices) {
            const cv = convertReply(v, c);
            if (cv !== undefined) st.addEnum(v.name, cv);
          }
        }
      } else if (v.rw === 'string') {
        st.setFlags(v.name, FLAG_RW | FLAG_STRING);
        st.setAux(v.name, v.width ?? 8);
      }
    }
    for (const c of APC_COMMANDS) if (this.has(c.cmd)) st.addCmd(c.name);
  }

  private has(cmd: string): boolean {
    return this.commands === undefined || this.commands.has(cmd);
  }

  private publish(v: ApcVariable, value: string): void {
    this.ctx.state.setInfo(v.name, value);
  }

  private setStatus(tokens: readonly string[]): void {
    const st = this.ctx.state;
    st.statusInit();
    for (const t of tokens) st.statusSet(t);
    st.statusCommit();
    this.lastStatus = [...tokens];
  }

  private onAlert(c: string): void {
    this.log.info(`apcsmart [${this.ctx.ups}]: UPS alert '${c}': ${ALERTS[c] ?? 'unknown'}`);
    let tokens = [...this.lastStatus];
    const drop = (t: string) => (tokens = tokens.filter((x) => x !== t));
    const add = (t: string) => {
      if (!tokens.includes(t)) tokens.push(t);
    };
    switch (c) {
      case '!':
        drop('OL');
        add('OB');
        break;
      case '$':
        drop('OB');
        drop('LB');
        add('OL');
        break;
      case '%':
        add('LB');
        break;
      case '+':
        drop('LB');
        break;
      case '#':
        add('RB');
        break;
      case '?':
        add('OVER');
        break;
      case '=':
        drop('OVER');
        break;
    }
    if (tokens.join(' ') !== this.lastStatus.join(' ')) this.setStatus(tokens);
    // confirm with a status query soon
    if (!this.statusPollPending) {
      this.statusPollPending = true;
      this.ctx.clock.setTimer(50, () => {
        this.statusPollPending = false;
        void this.pollStatus().catch(() => {});
      });
    }
  }

  private async pollStatus(): Promise<boolean> {
    const s = await this.open();
    const q = await s.query('Q');
    const tokens = decodeStatus(q);
    if (!tokens) {
      this.debug(`bad status reply ${JSON.stringify(q)}`);
      return false;
    }
    this.setStatus(tokens);
    return true;
  }

  async update(): Promise<void> {
    try {
      if (!(await this.pollStatus())) {
        // a garbled status byte: resync once with Y and retry
        this.needSync = true;
        if (!(await this.pollStatus())) throw new Error('status byte unreadable');
      }
      const s = await this.open();
      for (const v of this.supported) {
        if (v.static) continue;
        const reply = await s.query(v.cmd).catch(() => undefined);
        if (reply === undefined) continue;
        const value = convertReply(v, reply);
        if (value !== undefined) this.publish(v, value);
        else this.debug(`${byteName(v.cmd)} (${v.name}): unusable reply ${JSON.stringify(reply)}`);
      }
      this.failures = 0;
      this.ctx.state.dataOk();
    } catch (e) {
      this.failures++;
      if (this.failures === 1) this.log.warn(`apcsmart [${this.ctx.ups}]: communication lost: ${(e as Error).message}`);
      this.ctx.state.dataStale();
      // the transport reopens the port on the next request; talk smart again first
      this.needSync = true;
    }
  }

  async instcmd(cmd: string, param: string | undefined): Promise<number> {
    const c = APC_COMMANDS.find((x) => x.name === cmd.toLowerCase());
    if (!c || !this.has(c.cmd)) {
      this.log.info(`instcmd: unknown command [${cmd}] [${param ?? '(null)'}]`);
      return STAT_UNKNOWN;
    }
    if (c.confirm) {
      const now = this.ctx.clock.now();
      const first = this.confirmAt.get(c.name);
      if (first === undefined || now - first < CONFIRM_MIN_MS || now - first > CONFIRM_MAX_MS) {
        this.confirmAt.set(c.name, now);
        this.log.warn(`apcsmart [${this.ctx.ups}]: ${c.name} must be requested again in ${CONFIRM_MIN_MS / 1000}-${CONFIRM_MAX_MS / 1000} s to take effect`);
        return STAT_HANDLED;
      }
      this.confirmAt.delete(c.name);
    }
    try {
      const s = await this.open();
      return await s.exclusive(async () => {
        if (c.name === 'shutdown.return') return this.shutdownReturn(s, param);
        if (c.twice) return this.sendTwice(s, c.cmd);
        const r = await s.request(c.cmd);
        if (r === 'NA') return STAT_FAILED;
        this.log.info(`apcsmart [${this.ctx.ups}]: ${c.name}: ${r}`);
        return STAT_HANDLED;
      });
    } catch (e) {
      this.log.warn(`apcsmart [${this.ctx.ups}]: ${cmd} failed: ${(e as Error).message}`);
      return STAT_FAILED;
    }
  }

  /** `Z`, `K`, `^N`: the byte twice, 1.3 s apart; the unit answers the second. */
  private async sendTwice(s: SmartSession, b: string): Promise<number> {
    await s.send(b);
    await this.sleep(TWICE_GAP_MS);
    const r = await s.request(b, { timeoutMs: 3000 }).catch(() => undefined);
    if (r === 'OK' || r === '*' || (b === 'Z' && r === undefined)) return STAT_HANDLED;
    this.debug(`${byteName(b)} twice: reply ${JSON.stringify(r)}`);
    return STAT_FAILED;
  }

  /** shutdown.return: `at:N` → `@N` (N × 6 minutes), `cs` or nothing → `S` (soft, on battery). */
  private async shutdownReturn(s: SmartSession, param: string | undefined): Promise<number> {
    let bytes = 'S';
    if (param && /^at:\d{1,3}$/i.test(param)) bytes = `@${param.slice(3).padStart(3, '0')}`;
    else if (param && param.toLowerCase() !== 'cs') return STAT_INVALID;
    const r = await s.request(bytes, { timeoutMs: 3000 });
    return r === 'OK' || r === '*' ? STAT_HANDLED : STAT_FAILED;
  }

  async setvar(name: string, value: string): Promise<number> {
    const v = this.supported.find((x) => x.name === name && x.rw);
    if (!v) {
      this.log.info(`setvar: unknown variable [${name}]`);
      return STAT_UNKNOWN;
    }
    try {
      const s = await this.open();
      return await s.exclusive(async () => {
        if (v.rw === 'string') {
          const width = v.width ?? 8;
          if (value.length > width || /[^\x20-\x7e]/.test(value)) return STAT_INVALID;
          const text = value.padEnd(width, ' ');
          await s.request(v.cmd);
          await s.send('-');
          const r = await s.request(text, { timeoutMs: 3000 });
          if (r !== 'OK') return STAT_FAILED;
          this.publish(v, value);
          return STAT_HANDLED;
        }
        const choices = this.caps.get(v.cmd);
        const raw = replyFor(v, value);
        if (!choices || !choices.includes(raw)) return STAT_INVALID;
        let cur = await s.request(v.cmd);
        for (let i = 0; i <= choices.length && cur !== raw; i++) cur = await s.request('-', { timeoutMs: 3000 });
        if (cur !== raw) return STAT_FAILED;
        const nv = convertReply(v, cur);
        if (nv !== undefined) this.publish(v, nv);
        return STAT_HANDLED;
      });
    } catch (e) {
      this.log.warn(`apcsmart [${this.ctx.ups}]: set ${name} failed: ${(e as Error).message}`);
      return STAT_FAILED;
    }
  }

  /** `-k`: per sdtype (0: `S` on battery, else `@000`; 1: S then @; 2: Z; 3: K; 5: @). */
  async killpower(): Promise<number> {
    const sdtype = this.ctx.option('sdtype') ?? '0';
    const s = await this.open();
    const ob = this.lastStatus.includes('OB');
    return s.exclusive(async () => {
      const tryReq = async (b: string) => {
        const r = await s.request(b, { timeoutMs: 3000 }).catch(() => undefined);
        return r === 'OK' || r === '*';
      };
      switch (sdtype) {
        case '1':
          if (await tryReq('S')) return 0;
          return (await tryReq('@000')) ? 0 : 1;
        case '2':
          return (await this.sendTwice(s, 'Z')) === STAT_HANDLED ? 0 : 1;
        case '3':
          return (await this.sendTwice(s, 'K')) === STAT_HANDLED ? 0 : 1;
        case '5':
          return (await tryReq('@000')) ? 0 : 1;
        default:
          return (await tryReq(ob ? 'S' : '@000')) ? 0 : 1;
      }
    });
  }

  async close(): Promise<void> {
    await this.session?.close().catch(() => {});
    this.session = undefined;
  }
}

export function makeApcsmart(opts: ApcsmartOptions = {}): DriverDefinition {
  return {
    name: 'apcsmart',
    version: APCSMART_VERSION,
    description: 'APC Smart protocol driver',
    options: [
      { name: 'sdtype', help: 'shutdown method: 0 soft (S on battery, @000 on line), 1 S then @, 2 Z, 3 K, 5 @' },
      { name: 'cable', help: 'cable type (940-0095B sets the line bits as NUT; others need nothing)' },
      { name: 'awd', help: 'hard hibernate wakeup delay (accepted, unused)' },
      { name: 'advorder', help: 'advanced shutdown order (accepted, unused)' },
      { name: 'ttymode', help: 'raw or cooked tty (accepted: the port is always raw)' },
      { name: 'cshdelay', help: 'CS hack delay (accepted, unused)' },
      { name: 'wugrace', help: 'wake-up grace (accepted, unused)' },
      { name: 'sdtime', help: 'shutdown time (accepted, unused)' },
    ],
    flags: [],
    create: (ctx) => new ApcsmartDriver(ctx, opts),
  };
}

export const apcsmart = makeApcsmart();
