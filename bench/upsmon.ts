/**
 * upsmon figures for `npm run bench` (phase `upsmon`; alone:
 * `npm run bench -- --phases upsmon`, or `node --import tsx bench/upsmon.ts`
 * for the raw figures as JSON):
 *
 * 1. Time from the driver's status change to NOTIFYCMD starting on a
 *    secondary, Walnut's upsmon vs NUT 2.8.0's, same POLLFREQ. One real NUT
 *    upsd + dummy-ups serve both upsmons at once (loopback), so both see the
 *    very same changes. Each event: `SET VAR dummy ups.status "OB"` (then
 *    "OL") on an admin session — dummy-ups re-parses ups.status and upsd has
 *    it a few ms later, the same for both sides — timed from the moment it is
 *    sent to the first thing NOTIFYCMD does (bash's $EPOCHREALTIME, no fork).
 *    ONBATT and ONLINE alternate; a random pause of up to POLLFREQ between
 *    events spreads them over the poll phase. Median (and p90) of N events.
 *    The figure is mostly the poll phase (uniform over 0..POLLFREQ), plus each
 *    upsmon's poll drift and its cost to start NOTIFYCMD.
 * 2. upsmon memory: RSS and PSS of every process of each upsmon (NUT's and
 *    Walnut's default split mode: a privileged parent and the monitor
 *    child), monitoring one UPS, after the events.
 *
 * NUT's upsmon 2.8.0 always writes /run/nut/upsmon.pid, so it runs in a
 * private mount namespace with its own tmpfs there (unshare -m), never
 * touching the machine's. Only processes started here are stopped, by PID.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { NUT_LIBEXEC, REPO_ROOT, DEFAULT_DEV, query, buildBundles } from './lib/instance.js';
import { processTree, pssKiB, rssKiB, sleep, startProcess, stopAll, stopProcess, killAllSync, type Started } from './lib/proc.js';

export type Side = 'nut' | 'walnut';

export interface UpsmonBenchOptions {
  /** status changes to time (default 20) */
  events: number;
  /** POLLFREQ (and POLLFREQALERT) of both upsmons, seconds (default 1) */
  pollfreq: number;
  sides: Side[];
  say: (s: string) => void;
}

export interface UpsmonMemory {
  processes: number;
  rssKiB: number;
  pssKiB: number;
}

export interface UpsmonBenchResult {
  pollfreq: number;
  events: number;
  /** per side, per event: ms from sending the status change to NOTIFYCMD's first line (null: not seen) */
  latencyMs: Partial<Record<Side, (number | null)[]>>;
  medianMs: Partial<Record<Side, number | null>>;
  p90Ms: Partial<Record<Side, number | null>>;
  minMs: Partial<Record<Side, number | null>>;
  maxMs: Partial<Record<Side, number | null>>;
  missed: Partial<Record<Side, number>>;
  memoryStart: Partial<Record<Side, UpsmonMemory>>;
  memoryEnd: Partial<Record<Side, UpsmonMemory>>;
}

const NODE = process.execPath;
const NOTIFY_SH = `#!/bin/bash
# bench NOTIFYCMD: the first thing it does is take the time (no fork)
echo "$EPOCHREALTIME $NOTIFYTYPE" >> "$(dirname "$0")/notify.log"
`;

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

/** Epoch milliseconds with sub-millisecond precision (comparable with $EPOCHREALTIME). */
const nowMs = () => performance.timeOrigin + performance.now();

function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
}

function memoryOf(pid: number): UpsmonMemory {
  const pids = processTree(pid);
  let rss = 0;
  let pss = 0;
  for (const p of pids) {
    rss += rssKiB(p) ?? 0;
    pss += pssKiB(p) ?? 0;
  }
  return { processes: pids.length, rssKiB: rss, pssKiB: pss };
}

function notifyTimes(dir: string): { t: number; type: string }[] {
  try {
    return fs
      .readFileSync(path.join(dir, 'notify.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [t, type] = l.split(' ');
        return { t: Number(t) * 1000, type: type ?? '' };
      });
  } catch {
    return [];
  }
}

