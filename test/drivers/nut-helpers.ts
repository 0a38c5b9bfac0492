/**
 * Helpers for driver tests that run real NUT 2.8.0 programs (upsd,
 * dummy-ups, upsc) in a private temp dir: NUT_CONFPATH=<dir>/etc,
 * NUT_STATEPATH=<dir>/state, NUT_ALTPIDPATH=<dir>/run. Every process is
 * started here, recorded by PID and ended by PID.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { NUT_LIBEXEC } from '../support/peers.js';
import { tempDir } from '../support/tmp.js';

export interface NutDir {
  dir: string;
  etc: string;
  state: string;
  run: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function nutDir(prefix = 'walnut-drv-'): NutDir {
  const t = tempDir(prefix);
  const etc = path.join(t.dir, 'etc');
  const state = path.join(t.dir, 'state');
  const run = path.join(t.dir, 'run');
  for (const d of [etc, state, run]) fs.mkdirSync(d, { recursive: true, mode: 0o770 });
  const env = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state, NUT_ALTPIDPATH: run };
  return { dir: t.dir, etc, state, run, env, cleanup: t.cleanup };
}

export function writeUpsdConf(d: NutDir, port: number, maxAge = 15): void {
  fs.writeFileSync(path.join(d.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${d.state}\nMAXAGE ${maxAge}\n`, { mode: 0o640 });
  fs.writeFileSync(
    path.join(d.etc, 'upsd.users'),
    '[admin]\n  password = adminpass\n  actions = SET\n  actions = FSD\n  instcmds = ALL\n',
    { mode: 0o640 },
  );
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  log: string[];
  exited: Promise<number | null>;
}

/** Starts a program with the dir's environment; stderr/stdout are kept in memory. */
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
export async function stopProc(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), 5000);
  await p.exited;
  clearTimeout(t);
}

export function startRealUpsd(d: NutDir): Proc {
  return startProc(path.join(NUT_LIBEXEC, 'upsd'), ['-F', '-u', 'root'], d.env);
}

export function startRealDummy(d: NutDir, ups: string): Proc {
  return startProc(path.join(NUT_LIBEXEC, 'dummy-ups'), ['-a', ups, '-F', '-u', 'root'], d.env);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits (polling) until cond() is true; throws after timeoutMs. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10000, stepMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

export interface UpscResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function upsc(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 10000): Promise<UpscResult> {
  return new Promise((resolve) => {
    execFile('upsc', args, { env, timeout: timeoutMs, encoding: 'latin1' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Parses `upsc ups@host` output into name → value. */
export function parseUpsc(stdout: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 2));
  }
  return m;
}

/** Runs fn over items with at most `limit` at a time. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Every .dev file under a folder, sorted. */
export function devFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.dev')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}
