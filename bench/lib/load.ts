/**
 * Runs tools/nut-load.mjs as its own process pinned to the load core, and
 * returns its JSON report. Bounded: killed if it runs past its own limit.
 */
import path from 'node:path';
import { LOAD_CORE, REPO_ROOT } from './instance.js';
import { startProcess, stopProcess } from './proc.js';

export interface ReqResult {
  conns: number;
  connected: number;
  requests: number;
  ok: number;
  errors: number;
  errorKinds: Record<string, number>;
  durationS: number;
  reqPerS: number;
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  sampleAnswer: string | null;
  serverCpuS: Record<string, number | null>;
  /** kernel part (stime) of serverCpuS */
  serverSysS: Record<string, number | null>;
  serverCpuPct: Record<string, number | null>;
  loadGenCpuPct: number;
  rss: Record<string, { before: { rssKiB: number | null }; maxRssKiB: number; after: { rssKiB: number | null } | null }>;
}

export interface BurstResult {
  clients: number;
  giveUpS: number;
  gaveUp: boolean;
  connected: number;
  answered: number;
  unanswered: number;
  failKinds: Record<string, number>;
  stillWaitingAtGiveUp: number;
  answeredWithin2s: number;
  msToLastAnswer: number | null;
  msP50: number | null;
  msP99: number | null;
  msConnectCallsDone: number;
  msFirstConnect: number | null;
  msLastConnect: number | null;
  firstAnswerMs: number | null;
  serverCpuS: Record<string, number | null>;
}

type Snap = { rssKiB: number | null; fds: number | null };
export interface IdleResult {
  requested: number;
  connected: number;
  connectErrors: Record<string, number>;
  connectMs: number;
  holdS: number;
  answered: number;
  closedByServerBeforeProbe: number;
  probeFailed: number;
  probeKinds: Record<string, number>;
  probeMs: number;
  server: { before: Record<string, Snap>; held: Record<string, Snap>; afterProbe: Record<string, Snap>; afterClose: Record<string, Snap> };
}

const TOOL = path.join(REPO_ROOT, 'tools/nut-load.mjs');

/**
 * Runs a Node load tool (`node ...argv`) pinned to the load core and returns
 * the JSON report on its last stdout line; killed past `limitS`.
 */
export async function runJsonTool<T>(name: string, argv: string[], limitS: number): Promise<T> {
  const p = startProcess({ name, cmd: process.execPath, args: argv, core: LOAD_CORE, nofile: 20_000, captureStdout: true });
  let t: NodeJS.Timeout | undefined;
  const timer = new Promise<'timeout'>((resolve) => (t = setTimeout(() => resolve('timeout'), limitS * 1000)));
  const r = await Promise.race([p.exited, timer]);
  clearTimeout(t);
  if (r === 'timeout') {
    await stopProcess(p, 1000);
    throw new Error(`${name} ran past ${limitS} s`);
  }
  const out = p.stdout().trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(out) as T;
  } catch {
    throw new Error(`${name} exited ${String(r)} without a report: ${out.slice(0, 300)}`);
  }
}

/** `key value` pairs as `--key value` options. */
export function toolArgs(args: Record<string, string | number>): string[] {
  return Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
}

export function runLoad<T>(mode: 'req' | 'idle' | 'burst', args: Record<string, string | number>, limitS: number): Promise<T> {
  return runJsonTool<T>(`nut-load ${mode}`, [TOOL, mode, '--json', ...toolArgs(args)], limitS);
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
