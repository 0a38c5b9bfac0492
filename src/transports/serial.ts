/**
 * A serial port for UPS drivers, on `serialport` (bindings-cpp): port
 * settings (baud, data bits, parity, stop bits), the DTR/RTS lines NUT's
 * serial drivers set, writes, reads with timeouts framed by a terminator
 * (CR for Megatec Q1, LF/CR for APC smart) or by a byte count, input flush,
 * and reopening after the port disappeared (a USB-serial adapter pulled, a
 * pty closed).
 *
 * Failure model, as NUT's drivers see it: every failed open, write or read
 * throws a TransportError ('disconnected', 'timeout' or 'io'); the driver
 * marks its data stale. The next operation reopens the port by itself, so
 * the driver recovers as soon as the device is back, without restarting.
 *
 * Timeouts run on the injected Clock (systemClock by default). The
 * ByteLink interface is what protocol code uses, so USB bridges (or a test
 * double) can stand in for a serial port.
 */
import fs from 'node:fs';
import { SerialPort } from 'serialport';
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { TransportError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { silentLogger } from '../common/log.js';

export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';
export type DataBits = 5 | 6 | 7 | 8;
export type StopBits = 1 | 1.5 | 2;

export interface SerialSettings {
  /** Device path (/dev/ttyS0, /dev/ttyUSB0, a pty or a link to one). */
  path: string;
  /** Default 2400 (Megatec Q1, APC smart). */
  baudRate?: number;
  dataBits?: DataBits;
  parity?: Parity;
  stopBits?: StopBits;
  /**
   * Modem lines set after each open, as NUT's drivers do (nutdrv_qx
   * `cablepower=normal`: DTR on, RTS off). Undefined: left alone. A tty that
   * has no modem lines (a pty) refuses; that is logged at debug level 2.
   */
  dtr?: boolean;
  rts?: boolean;
  /** Take an exclusive lock on the port (default true, as NUT's ser_open). */
  lock?: boolean;
}

export interface ReadOptions {
  /** Give up after this many ms without the frame complete. */
  timeoutMs: number;
  /** Refuse (and drop) a frame longer than this many bytes (default 4096). */
  maxLength?: number;
}

/** A read that did not complete: `partial` holds what did arrive. */
export class ReadTimeout extends TransportError {
  constructor(
    message: string,
    readonly partial: Buffer,
  ) {
    super('timeout', message);
  }
}

/** The byte-stream view protocol code uses (serial port, USB bridge, test double). */
export interface ByteLink {
  readonly isOpen: boolean;
  /** A short name for messages (the port path). */
  readonly name: string;
  /** Opens (or reopens) the device; throws TransportError. */
  open(): Promise<void>;
  close(): Promise<void>;
  /** Writes all bytes (drained to the device). Reopens first if needed. */
  write(data: string | Uint8Array): Promise<void>;
  /** Bytes up to and including the first `terminator` byte. */
  readUntil(terminator: number, opts: ReadOptions): Promise<Buffer>;
  /** Exactly `length` bytes. */
  readBytes(length: number, opts: ReadOptions): Promise<Buffer>;
  /** Waits `ms` and returns whatever arrived (possibly nothing). */
  readFor(ms: number): Promise<Buffer>;
  /** Drops buffered input (both ours and the driver's kernel queue). */
  flush(): Promise<void>;
}

export interface SerialOptions {
  clock?: Clock;
  log?: Logger;
  /** Prefix for log messages (default the port path). */
  logName?: string;
}

interface Waiter {
  check(): boolean;
  fail(e: Error): void;
}

const CR = 0x0d;
export const TERM_CR = CR;
export const TERM_LF = 0x0a;

/** Printable form of bytes for debug messages (`Q1\r` → `Q1\\r`, others as \\xNN). */
export function showBytes(b: Uint8Array | string): string {
  const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
  let s = '';
  for (const c of buf) {
    if (c === 0x0d) s += '\\r';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

export class SerialTransport implements ByteLink {
  private port: SerialPort | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private waiters = new Set<Waiter>();
  private opening: Promise<void> | undefined;
  private lastOpenError: string | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly tag: string;
  /** How many times the port was opened (1 = first open; more = reopened). */
  opens = 0;

  constructor(
    readonly settings: SerialSettings,
    opts: SerialOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.tag = opts.logName ?? settings.path;
  }

  get name(): string {
    return this.settings.path;
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  /** Opens the port (no-op when open). Throws TransportError('disconnected') when the device is not there. */
  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    this.opening ??= this.doOpen().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    const s = this.settings;
    if (!fs.existsSync(s.path)) {
      const msg = `${this.tag}: serial port ${s.path} is not there`;
      if (this.lastOpenError !== msg) this.log.debug(1, msg);
      this.lastOpenError = msg;
      throw new TransportError('disconnected', msg);
    }
    const port = new SerialPort({
      path: s.path,
      baudRate: s.baudRate ?? 2400,
      dataBits: s.dataBits ?? 8,
      parity: s.parity ?? 'none',
      stopBits: s.stopBits ?? 1,
      lock: s.lock ?? true,
      autoOpen: false,
      rtscts: false,
      xon: false,
      xoff: false,
    });
    await new Promise<void>((resolve, reject) =>
      port.open((err) => {
        if (!err) return resolve();
        const msg = `${this.tag}: cannot open ${s.path}: ${err.message}`;
        if (this.lastOpenError !== msg) this.log.debug(1, msg);
        this.lastOpenError = msg;
        reject(new TransportError('disconnected', msg, { cause: err }));
      }),
    );
    this.lastOpenError = undefined;
    this.buf = Buffer.alloc(0);
    port.on('data', (chunk: Buffer) => {
      if (this.port !== port) return;
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
      this.log.debug(5, `${this.tag}: read ${chunk.length} bytes: ${showBytes(chunk)}`);
      for (const w of [...this.waiters]) w.check();
    });
    port.on('error', (err) => {
      if (this.port !== port) return;
      this.log.debug(1, `${this.tag}: port error: ${err.message}`);
    });
    port.on('close', (err?: Error | null) => {
      if (this.port !== port) return;
      this.port = undefined;
      const why = err ? `disconnected (${err.message})` : 'closed';
      this.log.debug(1, `${this.tag}: port ${why}`);
      this.failAll(new TransportError('disconnected', `${this.tag}: port ${why}`));
    });
    this.port = port;
    this.opens++;
    if (this.opens > 1) this.log.info(`${this.tag}: serial port reopened`);
    if (s.dtr !== undefined || s.rts !== undefined) {
      const lines: { dtr?: boolean; rts?: boolean } = {};
      if (s.dtr !== undefined) lines.dtr = s.dtr;
      if (s.rts !== undefined) lines.rts = s.rts;
      await new Promise<void>((resolve) =>
        port.set(lines, (err) => {
          if (err) this.log.debug(2, `${this.tag}: cannot set DTR/RTS (${err.message}); not a modem line tty?`);
          resolve();
        }),
      );
    }
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    this.failAll(new TransportError('disconnected', `${this.tag}: port closed`));
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private failAll(e: Error): void {
    for (const w of [...this.waiters]) w.fail(e);
  }

  private async ready(): Promise<SerialPort> {
    await this.open();
    const p = this.port;
    if (!p) throw new TransportError('disconnected', `${this.tag}: port closed`);
    return p;
  }

  async write(data: string | Uint8Array): Promise<void> {
    const port = await this.ready();
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    this.log.debug(5, `${this.tag}: write ${showBytes(bytes)}`);
    await new Promise<void>((resolve, reject) => {
      port.write(bytes, (err) => {
        if (err) return reject(new TransportError('io', `${this.tag}: write failed: ${err.message}`, { cause: err }));
        port.drain((e) => (e ? reject(new TransportError('io', `${this.tag}: drain failed: ${e.message}`, { cause: e })) : resolve()));
      });
    });
  }

  /** Waits until take() returns a frame, or the timeout. */
  private async waitFrame(what: string, timeoutMs: number, maxLength: number, take: () => Buffer | undefined): Promise<Buffer> {
    await this.ready();
    return new Promise<Buffer>((resolve, reject) => {
      let cancel = () => {};
      const w: Waiter = {
        check: () => {
          const f = take();
          if (f !== undefined) {
            done();
            resolve(f);
            return true;
          }
          if (this.buf.length > maxLength) {
            const junk = this.buf;
            this.buf = Buffer.alloc(0);
            done();
            reject(new TransportError('io', `${this.tag}: ${what}: more than ${maxLength} bytes without a frame end; dropped ${showBytes(junk.subarray(0, 64))}...`));
            return true;
          }
          return false;
        },
        fail: (e) => {
          done();
          reject(e);
        },
      };
      const done = () => {
        cancel();
        this.waiters.delete(w);
      };
      if (w.check()) return;
      this.waiters.add(w);
      cancel = this.clock.setTimer(timeoutMs, () => {
        done();
        const partial = this.buf;
        this.buf = Buffer.alloc(0);
        reject(new ReadTimeout(`${this.tag}: ${what}: timeout after ${timeoutMs} ms (${partial.length} bytes: ${showBytes(partial)})`, partial));
      });
    });
  }

  readUntil(terminator: number, opts: ReadOptions): Promise<Buffer> {
    return this.waitFrame(`read until ${showBytes(Buffer.of(terminator))}`, opts.timeoutMs, opts.maxLength ?? 4096, () => {
      const i = this.buf.indexOf(terminator);
      if (i < 0) return undefined;
      const f = this.buf.subarray(0, i + 1);
      this.buf = this.buf.subarray(i + 1);
      return Buffer.from(f);
    });
  }

  readBytes(length: number, opts: ReadOptions): Promise<Buffer> {
    return this.waitFrame(`read ${length} bytes`, opts.timeoutMs, Math.max(length, opts.maxLength ?? 4096), () => {
      if (this.buf.length < length) return undefined;
      const f = this.buf.subarray(0, length);
      this.buf = this.buf.subarray(length);
      return Buffer.from(f);
    });
  }

  async readFor(ms: number): Promise<Buffer> {
    await this.ready();
    await new Promise<void>((resolve) => {
      const cancelTimer = this.clock.setTimer(ms, () => {
        this.waiters.delete(w);
        resolve();
      });
      const w: Waiter = {
        check: () => false,
        fail: () => {
          cancelTimer();
          this.waiters.delete(w);
          resolve();
        },
      };
      this.waiters.add(w);
    });
    const out = this.buf;
    this.buf = Buffer.alloc(0);
    return out;
  }

  async flush(): Promise<void> {
    const port = await this.ready();
    if (this.buf.length) this.log.debug(4, `${this.tag}: flushing ${this.buf.length} stale bytes: ${showBytes(this.buf)}`);
    this.buf = Buffer.alloc(0);
    await new Promise<void>((resolve) => port.flush(() => resolve()));
  }

  /** Bytes received and not read yet (for diagnostics). */
  get pending(): number {
    return this.buf.length;
  }
}

/**
 * One request/reply exchange: flush, write, then read a frame ended by
 * `terminator` (or `length` bytes). Any TransportError propagates.
 */
export async function exchange(
  link: ByteLink,
  request: string | Uint8Array,
  frame: { terminator: number } | { length: number },
  opts: ReadOptions,
): Promise<Buffer> {
  await link.flush();
  await link.write(request);
  return 'terminator' in frame ? link.readUntil(frame.terminator, opts) : link.readBytes(frame.length, opts);
}
