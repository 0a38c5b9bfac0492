/**
 * The driver socket server: STATEPATH/<driver>-<ups>, a unix stream socket
 * that upsd (and tools) connect to. Several clients at once; every change is
 * broadcast to every client (unless it sent NOBROADCAST); TRACKING replies go
 * only to the connection that asked.
 */
import fs from 'node:fs';
import net from 'node:net';
import { StreamLexer } from '../../common/lexer.js';
import { WalnutError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { formatFromDriver, parseToDriver } from '../../protocol/sock/messages.js';
import type { FromDriver, ToDriver } from '../../protocol/sock/messages.js';

/** A client that lets this much output pile up is dropped (it stopped reading). */
export const MAX_CLIENT_BACKLOG = 4 * 1024 * 1024;

export interface SocketRequestHandler {
  /** The full dump (DUMPALL reply). */
  dumpAll(): string;
  /** DUMPVALUE reply line, or undefined when the variable does not exist. */
  dumpValue(name: string): string | undefined;
  /** SET / INSTCMD: resolves to NUT's status code (0 = handled). */
  set(name: string, value: string): Promise<number>;
  instcmd(cmd: string, param: string | undefined): Promise<number>;
}

interface Client {
  sock: net.Socket;
  broadcast: boolean;
  id: number;
}

export class DriverSocketServer {
  private server: net.Server | undefined;
  private readonly clients = new Set<Client>();
  private seq = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly handler: SocketRequestHandler,
    private readonly log: Logger,
  ) {}

  get clientCount(): number {
    return this.clients.size;
  }

  /** Unlinks a stale socket, binds, sets mode 0660 and listens. */
  async listen(): Promise<void> {
    try {
      fs.unlinkSync(this.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new WalnutError('DRIVER_SOCKET', `Can't remove the old driver socket ${this.path}: ${(e as Error).message}`);
    }
    const server = net.createServer((sock) => this.accept(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onErr = (e: Error) =>
        reject(
          new WalnutError(
            'DRIVER_SOCKET',
            `Can't create the driver socket ${this.path}: ${e.message} (does the state path exist, writable by this user? set NUT_STATEPATH or statepath in ups.conf)`,
            { cause: e },
          ),
        );
      server.once('error', onErr);
      server.listen(this.path, () => {
        server.off('error', onErr);
        resolve();
      });
    });
    server.on('error', (e) => this.log.error(`driver socket ${this.path}: ${e.message}`));
    fs.chmodSync(this.path, 0o660);
  }

  private accept(sock: net.Socket): void {
    const c: Client = { sock, broadcast: true, id: ++this.seq };
    this.clients.add(c);
    this.log.debug(2, `sock_connect: new client #${c.id} on ${this.path}`);
    const lexer = new StreamLexer(
      (words) => this.onLine(c, words),
      (msg) => this.log.warn(`Parse error on sock: ${msg}`),
    );
    sock.on('data', (chunk) => {
      try {
        lexer.push(chunk);
      } catch (e) {
        this.log.error(`driver socket: ${(e as Error).message}`);
      }
    });
    const drop = () => {
      if (this.clients.delete(c)) this.log.debug(2, `sock_close: client #${c.id} disconnected`);
    };
    sock.on('error', (e) => {
      this.log.debug(1, `driver socket client #${c.id}: ${e.message}`);
      drop();
    });
    sock.on('close', drop);
  }

  private write(c: Client, text: string): void {
    const s = c.sock;
    if (s.destroyed || !s.writable) return;
    if (s.writableLength > MAX_CLIENT_BACKLOG) {
      this.log.warn(`driver socket client #${c.id} is not reading; disconnecting it`);
      this.clients.delete(c);
      s.destroy();
      return;
    }
    s.write(text);
  }

  private onLine(c: Client, words: string[]): void {
    const m = parseToDriver(words);
    if (!m) {
      this.log.debug(1, `Unknown command on socket: ${words.join(' ')}`);
      return;
    }
    this.handle(c, m);
  }

  private handle(c: Client, m: ToDriver): void {
    switch (m.kind) {
      case 'dumpall':
        this.write(c, this.handler.dumpAll());
        return;
      case 'ping':
        this.write(c, 'PONG\n');
        return;
      case 'nobroadcast':
        c.broadcast = false;
        return;
      case 'broadcast':
        c.broadcast = m.on;
        return;
      case 'getpid':
        this.write(c, formatFromDriver({ kind: 'pid', pid: process.pid }));
        return;
      case 'dumpvalue': {
        const line = this.handler.dumpValue(m.name);
        if (line) this.write(c, line);
        return;
      }
      case 'dumpstatus': {
        const line = this.handler.dumpValue('ups.status');
        if (line) this.write(c, line);
        return;
      }
      case 'logout':
        this.write(c, formatFromDriver({ kind: 'goodbye' }));
        this.clients.delete(c);
        c.sock.end();
        return;
      case 'set':
        void this.handler.set(m.name, m.value).then(
          (code) => this.trackingReply(c, m.tracking, code),
          () => this.trackingReply(c, m.tracking, 3),
        );
        return;
      case 'instcmd':
        void this.handler.instcmd(m.cmd, m.param).then(
          (code) => this.trackingReply(c, m.tracking, code),
          () => this.trackingReply(c, m.tracking, 3),
        );
        return;
    }
  }

  private trackingReply(c: Client, id: string | undefined, code: number): void {
    if (id === undefined || !this.clients.has(c)) return;
    this.write(c, formatFromDriver({ kind: 'tracking', id, status: code }));
  }

  /** Sends one change to every client that wants broadcasts. */
  broadcast(m: FromDriver): void {
    if (this.clients.size === 0) return;
    const line = formatFromDriver(m);
    for (const c of this.clients) if (c.broadcast) this.write(c, line);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.clients) c.sock.destroy();
    this.clients.clear();
    const s = this.server;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    try {
      fs.unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}
