/**
 * Processes the bench starts: spawned pinned to a core (taskset), with a raised
 * open-files limit (prlimit), their stderr/stdout in a log file. Every process
 * is remembered by PID and only those are ever signalled; stopAll() runs on
 * exit and on Ctrl-C. Also /proc readers: CPU time, RSS, PSS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  alive(): boolean;
}

const started = new Set<Started>();

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
const HAVE_TASKSET = have('taskset');
const HAVE_PRLIMIT = have('prlimit');

/** The open-files limit every server gets (soft = hard here: 20 000). */
export function nofileLimit(): { soft: number; hard: number } {
  const r = spawnSync('sh', ['-c', 'echo $(ulimit -Sn) $(ulimit -Hn)'], { encoding: 'utf8' });
  const [s, h] = r.stdout.trim().split(/\s+/);
  const num = (x: string | undefined) => (x === 'unlimited' || x === undefined ? 1 << 20 : Number(x));
  return { soft: num(s), hard: num(h) };
}

export interface SpawnOpts {
  name: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** CPU core to pin to (taskset -c). */
  core?: number;
  /** Raise RLIMIT_NOFILE to this (capped by the hard limit) with prlimit. */
  nofile?: number;
  logFile?: string;
  /** Collect stdout in memory instead of the log file. */
  captureStdout?: boolean;
}

/** Scheduling priority (nice value) for every process the bench starts; 0 = unchanged. */
let niceness = 0;
export function setNiceness(n: number): void {
  niceness = n;
}

export function startProcess(o: SpawnOpts): Started & { stdout: () => string } {
  let argv = [o.cmd, ...o.args];
  if (niceness) argv = ['nice', '-n', String(niceness), ...argv];
  if (o.core !== undefined && HAVE_TASKSET) argv = ['taskset', '-c', String(o.core), ...argv];
  if (o.nofile && HAVE_PRLIMIT) {
    const lim = Math.min(o.nofile, nofileLimit().hard);
    argv = ['prlimit', `--nofile=${lim}:${lim}`, ...argv];
  }
  const log = o.logFile ? fs.openSync(o.logFile, 'a') : 'ignore';
  // taskset and prlimit exec the program in place: the PID is the program's
  const child = spawn(argv[0]!, argv.slice(1), {
    env: o.env ?? process.env,
    stdio: ['ignore', o.captureStdout ? 'pipe' : log, log],
  });
  if (typeof log === 'number') fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${o.name} (${argv.join(' ')})`);
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => (out += d));
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
    child.once('error', () => {
      done = true;
      resolve(null);
    });
  });
  const s = { name: o.name, pid: child.pid, child, exited, alive: () => !done, stdout: () => out };
  started.add(s);
  void exited.then(() => started.delete(s));
  return s;
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL: only this child, by PID. */
/**
 * Stops a started process and its descendants (taken before the signal: a
 * daemon that forks, like NUT's upsmon in split mode, leaves a child that
 * would otherwise be reparented to init and keep running).
 */
export async function stopProcess(s: Started, graceMs = 5000): Promise<void> {
  if (!s.alive()) return;
  const tree = processTree(s.pid);
  const signal = (pids: number[], sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/\) Z /.test(safeStat(pid));
  // descendants first, so their parent (still running) reaps them; then the root
  const kids = tree.filter((p) => p !== s.pid);
  signal(kids, 'SIGTERM');
  for (let i = 0; i < 20 && kids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  signal([s.pid], 'SIGTERM');
  const t = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([s.exited, t])) === 'timeout' && s.alive()) {
    signal([s.pid], 'SIGKILL');
    await s.exited;
  }
  signal(kids.filter(alive), 'SIGKILL');
}

function safeStat(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((s) => stopProcess(s)));
}

/** Synchronous last resort (process 'exit'): SIGKILL every child still running. */
export function killAllSync(): void {
  for (const s of started) {
    if (s.alive()) {
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

/** utime+stime of a process in seconds (USER_HZ = 100). */
export function cpuSeconds(pid: number): number | null {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

function statusField(pid: number, field: string): number | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(s);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export const rssKiB = (pid: number): number | null => statusField(pid, 'VmRSS');

/** Proportional set size: shared pages (libc, node binary) split between sharers. */
export function pssKiB(pid: number): number | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const m = /^Pss:\s+(\d+) kB/m.exec(s);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The PID and every descendant of it still running (scan of /proc). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z') continue;
      parent.set(Number(e), Number(f[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  if (parent.has(root)) out.push(root);
  for (let i = 0; i < out.length; i++) {
    for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
