/**
 * `npm run bench`: real NUT 2.8.0 (dummy-ups + upsd from /lib/nut) and
 * Walnut's upsd side by side, with the same UPS data, measured with the same
 * load generator (tools/nut-load.mjs) pinned to another core.
 *
 *   servers (drivers + upsd): taskset -c 0    load generator: taskset -c 1
 *
 * Prints a table (NUT, Walnut, Walnut/NUT, target) and writes
 * bench/results/latest.json. Never part of `npm test`. Loopback only; every
 * load run is bounded in count and time; only processes started here are
 * stopped, by PID.
 *
 * Options:
 *   --quick             1 run per figure, shorter runs (for a smoke test)
 *   --runs N            runs per req figure (median taken; default 3)
 *   --only nut|walnut   measure one server only
 *   --walnut-upsd nut   put a second real NUT upsd in Walnut's slot (harness self-check)
 *   --walnut-drivers nut|walnut-upsdrvctl|walnut-dummy-ups   what feeds Walnut's upsd
 *   --skip req,list,idle,burst,memory,upsmon,tls
 *   --phases upsmon     run only these phases (same names as --skip), e.g. the upsmon rows alone
 *   --upsmon-events N   status changes timed in the upsmon phase (default 20; --quick 6)
 *   --out FILE          JSON results (default bench/results/latest.json)
 *   --nice N            run servers and load generator with this nice value (e.g. -5 as root,
 *                       so a busy machine's other work disturbs the figures less); default 0
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bigDev, DEFAULT_DEV, NUT_LIBEXEC, REPO_ROOT, startInstance, query, walnutUpsdAvailable, bestWalnutDrivers, walnutHas, buildBundles, removeAllDirs, type DriverKind, type Instance, type Kind, type UpsSpec } from './lib/instance.js';
import { runLoad, median, type BurstResult, type IdleResult, type ReqResult } from './lib/load.js';
import { killAllSync, nofileLimit, setNiceness, sleep, stopAll, rssKiB } from './lib/proc.js';
import { benchUpsmon, upsmonBenchMissing } from './upsmon.js';
import { benchTls, tlsBenchMissing } from './tls.js';

interface Opts {
  quick: boolean;
  runs: number;
  only?: Kind;
  walnutUpsd: 'walnut' | 'nut';
  walnutDrivers?: DriverKind;
  skip: Set<string>;
  nice: number;
  out: string;
  upsmonEvents?: number;
}

const PHASES = ['req', 'list', 'idle', 'burst', 'memory', 'upsmon', 'tls'];

function parseArgs(argv: string[]): Opts {
  const o: Opts = { quick: false, runs: 3, walnutUpsd: 'walnut', skip: new Set(), nice: 0, out: path.join(REPO_ROOT, 'bench/results/latest.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--runs') o.runs = Number(v());
    else if (a === '--only') o.only = v() as Kind;
    else if (a === '--walnut-upsd') o.walnutUpsd = v() as 'walnut' | 'nut';
    else if (a === '--walnut-drivers') o.walnutDrivers = v() as DriverKind;
    else if (a === '--skip') for (const s of v().split(',')) o.skip.add(s);
    else if (a === '--nice') o.nice = Number(v());
    else if (a === '--out') o.out = path.resolve(v());
    else if (a === '--phases') {
      const want = new Set(v().split(','));
      for (const ph of PHASES) if (!want.has(ph)) o.skip.add(ph);
    } else if (a === '--upsmon-events') o.upsmonEvents = Number(v());
    else throw new Error(`unknown option ${a}`);
  }
  if (o.quick) o.runs = 1;
  return o;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const say = (s: string) => process.stderr.write(`bench: ${s}\n`);

type Side = 'nut' | 'walnut';
type Fig = Partial<Record<Side, number | null>>;
interface Row {
  section: string;
  figure: string;
  values: Fig;
  /** how to judge Walnut: ratio >= x, ratio <= x, or a custom check */
  target?: string;
  met?: boolean | null;
  note?: string;
  unit?: string;
}

const rows: Row[] = [];
const raw: Record<string, unknown> = {};

interface Slot {
  side: Side;
  label: string;
  start: (port: number, upses: UpsSpec[]) => Promise<Instance>;
}

