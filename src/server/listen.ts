/**
 * The network edge: TCP listeners, one Session per connection. Each read
 * chunk is lexed into lines, every complete line answered, and all replies
 * of one chunk go out in one write. Idle clients (no request for
 * idleTimeoutMs, NUT: 60 s) are dropped by a sweep on the injected clock.
 * A client that never reads is dropped once its unsent output passes a
 * bound, instead of being buffered forever.
 *
 * The request path (one read, one write per request) bypasses net.Socket's
 * stream layers where Node lets it, each with a fallback to the public API
 * and an environment switch to turn it off (for comparison and in case a
 * Node release changes its internals): reads into one shared buffer
 * (WALNUT_UPSD_STREAM_READS=1 off), read callbacks straight from the handle
 * (WALNUT_UPSD_SOCKET_ONREAD=1 off), replies written straight to the handle
 * (WALNUT_UPSD_STREAM_WRITES=1 off). The socket still owns the handle: end,
 * destroy, errors and close go through it as usual.
 */
import net from 'node:net';
import tls from 'node:tls';
import dns from 'node:dns/promises';
import { StreamLexer } from '../common/lexer.js';
import type { UpsdCore } from './core.js';
import { Session } from './session.js';
import { ERR } from './replies.js';
import { lexSimpleChunk } from './fast-lex.js';
import type { ServerTls } from './tls.js';

/** Unsent reply bytes a client may have queued before it is dropped. */
export const MAX_CLIENT_OUTPUT = 4 << 20;
export const LISTEN_BACKLOG = 4096;

export interface ListenSpec {
  host: string;
  port: number;
}

export interface BoundAddress {
  host: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

/** `::ffff:127.0.0.1` → `127.0.0.1` (NUT prints IPv4 clients plainly). */
export function clientAddr(a: string | undefined): string {
  if (!a) return 'unknown';
  return a.startsWith('::ffff:') && a.indexOf('.') > 0 ? a.slice(7) : a;
}

/**
 * Lexers are pooled: a connection holds one only while a line is pending
 * between reads (most reads end on a line end), so 10,000 idle clients do
 * not keep 10,000 word buffers. The pooled lexers call back into the
 * connection being fed (`feeding`; push() is synchronous).
 */
let feeding: Connection | null = null;
const lexerPool: StreamLexer[] = [];
const LEXER_POOL_MAX = 64;

function newLexer(): StreamLexer {
  return new StreamLexer(
    (words) => feeding?.onLine(words),
    (msg) => feeding?.onParseError(msg),
    { emptyLines: true, droppedWords: true },
  );
}

function feedLine(words: string[]): void {
  feeding?.onLine(words);
}

/**
 * Replies are written straight to the socket's libuv handle, as net.Socket's
 * own write path (node:internal/stream_base_commons writeGeneric) does,
 * without the Writable stream machinery: no per-write WriteWrap, callback,
 * or process.nextTick(afterWrite). Internals used (Node 20; all checked at
 * start-up, else every write goes through socket.write):
 * - process.binding('stream_wrap'): WriteWrap (the request object the handle
 *   needs when the kernel does not take all bytes at once) and
 *   streamBaseState[kLastWriteWasAsync] (set by the handle after each write).
 * - handle.writeLatin1String(req, string): tries a write(2) at once; bytes the
 *   kernel did not take are queued in libuv (in order with any later write)
 *   and req.oncomplete(status) is called when they are sent or failed.
 * A write that completes at once (the usual case) leaves `req` untouched, so
 * one request object is reused until a write goes asynchronous.
 * WALNUT_UPSD_STREAM_WRITES=1 turns this off.
 */
interface WriteReq {
  oncomplete?: (status: number) => void;
  conn?: Connection;
  bytes?: number;
}
interface StreamHandle {
  writeLatin1String(req: WriteReq, data: string): number;
}
interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
  kReadBytesOrError: number;
}

