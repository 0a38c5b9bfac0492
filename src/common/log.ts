/**
 * One logging module for every Walnut program. A Logger writes NUT-style
 * plain lines; the sink decides where they go (stderr in the foreground,
 * the system log when daemonised, an array in tests).
 */
import fs from 'node:fs';
import { spawn as spawnProcess } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export type Severity = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'crit' | 'alert';

export interface LogSink {
  write(severity: Severity, message: string): void;
}

export interface Logger {
  /** Debug message shown when the debug level (-D count) is at least `level`. */
  debug(level: number, message: string): void;
  info(message: string): void;
  notice(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  alert(message: string): void;
  readonly debugLevel: number;
}

export class StderrSink implements LogSink {
  constructor(private readonly stream: NodeJS.WritableStream = process.stderr) {}
  write(_severity: Severity, message: string): void {
    this.stream.write(message + '\n');
  }
}

/** Collects lines (tests, and `walnut` commands that print what a daemon would log). */
export class MemorySink implements LogSink {
  readonly lines: { severity: Severity; message: string }[] = [];
  write(severity: Severity, message: string): void {
    this.lines.push({ severity, message });
  }
  text(): string {
    return this.lines.map((l) => l.message).join('\n');
  }
}

export class NullSink implements LogSink {
  write(): void {}
}

export function createLogger(sinks: LogSink[] | LogSink, debugLevel = 0): Logger {
  const list = Array.isArray(sinks) ? sinks : [sinks];
  const emit = (sev: Severity, msg: string) => {
    for (const s of list) s.write(sev, msg);
  };
  return {
    debugLevel,
    debug(level, message) {
      if (debugLevel >= level) emit('debug', message);
    },
    info: (m) => emit('info', m),
    notice: (m) => emit('notice', m),
    warn: (m) => emit('warning', m),
    error: (m) => emit('error', m),
    alert: (m) => emit('alert', m),
  };
}

export const silentLogger: Logger = createLogger(new NullSink());

/**
 * Hides secrets in a protocol line before it is logged: the argument of
 * PASSWORD, and the password field of a MONITOR line.
 */
export function redactLine(line: string): string {
  return line
    .replace(/^(\s*PASSWORD\s+).*$/i, '$1********')
    .replace(/^(\s*MONITOR\s+\S+\s+\S+\s+\S+\s+)\S+/i, '$1********');
}

// ---------------------------------------------------------------------------
// The system log (syslog), for daemons running in the background.
//
// Node cannot send unix datagrams itself, so one long-lived `logger` child
// (util-linux) per process carries the lines: `logger --prio-prefix -t
// <ident> --id=<pid> [-u <socket>]`, fed `<PRI>message` lines on its stdin.
// logger reconnects by itself when the syslog daemon restarts, and drops
// messages silently when there is no syslog daemon. The sink never blocks
// and never throws: a missing `logger`, a dead child or a full pipe only
// lose log lines (counted in `dropped`).
// ---------------------------------------------------------------------------

/** syslog severities (RFC 5424 numbers). */
export const SYSLOG_SEVERITY: Record<Severity, number> = {
  alert: 1,
  crit: 2,
  error: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

/** syslog facilities by name (RFC 5424 numbers). NUT's daemons log to `daemon`. */
export const SYSLOG_FACILITY = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;
export type SyslogFacility = keyof typeof SYSLOG_FACILITY;

/** Environment variable naming another syslog socket than /dev/log (tests, sandboxes). */
export const SYSLOG_SOCKET_ENV = 'WALNUT_SYSLOG_SOCKET';
/** Environment variable: `off` keeps a background daemon off syslog (stderr instead). */
export const SYSLOG_ENV = 'WALNUT_SYSLOG';
/** Environment variable a launcher sets for the detached copy of a program it starts in the background. */
export const DAEMON_ENV = 'WALNUT_DAEMON';
export const DEFAULT_SYSLOG_SOCKET = '/dev/log';

/** The `<PRI>` value of a line: facility * 8 + severity. */
export function syslogPriority(severity: Severity, facility: SyslogFacility = 'daemon'): number {
  return SYSLOG_FACILITY[facility] * 8 + SYSLOG_SEVERITY[severity];
}

/**
 * The lines one log message becomes on logger's stdin: `<PRI>text`, one per
 * line of the message (empty lines dropped), passwords redacted, control
 * characters other than TAB shown as `?` (a NUL or CR would cut the line).
 */
export function syslogLines(severity: Severity, message: string, facility: SyslogFacility = 'daemon'): string[] {
  const pri = syslogPriority(severity, facility);
  const out: string[] = [];
  for (const raw of message.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    // eslint-disable-next-line no-control-regex
    const clean = redactLine(raw).replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '?');
    out.push(`<${pri}>${clean}`);
  }
  return out;
}

export interface SyslogOptions {
  /** The tag (program name), e.g. `upsd`. */
  ident: string;
  /** The PID shown in `ident[pid]`; default this process. */
  pid?: number;
  /** The syslog socket; default WALNUT_SYSLOG_SOCKET from `env`, else /dev/log. */
  socket?: string;
  facility?: SyslogFacility;
  env?: NodeJS.ProcessEnv;
  /** The logger program (default `logger` on PATH). */
  loggerPath?: string;
  /** Bytes queued towards logger beyond which lines are dropped (default 256 KiB). */
  maxQueued?: number;
}

export class SyslogSink implements LogSink {
  readonly ident: string;
  readonly socket: string;
  readonly facility: SyslogFacility;
  /** Lines lost (no logger, dead child, full pipe). */
  dropped = 0;
  private child: ChildProcess | undefined;
  private broken = false;
  private readonly maxQueued: number;
  private readonly pid: number;
  private readonly loggerPath: string;
  private readonly env: NodeJS.ProcessEnv;
  private respawns = 0;

