/**
 * NutClient: the one NUT network-protocol client library of Walnut (used by
 * upsc/upscmd/upsrw, upsmon, the dashboard, dummy-ups's repeater mode, the
 * demo and the benchmark).
 *
 * One TCP connection, a promise per request. Requests may be issued
 * concurrently: they are written at once (upsd answers each line in order)
 * and the replies are matched to them in order. A LIST reply is one
 * `BEGIN LIST ...` .. `END LIST ...` block.
 *
 * Replies are split on LF and each line is lexed with the shared NUT lexer
 * (StreamLexer), then verified like libupsclient does: a reply (and each list
 * row) must start with the words of the query, ignoring case. `ERR <CODE>`
 * rejects the request with a NutServerError carrying the code; a broken or
 * silent link rejects with a TransportError (and closes the client: once a
 * reply is missing, the stream can no longer be matched); a reply that does
 * not fit the query rejects with a ProtocolError and also closes the client.
 *
 * STARTTLS seam: `starttls(upgrade)` sends STARTTLS, and after `OK STARTTLS`
 * hands the raw socket to `upgrade` (e.g. `tls.connect({ socket })`), then
 * reads and writes through the stream it returns.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { StreamLexer, quote } from '../common/lexer.js';
import { ProtocolError, TransportError, WalnutError } from '../common/errors.js';
import type { TransportFailure } from '../common/errors.js';
import { systemClock } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { NUT_ERROR_TEXT } from '../protocol/net/errors.js';

export const DEFAULT_PORT = 3493;
export const DEFAULT_HOST = 'localhost';
/** A reply line longer than this is garbage (upsd cuts its own at 512 bytes). */
export const MAX_REPLY_LINE = 64 * 1024;

/** libupsclient's text for an ERR code it does not know. */
export const UNKNOWN_ERROR_TEXT = 'Unknown error';

/** `ERR <CODE>` from upsd. `code` is the ERR word exactly as sent; the message is libupsclient's text. */
export class NutServerError extends WalnutError {
  /** The whole reply line, e.g. `ERR ACCESS-DENIED`. */
  readonly reply: string;
  constructor(code: string, reply = `ERR ${code}`) {
    super(code, NUT_ERROR_TEXT[code] ?? UNKNOWN_ERROR_TEXT);
    this.reply = reply;
  }
}

/* ------------------------------------------------------------------ names */

export interface UpsAddress {
  ups: string;
  host: string;
  port: number;
}

export interface HostAddress {
  host: string;
  port: number;
}

/** Thrown by splitName / splitAddr with libupsclient-like wording. */
export class NameError extends WalnutError {
  /** The text that failed to parse. */
  readonly input: string;
  constructor(message: string, input: string) {
    super('NAME', message);
    this.input = input;
  }
}

function parsePort(s: string, whole: string): number {
  // NUT 2.8.0 words every bad port this way
  const bad = `upscli_splitaddr: no port specified after ':' separator`;
  if (!/^[0-9]+$/.test(s)) throw new NameError(bad, whole);
  const n = Number(s);
  if (n < 1 || n > 65535) throw new NameError(bad, whole);
  return n;
}

/**
 * `host[:port]`, `[v6addr][:port]` or a bare IPv6 address (more than one
 * colon, no brackets: the whole thing is the host). Defaults localhost:3493.
 */
export function splitAddr(spec: string | undefined, defaultPort = DEFAULT_PORT): HostAddress {
  if (spec === undefined || spec === '') return { host: DEFAULT_HOST, port: defaultPort };
  if (spec.startsWith('[')) {
    const close = spec.indexOf(']');
    if (close < 0) throw new NameError('upscli_splitaddr: missing closing bracket in [domain literal]', spec);
    const host = spec.slice(1, close);
    const after = spec.slice(close + 1);
    if (after === '') return { host, port: defaultPort };
    if (!after.startsWith(':')) throw new NameError(`upscli_splitaddr: unexpected text after [domain literal]`, spec);
    return { host, port: parsePort(after.slice(1), spec) };
  }
  const first = spec.indexOf(':');
  if (first < 0) return { host: spec, port: defaultPort };
  if (spec.indexOf(':', first + 1) >= 0) return { host: spec, port: defaultPort };
  const host = spec.slice(0, first);
  return { host: host === '' ? DEFAULT_HOST : host, port: parsePort(spec.slice(first + 1), spec) };
}