function loadStreamWrap(): StreamWrapBinding | null {
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    if (typeof b.WriteWrap !== 'function' || !(b.streamBaseState instanceof Int32Array)) return null;
    if (typeof b.kLastWriteWasAsync !== 'number' || typeof b.kReadBytesOrError !== 'number') return null;
    return b as StreamWrapBinding;
  } catch {
    return null;
  }
}
/** Node's stream_wrap binding (see above), or null: then only public APIs are used. */
const streamWrap = loadStreamWrap();
const directWrites = streamWrap !== null && process.env.WALNUT_UPSD_STREAM_WRITES !== '1';
let syncReq: WriteReq | null = directWrites && streamWrap ? new streamWrap.WriteWrap() : null;

/** The handle to write to directly, or null (direct writes unavailable for this socket). */
function directHandle(sock: net.Socket): StreamHandle | null {
  if (!directWrites) return null;
  const h = (sock as net.Socket & { _handle: unknown })._handle as Partial<StreamHandle> | null;
  return h && typeof h.writeLatin1String === 'function' ? (h as StreamHandle) : null;
}

const kConn = Symbol('walnut.connection');
type ConnSocket = net.Socket & { [kConn]?: Connection };

/**
 * Reads into one shared buffer instead of a fresh ArrayBuffer per read
 * (net.Socket's `onread` option), and skip the Readable stream machinery:
 * requests are lexed synchronously, so the bytes need not outlive the call.
 * net.Server has no `onread` option, so the accepted (paused) socket's
 * handle is re-wrapped in a socket that has one. WALNUT_UPSD_STREAM_READS=1
 * turns this off.
 */
const USER_BUFFER_READS = process.env.WALNUT_UPSD_STREAM_READS !== '1';
const readBuffer = Buffer.allocUnsafe(64 * 1024);

function onUserBufferRead(this: ConnSocket, nread: number, buf: Buffer): boolean {
  const c = this[kConn];
  if (c) c.onData(buf, nread);
  return true;
}

/**
 * With a user buffer, the handle's C++ side calls `handle.onread()` with the
 * byte count in streamBaseState[kReadBytesOrError]; net.Socket's onread
 * (node:internal/stream_base_commons onStreamRead) then calls the socket's
 * onread callback. For a read of n > 0 bytes this goes to the connection
 * directly; EOF and errors (n <= 0) still go to Node's function, which ends
 * or destroys the socket. Needs the stream_wrap binding; without it (or with
 * WALNUT_UPSD_SOCKET_ONREAD=1) Node's path is kept.
 */
type ReadHandle = { onread: (this: ReadHandle, ab: unknown) => unknown; [kConn]?: Connection };
let nodeOnStreamRead: ReadHandle['onread'] | null = null;
const directReads = streamWrap !== null && process.env.WALNUT_UPSD_SOCKET_ONREAD !== '1';

function onHandleRead(this: ReadHandle, ab: unknown): unknown {
  const nread = streamWrap!.streamBaseState[streamWrap!.kReadBytesOrError]!;
  const c = this[kConn];
  if (nread > 0 && c !== undefined) {
    if (!c.socket.destroyed) c.onData(readBuffer, nread);
    return undefined;
  }
  return nodeOnStreamRead!.call(this, ab);
}

/** Routes the handle's reads to `c` (see onHandleRead) if its onread is Node's own. */
function takeOverReads(sock: net.Socket, c: Connection): void {
  if (!directReads) return;
  const h = (sock as net.Socket & { _handle: unknown })._handle as ReadHandle | null;
  if (!h || typeof h.onread !== 'function') return;
  nodeOnStreamRead ??= h.onread;
  if (h.onread !== nodeOnStreamRead) return;
  h[kConn] = c;
  h.onread = onHandleRead;
}

/** Gives the handle's reads back to Node (before TLS wraps the handle). */
function giveBackReads(sock: net.Socket): void {
  const h = (sock as net.Socket & { _handle: unknown })._handle as ReadHandle | null;
  if (!h) return;
  if (h.onread === onHandleRead && nodeOnStreamRead) h.onread = nodeOnStreamRead;
  delete h[kConn];
}

