/**
 * The server side of the driver socket: one link per UPS. Connects to
 * STATEPATH/<driver>-<ups>, sends DUMPALL, feeds the driver's lines into the
 * UpsEntry, PINGs on silence, logs staleness changes, reconnects every ~2 s
 * when the driver is gone (with a rate-limited log). Never throws: a
 * driver sending garbage or dying mid-dump only affects its own UPS.
 */
import net from 'node:net';
import path from 'node:path';
import { StreamLexer } from '../common/lexer.js';
import { parseFromDriver } from '../protocol/sock/messages.js';
import type { UpsdCore } from './core.js';
import type { UpsEntry } from './ups.js';

export const RECONNECT_MS = 2000;
export const TICK_MS = 1000;
/** A driver that does not read its socket: drop the link past this much queued output. */
export const MAX_DRIVER_OUTPUT = 1 << 20;
/** Repeat "Can't connect" at most this often (the first failure is always logged). */
export const CONNECT_LOG_EVERY_MS = 300_000;
const CONNECT_TIMEOUT_MS = 5000;

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ENOTSOCK: 'Socket operation on non-socket',
  ETIMEDOUT: 'Connection timed out',
  ECONNRESET: 'Connection reset by peer',
  EAGAIN: 'Resource temporarily unavailable',
};

export class DriverLink {
  private sock: net.Socket | null = null;
  private connecting = false;
  private stopped = false;
  private nextConnectAt = 0;
  private cancelTick: (() => void) | null = null;
  private lastErrText = '';
  private lastErrLogAt = -Infinity;
  private overflowLogged = false;

  constructor(
    private readonly core: UpsdCore,
    readonly ups: UpsEntry,
  ) {}

  get socketName(): string {
    return path.basename(this.ups.socketPath);
  }

  start(): void {
    this.stopped = false;
    this.ups.sender = (line) => this.send(line);
    this.connect();
    this.armTick();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTick?.();
    this.cancelTick = null;
    if (this.ups.sender) this.ups.sender = null;
    const s = this.sock;
    this.sock = null;
    if (s) s.destroy();
    if (this.ups.connected) this.ups.onDisconnect();
  }

  /** Drops the current connection and connects again (socket name changed on reload). */
  restart(): void {
    this.stop();
    this.nextConnectAt = 0;
    this.start();
  }

  private armTick(): void {
    if (this.stopped) return;
    this.cancelTick = this.core.clock.setTimer(TICK_MS, () => {
      this.cancelTick = null;
      try {
        this.tick();
      } finally {
        this.armTick();
      }
    });
  }

  /** Once a second: reconnect, PING, staleness log. */
  tick(): void {
    const now = this.core.clock.now();
    const ups = this.ups;
    if (!ups.connected) {
      if (!this.connecting && now >= this.nextConnectAt) this.connect();
      return;
    }
    const third = Math.floor(this.core.settings.maxAge / 3) * 1000;
    if (now - ups.lastHeard > third && now - ups.lastPing > third) {
      ups.lastPing = now;
      this.send('PING\n');
    }
    const stale = ups.isStale(now, this.core.maxAgeMs);
    if (stale && !ups.staleLogged) {
      ups.staleLogged = true;
      this.core.log.warn(`Data for UPS [${ups.name}] is stale - check driver`);
    } else if (!stale && ups.staleLogged) {
      ups.staleLogged = false;
      this.core.log.info(`UPS [${ups.name}] data is no longer stale`);
    }
    if (ups.overflowed && !this.overflowLogged) {
      this.overflowLogged = true;
      this.core.log.warn(`UPS [${ups.name}]: the driver sent more variables, commands, enums or ranges than upsd keeps; the rest are ignored`);
    }
  }

  private send(line: string): boolean {
    const s = this.sock;
    if (!s || !this.ups.connected || s.destroyed || !s.writable) return false;
    if (s.writableLength > MAX_DRIVER_OUTPUT) {
      this.core.log.warn(`UPS [${this.ups.name}]: the driver does not read its socket; dropping the link`);
      s.destroy();
      return false;
    }
    s.write(line);
    return true;
  }

  private connect(): void {
    if (this.stopped || this.connecting || this.sock) return;
    this.connecting = true;
    const ups = this.ups;
    const sock = net.createConnection({ path: ups.socketPath });
    this.sock = sock;
    let cancelTimeout: (() => void) | null = this.core.clock.setTimer(CONNECT_TIMEOUT_MS, () => {
      cancelTimeout = null;
      if (this.connecting && this.sock === sock) sock.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
    });
    const lexer = new StreamLexer(
      (words) => {
        if (this.sock !== sock) return;
        const m = parseFromDriver(words);
        if (!m) return; // unknown or short lines are ignored and do not count as heard
        const tr = ups.apply(m, this.core.clock.now());
        if (tr) {
          const st = this.core.tracking.result(tr.id, tr.status);
          if (st) this.core.log.info(`tracking ID: ${tr.id}\tresult: ${st}`);
        }
      },
      (msg) => this.core.log.debug(1, `Parse error on sock: ${msg}`),
    );
    sock.on('connect', () => {
      cancelTimeout?.();
      this.connecting = false;
      if (this.sock !== sock) return;
      ups.onConnect(this.core.clock.now());
      this.lastErrText = '';
      this.lastErrLogAt = -Infinity;
      sock.write('DUMPALL\n');
      this.core.log.info(`Connected to UPS [${ups.name}]: ${this.socketName}`);
    });
    sock.on('data', (chunk: Buffer) => {
      if (this.sock === sock) lexer.push(chunk);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (this.connecting && this.sock === sock) {
        const text = ERRNO_TEXT[e.code ?? ''] ?? e.message;
        const now = this.core.clock.now();
        if (text !== this.lastErrText || now - this.lastErrLogAt >= CONNECT_LOG_EVERY_MS) {
          this.lastErrText = text;
          this.lastErrLogAt = now;
          this.core.log.warn(`Can't connect to UPS [${ups.name}] (${this.socketName}): ${text}`);
        }
      } else {
        this.core.log.debug(1, `UPS [${ups.name}]: driver socket error: ${e.message}`);
      }
    });
    sock.on('close', () => {
      cancelTimeout?.();
      const wasConnected = !this.connecting;
      this.connecting = false;
      if (this.sock !== sock) return;
      this.sock = null;
      this.nextConnectAt = this.core.clock.now() + RECONNECT_MS;
      if (wasConnected && ups.connected) {
        ups.onDisconnect();
        this.core.log.warn(`Lost connection to the driver of UPS [${ups.name}] (${this.socketName})`);
      }
    });
  }
}