function slots(o: Opts): Slot[] {
  const out: Slot[] = [];
  if (o.only !== 'walnut') out.push({ side: 'nut', label: 'NUT 2.8.0', start: (port, upses) => startInstance({ kind: 'nut', port, upses }) });
  if (o.only !== 'nut') {
    if (o.walnutUpsd === 'nut') {
      out.push({ side: 'walnut', label: 'NUT (self-check in Walnut slot)', start: (port, upses) => startInstance({ kind: 'nut', port, upses, label: 'NUT self-check' }) });
    } else if (walnutUpsdAvailable()) {
      const drivers = o.walnutDrivers ?? bestWalnutDrivers();
      out.push({ side: 'walnut', label: `Walnut (drivers: ${drivers})`, start: (port, upses) => startInstance({ kind: 'walnut', port, upses, drivers }) });
    } else {
      say("Walnut's upsd is not there yet (src/cli/upsd.ts, src/server/index.ts): measuring NUT only");
    }
  }
  return out;
}

async function withInstances<T>(ss: Slot[], upses: UpsSpec[], fn: (insts: { slot: Slot; inst: Instance }[]) => Promise<T>): Promise<T> {
  const insts: { slot: Slot; inst: Instance }[] = [];
  try {
    for (const slot of ss) {
      const port = await freePort();
      const inst = await slot.start(port, upses);
      say(`${slot.label}: upsd pid ${inst.upsd.pid} on 127.0.0.1:${port}, ${inst.driverProcs.length} driver process(es), dir ${inst.dir}`);
      insts.push({ slot, inst });
    }
    return await fn(insts);
  } finally {
    for (const { inst } of insts) await inst.stop();
  }
}

const MAIN_UPSES: UpsSpec[] = [
  { name: 'dummy', dev: DEFAULT_DEV },
  // 89 variables in the file; NUT's dummy-ups adds device.* and driver.* to reach 100 in LIST VAR
  { name: 'big', dev: bigDev(89) },
];

function cpuUsPerReq(r: ReqResult, pid: number, kernelOnly = false): number | null {
  const s = (kernelOnly ? r.serverSysS : r.serverCpuS)[String(pid)];
  return s === null || s === undefined || !r.requests ? null : (s * 1e6) / r.requests;
}

async function reqPhase(o: Opts, ss: Slot[]): Promise<void> {
  const dur = o.quick ? 2 : 3;
  await withInstances(ss, MAIN_UPSES, async (insts) => {
    // idle RSS of a fresh upsd
    for (const { slot, inst } of insts) (raw[`rssIdleFresh.${slot.side}`] = rssKiB(inst.upsd.pid));
    // how many variables the big UPS really has
    const first = insts[0];
    let nvars = '';
    if (first) {
      const counts = Object.fromEntries(await Promise.all(insts.map(async ({ slot, inst }) => [slot.side, (await query(inst.port, 'LIST VAR big', 5000, /^END LIST/)).filter((l) => l.startsWith('VAR ')).length])));
      raw.listVarCount = counts;
      const vals = [...new Set(Object.values(counts))];
      nvars = vals.length === 1 ? String(vals[0]) : Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ');
    }
    const cases: { key: string; section: string; line: string; conns: number; skip: string }[] = [];
    for (const c of [1, 10, 100]) cases.push({ key: `get.c${c}`, section: `GET VAR, ${c} connection${c > 1 ? 's' : ''}`, line: 'GET VAR dummy ups.status', conns: c, skip: 'req' });
    for (const c of [1, 100]) cases.push({ key: `list.c${c}`, section: `LIST VAR (${nvars} vars), ${c} connection${c > 1 ? 's' : ''}`, line: 'LIST VAR big', conns: c, skip: 'list' });
    for (const cs of cases) {
      if (o.skip.has(cs.skip)) continue;
      const per: Record<string, ReqResult[]> = {};
      for (let run = 0; run < o.runs; run++) {
        // alternate the servers run by run, so drift hits both alike
        for (const { slot, inst } of run % 2 ? [...insts].reverse() : insts) {
          const r = await runLoad<ReqResult>('req', { port: inst.port, conns: cs.conns, duration: dur, warmup: 1, line: cs.line, pid: inst.upsd.pid, timeout: 5 }, dur + 60);
          (per[slot.side] ??= []).push(r);
          say(`${cs.key} ${slot.label} run ${run + 1}: ${r.reqPerS} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, upsd CPU ${r.serverCpuPct[String(inst.upsd.pid)]}%, load gen ${r.loadGenCpuPct}%, errors ${r.errors}`);
        }
      }
      raw[cs.key] = per;
      const pidOf = (side: Side) => insts.find((x) => x.slot.side === side)!.inst.upsd.pid;
      const m = (f: (r: ReqResult, side: Side) => number | null): Fig => Object.fromEntries(Object.entries(per).map(([side, rs]) => [side, median(rs.map((r) => f(r, side as Side) ?? NaN))]));
      const rps = m((r) => r.reqPerS);
      const cpu = m((r, side) => cpuUsPerReq(r, pidOf(side)));
      const errs = m((r) => r.errors);
      const isList = cs.skip === 'list';
      rows.push({ section: cs.section, figure: 'requests/s', values: rps, target: isList ? '≥ 3.0×' : '≥ 1.0×', unit: '' });
      rows.push({ section: cs.section, figure: 'latency p50 ms', values: m((r) => r.latencyMs.p50) });
      rows.push({ section: cs.section, figure: 'latency p99 ms', values: m((r) => r.latencyMs.p99) });
      rows.push({ section: cs.section, figure: 'server CPU µs/request', values: cpu, target: isList ? undefined : '≤ 1.0×' });
      rows.push({ section: cs.section, figure: '  of which kernel (stime) µs', values: m((r, side) => cpuUsPerReq(r, pidOf(side), true)) });
      rows.push({ section: cs.section, figure: 'server CPU %', values: m((r, side) => r.serverCpuPct[String(pidOf(side))] ?? NaN) });
      rows.push({ section: cs.section, figure: 'load generator CPU %', values: m((r) => r.loadGenCpuPct) });
      if (Object.values(errs).some((e) => e)) rows.push({ section: cs.section, figure: 'errors (median)', values: errs });
    }
    for (const { slot, inst } of insts) raw[`rssAfterReq.${slot.side}`] = rssKiB(inst.upsd.pid);
  });
}

