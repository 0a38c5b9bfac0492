/**
 * upslog as a library (nut-monitor-drivers.md §3.3): polls one or more UPSes
 * with GET VAR (src/clients/client.ts NutClient) every `interval` seconds and
 * appends one formatted line per UPS to its log (a file, or `-` for stdout).
 * Time comes from an injected Clock; a failed poll logs NA values and the
 * next poll reconnects. reopen() is SIGHUP (log rotation), logNow() SIGUSR1.
 */
import fs from 'node:fs';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/log.js';
import { NutClient, NutServerError, splitName, type UpsAddress } from './client.js';
import { compileFormat, formatVars, renderLine, type Piece } from './upslog-format.js';

export interface UpslogTargetSpec {
  /** `ups[@host[:port]]`, or `*@host[:port]` for every UPS there. */
  ups: string;
  /** A file name, or `-` for stdout. */
  logFile: string;
}

export interface UpslogOptions {
  targets: UpslogTargetSpec[];
  intervalSec: number;
  format: string;
  /** -d: stop after this many rounds. */
  maxUpdates?: number;
  clock: Clock;
  hostname: string;
  pid: number;
  logger: Logger;
  /** Where `-` writes. */
  stdout: (s: string) => void;
  /** Limit for connecting and each reply (ms). */
  timeoutMs?: number;
  /** %TIME in UTC instead of local time (tests). */
  utc?: boolean;
  connect?: (host: string, port: number, timeoutMs: number) => Promise<NutClient>;
}

interface Target {
  addr: UpsAddress;
  /** The ups@host[:port] string for %UPSHOST%. */
  upsHost: string;
  logFile: string;
  client: NutClient | undefined;
}

/** The %UPSHOST% text: the UPS as the user wrote it (`*@host` expanded to each name). */
export function upsHostText(spec: string): string {
  return spec;
}

export class Upslog {
  private readonly pieces: Piece[];
  private readonly vars: string[];
  private targets: Target[] = [];
  private readonly fds = new Map<string, number>();
  private cancelTimer: (() => void) | undefined;
  private rounds = 0;
  private polling: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private resolveDone!: () => void;
  /** Resolves when -d rounds are done or stop() was called. */
  readonly done: Promise<void>;

  constructor(private readonly o: UpslogOptions) {
    this.pieces = compileFormat(o.format);
    this.vars = formatVars(this.pieces);
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  private connect(host: string, port: number): Promise<NutClient> {
    const t = this.o.timeoutMs ?? 5000;
    return this.o.connect ? this.o.connect(host, port, t) : NutClient.connect(host, port, { timeoutMs: t, clock: this.o.clock });
  }

  /** Resolves `*@host` targets, opens the logs, connects (a failure is only a warning), logs the first round. */
  async start(): Promise<void> {
    for (const spec of this.o.targets) {
      const addr = splitName(spec.ups);
      if (addr.ups === '*') {
        const c = await this.connect(addr.host, addr.port);
        try {
          for (const u of await c.listUps()) {
            const a = { ...addr, ups: u.name };
            this.targets.push({ addr: a, upsHost: upsHostText(`${u.name}@${spec.ups.slice(2)}`), logFile: spec.logFile, client: undefined });
          }
        } finally {
          c.close();
        }
        continue;
      }
      this.targets.push({ addr, upsHost: upsHostText(spec.ups), logFile: spec.logFile, client: undefined });
    }
    this.openLogs();
    for (const t of this.targets) {
      try {
        t.client = await this.connect(t.addr.host, t.addr.port);
      } catch (e) {
        this.o.logger.warn(`Warning: initial connect failed: ${(e as Error).message}`);
      }
    }
    await this.round();
  }

  /** The targets after `*@host` expansion: [ups@host, logfile]. */
  list(): Array<[string, string]> {
    return this.targets.map((t) => [t.upsHost, t.logFile]);
  }

  private openLogs(): void {
    for (const t of this.targets) {
      if (t.logFile === '-' || this.fds.has(t.logFile)) continue;
      this.fds.set(t.logFile, fs.openSync(t.logFile, 'a', 0o644));
    }
  }

  /** SIGHUP: close and reopen every log file (after rotation). */
  reopen(): void {
    for (const [file, fd] of this.fds) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
      try {
        this.fds.set(file, fs.openSync(file, 'a', 0o644));
      } catch (e) {
        this.fds.delete(file);
        this.o.logger.error(`could not reopen logfile ${file}: ${(e as Error).message}`);
      }
    }
  }

  /** SIGUSR1: log now instead of waiting for the interval. */
  logNow(): void {
    if (this.stopped) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    void this.round();
  }

  private async pollTarget(t: Target): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    if (!this.vars.length) return values;
    if (!t.client || !t.client.isOpen) {
      t.client?.close();
      t.client = undefined;
      try {
        t.client = await this.connect(t.addr.host, t.addr.port);
      } catch {
        return values;
      }
    }
    for (const name of this.vars) {
      try {
        values.set(name, await t.client.get(t.addr.ups, name));
      } catch (e) {
        if (!(e instanceof NutServerError)) {
          // the connection is gone: NA for the rest of this round, reconnect next time
          t.client.close();
          t.client = undefined;
          break;
        }
      }
    }
    return values;
  }

  private write(file: string, line: string): void {
    if (file === '-') {
      this.o.stdout(line);
      return;
    }
    const fd = this.fds.get(file);
    if (fd === undefined) return;
    try {
      fs.writeSync(fd, line);
    } catch (e) {
      this.o.logger.error(`write to ${file}: ${(e as Error).message}`);
    }
  }

  private async round(): Promise<void> {
    const run = (async () => {
      for (const t of this.targets) {
        const vars = await this.pollTarget(t);
        if (this.stopped) return;
        const line = renderLine(this.pieces, {
          now: new Date(this.o.clock.now()),
          hostname: this.o.hostname,
          upsHost: t.upsHost,
          pid: this.o.pid,
          vars,
          ...(this.o.utc ? { utc: true } : {}),
        });
        this.write(t.logFile, line + '\n');
      }
    })();
    this.polling = run;
    await run;
    this.polling = undefined;
    if (this.stopped) return;
    this.rounds++;
    if (this.o.maxUpdates !== undefined && this.rounds >= this.o.maxUpdates) {
      await this.stop();
      return;
    }
    if (this.again) {
      this.again = false;
      void this.round();
      return;
    }
    this.cancelTimer = this.o.clock.setTimer(this.o.intervalSec * 1000, () => {
      this.cancelTimer = undefined;
      void this.round();
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTimer?.();
    await this.polling?.catch(() => {});
    for (const t of this.targets) t.client?.close();
    for (const fd of this.fds.values()) {
      try {
        fs.closeSync(fd);
      } catch {
        /* closed */
      }
    }
    this.fds.clear();
    this.resolveDone();
  }
}
