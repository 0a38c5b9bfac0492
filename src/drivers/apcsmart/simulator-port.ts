/**
 * Puts a simulated Smart-UPS (simulator.ts) on a serial port or pty: reads
 * what the driver sends, writes the unit's replies, and sends alert bytes
 * when the test (or the user of `walnut simulate apcsmart`) changes the
 * status. When the port goes away (pty unplugged) it keeps trying to reopen
 * it, as a real unit stays powered while its cable is out.
 */
import type { Clock } from '../../common/clock.js';
import { systemClock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { silentLogger } from '../../common/log.js';
import { SerialTransport, showBytes } from '../../transports/serial.js';
import type { ByteLink } from '../../transports/serial.js';
import { ApcSmartSimulator } from './simulator.js';

export interface SimulatorPortOptions {
  clock?: Clock;
  log?: Logger;
  /** Poll the port this often for bytes (default 10 ms). */
  tickMs?: number;
  /** Wait this long before reopening a port that went away (default 100 ms). */
  reopenMs?: number;
}

/** Rewrites what the unit sends (a flaky line: noise, cut replies). */
export type Mangler = (out: string) => string;

export interface SimulatorPort {
  readonly sim: ApcSmartSimulator;
  /** Changes the status and sends the matching alert bytes. */
  setStatus(tokens: readonly string[]): Promise<void>;
  /** Sends raw bytes (noise, alerts) to the driver. */
  inject(bytes: string): Promise<void>;
  /** Puts a flaky line between the unit and the driver (undefined: a clean line again). */
  mangle(fn: Mangler | undefined): void;
  stop(): Promise<void>;
}

/** Serves the unit on a tty path (a pty's device side) or on a ByteLink already made. */
export function serveSimulator(sim: ApcSmartSimulator, where: string | ByteLink, opts: SimulatorPortOptions = {}): SimulatorPort {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger;
  const port = typeof where === 'string' ? new SerialTransport({ path: where, baudRate: 2400, lock: false }, { clock, log, logName: 'apcsmart simulator' }) : where;
  let running = true;
  let mangler: Mangler | undefined;
  const sleep = (ms: number) => new Promise<void>((r) => clock.setTimer(ms, r));
  const loop = (async () => {
    while (running) {
      try {
        const bytes = await port.readFor(opts.tickMs ?? 10);
        if (!running || bytes.length === 0) continue;
        const clean = sim.receive(bytes);
        const out = mangler && clean ? mangler(clean) : clean;
        log.debug(3, `simulator: got ${showBytes(bytes)} → ${showBytes(out)}`);
        if (out) await port.write(out);
      } catch {
        if (running) await sleep(opts.reopenMs ?? 100);
      }
    }
  })();
  const send = async (bytes: string) => {
    if (bytes) await port.write(bytes).catch((e: Error) => log.debug(1, `simulator: cannot send: ${e.message}`));
  };
  return {
    sim,
    setStatus: (tokens) => send(sim.setStatus(tokens)),
    inject: send,
    mangle(fn) {
      mangler = fn;
    },
    async stop() {
      running = false;
      await port.close();
      await loop;
    },
  };
}