/** NUT's `ups[@host[:port]]` (upscli_splitname). */
export function splitName(spec: string, defaultPort = DEFAULT_PORT): UpsAddress {
  const at = spec.indexOf('@');
  const ups = at < 0 ? spec : spec.slice(0, at);
  if (ups === '') throw new NameError('upscli_splitname: no UPS name given', spec);
  if (at < 0) return { ups, host: DEFAULT_HOST, port: defaultPort };
  const rest = spec.slice(at + 1);
  if (rest === '') throw new NameError('upscli_splitname: no hostname given after @', spec);
  return { ups, ...splitAddr(rest, defaultPort) };
}

/* --------------------------------------------------------------- messages */

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EPIPE: 'Broken pipe',
  EACCES: 'Permission denied',
};

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string') {
    if (ERRNO_TEXT[e.code]) return ERRNO_TEXT[e.code]!;
    if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EAI_NONAME') return 'No such host';
  }
  return e && typeof e.message === 'string' ? e.message : String(err);
}

/** Wrap a value for the wire: bare when it is one plain word, else NUT-quoted. */
export function wireWord(v: string): string {
  return /^[A-Za-z0-9._\-+:@/[\]]+$/.test(v) ? v : quote(v);
}

/* ----------------------------------------------------------------- client */

export interface ConnectOptions {
  /** Limit for connecting and for each reply; 0 or undefined = none. */
  timeoutMs?: number;
  clock?: Clock;
}

/** One reply line: its words (lexed and decoded) and its raw text. */
export interface ReplyLine {
  words: string[];
  raw: string;
}

interface Pending {
  /** Words the reply must begin with (ignoring case); empty = anything. */
  expect: string[];
  /** For a LIST: the query words after LIST (rows start with them, minus LIST). */
  list: string[] | null;
  /** Raw mode (command()): no verification, ERR returned as a line. */
  raw: boolean;
  rows: ReplyLine[];
  begun: boolean;
  resolve(lines: ReplyLine[]): void;
  reject(err: Error): void;
  cancelTimer?: () => void;
}

export interface VarEntry {
  name: string;
  value: string;
}

export interface UpsEntry {
  name: string;
  desc: string;
}

export interface RangeEntry {
  min: string;
  max: string;
}

/** A GET TRACKING <id> status: `PENDING`, `SUCCESS` or `ERR <code>`. */
export type TrackingStatus = 'PENDING' | 'SUCCESS' | `ERR ${string}`;

function eqWords(have: readonly string[], want: readonly string[]): boolean {
  if (have.length < want.length) return false;
  for (let i = 0; i < want.length; i++) if (have[i]!.toLowerCase() !== want[i]!.toLowerCase()) return false;
  return true;
}

export class NutClient {
  readonly host: string;
  readonly port: number;
  private stream: Duplex;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly queue: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private lexed: string[] | null = null;
  private lexFailed = false;
  private readonly lexer: StreamLexer;
  private failure: TransportError | ProtocolError | null = null;
  private closing = false;
  private upgrading = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onEnd = () => this.fail(new TransportError('disconnected', 'Server disconnected'));
  private readonly onError = (err: Error) => this.fail(new TransportError('io', `Read error: ${errnoText(err)}`, { cause: err }));
  private closeListeners: Array<(err: Error | null) => void> = [];

  private constructor(stream: Duplex, host: string, port: number, opts: ConnectOptions) {
    this.stream = stream;
    this.host = host;
    this.port = port;
    this.clock = opts.clock ?? systemClock;
    this.timeoutMs = opts.timeoutMs ?? 0;
    this.lexer = new StreamLexer(
      (words) => {
        this.lexed = this.lexed ? this.lexed.concat(words) : words;
      },
      () => {
        this.lexFailed = true;
      },
    );
    this.attach(stream);
  }

