/** Socket helpers for the upsd integration tests: a raw client and a stand-in driver socket. */
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor as supportWaitFor } from '../support/proc.js';

/** A raw TCP client that collects what the server sends. */
export class RawClient {
  readonly sock: net.Socket;
  private buf = '';
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(sock: net.Socket) {
    this.sock = sock;
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host });
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error('connect timeout'));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(new RawClient(s));
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(data: string | Buffer): void {
    this.sock.write(data);
  }

  /** Waits until `n` complete lines are buffered (or close/timeout); returns and consumes them. */
  async lines(n: number, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parts = this.buf.split('\n');
      if (parts.length - 1 >= n) {
        const out = parts.slice(0, n);
        this.buf = parts.slice(n).join('\n');
        return out;
      }
      if (this.closed) throw new Error(`connection closed after ${parts.length - 1} of ${n} lines: ${JSON.stringify(this.buf.slice(0, 300))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${n} lines, have: ${JSON.stringify(this.buf.slice(0, 300))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Sends a line and reads `n` reply lines. */
  async ask(line: string, n = 1, timeoutMs = 5000): Promise<string[]> {
    this.write(line + '\n');
    return this.lines(n, timeoutMs);
  }

  /** Sends a LIST-style line and reads until the END line. */
  async list(line: string, timeoutMs = 5000): Promise<string[]> {
    this.write(line + '\n');
    const out: string[] = [];
    for (;;) {
      const [l] = await this.lines(1, timeoutMs);
      out.push(l!);
      if (l!.startsWith('END ') || l!.startsWith('ERR ')) return out;
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.closed;
  }

  get pending(): string {
    return this.buf;
  }

  close(): void {
    this.sock.destroy();
  }
}

/**
 * A stand-in driver: serves the driver socket, answers DUMPALL with `dump`
 * (or runs `onLine`), records every line upsd sends.
 */
export class TestDriver {
  readonly received: string[] = [];
  readonly conns = new Set<net.Socket>();
  private server: net.Server | null = null;

  constructor(
    readonly socketPath: string,
    public dump: string,
    public onLine?: (line: string, sock: net.Socket) => void,
  ) {}

  start(): Promise<void> {
    try {
      fs.unlinkSync(this.socketPath);
    } catch {
      /* none */
    }
    fs.mkdirSync(path.dirname(this.socketPath), { recursive: true });
    return new Promise((resolve, reject) => {
      const srv = net.createServer((sock) => {
        this.conns.add(sock);
        sock.on('close', () => this.conns.delete(sock));
        sock.on('error', () => undefined);
        let buf = '';
        sock.setEncoding('latin1');
        sock.on('data', (d: string) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            this.received.push(line);
            if (this.onLine) this.onLine(line, sock);
            else if (line === 'DUMPALL') sock.write(this.dump);
            else if (line === 'PING') sock.write('PONG\n');
          }
        });
      });
      srv.once('error', reject);
      srv.listen(this.socketPath, () => {
        this.server = srv;
        resolve();
      });
    });
  }

  broadcast(text: string): void {
    for (const c of this.conns) c.write(text);
  }

  /** Closes the listener and every connection (the driver "dies"). */
  stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    const s = this.server;
    this.server = null;
    return new Promise((r) => (s ? s.close(() => r()) : r()));
  }
}

/** Polls `fn` until it returns true or the timeout passes (test/support/proc.ts waitFor, every 25 ms). */
export function waitFor(fn: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  return supportWaitFor(what, fn, timeoutMs, 25);
}