function rewrapWithUserBuffer(sock: net.Socket): net.Socket {
  const handle = (sock as net.Socket & { _handle: unknown })._handle;
  if (!handle) return sock;
  try {
    // detach the handle from the accepted socket (it never started reading)
    (sock as net.Socket & { _handle: unknown })._handle = null;
    const ns = new net.Socket({
      handle,
      allowHalfOpen: true,
      readable: true,
      writable: true,
      onread: { buffer: readBuffer, callback: onUserBufferRead },
    } as net.SocketConstructorOpts & { handle: unknown });
    sock.destroy();
    ns.resume();
    return ns;
  } catch {
    (sock as net.Socket & { _handle: unknown })._handle = handle;
    sock.resume();
    return sock;
  }
}

function onDirectWriteDone(this: WriteReq, status: number): void {
  const c = this.conn;
  if (!c) return;
  c.directPending -= this.bytes ?? 0;
  this.conn = undefined;
  if (status < 0) c.socket.destroy();
}

function onSocketData(this: ConnSocket, chunk: Buffer): void {
  this[kConn]?.onData(chunk);
}
function onSocketEnd(this: ConnSocket): void {
  // half-closed: every complete line was answered in onData; finish and close
  this.end();
}
function onSocketClose(this: ConnSocket): void {
  const c = this[kConn];
  if (c) c.onClose();
}

class Connection {
  readonly session: Session;
  private lexer: StreamLexer | null = null;
  private out = '';
  private dropped = false;
  /** The socket's handle when replies are written to it directly (see directHandle); null over TLS. */
  private handle: StreamHandle | null;
  /** Bytes of direct writes libuv still holds (the client is slow to read). */
  directPending = 0;

  constructor(
    private readonly server: ClientServer,
    public socket: ConnSocket,
  ) {
    const core = server.core;
    this.session = new Session(core, () => clientAddr(this.socket.remoteAddress));
    this.session.onKick = () => this.socket.destroy();
    socket[kConn] = this;
    socket.setNoDelay(true);
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', noop);
    socket.on('close', onSocketClose);
    this.handle = directHandle(socket);
  }

  /** Sends reply text (ASCII: the lexer keeps only 0x20-0x7F, so latin1 is the cheapest encoding). */
  private send(text: string): void {
    const sock = this.socket;
    const h = this.handle;
    // direct only while the Writable holds nothing that would have to go first
    if (h === null || syncReq === null || streamWrap === null || sock.writableLength > 0 || sock.destroyed) {
      sock.write(text, 'latin1');
      return;
    }
    const req = syncReq;
    const err = h.writeLatin1String(req, text);
    if (err !== 0) {
      sock.destroy();
      return;
    }
    if (streamWrap.streamBaseState[streamWrap.kLastWriteWasAsync] !== 0) {
      // libuv keeps the rest; this request object now belongs to that write
      syncReq = new streamWrap.WriteWrap();
      req.conn = this;
      req.bytes = text.length;
      req.oncomplete = onDirectWriteDone;
      this.directPending += text.length;
    }
  }

  onLine(words: string[]): void {
    const s = this.session;
    if (s.closing || this.dropped) return;
    try {
      this.out += s.handle(words);
    } catch (e) {
      // a bug, not bad input: keep the server up, tell the client something
      s.core.log.error(`internal error on request from ${s.addr}: ${(e as Error).stack ?? e}`);
      this.out += ERR['INVALID-ARGUMENT'];
    }
    if (this.out.length + this.socket.writableLength + this.directPending > MAX_CLIENT_OUTPUT) {
      this.dropped = true;
      s.core.log.debug(1, `dropping client ${s.addr}: it does not read its replies`);
    }
  }

  onParseError(msg: string): void {
    if (this.session.closing || this.dropped) return;
    this.session.core.log.debug(1, `Parse error on sock: ${msg}`);
    // NUT 2.8.0 answers nothing and drops the rest of its read buffer
    this.out += ERR['INVALID-ARGUMENT'];
  }