  /** Connects to upsd. Connection failures reject with TransportError "Connection failure: <errno text>". */
  static connect(host: string = DEFAULT_HOST, port: number = DEFAULT_PORT, opts: ConnectOptions = {}): Promise<NutClient> {
    const clock = opts.clock ?? systemClock;
    const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: h, port });
      let cancel: (() => void) | undefined;
      const onErr = (err: Error) => {
        cancel?.();
        sock.destroy();
        const reason: TransportFailure = (err as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? 'timeout' : 'io';
        const text = errnoText(err);
        // libupsclient: a failed name lookup is "No such host", anything else "Connection failure: <errno>"
        reject(new TransportError(reason, text === 'No such host' ? text : `Connection failure: ${text}`, { cause: err }));
      };
      sock.once('error', onErr);
      if (opts.timeoutMs) {
        cancel = clock.setTimer(opts.timeoutMs, () => {
          sock.removeListener('error', onErr);
          sock.on('error', () => {});
          sock.destroy();
          reject(new TransportError('timeout', 'Connection failure: Connection timed out'));
        });
      }
      sock.once('connect', () => {
        cancel?.();
        sock.removeListener('error', onErr);
        sock.setNoDelay(true);
        resolve(new NutClient(sock, host, port, opts));
      });
    });
  }

  /** Wraps an already connected stream (tests, or transports other than TCP). */
  static fromStream(stream: Duplex, opts: ConnectOptions & { host?: string; port?: number } = {}): NutClient {
    return new NutClient(stream, opts.host ?? DEFAULT_HOST, opts.port ?? DEFAULT_PORT, opts);
  }

  private attach(stream: Duplex): void {
    this.stream = stream;
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
  }

  private detach(): Duplex {
    const s = this.stream;
    s.removeListener('data', this.onData);
    s.removeListener('end', this.onEnd);
    s.removeListener('close', this.onEnd);
    s.removeListener('error', this.onError);
    return s;
  }

  /** True until the connection is closed or failed. */
  get isOpen(): boolean {
    return this.failure === null && !this.closing;
  }

  /** Number of requests waiting for their reply. */
  get pendingCount(): number {
    return this.queue.length;
  }

  /** Called once when the connection ends: null after close(), the error otherwise. */
  onClose(fn: (err: Error | null) => void): void {
    if (!this.isOpen) {
      fn(this.closing && !this.failure ? null : this.failure);
      return;
    }
    this.closeListeners.push(fn);
  }

  /* ---------------------------------------------------------- framing */

  private receive(chunk: Buffer): void {
    let data = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const lf = data.indexOf(0x0a, start);
      if (lf < 0) break;
      const line = data.subarray(start, lf + 1);
      start = lf + 1;
      this.handleRawLine(line);
      if (this.failure || this.closing || this.upgrading) {
        this.buf = Buffer.alloc(0);
        return;
      }
    }
    data = data.subarray(start);
    if (data.length > MAX_REPLY_LINE) {
      this.fail(new ProtocolError(`Protocol error: reply line longer than ${MAX_REPLY_LINE} bytes`));
      return;
    }
    this.buf = Buffer.from(data);
  }

  private handleRawLine(line: Buffer): void {
    this.lexed = null;
    this.lexFailed = false;
    this.lexer.push(line);
    if (this.lexer.inQuotes) this.lexer.end();
    const raw = line.subarray(0, line.length - 1).toString('latin1').replace(/\r$/, '');
    const words = this.lexed ?? [];
    if (this.lexFailed) {
      this.fail(new ProtocolError(`Protocol error: unparsable reply: ${raw}`));
      return;
    }
    if (words.length === 0) {
      // upsd never sends an empty line; it cannot be matched to a request
      this.fail(new ProtocolError('Protocol error: empty reply line'));
      return;
    }
    this.deliver({ words, raw });
  }

  private deliver(r: ReplyLine): void {
    const p = this.queue[0];
    if (!p) {
      this.fail(new ProtocolError(`Protocol error: unexpected reply: ${r.raw}`));
      return;
    }
    if (p.raw) {
      if (!p.begun && eqWords(r.words, ['BEGIN', 'LIST'])) {
        p.begun = true;
        p.rows.push(r);
        return;
      }
      if (p.begun) {
        p.rows.push(r);
        if (eqWords(r.words, ['END', 'LIST'])) this.finish(p, p.rows);
        return;
      }
      this.finish(p, [r]);
      return;
    }
    if (!p.begun && r.words[0] === 'ERR') {
      this.finish(p, null, new NutServerError(r.words[1] ?? 'UNKNOWN', r.raw));
      return;
    }
    if (p.list === null) {
      if (!eqWords(r.words, p.expect)) {
        this.protocolMismatch(p, r);
        return;
      }
      this.finish(p, [r]);
      return;
    }
    if (!p.begun) {
      if (!eqWords(r.words, ['BEGIN', 'LIST', ...p.list])) {
        this.protocolMismatch(p, r);
        return;
      }
      p.begun = true;
      return;
    }
    if (eqWords(r.words, ['END', 'LIST'])) {
      if (!eqWords(r.words, ['END', 'LIST', ...p.list])) {
        this.protocolMismatch(p, r);
        return;
      }
      this.finish(p, p.rows);
      return;
    }
    if (!eqWords(r.words, p.expect)) {
      this.protocolMismatch(p, r);
      return;
    }
    p.rows.push(r);
  }

  private protocolMismatch(p: Pending, r: ReplyLine): void {
    const err = new ProtocolError(`Protocol error: unexpected reply: ${r.raw}`);
    this.finish(p, null, err);
    this.fail(err);
  }

  private finish(p: Pending, lines: ReplyLine[] | null, err?: Error): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    p.cancelTimer?.();
    if (err) p.reject(err);
    else p.resolve(lines ?? []);
  }

  /** Ends the connection for good: every waiting request gets `err`. */
  private fail(err: TransportError | ProtocolError): void {
    if (this.failure || this.upgrading) return;
    const quiet = this.closing;
    this.failure = err;
    const pending = this.queue.splice(0);
    for (const p of pending) {
      p.cancelTimer?.();
      p.reject(err);
    }
    this.detach();
    this.stream.on('error', () => {});
    this.stream.destroy();
    const ls = this.closeListeners.splice(0);
    for (const fn of ls) fn(quiet && pending.length === 0 ? null : err);
  }

  /* ------------------------------------------------------------ requests */

  private send(line: string, expect: string[], list: string[] | null, raw = false): Promise<ReplyLine[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new TransportError('disconnected', 'Connection closed'));
    if (this.upgrading) return Promise.reject(new ProtocolError('Request during STARTTLS negotiation'));
    if (/[\r\n]/.test(line)) return Promise.reject(new WalnutError('INVALID', 'A request may not contain CR or LF'));
    return new Promise<ReplyLine[]>((resolve, reject) => {
      const p: Pending = { expect, list, raw, rows: [], begun: false, resolve, reject };
      if (this.timeoutMs > 0) {
        p.cancelTimer = this.clock.setTimer(this.timeoutMs, () => {
          this.fail(new TransportError('timeout', `Timeout waiting for reply to: ${redactRequest(line)}`));
        });
      }
      this.queue.push(p);
      this.stream.write(line + '\n', 'latin1');
    });
  }

  private async one(line: string, expect: string[]): Promise<ReplyLine> {
    const r = await this.send(line, expect, null);
    return r[0]!;
  }

  private async list(query: string[]): Promise<ReplyLine[]> {
    const line = ['LIST', ...query.map(wireWord)].join(' ');
    // rows start with the query words, LIST's subcommand included (VAR ups ..., RW ups ...)
    return this.send(line, query, query);
  }

  /**
   * Sends one raw line (no quoting) and returns every reply line: one line,
   * or the whole BEGIN..END block. `ERR` replies are returned, not thrown.
   */
  async command(line: string): Promise<string[]> {
    const r = await this.send(line, [], null, true);
    return r.map((l) => l.raw);
  }

  /** Like command(), but returns the lexed words of each line. */
  async commandWords(line: string): Promise<string[][]> {
    const r = await this.send(line, [], null, true);
    return r.map((l) => l.words);
  }

  private valueAt(r: ReplyLine, i: number): string {
    const v = r.words[i];
    if (v === undefined) {
      const err = new ProtocolError(`Protocol error: short reply: ${r.raw}`);
      throw err;
    }
    return v;
  }

  async get(ups: string, name: string): Promise<string> {
    const r = await this.one(`GET VAR ${wireWord(ups)} ${wireWord(name)}`, ['VAR', ups, name]);
    return this.valueAt(r, 3);
  }

  /** The type words after `TYPE ups var`, e.g. ['RW', 'STRING:32'] or ['NUMBER']. */
  async getType(ups: string, name: string): Promise<string[]> {
    const r = await this.one(`GET TYPE ${wireWord(ups)} ${wireWord(name)}`, ['TYPE', ups, name]);
    return r.words.slice(3);
  }

  async getDesc(ups: string, name: string): Promise<string> {
    const r = await this.one(`GET DESC ${wireWord(ups)} ${wireWord(name)}`, ['DESC', ups, name]);
    return this.valueAt(r, 3);
  }

  async getCmdDesc(ups: string, cmd: string): Promise<string> {
    const r = await this.one(`GET CMDDESC ${wireWord(ups)} ${wireWord(cmd)}`, ['CMDDESC', ups, cmd]);
    return this.valueAt(r, 3);
  }

  async getUpsDesc(ups: string): Promise<string> {
    const r = await this.one(`GET UPSDESC ${wireWord(ups)}`, ['UPSDESC', ups]);
    return this.valueAt(r, 2);
  }

  async getNumLogins(ups: string): Promise<number> {
    const r = await this.one(`GET NUMLOGINS ${wireWord(ups)}`, ['NUMLOGINS', ups]);
    const v = this.valueAt(r, 2);
    const n = Number.parseInt(v, 10);
    if (!Number.isFinite(n)) throw new ProtocolError(`Protocol error: bad NUMLOGINS reply: ${r.raw}`);
    return n;
  }

  async listUps(): Promise<UpsEntry[]> {
    const rows = await this.list(['UPS']);
    return rows.map((r) => ({ name: this.valueAt(r, 1), desc: r.words[2] ?? '' }));
  }

  async listVar(ups: string): Promise<VarEntry[]> {
    const rows = await this.list(['VAR', ups]);
    return rows.map((r) => ({ name: this.valueAt(r, 2), value: r.words[3] ?? '' }));
  }

  async listRw(ups: string): Promise<VarEntry[]> {
    const rows = await this.list(['RW', ups]);
    return rows.map((r) => ({ name: this.valueAt(r, 2), value: r.words[3] ?? '' }));
  }

  async listCmd(ups: string): Promise<string[]> {
    const rows = await this.list(['CMD', ups]);
    return rows.map((r) => this.valueAt(r, 2));
  }

  async listEnum(ups: string, name: string): Promise<string[]> {
    const rows = await this.list(['ENUM', ups, name]);
    return rows.map((r) => this.valueAt(r, 3));
  }

  async listRange(ups: string, name: string): Promise<RangeEntry[]> {
    const rows = await this.list(['RANGE', ups, name]);
    return rows.map((r) => ({ min: this.valueAt(r, 3), max: this.valueAt(r, 4) }));
  }

  /** Addresses of the clients logged in to `ups`. */
  async listClient(ups: string): Promise<string[]> {
    const rows = await this.list(['CLIENT', ups]);
    return rows.map((r) => this.valueAt(r, 2));
  }

  /** OK or OK TRACKING <id>: returns the tracking id when there is one. */
  private okTracking(r: ReplyLine): string | undefined {
    if (r.words.length >= 3 && r.words[1]!.toUpperCase() === 'TRACKING') return r.words[2];
    return undefined;
  }

  /** SET VAR; resolves with the tracking id when tracking is on. */
  async setVar(ups: string, name: string, value: string): Promise<string | undefined> {
    const r = await this.one(`SET VAR ${wireWord(ups)} ${wireWord(name)} ${quote(value)}`, ['OK']);
    return this.okTracking(r);
  }

  /** INSTCMD with an optional parameter; resolves with the tracking id when tracking is on. */
  async instCmd(ups: string, cmd: string, param?: string): Promise<string | undefined> {
    const line = `INSTCMD ${wireWord(ups)} ${wireWord(cmd)}` + (param !== undefined ? ` ${quote(param)}` : '');
    const r = await this.one(line, ['OK']);
    return this.okTracking(r);
  }

  async setTracking(on: boolean): Promise<void> {
    await this.one(`SET TRACKING ${on ? 'ON' : 'OFF'}`, ['OK']);
  }

  /** Without id: whether tracking is on. */
  async getTracking(): Promise<boolean>;
  /** With id: the status of one request. ERR FEATURE-NOT-CONFIGURED (tracking off) throws. */
  async getTracking(id: string): Promise<TrackingStatus>;
  async getTracking(id?: string): Promise<boolean | TrackingStatus> {
    if (id === undefined) {
      const r = await this.send('GET TRACKING', [], null, true);
      const w = r[0]!.words;
      if (w[0] === 'ERR') throw new NutServerError(w[1] ?? 'UNKNOWN', r[0]!.raw);
      const v = (w[0] ?? '').toUpperCase();
      if (v !== 'ON' && v !== 'OFF') throw new ProtocolError(`Protocol error: unexpected reply: ${r[0]!.raw}`);
      return v === 'ON';
    }
    const r = await this.send(`GET TRACKING ${wireWord(id)}`, [], null, true);
    const w = r[0]!.words;
    const head = (w[0] ?? '').toUpperCase();
    if (head === 'PENDING' || head === 'SUCCESS') return head;
    if (head === 'ERR') {
      const code = w[1] ?? 'UNKNOWN';
      if (code === 'FEATURE-NOT-CONFIGURED') throw new NutServerError(code, r[0]!.raw);
      return `ERR ${code}`;
    }
    throw new ProtocolError(`Protocol error: unexpected reply: ${r[0]!.raw}`);
  }

  async username(user: string): Promise<void> {
    await this.one(`USERNAME ${wireWord(user)}`, ['OK']);
  }

  async password(pass: string): Promise<void> {
    await this.one(`PASSWORD ${quote(pass)}`, ['OK']);
  }

  async login(ups: string): Promise<void> {
    await this.one(`LOGIN ${wireWord(ups)}`, ['OK']);
  }

  /** LOGOUT: `OK Goodbye`, then the connection is closed. */
  async logout(): Promise<void> {
    await this.one('LOGOUT', ['OK']);
    this.close();
  }

  /** PRIMARY, falling back to MASTER unless the reply starts with OK (as upsmon does). */
  async primary(ups: string): Promise<void> {
    const r = await this.send(`PRIMARY ${wireWord(ups)}`, [], null, true);
    if (r[0]!.words[0]?.toUpperCase() === 'OK') return;
    await this.one(`MASTER ${wireWord(ups)}`, ['OK']);
  }

  async fsd(ups: string): Promise<void> {
    await this.one(`FSD ${wireWord(ups)}`, ['OK']);
  }

  /** VER: the server's free text. */
  async ver(): Promise<string> {
    const r = await this.send('VER', [], null, true);
    if (r[0]!.words[0] === 'ERR') throw new NutServerError(r[0]!.words[1] ?? 'UNKNOWN', r[0]!.raw);
    return r[0]!.raw;
  }

  /** NETVER: the protocol version (e.g. "1.3"). */
  async netVer(): Promise<string> {
    const r = await this.send('NETVER', [], null, true);
    if (r[0]!.words[0] === 'ERR') throw new NutServerError(r[0]!.words[1] ?? 'UNKNOWN', r[0]!.raw);
    return r[0]!.raw;
  }

  async help(): Promise<string> {
    const r = await this.one('HELP', ['Commands:']);
    return r.raw;
  }

  /**
   * STARTTLS seam: sends STARTTLS (no other request may be pending); after
   * `OK STARTTLS` passes the raw stream to `upgrade` (e.g. tls.connect({socket}))
   * and continues over the stream it resolves with.
   */
  async starttls(upgrade: (raw: Duplex) => Promise<Duplex>): Promise<void> {
    if (this.queue.length) throw new ProtocolError('STARTTLS needs an idle connection');
    await this.one('STARTTLS', ['OK', 'STARTTLS']);
    if (this.buf.length) throw new ProtocolError('Protocol error: data after OK STARTTLS');
    this.upgrading = true;
    const raw = this.detach();
    raw.on('error', () => {});
    let next: Duplex;
    try {
      next = await upgrade(raw);
    } catch (err) {
      this.upgrading = false;
      this.stream = raw;
      this.fail(new TransportError('io', `TLS negotiation failed: ${errnoText(err)}`, { cause: err }));
      throw this.failure;
    }
    this.upgrading = false;
    this.attach(next);
  }

  /** Closes the connection (without LOGOUT). Waiting requests reject with TransportError. */
  close(): void {
    if (!this.isOpen) return;
    this.closing = true;
    const pending = this.queue.splice(0);
    const err = new TransportError('disconnected', 'Connection closed');
    for (const p of pending) {
      p.cancelTimer?.();
      p.reject(err);
    }
    this.detach();
    this.stream.on('error', () => {});
    this.stream.end();
    this.stream.destroy();
    const ls = this.closeListeners.splice(0);
    for (const fn of ls) fn(null);
  }
}

/** A request line safe for an error message (PASSWORD values hidden). */
function redactRequest(line: string): string {
  return /^\s*PASSWORD\b/i.test(line) ? 'PASSWORD ***' : line;
}
