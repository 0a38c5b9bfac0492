/**
 * The device side of a simulated serial UPS: reads requests from a ByteLink
 * (normally the far end of a socat pty pair), asks a handler for the reply,
 * writes it. Requests are framed by a terminator byte (Megatec: CR) or are
 * single bytes (APC smart). Survives the port going away: it keeps trying
 * to reopen it every `retryMs`, so unplug/replug of the pty works.
 */
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { TransportError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { silentLogger } from '../common/log.js';
import type { ByteLink } from './serial.js';
import { ReadTimeout, showBytes } from './serial.js';

export interface DeviceServerOptions {
  /** 'terminator': requests end with this byte (default CR); 'byte': each byte is a request. */
  framing?: { terminator: number } | 'byte';
  /** Returns the reply bytes (or nothing). The request excludes the terminator. */
  handle(request: Buffer): string | Uint8Array | undefined | Promise<string | Uint8Array | undefined>;
  log?: Logger;
  clock?: Clock;
  /** Pause between reopen attempts (default 200 ms). */
  retryMs?: number;
  /** Longest request accepted (default 256 bytes). */
  maxRequest?: number;
}

export interface DeviceServer {
  /** Resolves once the loop has ended (after stop()). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export function serveDevice(link: ByteLink, opts: DeviceServerOptions): DeviceServer {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const framing = opts.framing ?? { terminator: 0x0d };
  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const cancel = clock.setTimer(ms, () => {
        wake = undefined;
        resolve();
      });
      wake = () => {
        cancel();
        wake = undefined;
        resolve();
      };
    });

  const loop = async () => {
    let announced = false;
    while (!stopped) {
      try {
        await link.open();
        if (!announced) log.debug(1, `device: serving on ${link.name}`);
        announced = true;
      } catch {
        if (announced) log.debug(1, `device: ${link.name} is gone; waiting for it`);
        announced = false;
        await pause(opts.retryMs ?? 200);
        continue;
      }
      try {
        // a long read: stop() ends it by closing the link
        const req =
          framing === 'byte'
            ? await link.readBytes(1, { timeoutMs: 3_600_000 })
            : (await link.readUntil(framing.terminator, { timeoutMs: 3_600_000, maxLength: opts.maxRequest ?? 256 })).subarray(0, -1);
        if (stopped) break;
        log.debug(3, `device: request ${showBytes(req)}`);
        const reply = await opts.handle(req);
        if (reply !== undefined && (typeof reply === 'string' ? reply.length : reply.byteLength) > 0) {
          log.debug(3, `device: reply ${showBytes(reply)}`);
          await link.write(reply);
        }
      } catch (e) {
        if (stopped) break;
        if (e instanceof ReadTimeout) continue;
        if (e instanceof TransportError && e.reason === 'disconnected') {
          await link.close().catch(() => {});
          continue;
        }
        log.debug(1, `device: ${(e as Error).message}`);
        await pause(10);
      }
    }
  };
  const done = loop();
  return {
    done,
    async stop() {
      stopped = true;
      wake?.();
      await link.close().catch(() => {});
      await done;
    },
  };
}