async function idlePhase(o: Opts, ss: Slot[]): Promise<void> {
  const counts: Record<Side, number> = o.quick ? { nut: 300, walnut: 3000 } : { nut: 1000, walnut: 10_000 };
  const per: Partial<Record<Side, IdleResult>> = {};
  const idleRss: Fig = {};
  const heldRss: Fig = {};
  const probeRss: Fig = {};
  for (const slot of ss) {
    await withInstances([slot], MAIN_UPSES, async ([x]) => {
      const inst = x!.inst;
      await sleep(500);
      idleRss[slot.side] = rssKiB(inst.upsd.pid);
      const n = counts[slot.side];
      say(`idle ${slot.label}: opening ${n} connections (200 at a time), hold 5 s, then one request on each`);
      const r = await runLoad<IdleResult>('idle', { port: inst.port, conns: n, hold: 5, keepalive: 20, 'probe-timeout': 15, 'connect-timeout': 30, pid: inst.upsd.pid, line: 'GET VAR dummy ups.status' }, 400);
      per[slot.side] = r;
      heldRss[slot.side] = r.server.held[String(inst.upsd.pid)]?.rssKiB ?? null;
      probeRss[slot.side] = r.server.afterProbe[String(inst.upsd.pid)]?.rssKiB ?? null;
      say(`idle ${slot.label}: connected ${r.connected}/${n} in ${r.connectMs} ms, answered ${r.answered}, probe failed ${r.probeFailed} ${JSON.stringify(r.probeKinds)}, RSS held ${heldRss[slot.side]} KiB`);
    });
  }
  raw.idle = per;
  const sec = `idle connections (NUT ${counts.nut}, Walnut ${counts.walnut})`;
  rows.push({ section: sec, figure: 'connections held (requested)', values: { nut: counts.nut, walnut: counts.walnut } });
  const ans: Fig = { nut: per.nut?.answered ?? null, walnut: per.walnut?.answered ?? null };
  rows.push({ section: sec, figure: 'answered the final probe', values: ans, target: `Walnut all ${counts.walnut}`, met: per.walnut ? per.walnut.answered === counts.walnut : null });
  rows.push({ section: sec, figure: 'time to connect all, ms', values: { nut: per.nut?.connectMs ?? null, walnut: per.walnut?.connectMs ?? null } });
  rows.push({ section: sec, figure: 'upsd RSS idle, KiB', values: idleRss });
  rows.push({ section: sec, figure: 'upsd RSS holding them, KiB', values: heldRss });
  const worst = Math.max(heldRss.walnut ?? 0, probeRss.walnut ?? 0);
  rows.push({
    section: sec,
    figure: 'upsd RSS after answering all, KiB',
    values: probeRss,
    target: '≤ 150 MB',
    met: worst ? worst <= 150 * 1024 && per.walnut?.answered === counts.walnut : null,
  });
  const perConn = (side: Side) => (heldRss[side] && idleRss[side] && per[side]?.answered ? (((heldRss[side] as number) - (idleRss[side] as number)) / (per[side]!.answered || 1)) : null);
  rows.push({ section: sec, figure: 'RSS per held connection, KiB', values: { nut: perConn('nut'), walnut: perConn('walnut') } });
}