  constructor(opts: SyslogOptions) {
    const env = opts.env ?? process.env;
    this.ident = opts.ident;
    this.socket = opts.socket ?? (env[SYSLOG_SOCKET_ENV] || DEFAULT_SYSLOG_SOCKET);
    this.facility = opts.facility ?? 'daemon';
    this.pid = opts.pid ?? process.pid;
    this.loggerPath = opts.loggerPath ?? 'logger';
    this.maxQueued = opts.maxQueued ?? 256 * 1024;
    this.env = env;
  }

  /** The logger child's PID, once a line was written (tests). */
  get loggerPid(): number | undefined {
    return this.child?.pid;
  }

  private ensureChild(): ChildProcess | undefined {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null && !this.broken) return this.child;
    // a child that died is replaced, a few times at most (never a spawn storm)
    if (this.child && this.respawns >= 5) return undefined;
    if (this.child) this.respawns++;
    this.broken = false;
    let child: ChildProcess;
    try {
      const args = ['--prio-prefix', '-t', this.ident, `--id=${this.pid}`];
      if (this.socket !== DEFAULT_SYSLOG_SOCKET) args.push('-u', this.socket);
      child = spawnProcess(this.loggerPath, args, {
        stdio: ['pipe', 'ignore', 'ignore'],
        env: { PATH: this.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
        detached: false,
      });
    } catch {
      this.broken = true;
      return undefined;
    }
    child.on('error', () => {
      // logger could not be started (missing program): no point retrying
      this.broken = true;
      this.respawns = 5;
    });
    child.on('exit', () => {
      this.broken = true;
    });
    child.stdin!.on('error', () => {
      this.broken = true;
    });
    // the logger child must never keep a daemon alive once it wants to exit
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    this.child = child;
    return child;
  }

  write(severity: Severity, message: string): void {
    const lines = syslogLines(severity, message, this.facility);
    if (!lines.length) return;
    const child = this.ensureChild();
    const stdin = child?.stdin;
    if (!child || !stdin || !stdin.writable || stdin.writableLength > this.maxQueued) {
      this.dropped += lines.length;
      return;
    }
    try {
      stdin.write(lines.join('\n') + '\n');
    } catch {
      this.dropped += lines.length;
      this.broken = true;
    }
  }