  /** Bytes from the client: `chunk[0..length)` (the buffer may be reused after the call). */
  onData(chunk: Buffer, length = chunk.length): void {
    const s = this.session;
    if (s.closing || this.dropped) return;
    s.lastHeard = s.core.clock.now();
    const prev = feeding;
    feeding = this;
    try {
      if (this.lexer !== null || !lexSimpleChunk(chunk, feedLine, length)) {
        const lx = this.lexer ?? lexerPool.pop() ?? newLexer();
        lx.push(length === chunk.length ? chunk : chunk.subarray(0, length));
        if (lx.atRest) {
          this.lexer = null;
          if (lexerPool.length < LEXER_POOL_MAX) lexerPool.push(lx);
        } else this.lexer = lx;
      }
    } finally {
      feeding = prev;
    }
    if (this.dropped) {
      this.out = '';
      this.socket.destroy();
      return;
    }
    if (this.out.length > 0) {
      const text = this.out;
      this.out = '';
      this.send(text);
    }
    if (s.closing) {
      // NUT closes the connection after OK Goodbye: flush, then close both directions
      const sock = this.socket;
      sock.end(() => sock.destroy());
    } else if (s.startTls) this.server.upgrade(this);
  }

  onClose(): void {
    this.lexer = null;
    this.session.close();
    this.server.forget(this);
  }

  /**
   * After `OK STARTTLS` went out: the server side of the handshake on the
   * same socket. A client that does not finish it within the handshake
   * timeout is dropped; nobody else waits for it (each handshake runs on
   * its own socket, driven by the event loop).
   */
  startTls(t: ServerTls): void {
    const raw = this.socket;
    const core = this.session.core;
    giveBackReads(raw);
    raw.off('data', onSocketData);
    raw.off('end', onSocketEnd);
    raw.off('close', onSocketClose);
    delete raw[kConn];
    this.handle = null;
    this.lexer = null;
    const secure = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: t.context,
      requestCert: t.requestCert,
      rejectUnauthorized: t.rejectUnauthorized,
    }) as tls.TLSSocket & ConnSocket;
    secure[kConn] = this;
    this.socket = secure;
    secure.on('data', onSocketData);
    secure.on('end', onSocketEnd);
    secure.on('error', (e: Error) => core.log.debug(1, `TLS with ${this.session.addr}: ${e.message}`));
    secure.on('close', onSocketClose);
    raw.on('close', () => secure.destroy());
    const cancel = core.clock.setTimer(core.settings.tlsHandshakeTimeoutMs, () => {
      if (this.session.tls) return;
      core.log.info(`TLS handshake with ${this.session.addr} not finished after ${core.settings.tlsHandshakeTimeoutMs / 1000} s; dropping the client`);
      secure.destroy();
    });
    secure.once('secure', () => {
      cancel();
      this.session.tls = true;
      const peer = t.requestCert ? secure.getPeerCertificate() : undefined;
      const who = peer && peer.subject ? `, client certificate ${peer.subject.CN ?? '?'}${secure.authorized ? '' : ` (not verified: ${secure.authorizationError})`}` : '';
      core.log.debug(1, `TLS with ${this.session.addr}: ${secure.getProtocol() ?? '?'} ${secure.getCipher()?.name ?? ''}${who}`);
    });
    secure.once('close', cancel);
  }
}

function noop(): void {}

export class ClientServer {
  private readonly servers: net.Server[] = [];
  private readonly conns = new Set<Connection>();
  private cancelSweep: (() => void) | null = null;
  private closed = false;

  constructor(readonly core: UpsdCore) {}

  get connectionCount(): number {
    return this.conns.size;
  }