/** System-wide TcpExt counters (SYNs dropped because a listen queue was full, SYN cookies sent). */
function tcpExt(): Record<string, number> {
  try {
    const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const keys = lines[0]!.split(/\s+/).slice(1);
    const vals = lines[1]!.split(/\s+/).slice(1).map(Number);
    const all = Object.fromEntries(keys.map((k, i) => [k, vals[i]!]));
    return { ListenOverflows: all.ListenOverflows ?? 0, ListenDrops: all.ListenDrops ?? 0, SyncookiesSent: all.SyncookiesSent ?? 0 };
  } catch {
    return {};
  }
}

async function burstPhase(o: Opts, ss: Slot[]): Promise<void> {
  const n = o.quick ? 1000 : 5000;
  const giveUp: Record<Side, number> = o.quick ? { nut: 30, walnut: 30 } : { nut: 120, walnut: 120 };
  const per: Partial<Record<Side, BurstResult>> = {};
  const burstCpu: Fig = {};
  const listenDrops: Fig = {};
  for (const slot of ss) {
    await withInstances([slot], MAIN_UPSES, async ([x]) => {
      const inst = x!.inst;
      say(`burst ${slot.label}: ${n} clients connect at once, one GET VAR each; giving up after ${giveUp[slot.side]} s`);
      const k0 = tcpExt();
      const r = await runLoad<BurstResult>('burst', { port: inst.port, conns: n, 'give-up': giveUp[slot.side], line: 'GET VAR dummy ups.status', pid: inst.upsd.pid }, giveUp[slot.side] + 60);
      const k1 = tcpExt();
      listenDrops[slot.side] = k1.ListenDrops !== undefined && k0.ListenDrops !== undefined ? k1.ListenDrops - k0.ListenDrops : null;
      per[slot.side] = r;
      burstCpu[slot.side] = r.serverCpuS[String(inst.upsd.pid)] ?? null;
      say(`burst ${slot.label}: answered ${r.answered}/${n} (${r.answeredWithin2s} within 2 s), last answer after ${r.msToLastAnswer} ms, failed ${JSON.stringify(r.failKinds)}, gave up: ${r.gaveUp}`);
    });
  }
  raw.burst = per;
  const sec = `connection burst: ${n} clients at once, 1 request each (give up after ${giveUp.nut} s)`;
  const f = (g: (r: BurstResult) => number | null): Fig => ({ nut: per.nut ? g(per.nut) : null, walnut: per.walnut ? g(per.walnut) : null });
  rows.push({ section: sec, figure: 'answered', values: f((r) => r.answered) });
  rows.push({ section: sec, figure: 'answered within 2 s', values: f((r) => r.answeredWithin2s), target: `all ${n}`, met: per.walnut ? per.walnut.answeredWithin2s === n : null });
  rows.push({ section: sec, figure: 'time to last answer, ms', values: f((r) => r.msToLastAnswer) });
  rows.push({ section: sec, figure: 'answer time p50 ms', values: f((r) => r.msP50) });
  rows.push({ section: sec, figure: 'unanswered at give-up / failed', values: f((r) => r.unanswered) });
  rows.push({ section: sec, figure: 'upsd CPU for the whole burst, ms', values: { nut: burstCpu.nut === undefined || burstCpu.nut === null ? null : burstCpu.nut * 1000, walnut: burstCpu.walnut === undefined || burstCpu.walnut === null ? null : burstCpu.walnut * 1000 } });
  rows.push({ section: sec, figure: 'load generator: all connects seen, ms', values: f((r) => r.msLastConnect) });
  rows.push({ section: sec, figure: 'kernel ListenDrops during it (system-wide)', values: listenDrops });
}