  /** Ends logger's input (it sends what it has, then exits); resolves when it has exited (max 2 s). */
  close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.respawns = 5;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    // referenced again while closing, so the event loop waits for logger to finish
    child.ref();
    (child.stdin as unknown as { ref?: () => void } | null)?.ref?.();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        try {
          child.kill('SIGKILL');
        } catch {
          /* gone */
        }
        resolve();
      }, 2000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      try {
        child.stdin?.end();
      } catch {
        resolve();
      }
    });
  }
}

export interface DaemonLogOptions {
  /** Program name (the syslog tag). */
  ident: string;
  /** -F / -D given (or the program never went to the background). */
  foreground: boolean;
  debugLevel?: number;
  env?: NodeJS.ProcessEnv;
  /** stderr replacement (tests). */
  stderr?: NodeJS.WritableStream;
  /** A sink standing for stderr (programs that route their stderr through an io object). */
  stderrSink?: LogSink;
  /** Is there a syslog socket at this path? (tests); default fs.existsSync. */
  socketExists?: (socket: string) => boolean;
}

export interface DaemonLog {
  logger: Logger;
  /** The syslog sink when the daemon logs there. */
  syslog: SyslogSink | undefined;
  /** Flushes and stops the syslog child. */
  close(): Promise<void>;
}

/** Passes on everything except debug messages. */
class NoDebugSink implements LogSink {
  constructor(private readonly inner: LogSink) {}
  write(severity: Severity, message: string): void {
    if (severity !== 'debug') this.inner.write(severity, message);
  }
}

/** The syslog socket a daemon uses: WALNUT_SYSLOG_SOCKET, else /dev/log. */
export function syslogSocket(env: NodeJS.ProcessEnv = process.env): string {
  return env[SYSLOG_SOCKET_ENV] || DEFAULT_SYSLOG_SOCKET;
}

/**
 * NUT's rule for its daemons (real-nut-transcripts.md §5.5): every message
 * goes to the system log (facility daemon, tag = program name, with the
 * PID); in the foreground (-F, -D) it is also written to stderr.
 *
 * - background: syslog, and stderr too (Walnut's daemons never fork: their
 *   stderr is the launcher's pipe during start-up, so start-up errors still
 *   reach the terminal, and /dev/null afterwards). Debug messages go to
 *   syslog as well.
 * - foreground: stderr, plus syslog when a syslog socket exists at start-up
 *   (NUT's syslog(3) silently loses messages when there is none; Walnut then
 *   does not start a `logger` child at all). Debug messages stay on stderr.
 *
 * WALNUT_SYSLOG_SOCKET names another socket than /dev/log (tests, sandboxes);
 * WALNUT_SYSLOG=off keeps every daemon off syslog, WALNUT_SYSLOG=only leaves
 * stderr out in the background.
 */
export function daemonLog(opts: DaemonLogOptions): DaemonLog {
  const env = opts.env ?? process.env;
  const mode = (env[SYSLOG_ENV] ?? '').toLowerCase();
  const stderr = opts.stderrSink ?? new StderrSink(opts.stderr);
  const debugLevel = opts.debugLevel ?? 0;
  const off = mode === 'off' || mode === '0' || mode === 'no';
  const exists = opts.socketExists ?? ((p: string) => fs.existsSync(p));
  if (off || (opts.foreground && !exists(syslogSocket(env)))) {
    return { logger: createLogger(stderr, debugLevel), syslog: undefined, close: async () => {} };
  }
  const syslog = new SyslogSink({ ident: opts.ident, env });
  const sinks: LogSink[] = opts.foreground ? [stderr, new NoDebugSink(syslog)] : mode === 'only' ? [syslog] : [syslog, stderr];
  return { logger: createLogger(sinks, debugLevel), syslog, close: () => syslog.close() };
}