/** A logged-in admin session that sends SET VAR lines and waits for each reply. */
async function adminSession(port: number): Promise<{ send(line: string): Promise<string>; close(): void }> {
  const s = net.connect({ host: '127.0.0.1', port });
  s.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('error', reject);
  });
  let buf = '';
  const waiting: ((l: string) => void)[] = [];
  s.on('data', (d) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiting.shift()?.(l);
    }
  });
  const send = (line: string) =>
    new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no reply to ${line.split(' ')[0]}`)), 5000);
      waiting.push((l) => {
        clearTimeout(t);
        resolve(l);
      });
      s.write(line + '\n');
    });
  for (const l of ['USERNAME admin', 'PASSWORD adminpass']) {
    const r = await send(l);
    if (r !== 'OK') throw new Error(`${l.split(' ')[0]}: ${r}`);
  }
  return { send, close: () => s.destroy() };
}

export async function benchUpsmon(o: UpsmonBenchOptions): Promise<UpsmonBenchResult> {
  const say = o.say;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-bench-upsmon-'));
  fs.chmodSync(dir, 0o755);
  const procs: Started[] = [];
  try {
    // the server: real NUT dummy-ups + upsd, core 0
    const port = await freePort();
    const etc = path.join(dir, 'server', 'etc');
    const state = path.join(dir, 'server', 'state');
    const run = path.join(dir, 'server', 'run');
    for (const d of [etc, state, run]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(etc, 'ups.conf'), '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n\tdesc = "bench UPS"\n');
    fs.writeFileSync(path.join(etc, 'dummy.dev'), DEFAULT_DEV);
    fs.writeFileSync(path.join(etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\n`);
    fs.writeFileSync(path.join(etc, 'upsd.users'), '[admin]\n\tpassword = adminpass\n\tactions = SET\n[monsec]\n\tpassword = secpass\n\tupsmon secondary\n', { mode: 0o600 });
    const senv = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state, NUT_ALTPIDPATH: run };
    const log = (n: string) => path.join(dir, `${n}.log`);
    procs.push(startProcess({ name: 'dummy-ups', cmd: path.join(NUT_LIBEXEC, 'dummy-ups'), args: ['-a', 'dummy', '-F', '-u', 'root'], env: senv, core: 0, logFile: log('dummy-ups') }));
    for (let i = 0; !fs.existsSync(path.join(state, 'dummy-ups-dummy')); i++) {
      if (i > 300) throw new Error(`dummy-ups did not start: ${fs.readFileSync(log('dummy-ups'), 'utf8')}`);
      await sleep(100);
    }
    const upsd = startProcess({ name: 'upsd', cmd: path.join(NUT_LIBEXEC, 'upsd'), args: ['-F', '-u', 'root'], env: senv, core: 0, logFile: log('upsd') });
    procs.push(upsd);
    for (let i = 0; ; i++) {
      const l = await query(port, 'GET VAR dummy ups.status', 1000).catch(() => ['']);
      if (l[0] === 'VAR dummy ups.status "OL"') break;
      if (i > 100) throw new Error(`upsd not ready: ${l[0]}`);
      await sleep(100);
    }

    // the two secondaries, core 1
    const mons: Partial<Record<Side, { dir: string; proc: Started }>> = {};
    for (const side of o.sides) {
      const sdir = path.join(dir, side);
      for (const d of ['etc', 'run', 'state']) fs.mkdirSync(path.join(sdir, d), { recursive: true });
      fs.writeFileSync(path.join(sdir, 'notify.sh'), NOTIFY_SH, { mode: 0o755 });
      fs.writeFileSync(
        path.join(sdir, 'etc', 'upsmon.conf'),
        `RUN_AS_USER root
MONITOR dummy@127.0.0.1:${port} 1 monsec secpass secondary
MINSUPPLIES 1
SHUTDOWNCMD "/bin/true"
NOTIFYCMD ${path.join(sdir, 'notify.sh')}
POLLFREQ ${o.pollfreq}
POLLFREQALERT ${o.pollfreq}
NOTIFYFLAG ONBATT EXEC
NOTIFYFLAG ONLINE EXEC
`,
        { mode: 0o600 },
      );
      const env = { ...process.env, NUT_CONFPATH: path.join(sdir, 'etc'), NUT_STATEPATH: path.join(sdir, 'state'), NUT_ALTPIDPATH: path.join(sdir, 'run') };
      const proc =
        side === 'nut'
          ? // NUT 2.8.0 insists on /run/nut/upsmon.pid: give it a private one (the exec chain keeps the PID)
            startProcess({
              name: 'nut-upsmon',
              cmd: 'unshare',
              args: ['-m', '--propagation', 'private', 'sh', '-c', 'if [ -d /run/nut ]; then mount -t tmpfs tmpfs /run/nut; else mount -t tmpfs tmpfs /run && mkdir /run/nut; fi && exec "$0" "$@"', path.join(NUT_LIBEXEC, 'upsmon'), '-F'],
              env,
              core: 1,
              logFile: log('nut-upsmon'),
            })
          : startProcess({ name: 'walnut-upsmon', cmd: NODE, args: [path.join(REPO_ROOT, 'bin/upsmon'), '-F'], env, core: 1, logFile: log('walnut-upsmon') });
      procs.push(proc);
      mons[side] = { dir: sdir, proc };
    }
    for (let i = 0; ; i++) {
      const l = await query(port, 'GET NUMLOGINS dummy', 1000).catch(() => ['']);
      if (l[0] === `NUMLOGINS dummy ${o.sides.length}`) break;
      if (i > 300) throw new Error(`upsmons did not log in (${l[0]}):\n${o.sides.map((s) => fs.readFileSync(log(`${s}-upsmon`), 'utf8')).join('\n')}`);
      await sleep(100);
    }
    await sleep(2000 + o.pollfreq * 1000);
    const memoryStart: UpsmonBenchResult['memoryStart'] = {};
    for (const side of o.sides) memoryStart[side] = memoryOf(mons[side]!.proc.pid);

    const admin = await adminSession(port);
    const latency: Partial<Record<Side, (number | null)[]>> = {};
    for (const side of o.sides) latency[side] = [];
    try {
      for (let i = 0; i < o.events; i++) {
        const [status, type] = i % 2 === 0 ? ['OB', 'ONBATT'] : ['OL', 'ONLINE'];
        const seen = Object.fromEntries(o.sides.map((s) => [s, notifyTimes(mons[s]!.dir).length]));
        const t0 = nowMs();
        const r = await admin.send(`SET VAR dummy ups.status "${status}"`);
        if (r !== 'OK') throw new Error(`SET VAR ups.status: ${r}`);
        const deadline = Date.now() + (2 * o.pollfreq + 5) * 1000;
        for (;;) {
          const done = o.sides.every((s) => notifyTimes(mons[s]!.dir).length > seen[s]!);
          if (done || Date.now() > deadline) break;
          await sleep(20);
        }
        for (const side of o.sides) {
          const hit = notifyTimes(mons[side]!.dir).slice(seen[side]!).find((n) => n.type === type);
          latency[side]!.push(hit ? hit.t - t0 : null);
        }
        say(`upsmon event ${i + 1}/${o.events} ${type}: ${o.sides.map((s) => `${s} ${latency[s]!.at(-1)?.toFixed(1) ?? 'missed'} ms`).join(', ')}`);
        // a random pause spreads the next change over the poll phase
        await sleep(500 + Math.random() * o.pollfreq * 1000);
      }
    } finally {
      admin.close();
    }
    const memoryEnd: UpsmonBenchResult['memoryEnd'] = {};
    for (const side of o.sides) memoryEnd[side] = memoryOf(mons[side]!.proc.pid);
    const res: UpsmonBenchResult = { pollfreq: o.pollfreq, events: o.events, latencyMs: latency, medianMs: {}, p90Ms: {}, minMs: {}, maxMs: {}, missed: {}, memoryStart, memoryEnd };
    for (const side of o.sides) {
      const xs = latency[side]!.filter((x): x is number => x !== null);
      res.medianMs[side] = percentile(xs, 0.5);
      res.p90Ms[side] = percentile(xs, 0.9);
      res.minMs[side] = xs.length ? Math.min(...xs) : null;
      res.maxMs[side] = xs.length ? Math.max(...xs) : null;
      res.missed[side] = latency[side]!.length - xs.length;
    }
    return res;
  } finally {
    for (const p of [...procs].reverse()) await stopProcess(p);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Why the upsmon bench can't run here (undefined when it can). */
export function upsmonBenchMissing(sides: Side[]): string | undefined {
  for (const b of ['upsd', 'dummy-ups', 'upsmon']) if (!fs.existsSync(path.join(NUT_LIBEXEC, b))) return `real NUT ${NUT_LIBEXEC}/${b} missing`;
  if (process.getuid?.() !== 0) return 'needs root (NUT upsmon in a private mount namespace)';
  if (sides.includes('walnut') && !fs.existsSync(path.join(REPO_ROOT, 'src/cli/upsmon.ts'))) return "Walnut's upsmon missing (src/cli/upsmon.ts)";
  return undefined;
}

// alone: node --import tsx bench/upsmon.ts [--events N] [--pollfreq S]
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const val = (k: string, d: number) => {
    const i = args.indexOf(k);
    return i >= 0 ? Number(args[i + 1]) : d;
  };
  const sides: Side[] = ['nut', 'walnut'];
  const why = upsmonBenchMissing(sides);
  if (why) {
    console.error(`bench upsmon: ${why}`);
    process.exit(2);
  }
  process.on('exit', () => killAllSync());
  buildBundles();
  benchUpsmon({ events: val('--events', 20), pollfreq: val('--pollfreq', 1), sides, say: (s) => process.stderr.write(`bench: ${s}\n`) }).then(
    async (r) => {
      console.log(JSON.stringify({ ...r, latencyMs: undefined, perEvent: r.latencyMs }, null, 1));
      await stopAll();
    },
    async (e: unknown) => {
      console.error(`bench upsmon: ${(e as Error).stack ?? String(e)}`);
      await stopAll();
      process.exitCode = 1;
    },
  );
}
