/**
 * One logging module for every Walnut program. A Logger writes NUT-style
 * plain lines; the sink decides where they go (stderr in the foreground,
 * the system log when daemonised, an array in tests).
 */
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
