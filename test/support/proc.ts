/**
 * Processes and waits for tests: start a program with its output kept in
 * memory, stop exactly that PID (SIGTERM, then SIGKILL after 5 s), poll a
 * condition with a timeout, run a program to its end. Tests never hang on these.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface Proc {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr chunks (latin1), in arrival order. */
  log: string[];
  exited: Promise<number | null>;
}

/** Starts a program with `env`; stdin is /dev/null, stdout/stderr are kept in `log`. */
export function startProc(cmd: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  child.stdout!.on('data', (b: Buffer) => log.push(b.toString('latin1')));
  child.stderr!.on('data', (b: Buffer) => log.push(b.toString('latin1')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  return { child, pid: child.pid, log, exited };
}

/** SIGTERM, wait up to 5 s, then SIGKILL: only the process we started. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** stopChild for a Proc (nothing to do for undefined). */
export async function stopProc(p: Proc | undefined): Promise<void> {
  if (p) await stopChild(p.child);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls cond() every stepMs until it is true; throws after timeoutMs. An error from cond() propagates. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10000, stepMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end, killed after timeoutMs. Never rejects: its exit
 * code, or 1 when it could not start, was killed or died of a signal.
 */
export function execProgram(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000, encoding: BufferEncoding = 'utf8'): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, encoding }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
