/**
 * What the query clients (upsc, upscmd, upsrw) need from the outside world,
 * as one injectable object: output streams, prompts, the login name, time.
 * src/cli/<name>.ts builds the real one (processIO); tests use captureIO.
 */
import os from 'node:os';
import type { Readable } from 'node:stream';
import { systemClock } from '../common/clock.js';
import type { Clock } from '../common/clock.js';

export interface Prompter {
  /** Reads one line (without its LF); null at end of input. */
  readLine(): Promise<string | null>;
  /** Reads a secret, without echo on a terminal; null at end of input. */
  readSecret(): Promise<string | null>;
}

export interface CliIO {
  out(s: string): void;
  err(s: string): void;
  prompter: Prompter;
  /** The login name NUT offers as the default user (getpwuid). */
  userName: string;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** Limit for connecting and each reply, in ms (0 = none, as NUT). */
  timeoutMs: number;
}

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Line reader over a byte stream that never reads ahead of what it returns
 * more than one chunk, and keeps the rest for the next call.
 */
export class StreamLines {
  private buf = '';
  private ended = false;
  private waiters: Array<() => void> = [];
  private started = false;

  constructor(private readonly input: Readable) {}

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.input.setEncoding('latin1');
    this.input.on('data', (d: string) => {
      this.buf += d;
      this.wake();
    });
    this.input.on('end', () => {
      this.ended = true;
      this.wake();
    });
    this.input.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters.splice(0);
    for (const fn of w) fn();
  }

  async next(): Promise<string | null> {
    this.start();
    for (;;) {
      const lf = this.buf.indexOf('\n');
      if (lf >= 0) {
        const line = this.buf.slice(0, lf).replace(/\r$/, '');
        this.buf = this.buf.slice(lf + 1);
        if (this.buf === '' && !this.ended) this.input.pause();
        return line;
      }
      if (this.ended) {
        if (this.buf === '') return null;
        const line = this.buf;
        this.buf = '';
        return line;
      }
      this.input.resume();
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Stops reading (lets the process exit). */
  stop(): void {
    if (this.started) {
      this.input.pause();
      this.input.removeAllListeners('data');
    }
  }
}

/** Reads a secret from a terminal in raw mode: no echo, Enter ends, Ctrl-C/Ctrl-D abort. */
function readSecretRaw(stdin: NodeJS.ReadStream, echoTo: NodeJS.WriteStream): Promise<string | null> {
  return new Promise((resolve) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const done = (v: string | null) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      echoTo.write('\n');
      resolve(v);
    };
    const onData = (d: string) => {
      for (const ch of d) {
        if (ch === '\r' || ch === '\n') return done(value);
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) return done(null);
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The real process: stdout/stderr, stdin prompts (no echo for secrets on a TTY). */
export function processIO(): CliIO & { dispose(): void } {
  const lines = new StreamLines(process.stdin);
  let user = 'root';
  try {
    user = os.userInfo().username;
  } catch {
    /* keep root */
  }
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    prompter: {
      readLine: () => lines.next(),
      readSecret: () => {
        if (!process.stdin.isTTY) return lines.next();
        lines.stop(); // raw mode reads the keys itself
        return readSecretRaw(process.stdin, process.stderr);
      },
    },
    userName: user,
    env: process.env,
    clock: systemClock,
    timeoutMs: 0,
    dispose: () => lines.stop(),
  };
}

/** An in-memory IO for tests: answers prompts from `input` lines. */
export function captureIO(opts: { input?: string[]; userName?: string; env?: NodeJS.ProcessEnv; clock?: Clock; timeoutMs?: number } = {}): CliIO & {
  stdout(): string;
  stderr(): string;
} {
  let out = '';
  let err = '';
  const input = [...(opts.input ?? [])];
  const next = async () => (input.length ? input.shift()! : null);
  return {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    prompter: { readLine: next, readSecret: next },
    userName: opts.userName ?? 'root',
    env: opts.env ?? {},
    clock: opts.clock ?? systemClock,
    timeoutMs: opts.timeoutMs ?? 10_000,
    stdout: () => out,
    stderr: () => err,
  };
}

/** Runs one client program in-process and returns what it printed and its exit code. */
export async function runCaptured(
  program: (argv: string[], io: CliIO) => Promise<number>,
  argv: string[],
  opts: Parameters<typeof captureIO>[0] = {},
): Promise<CliResult> {
  const io = captureIO(opts);
  const exitCode = await program(argv, io);
  return { stdout: io.stdout(), stderr: io.stderr(), exitCode };
}