async function memoryPhase(o: Opts, ss0: Slot[]): Promise<void> {
  // Walnut also in one process (upsdrvctl -S: drivers and upsd together)
  const ss: (Slot & { variant?: string })[] = [...ss0];
  if (o.walnutUpsd === 'walnut' && ss0.some((s) => s.side === 'walnut') && walnutHas('src/cli/upsdrvctl.ts')) {
    ss.push({ side: 'walnut', variant: 'one', label: 'Walnut, one process (upsdrvctl -S)', start: (port, upses) => startInstance({ kind: 'walnut', port, upses, drivers: 'walnut-all-in-one' }) });
    ss.push({ side: 'walnut', variant: 'bundle', label: 'Walnut through tsx (no bundles): upsdrvctl + upsd', start: (port, upses) => startInstance({ kind: 'walnut', port, upses, drivers: 'walnut-upsdrvctl', runtime: 'tsx' }) });
  }
  for (const units of [1, 50]) {
    const upses = Array.from({ length: units }, (_, i) => ({ name: `ups${String(i + 1).padStart(3, '0')}`, dev: DEFAULT_DEV }));
    const rss: Fig = {};
    const pss: Fig = {};
    const procs: Record<string, number> = {};
    const one: { rss?: number; pss?: number; procs?: number } = {};
    const bun: { rss?: number; pss?: number; procs?: number } = {};
    for (const slot of ss) {
      await withInstances([slot], upses, async ([x]) => {
        const inst = x!.inst;
        await sleep(o.quick ? 1000 : 3000);
        const m = inst.memory();
        if (slot.variant === 'one' || slot.variant === 'bundle') {
          const v = slot.variant === 'one' ? one : bun;
          v.rss = m.rssKiB;
          v.pss = m.pssKiB;
          v.procs = m.processes;
        } else {
          rss[slot.side] = m.rssKiB;
          pss[slot.side] = m.pssKiB;
          procs[slot.side] = m.processes;
        }
        say(`memory ${slot.label}, ${units} UPS: ${m.processes} processes, RSS ${m.rssKiB} KiB, PSS ${m.pssKiB} KiB`);
      });
    }
    const sec = `memory: drivers + upsd for ${units} dummy UPS unit${units > 1 ? 's' : ''}`;
    rows.push({ section: sec, figure: 'processes (Walnut: upsdrvctl + upsd)', values: { nut: procs.nut ?? null, walnut: procs.walnut ?? null } });
    rows.push({ section: sec, figure: 'total RSS, KiB', values: rss, target: units === 50 ? '< 1.0×' : undefined });
    rows.push({ section: sec, figure: 'total PSS, KiB (shared pages split)', values: pss });
    if (one.rss !== undefined) {
      rows.push({ section: sec, figure: 'Walnut one process (upsdrvctl -S): processes', values: { nut: procs.nut ?? null, walnut: one.procs ?? null } });
      rows.push({ section: sec, figure: 'Walnut one process: total RSS, KiB', values: { nut: rss.nut ?? null, walnut: one.rss }, target: units === 50 ? '< 1.0×' : undefined });
      rows.push({ section: sec, figure: 'Walnut one process: total PSS, KiB', values: { nut: pss.nut ?? null, walnut: one.pss ?? null } });
    }
    if (bun.rss !== undefined) {
      rows.push({ section: sec, figure: 'Walnut through tsx (no bundles), 2 processes: RSS, KiB', values: { nut: rss.nut ?? null, walnut: bun.rss }, note: 'informative: what a checkout with stale bundles costs' });
    }
  }
}

