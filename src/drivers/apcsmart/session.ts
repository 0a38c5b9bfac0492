/**
 * One conversation with an APC smart-protocol UPS over a byte link (the
 * serial transport, or anything with its ByteLink shape): one request at a
 * time (a queue), each answered by one reply line or a timeout. Alert bytes
 * are taken out of the stream wherever they arrive (before a request, or
 * ahead of a reply) and handed to a callback.
 */
import type { ByteLink } from '../../transports/serial.js';
import { TERM_LF } from '../../transports/serial.js';
import { ApcReader, MAX_REPLY, byteName } from './protocol.js';

export interface SessionOptions {
  /** Reply timeout per request (default 1500 ms). */
  timeoutMs?: number;
  onAlert?: (char: string) => void;
  /** Debug messages (noise, stray lines). */
  debug?: (msg: string) => void;
}

export class SmartSession {
  private readonly reader = new ApcReader();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly link: ByteLink, private readonly opts: SessionOptions = {}) {}

  private feed(bytes: Uint8Array): string | undefined {
    let line: string | undefined;
    for (const ev of this.reader.push(bytes)) {
      if (ev.kind === 'alert') this.opts.onAlert?.(ev.char);
      else if (ev.kind === 'noise') this.opts.debug?.(`ignored byte 0x${ev.byte.toString(16).padStart(2, '0')} (${ev.why})`);
      else if (line === undefined) line = ev.text;
      else this.opts.debug?.(`ignored extra line ${JSON.stringify(ev.text)}`);
    }
    return line;
  }

  /** Takes whatever arrived unasked (alerts, late replies) off the link. */
  async drain(): Promise<void> {
    const pending = await this.link.readFor(0);
    if (pending.length) {
      const stray = this.feed(pending);
      if (stray !== undefined) this.opts.debug?.(`ignored unrequested line ${JSON.stringify(stray)}`);
      if (this.reader.partial) this.opts.debug?.(`ignored partial reply ${JSON.stringify(this.reader.partial)}`);
    }
    this.reader.reset();
  }

  /** Runs fn with the link to itself (requests never interleave). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Sends bytes and waits for one reply line (not queued: use inside exclusive()). */
  async request(cmd: string, opts: { raw?: boolean; timeoutMs?: number } = {}): Promise<string> {
    const ms = opts.timeoutMs ?? this.opts.timeoutMs ?? 1500;
    await this.drain();
    if (opts.raw) this.reader.expectRaw();
    await this.link.write(cmd);
    for (;;) {
      const frame = await this.link.readUntil(TERM_LF, { timeoutMs: ms, maxLength: MAX_REPLY + 64 });
      const line = this.feed(frame);
      if (line !== undefined) return line;
      // the frame was only alerts and noise: keep waiting for the reply
      this.opts.debug?.(`no reply line yet to ${byteName(cmd)}`);
    }
  }

  /** Sends bytes expecting no reply. */
  send(bytes: string): Promise<void> {
    return this.link.write(bytes);
  }

  /** A queued request (for single queries outside a larger exchange). */
  query(cmd: string, opts: { raw?: boolean; timeoutMs?: number } = {}): Promise<string> {
    return this.exclusive(() => this.request(cmd, opts));
  }

  close(): Promise<void> {
    return this.link.close();
  }
}