  /** Binds every address (host names resolved); returns the problems, one per address that failed. */
  async listen(specs: ListenSpec[], allowPartial: boolean, family?: 4 | 6): Promise<void> {
    const failures: string[] = [];
    let bound = 0;
    for (const spec of specs) {
      let hosts: string[];
      if (spec.host === '*') hosts = ['0.0.0.0', '::'];
      else if (net.isIP(spec.host)) hosts = [spec.host];
      else {
        try {
          hosts = (await dns.lookup(spec.host, { all: true })).map((a) => a.address);
        } catch (e) {
          failures.push(`can't resolve LISTEN address ${spec.host}: ${(e as Error).message}`);
          continue;
        }
      }
      if (family) hosts = hosts.filter((h) => net.isIP(h) === family);
      for (const host of hosts) {
        try {
          await this.bind(host, spec.port);
          bound++;
        } catch (e) {
          failures.push(`not listening on ${host} port ${spec.port}: ${(e as Error).message}`);
        }
      }
    }
    for (const f of failures) this.core.log.error(f);
    if (bound === 0 || (failures.length > 0 && !allowPartial)) {
      await this.close();
      throw new Error(failures.length ? failures.join('; ') : 'no LISTEN address to bind');
    }
    this.armSweep();
  }

  private bind(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const srv = net.createServer({ allowHalfOpen: true, pauseOnConnect: USER_BUFFER_READS }, (sock) => this.accept(sock));
      srv.once('error', reject);
      srv.listen({ host, port, backlog: LISTEN_BACKLOG, ipv6Only: host.includes(':') }, () => {
        srv.off('error', reject);
        srv.on('error', (e) => this.core.log.error(`listener ${host} port ${port}: ${e.message}`));
        this.servers.push(srv);
        const a = srv.address() as net.AddressInfo;
        this.core.log.info(`listening on ${a.address} port ${a.port}`);
        resolve();
      });
    });
  }

  private accept(sock: net.Socket): void {
    if (this.closed) {
      sock.destroy();
      return;
    }
    if (this.conns.size >= this.core.settings.maxConn) {
      this.core.log.debug(1, `MAXCONN (${this.core.settings.maxConn}) reached: refusing ${clientAddr(sock.remoteAddress)}`);
      sock.destroy();
      return;
    }
    if (!USER_BUFFER_READS) {
      this.conns.add(new Connection(this, sock));
      return;
    }
    const ns = rewrapWithUserBuffer(sock);
    const c = new Connection(this, ns);
    if (ns !== sock) takeOverReads(ns, c);
    this.conns.add(c);
  }

  forget(c: Connection): void {
    this.conns.delete(c);
  }

  /** STARTTLS was answered OK: start the handshake (the certificate may be gone after a reload). */
  upgrade(c: Connection): void {
    c.session.startTls = false;
    const t = this.core.tls;
    if (!t) {
      this.core.log.error(`STARTTLS from ${c.session.addr}: TLS is not available; closing`);
      c.socket.destroy();
      return;
    }
    c.startTls(t);
  }

  addresses(): BoundAddress[] {
    return this.servers.map((s) => {
      const a = s.address() as net.AddressInfo;
      return { host: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' };
    });
  }

  private armSweep(): void {
    if (this.closed) return;
    const idle = this.core.settings.idleTimeoutMs;
    const every = Math.max(10, Math.min(1000, Math.floor(idle / 4)));
    this.cancelSweep = this.core.clock.setTimer(every, () => {
      this.cancelSweep = null;
      this.sweep();
      this.armSweep();
    });
  }

  /** Drops clients silent for more than the idle timeout. */
  sweep(): void {
    const now = this.core.clock.now();
    const idle = this.core.settings.idleTimeoutMs;
    for (const c of this.conns) {
      if (now - c.session.lastHeard > idle) {
        this.core.log.debug(2, `idle client ${c.session.addr} disconnected`);
        c.session.close();
        c.socket.destroy();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelSweep?.();
    this.cancelSweep = null;
    const waits = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    this.servers.length = 0;
    for (const c of this.conns) {
      c.session.close();
      c.socket.destroy();
    }
    this.conns.clear();
    await Promise.all(waits);
  }
}