/** upsmon: status change → NOTIFYCMD on a secondary, and upsmon memory (bench/upsmon.ts). */
async function upsmonPhase(o: Opts): Promise<void> {
  const sides: Side[] = o.only ? [o.only] : ['nut', 'walnut'];
  const why = upsmonBenchMissing(sides);
  if (why) {
    say(`upsmon phase skipped: ${why}`);
    return;
  }
  const events = o.upsmonEvents ?? (o.quick ? 6 : 20);
  const pollfreq = 1;
  say(`upsmon: ${events} status changes (OB/OL alternating) on one real NUT upsd, a NUT and a Walnut secondary upsmon at POLLFREQ ${pollfreq} s`);
  const r = await benchUpsmon({ events, pollfreq, sides, say });
  raw.upsmon = r;
  const sec = `upsmon secondary: driver status change → NOTIFYCMD starts (POLLFREQ ${pollfreq} s, ${events} events, same NUT upsd)`;
  rows.push({ section: sec, figure: 'median ms', values: r.medianMs });
  rows.push({ section: sec, figure: 'p90 ms', values: r.p90Ms });
  rows.push({ section: sec, figure: 'min ms', values: r.minMs });
  rows.push({ section: sec, figure: 'max ms', values: r.maxMs });
  rows.push({ section: sec, figure: 'events missed', values: { nut: r.missed.nut ?? null, walnut: r.missed.walnut ?? null } });
  const mem = `upsmon memory: 1 UPS monitored, default split mode (privileged parent + monitor), after the events`;
  const f = (k: 'processes' | 'rssKiB' | 'pssKiB') => ({ nut: r.memoryEnd.nut?.[k] ?? null, walnut: r.memoryEnd.walnut?.[k] ?? null });
  rows.push({ section: mem, figure: 'processes', values: f('processes') });
  rows.push({ section: mem, figure: 'total RSS, KiB', values: f('rssKiB') });
  rows.push({ section: mem, figure: 'total PSS, KiB (shared pages split)', values: f('pssKiB') });
}

/** tls: handshakes/s and GET VAR over TLS (+ plain text), both upsd on one NSS database (bench/tls.ts). */
const tlsNotes: string[] = [];
async function tlsPhase(o: Opts): Promise<void> {
  const why = tlsBenchMissing();
  if (why) {
    say(`tls phase skipped: ${why}`);
    return;
  }
  const sides: Side[] = o.only ? [o.only] : ['nut', 'walnut'];
  const r = await benchTls({ sides, walnutUpsd: o.walnutUpsd, walnutDrivers: o.walnutDrivers, runs: o.runs, quick: o.quick, say });
  raw.tls = r.raw;
  rows.push(...r.rows);
  tlsNotes.push(...r.notes);
}

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return 'n/a';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(3).replace(/\.?0+$/, '') || '0';
}

function judge(r: Row): void {
  if (r.met !== undefined || !r.target) return;
  const { nut, walnut } = r.values;
  if (!nut || walnut === null || walnut === undefined || Number.isNaN(walnut) || Number.isNaN(nut)) {
    r.met = null;
    return;
  }
  const ratio = walnut / nut;
  const m = /^([≥≤<])\s*([\d.]+)×$/.exec(r.target);
  if (!m) return;
  const t = Number(m[2]);
  r.met = m[1] === '≥' ? ratio >= t : m[1] === '≤' ? ratio <= t : ratio < t;
}

