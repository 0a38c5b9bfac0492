/**
 * upssched's timer daemon (nut-monitor-drivers.md §2).
 *
 * TimerDaemon is the logic on an injected Clock: requests in, CMDSCRIPT
 * runs out (through `runScript`, one at a time, in order), a check every
 * second, and "idle" once no timer is left and nothing happened for
 * `idleSecs` (NUT: 15 one-second passes), when the shell stops it.
 *
 * serveTimerDaemon is the I/O shell: a unix socket at PIPEFN (umask 007,
 * then chmod 0660), one request line per line, answers `OK` / `ERR x`.
 */
import fs from 'node:fs';
import net from 'node:net';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { TimerTable, timerEnv, formatTimerRows, type Timer } from './timers.js';
import { parseRequest, type DaemonRequest } from './wire.js';

export interface ScriptRun {
  /** The argument given to CMDSCRIPT (a timer name or a command word). */
  arg: string;
  env: { UPSNAME: string; NOTIFYTYPE: string; NOTIFYMSG: string };
}

export interface TimerDaemonOptions {
  clock: Clock;
  /** Runs CMDSCRIPT arg; resolves when it has finished. */
  runScript: (run: ScriptRun) => Promise<void>;
  logger: Logger;
  /** Seconds with no timer and no request before the daemon is idle (default 15). */
  idleSecs?: number;
  /** Wall-clock ms for `-l` rows (default clock.now()). */
  epochNow?: () => number;
  /** Called once when the daemon became idle (the shell then exits). */
  onIdle?: () => void;
}

export class TimerDaemon {
  readonly table = new TimerTable();
  private lastActivity: number;
  private cancelTick: (() => void) | undefined;
  private queue: Promise<void> = Promise.resolve();
  private running = 0;
  private stopped = false;
  private readonly idleMs: number;

  constructor(private readonly opts: TimerDaemonOptions) {
    this.lastActivity = opts.clock.now();
    this.idleMs = (opts.idleSecs ?? 15) * 1000;
  }

  /** Starts the once-a-second check. */
  start(): void {
    this.opts.logger.info('Timer daemon started');
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTick?.();
    this.cancelTick = undefined;
  }

  /** Resolves when every CMDSCRIPT queued so far has finished. */
  drain(): Promise<void> {
    return this.queue;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cancelTick = this.opts.clock.setTimer(1000, () => {
      this.tick();
      this.schedule();
    });
  }

  private enqueue(run: ScriptRun): void {
    this.running++;
    this.queue = this.queue
      .then(() => {
        this.opts.logger.info(`Executing command: ${run.arg}`);
        return this.opts.runScript(run);
      })
      .catch((e: Error) => this.opts.logger.error(`CMDSCRIPT ${run.arg}: ${e.message}`))
      .finally(() => {
        this.running--;
        this.lastActivity = this.opts.clock.now();
      });
  }

  private fire(t: Timer): void {
    this.opts.logger.debug(1, `Event: ${t.name}`);
    this.enqueue({ arg: t.name, env: timerEnv(t) });
  }

  /** One pass: fire what is due, then check for idleness. */
  tick(): void {
    if (this.stopped) return;
    const now = this.opts.clock.now();
    const due = this.table.takeDue(now);
    for (const t of due) this.fire(t);
    if (due.length) this.lastActivity = now;
    if (this.table.size === 0 && this.running === 0 && now - this.lastActivity >= this.idleMs) {
      this.opts.logger.debug(1, 'Timer queue empty, exiting');
      this.stop();
      this.opts.onIdle?.();
    }
  }

  /** Handles one request line; returns the reply lines. */
  handleLine(line: string): string[] {
    const now = this.opts.clock.now();
    this.lastActivity = now;
    const r = parseRequest(line);
    if (typeof r === 'string') {
      this.opts.logger.error(`Unknown command on socket: ${line}`);
      return [`ERR ${r}`];
    }
    return this.handle(r, now);
  }

  handle(r: DaemonRequest, now: number = this.opts.clock.now()): string[] {
    // a request racing the idle exit: the client starts a new daemon
    if (this.stopped) return ['ERR DAEMON-EXITING'];
    this.lastActivity = now;
    switch (r.cmd) {
      case 'START': {
        this.table.start(r.name, r.secs, now, { upsName: r.upsName, notifyType: r.notifyType, notifyMsg: r.notifyMsg });
        this.opts.logger.debug(1, `New timer: ${r.name} (${r.secs} seconds)`);
        return ['OK'];
      }
      case 'START-SHARED': {
        const { created } = this.table.startShared(r.name, r.secs, now, { upsName: r.upsName, notifyType: r.notifyType, notifyMsg: r.notifyMsg });
        this.opts.logger.debug(1, created ? `New timer: ${r.name} (${r.secs} seconds)` : `Timer ${r.name} shared with ${r.upsName}`);
        return ['OK'];
      }
      case 'CANCEL': {
        const n = this.table.cancel(r.name);
        if (n) this.opts.logger.debug(1, `Cancelling timer: ${r.name}`);
        else if (r.script) {
          // nothing to cancel: CANCEL-TIMER's command runs instead
          this.opts.logger.debug(1, `Cancel ${r.name}, event: ${r.script}`);
          this.enqueue({ arg: r.script, env: { UPSNAME: r.upsName ?? '', NOTIFYTYPE: r.notifyType ?? '', NOTIFYMSG: r.notifyMsg ?? '' } });
        }
        return ['OK'];
      }
      case 'CANCEL-MATCHED': {
        const n = this.table.cancelMatched(r.name, r.upsName, r.notifyType);
        if (n) this.opts.logger.debug(1, `Cancelling timer: ${r.name} (${n})`);
        return ['OK'];
      }
      case 'LIST-TIMERS': {
        const epoch = this.opts.epochNow ? this.opts.epochNow() : now;
        return [...formatTimerRows(this.table.list(), now, epoch), 'OK'];
      }
    }
  }
}

export interface ServeOptions {
  pipeFn: string;
  daemon: TimerDaemon;
  logger: Logger;
}

/** Listens on PIPEFN; resolves with the server once listening. The caller closes it when idle. */
export async function serveTimerDaemon(o: ServeOptions): Promise<net.Server> {
  try {
    fs.unlinkSync(o.pipeFn);
  } catch {
    /* not there */
  }
  const server = net.createServer((sock) => {
    let buf = '';
    sock.setEncoding('latin1');
    sock.on('error', () => {});
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 65536) {
        sock.destroy();
        return;
      }
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const raw = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        if (!raw.trim()) continue;
        const reply = o.daemon.handleLine(raw);
        sock.write(reply.join('\n') + '\n', 'utf8');
      }
    });
  });
  const oldMask = process.umask(0o007);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.pipeFn, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(oldMask);
  }
  try {
    fs.chmodSync(o.pipeFn, 0o660);
  } catch (e) {
    o.logger.warn(`chmod ${o.pipeFn}: ${(e as Error).message}`);
  }
  return server;
}