function printTable(labels: Record<Side, string>): string {
  const head = ['figure', labels.nut, labels.walnut, 'Walnut/NUT', 'target', 'met'];
  const body: string[][] = [];
  let section = '';
  const secRows: number[] = [];
  for (const r of rows) {
    judge(r);
    if (r.section !== section) {
      section = r.section;
      secRows.push(body.length);
      body.push([`## ${section}`, '', '', '', '', '']);
    }
    const { nut, walnut } = r.values;
    const ratio = nut && walnut !== null && walnut !== undefined && !Number.isNaN(walnut) && !Number.isNaN(nut) ? walnut / nut : null;
    body.push([`  ${r.figure}`, fmt(nut), fmt(walnut), ratio === null ? '' : `${ratio.toFixed(2)}×`, r.target ?? '', r.met === undefined ? '' : r.met === null ? '?' : r.met ? 'yes' : 'NO']);
  }
  const w = head.map((h, i) => Math.max(h.length, ...body.filter((_, j) => !secRows.includes(j)).map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  const out = [line(head), w.map((n) => '-'.repeat(n)).join('  ')];
  body.forEach((b, j) => out.push(secRows.includes(j) ? b[0]! : line(b)));
  return out.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  if (!fs.existsSync(path.join(NUT_LIBEXEC, 'upsd')) || !fs.existsSync(path.join(NUT_LIBEXEC, 'dummy-ups'))) {
    console.error(`bench: real NUT not found in ${NUT_LIBEXEC} (apt-get install nut-server nut-client, or tools/real-nut.sh install)`);
    if (o.only !== 'walnut') return 2;
  }
  const t0 = Date.now();
  const load0 = os.loadavg();
  const ss = slots(o);
  const labels: Record<Side, string> = { nut: ss.find((s) => s.side === 'nut')?.label ?? 'NUT (not run)', walnut: ss.find((s) => s.side === 'walnut')?.label ?? 'Walnut (not run)' };
  setNiceness(o.nice);
  if (o.only !== 'nut') buildBundles();
  const lim = nofileLimit();
  say(`servers on core 0, load generator on core 1; open files limit ${lim.soft}/${lim.hard} (servers get prlimit --nofile=${Math.min(20000, lim.hard)}); ${os.cpus().length} cores`);
  if (!o.skip.has('req') || !o.skip.has('list')) await reqPhase(o, ss);
  if (!o.skip.has('idle')) await idlePhase(o, ss);
  if (!o.skip.has('burst')) await burstPhase(o, ss);
  if (!o.skip.has('memory')) await memoryPhase(o, ss);
  if (!o.skip.has('upsmon')) await upsmonPhase(o);
  if (!o.skip.has('tls')) await tlsPhase(o);
  const table = printTable(labels);
  const notes = [
    `Medians of ${o.runs} run(s) per req figure (${o.quick ? 2 : 3} s measured after 1 s warm-up, one request outstanding per connection).`,
    'CPU µs/request = server utime+stime (/proc/PID/stat) over the measured window / requests answered in it.',
    "NUT's upsd listens with backlog 16 and accepts about one connection per main-loop pass, hence fewer idle connections asked of it and a give-up bound on the burst.",
    'NUT sends LIST VAR one line per write without TCP_NODELAY: Nagle + the client\'s delayed ACK cap it near 23 responses/s per connection.',
    'Memory: every process of the instance (upsd, driver processes, their children); RSS counts shared pages (libc, node) once per process, PSS splits them.',
    ...tlsNotes,
    ...(o.skip.has('upsmon') ? [] : ['upsmon: both secondaries poll the same real NUT upsd at once; each event is a SET VAR of ups.status on dummy-ups, timed from sending it to the first line of NOTIFYCMD; the figure is mostly the poll phase (uniform over 0..POLLFREQ).']),
    `A "load generator CPU %" near 100 means the figure is the load generator's ceiling, not the server's.`,
    ...(o.nice ? [`Servers and load generator ran with nice ${o.nice}.`] : []),
    `Machine load average (1 min) at start ${load0[0]!.toFixed(1)}, at end ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores: other work on the machine (e.g. test suites) lowers both servers' figures; NUT and Walnut runs alternate so it hits both alike.`,
  ];
  const text = `Walnut vs real NUT 2.8.0 (${new Date().toISOString()}, ${Math.round((Date.now() - t0) / 1000)} s)\n\n${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
  console.log(`\n${text}`);
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  const out = { date: new Date().toISOString(), host: { cores: os.cpus().length, node: process.version, kernel: os.release(), loadavgStart: load0, loadavgEnd: os.loadavg() }, labels, options: { ...o, skip: [...o.skip] }, rows, notes, raw };
  fs.writeFileSync(o.out, JSON.stringify(out, null, 1) + '\n');
  const txt = o.out.replace(/\.json$/, '') + '.txt';
  fs.writeFileSync(txt, text);
  console.log(`(also written to ${path.relative(process.cwd(), o.out)} and ${path.relative(process.cwd(), txt)})`);
  return 0;
}

process.on('exit', () => {
  killAllSync();
  removeAllDirs();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    say(`${sig}: stopping the servers started here`);
    void stopAll().finally(() => process.exit(130));
  });
}
main(process.argv.slice(2)).then(
  async (code) => {
    await stopAll();
    process.exitCode = code;
  },
  async (e: unknown) => {
    console.error(`bench: ${(e as Error).stack ?? String(e)}`);
    await stopAll();
    process.exitCode = 1;
  },
);
