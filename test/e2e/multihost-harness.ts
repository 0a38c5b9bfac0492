/**
 * The how-to's network, for real: a UPS host (upsd + dummy-ups + the primary
 * upsmon) and secondaries that monitor it over the network, each in its own
 * network namespace (test/support/netns.ts), with the how-to's configuration
 * (shared/seed/minimalistic-ups-monitoring-howto.md: users locupsmon /
 * remupsmon, MONITOR myups@<ups host> ... master|slave).
 *
 * Every program is the real one — Walnut's or Debian's NUT 2.8.0 — per host.
 * SHUTDOWNCMD, NOTIFYCMD and `wall` are the scripts in fixtures/multihost,
 * which only write timestamped markers (never a real shutdown).
 *
 * The UPS: dummy-ups plays fixtures/multihost/idle.seq (OL) until every host
 * has logged in; then the scenario's .seq is renamed over it and dummy-ups
 * picks it up at the end of its current loop.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { NUT_LIBEXEC, REPO_ROOT, REQUIRE_PEERS, peerMissing } from '../support/peers.js';
import { tempDir } from '../support/tmp.js';
import { createLab, netnsMissing, nsPids, type Lab, type LabHost, type LabProc } from '../support/netns.js';

export const FIXTURES = path.join(REPO_ROOT, 'test/e2e/fixtures/multihost');
const BIN = path.join(REPO_ROOT, 'bin');

export type Impl = 'nut' | 'walnut';

/** Timing of every upsmon in a run (seconds). */
export interface Timing {
  pollfreq: number;
  pollfreqalert: number;
  deadtime: number;
  hostsync: number;
  finaldelay: number;
}

export const TIMING: Timing = { pollfreq: 1, pollfreqalert: 1, deadtime: 4, hostsync: 6, finaldelay: 1 };

/** Notification types the upsmons run NOTIFYCMD for (NUT 2.8.0 knows all of these). */
export const EXEC_TYPES = ['ONLINE', 'ONBATT', 'LOWBATT', 'FSD', 'COMMOK', 'COMMBAD', 'SHUTDOWN', 'REPLBATT', 'NOCOMM', 'NOPARENT'];

export const UPS_ADDR = '198.18.0.1';
export const UPSNAME = `myups@${UPS_ADDR}`;
export const PASSWORD = 'topsecret';

/** Why the multi-host tests can't run here, or undefined. */
export function labMissing(): string | undefined {
  const n = netnsMissing();
  if (n) return n;
  const nut = peerMissing('nut');
  if (nut) return nut;
  if (!fs.existsSync(path.join(NUT_LIBEXEC, 'upsmon'))) return `real NUT upsmon not installed (${NUT_LIBEXEC}/upsmon; apt-get install nut-client)`;
  return undefined;
}

/** requirePeers for the lab: skips with the reason, or throws under WALNUT_REQUIRE_PEERS=1. */
export function requireLab(t: TestContext): boolean {
  const why = labMissing();
  if (!why) return true;
  if (REQUIRE_PEERS) throw new Error(`required peer missing: ${why}`);
  t.skip(why);
  return false;
}

export interface Marker {
  /** epoch milliseconds (fractional) */
  t: number;
  kind: 'NOTIFY' | 'SHUTDOWNCMD' | 'WALL';
  type: string;
  upsname: string;
  /** NOTIFY: whether UPSNAME was in NOTIFYCMD's environment at all (NUT sets it, "" for host events). */
  upsnameSet: boolean;
  text: string;
}

export interface HostSpec {
  impl: Impl;
  /** MONITOR role word, as in the how-to: master on the UPS host, slave elsewhere. */
  role: string;
}

export interface RunHost {
  spec: HostSpec;
  net: LabHost;
  label: string;
  dir: string;
  etc: string;
  env: NodeJS.ProcessEnv;
  upsmon?: LabProc;
  markers(): Marker[];
}

export interface Run {
  lab: Lab;
  server: Impl;
  ups: RunHost;
  /** [0] is the UPS host (primary), then the secondaries. */
  hosts: RunHost[];
  secondaries: RunHost[];
  /**
   * RunOptions.outsiders: hosts on the lab's network, configured like
   * secondaries, but not part of the run (startAll starts none of them, and no
   * wait, count or assertion includes them). Empty unless asked for.
   */
  outsiders: RunHost[];
  upsd?: LabProc;
  driver?: LabProc;
  upsdLogs: LabProc[];
  /** What `walnut service` printed, per call (service runs). */
  serviceLog: string[];
  timing: Timing;
  /** Renames fixtures/multihost/<seq> over the running .seq; returns Date.now() at the switch. */
  play(seq: string): number;
  /**
   * Starts upsd on the UPS host: in the foreground (-F, log on stderr) or, with
   * `background`, as a daemon would run (Walnut: no -F, so it logs to the system
   * log — WALNUT_SYSLOG_SOCKET in `env` — and writes its PID file).
   */
  startUpsd(opts?: { background?: boolean; env?: NodeJS.ProcessEnv }): LabProc;
  startDriver(env?: NodeJS.ProcessEnv): LabProc;
  startUpsmon(h: RunHost, env?: NodeJS.ProcessEnv): LabProc;
  /** GET NUMLOGINS myups, asked from the UPS host (undefined on any error). */
  numLogins(): Promise<number | undefined>;
  /** Waits until every host's upsmon is logged in (upsd's log line per address, and NUMLOGINS). */
  waitAllLoggedIn(timeoutMs?: number, logs?: () => string): Promise<void>;
  /** A summary of every host's markers and daemon logs, for failure messages. */
  dump(): string;
  /** Records a phase of the run (ms since setup) for summary(). */
  mark(label: string): void;
  /** The phases and every host's markers, relative to the scenario's start: for t.diagnostic. */
  summary(): string;
  destroy(): Promise<void>;
}

export async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number, detail?: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await delay(100);
  }
}

function readMarkers(file: string): Marker[] {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: Marker[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [ts, kind, type, upsname, set, ...rest] = line.split('\t');
    out.push({ t: Number(ts) * 1000, kind: kind as Marker['kind'], type: type ?? '', upsname: upsname ?? '', upsnameSet: set === 'set', text: rest.join('\t') });
  }
  return out.sort((a, b) => a.t - b.t);
}

function upsmonConf(h: { role: string; user: string }, dir: string, timing: Timing, extra = ''): string {
  const flags = EXEC_TYPES.map((t) => `NOTIFYFLAG ${t} EXEC`).join('\n');
  return `# upsmon.conf of the multi-host test (the how-to's, with quick timers)
RUN_AS_USER root
MONITOR ${UPSNAME} 1 ${h.user} ${PASSWORD} ${h.role}
MINSUPPLIES 1
SHUTDOWNCMD "${path.join(dir, 'shutdown.sh')}"
NOTIFYCMD ${path.join(dir, 'notify.sh')}
POWERDOWNFLAG ${path.join(dir, 'killpower')}
POLLFREQ ${timing.pollfreq}
POLLFREQALERT ${timing.pollfreqalert}
DEADTIME ${timing.deadtime}
HOSTSYNC ${timing.hostsync}
FINALDELAY ${timing.finaldelay}
${flags}
${extra}`;
}

/** Runs set up and not yet destroyed (destroyAllRuns() in after(), should a test die half-way). */
const live = new Set<Run>();

export async function destroyAllRuns(): Promise<void> {
  await Promise.all([...live].map((r) => r.destroy()));
}

export interface StartOptions {
  upsd?: { background?: boolean };
  /**
   * The how-to's `service nut-server start` / `service nut-client start`: Walnut's
   * daemons are started by `walnut service start` (nut.conf MODE decides what runs:
   * netserver on the UPS host, netclient elsewhere) and drop to the `nut` user, so
   * the config and state folders get the how-to's owners (root:nut, nut:nut).
   * Hosts with real NUT's upsmon still start it directly.
   */
  service?: boolean;
  /** added to every daemon's environment */
  env?: NodeJS.ProcessEnv;
}

/**
 * One run from start to teardown inside the test: set up the lab, start
 * everything (startAll), run `body`, then — pass or fail — report the
 * timeline (t.diagnostic) and destroy the lab before the test ends.
 */
export async function runLab(t: TestContext, opts: RunOptions, body: (r: Run) => Promise<void>, start: StartOptions = {}): Promise<void> {
  const r = await setupRun(opts);
  try {
    await startAll(r, start);
    await body(r);
  } finally {
    for (const line of r.summary().split('\n')) t.diagnostic(line);
    const t0 = Date.now();
    await r.destroy();
    t.diagnostic(`teardown ${Date.now() - t0} ms`);
  }
}

export interface RunOptions {
  server: Impl;
  hosts: HostSpec[];
  timing?: Timing;
  /** Extra upsmon.conf lines per host index (outsiders continue the numbering after `hosts`). */
  extraConf?: Record<number, string>;
  /** Extra upsd.conf lines on the UPS host (after LISTEN). */
  upsdConf?: string;
  /** Extra hosts in the lab, outside the run (Run.outsiders): e.g. a host that must fail to log in. */
  outsiders?: HostSpec[];
}

/**
 * Builds the lab and writes every host's configuration; starts nothing.
 * Host 0 is the UPS host. Call destroy() in after()/finally.
 */
export async function setupRun(opts: RunOptions): Promise<Run> {
  const timing = opts.timing ?? TIMING;
  const lab = await createLab(opts.hosts.length + (opts.outsiders?.length ?? 0));
  const tmp = tempDir('walnut-multihost-');
  try {
    return buildRun(opts, timing, lab, tmp);
  } catch (e) {
    await lab.destroy();
    tmp.cleanup();
    throw e;
  }
}

function buildRun(opts: RunOptions, timing: Timing, lab: Lab, tmp: { dir: string; cleanup(): void }): Run {
  const all: RunHost[] = [...opts.hosts, ...(opts.outsiders ?? [])].map((spec, i) => {
    const net = lab.hosts[i]!;
    const dir = path.join(tmp.dir, `h${i}`);
    const etc = path.join(dir, 'etc');
    const state = path.join(dir, 'state');
    const run = path.join(dir, 'run');
    const bin = path.join(dir, 'bin');
    for (const d of [etc, state, run, bin]) fs.mkdirSync(d, { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, 'notify.sh'), path.join(dir, 'notify.sh'));
    fs.copyFileSync(path.join(FIXTURES, 'shutdown.sh'), path.join(dir, 'shutdown.sh'));
    // wall writes next to itself: give it its own copy that writes to the host's markers
    fs.writeFileSync(path.join(bin, 'wall'), fs.readFileSync(path.join(FIXTURES, 'wall.sh'), 'utf8').replace('"$(dirname "$0")/markers.log"', JSON.stringify(path.join(dir, 'markers.log'))), { mode: 0o755 });
    for (const f of ['notify.sh', 'shutdown.sh']) fs.chmodSync(path.join(dir, f), 0o755);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NUT_CONFPATH: etc,
      NUT_STATEPATH: state,
      NUT_ALTPIDPATH: run,
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    };
    delete env.NODE_OPTIONS;
    delete env.NODE_TEST_CONTEXT;
    const primary = i === 0;
    fs.writeFileSync(path.join(etc, 'nut.conf'), primary ? 'MODE=netserver\n' : 'MODE=netclient\n');
    fs.writeFileSync(
      path.join(etc, 'upsmon.conf'),
      upsmonConf({ role: spec.role, user: primary ? 'locupsmon' : 'remupsmon' }, dir, timing, opts.extraConf?.[i] ?? ''),
      { mode: 0o640 },
    );
    const kind = primary ? 'UPS host, primary' : i >= opts.hosts.length ? 'outsider' : 'secondary';
    const label = `h${i} (${kind}, ${spec.impl} upsmon, ${spec.role})`;
    return { spec, net, label, dir, etc, env, markers: () => readMarkers(path.join(dir, 'markers.log')) };
  });
  const hosts = all.slice(0, opts.hosts.length);
  const outsiders = all.slice(opts.hosts.length);
  const ups = hosts[0]!;
  // the UPS host: the how-to's server files, LISTEN on the network address
  fs.writeFileSync(path.join(ups.etc, 'ups.conf'), '[myups]\n    driver = dummy-ups\n    port = myups.seq\n    desc = "My UPS / Location"\n');
  fs.writeFileSync(path.join(ups.etc, 'upsd.conf'), `LISTEN ${UPS_ADDR} 3493\n${opts.upsdConf ?? ''}`);
  fs.writeFileSync(
    path.join(ups.etc, 'upsd.users'),
    `[locupsmon]\n    password = ${PASSWORD}\n    upsmon master\n\n[remupsmon]\n    password = ${PASSWORD}\n    upsmon slave\n`,
    { mode: 0o640 },
  );
  fs.copyFileSync(path.join(FIXTURES, 'idle.seq'), path.join(ups.etc, 'myups.seq'));

  const upsdLogs: LabProc[] = [];
  const t0 = Date.now();
  const timeline: [string, number][] = [];
  const r: Run = {
    mark(label) {
      timeline.push([label, Date.now()]);
    },
    summary() {
      const start = timeline.find(([l]) => l.startsWith('play '))?.[1] ?? t0;
      const rel = (t: number) => `${t >= start ? '+' : ''}${((t - start) / 1000).toFixed(2)}s`;
      const out = [`phases: ${timeline.map(([l, t]) => `${l} ${rel(t)}`).join(', ')} (setup began ${rel(t0)})`];
      for (const h of hosts) {
        const ms = h.markers().filter((m) => m.kind !== 'WALL');
        out.push(`${h.label}: ${ms.map((m) => `${m.kind === 'NOTIFY' ? m.type : m.kind} ${rel(m.t)}`).join(', ') || '(nothing)'}${h.upsmon?.exitedAt ? `; exited ${rel(h.upsmon.exitedAt)}` : ''}`);
      }
      return out.join('\n');
    },
    lab,
    server: opts.server,
    ups,
    hosts,
    secondaries: hosts.slice(1),
    outsiders,
    upsdLogs,
    serviceLog: [],
    timing,
    play(seq) {
      const target = path.join(ups.etc, 'myups.seq');
      fs.copyFileSync(path.join(FIXTURES, seq), `${target}.new`);
      fs.renameSync(`${target}.new`, target);
      r.mark(`play ${seq}`);
      return Date.now();
    },
    startUpsd(o = {}) {
      const env = { ...ups.env, ...o.env };
      const args = o.background ? ['-u', 'root'] : ['-F', '-u', 'root'];
      const p =
        opts.server === 'nut'
          ? ups.net.spawn('upsd', path.join(NUT_LIBEXEC, 'upsd'), args, env)
          : ups.net.spawn('upsd', path.join(BIN, 'upsd'), args, env);
      r.upsd = p;
      upsdLogs.push(p);
      return p;
    },
    startDriver(env = {}) {
      const e = { ...ups.env, ...env };
      const p =
        opts.server === 'nut'
          ? ups.net.spawn('dummy-ups', path.join(NUT_LIBEXEC, 'dummy-ups'), ['-a', 'myups', '-F', '-u', 'root'], e)
          : ups.net.spawn('dummy-ups', path.join(BIN, 'dummy-ups'), ['-a', 'myups', '-F', '-u', 'root'], e);
      r.driver = p;
      return p;
    },
    startUpsmon(h, env = {}) {
      // NUT: -p (one process) so the PID we hold is the one that runs SHUTDOWNCMD and holds the login
      const p =
        h.spec.impl === 'nut'
          ? h.net.spawn('upsmon', path.join(NUT_LIBEXEC, 'upsmon'), ['-F', '-p'], { ...h.env, ...env })
          : h.net.spawn('upsmon', path.join(BIN, 'upsmon'), ['-F'], { ...h.env, ...env });
      h.upsmon = p;
      return p;
    },
    async numLogins() {
      const res = await ups.net.exec(
        'bash',
        ['-c', `exec 3<>/dev/tcp/${UPS_ADDR}/3493 || exit 1; printf 'GET NUMLOGINS myups\\nLOGOUT\\n' >&3; read -t 3 -r line <&3; echo "$line"`],
        ups.env,
        5000,
      );
      const m = /^NUMLOGINS myups (\d+)/.exec(res.stdout);
      return m ? Number(m[1]) : undefined;
    },
    async waitAllLoggedIn(timeoutMs = 30_000, logs = () => upsdLogs.map((p) => p.log()).join('')) {
      await waitUntil(
        'every host to log into upsd',
        async () => {
          const text = logs();
          for (const h of hosts) {
            const user = h === ups ? 'locupsmon' : 'remupsmon';
            if (!text.includes(`User ${user}@${h.net.addr} logged into UPS [myups]`)) return false;
          }
          return (await r.numLogins()) === hosts.length;
        },
        timeoutMs,
        () => r.dump(),
      );
    },
    dump() {
      const lines: string[] = [];
      const t0 = Math.min(...hosts.flatMap((h) => h.markers().map((m) => m.t)), Date.now());
      for (const h of [...hosts, ...outsiders]) {
        lines.push(`--- ${h.label} markers:`);
        for (const m of h.markers()) lines.push(`  +${((m.t - t0) / 1000).toFixed(3)}s ${m.kind} ${m.type} ${m.kind === 'NOTIFY' ? (m.upsnameSet ? `UPSNAME=${JSON.stringify(m.upsname)}` : 'UPSNAME unset') : ''} ${m.text}`);
        if (h.upsmon) {
          const ex = h.upsmon.exitedAt !== undefined ? ` exited +${((h.upsmon.exitedAt - t0) / 1000).toFixed(3)}s code ${h.upsmon.exitCode} signal ${h.upsmon.exitSignal}` : ' running';
          lines.push(`--- ${h.label} upsmon pid ${h.upsmon.pid}${ex}; its output:`);
          lines.push(h.upsmon.log().split('\n').slice(-40).map((l) => `  | ${l}`).join('\n'));
        }
      }
      for (const p of upsdLogs) lines.push(`--- upsd pid ${p.pid}:\n${p.log().split('\n').slice(-30).map((l) => `  | ${l}`).join('\n')}`);
      for (const l of r.serviceLog) lines.push(`--- ${l.trimEnd()}`);
      if (r.driver) lines.push(`--- dummy-ups pid ${r.driver.pid}:\n${r.driver.log().split('\n').slice(-15).map((l) => `  | ${l}`).join('\n')}`);
      return lines.join('\n');
    },
    destroy() {
      destroying ??= (async () => {
        await lab.destroy();
        tmp.cleanup();
        live.delete(r);
      })();
      return destroying;
    },
  };
  let destroying: Promise<void> | undefined;
  live.add(r);
  return r;
}

/**
 * Starts driver, upsd and every upsmon, and waits until all are logged in.
 * `upsd` options go to startUpsd; `env` is added to every daemon's.
 */
export async function startAll(r: Run, o: StartOptions = {}): Promise<void> {
  if (o.service) return startAllAsServices(r, o);
  r.startDriver(o.env);
  await waitUntil('the driver socket', () => fs.existsSync(path.join(r.ups.env.NUT_STATEPATH!, 'dummy-ups-myups')), 30_000, () => r.dump());
  r.mark('driver up');
  r.startUpsd({ ...o.upsd, env: o.env });
  await waitUntil(
    'upsc myups@198.18.0.1 to answer OL',
    async () => {
      const res = await r.ups.net.exec('/usr/bin/upsc', [UPSNAME, 'ups.status'], r.ups.env, 5000);
      return res.code === 0 && res.stdout.trim() === 'OL';
    },
    30_000,
    () => r.dump(),
  );
  r.mark('upsd answers');
  for (const h of r.hosts) r.startUpsmon(h, o.env);
  await r.waitAllLoggedIn(45_000);
  r.mark('all logged in');
}

async function startAllAsServices(r: Run, o: StartOptions): Promise<void> {
  if (r.server !== 'walnut' || r.ups.spec.impl !== 'walnut') throw new Error('walnut service runs Walnut programs: server and primary must be Walnut');
  for (const h of r.hosts) {
    // the how-to: chown root:nut /etc/nut, the daemons' state and PID folders the nut user's
    execFileSync('chown', ['-R', 'root:nut', h.etc]);
    execFileSync('chmod', ['0750', h.etc]);
    for (const d of [h.env.NUT_STATEPATH!, h.env.NUT_ALTPIDPATH!]) {
      execFileSync('chown', ['nut:nut', d]);
      execFileSync('chmod', ['0770', d]);
    }
  }
  const service = async (h: RunHost, args: string[]) => {
    const res = await h.net.exec(path.join(BIN, 'walnut'), ['service', ...args], { ...h.env, ...o.env }, 90_000);
    r.serviceLog.push(`${h.label}: walnut service ${args.join(' ')} → exit ${res.code}\n${res.stdout}${res.stderr}`);
    if (res.code !== 0) throw new Error(`${h.label}: walnut service ${args.join(' ')} exited ${res.code}:\n${res.stdout}${res.stderr}\n${r.dump()}`);
  };
  // UPS host, MODE=netserver: "service nut-server start", then "service nut-client start"
  await service(r.ups, ['start', 'nut-server']);
  r.mark('nut-server started');
  await waitUntil(
    'upsc myups@198.18.0.1 to answer OL',
    async () => {
      const res = await r.ups.net.exec('/usr/bin/upsc', [UPSNAME, 'ups.status'], r.ups.env, 5000);
      return res.code === 0 && res.stdout.trim() === 'OL';
    },
    30_000,
    () => r.dump(),
  );
  // every other host, MODE=netclient: "service nut-client start"
  await Promise.all(r.hosts.map((h) => (h.spec.impl === 'walnut' ? service(h, ['start', 'nut-client']) : Promise.resolve(r.startUpsmon(h, o.env)))));
  r.mark('nut-client started everywhere');
  await waitUntil('every host to log into upsd', async () => (await r.numLogins()) === r.hosts.length, 45_000, () => r.dump());
  r.mark('all logged in');
}

/** The PID in a host's NUT_ALTPIDPATH/<name>.pid, if any. */
export function pidFromFile(h: RunHost, name: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(h.env.NUT_ALTPIDPATH!, `${name}.pid`), 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A process that exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Whether the host's upsmon still runs: the one we started, or the one its PID file names. */
export function upsmonRunning(h: RunHost): boolean {
  if (h.upsmon) return h.upsmon.exitedAt === undefined;
  const pid = pidFromFile(h, 'upsmon');
  return pid !== undefined && alive(pid);
}

/** The markers of one host of a given kind/type. */
export function find(h: RunHost, kind: Marker['kind'], type = ''): Marker[] {
  return h.markers().filter((m) => m.kind === kind && (type === '' || m.type === type));
}

/** Every PID in a host's namespace (the programs we started there and their children). */
export function hostPids(h: RunHost): number[] {
  return nsPids(h.net.ns);
}

/**
 * How far apart (ms) two notifications of the same poll loop may land: each is
 * a forked NOTIFYCMD taking its timestamp when it gets to run, which on a
 * loaded 2-core machine can be several hundred ms late.
 */
const SAME_LOOP_MS = 1000;
/** How late a NOTIFYCMD's own timestamp may be, when it is the start of a measured gap. */
const NOTIFY_JITTER_MS = 700;

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Plays outage.seq (OL → OB → OB LB) on a running lab and waits until every
 * upsmon except `frozen` has run its SHUTDOWNCMD and exited (SHUTDOWNEXIT yes).
 * Returns Date.now() at the switch.
 */
export async function playOutage(r: Run, frozen: RunHost[] = []): Promise<number> {
  const t0 = r.play('outage.seq');
  // ≤ 1 s to the end of the idle loop, 1 s OL, 4 s OB, then OB LB: the primary sets FSD at once,
  // or waits up to HOSTSYNC for a frozen secondary
  const budget = 2_000 + 5_000 + r.timing.hostsync * 1000 + 25_000;
  await waitUntil(
    'every running upsmon to shut down and exit',
    () => r.hosts.every((h) => frozen.includes(h) || !upsmonRunning(h)),
    budget,
    () => r.dump(),
  );
  r.mark('all shut down');
  return t0;
}

/**
 * The issue's assertions for a run through outage.seq: every host notified
 * ONBATT, LOWBATT and SHUTDOWN with NUT's texts, UPSNAME and NOTIFYTYPE; the
 * secondaries shut down on the primary's FSD, before the primary; the primary
 * waited for them to log out, and no longer than HOSTSYNC.
 */
export function assertOutage(r: Run, frozen: RunHost[] = []): void {
  // every violation is collected, so one run reports all that went wrong
  const errs: string[] = [];
  const check = (ok: boolean, msg: () => string) => {
    if (!ok) errs.push(msg());
  };
  const hs = r.timing.hostsync * 1000;
  const live = r.hosts.filter((h) => !frozen.includes(h));
  const got = new Map<RunHost, { lowbatt?: Marker; shutdown?: Marker; cmd?: Marker }>();
  for (const h of live) {
    const one = (type: string): Marker | undefined => {
      const m = find(h, 'NOTIFY', type);
      check(m.length === 1, () => `${h.label}: expected one ${type} notification, saw ${m.length}`);
      return m[0];
    };
    const onbatt = one('ONBATT');
    const lowbatt = one('LOWBATT');
    const shutdown = one('SHUTDOWN');
    const cmds = find(h, 'SHUTDOWNCMD');
    check(cmds.length === 1, () => `${h.label}: SHUTDOWNCMD ran ${cmds.length} times`);
    const cmd = cmds[0];
    got.set(h, { lowbatt, shutdown, cmd });
    if (onbatt) check(onbatt.upsname === UPSNAME && onbatt.text === `UPS ${UPSNAME} on battery`, () => `${h.label}: ONBATT ${JSON.stringify(onbatt)}`);
    if (lowbatt) check(lowbatt.upsname === UPSNAME && lowbatt.text === `UPS ${UPSNAME} battery is low`, () => `${h.label}: LOWBATT ${JSON.stringify(lowbatt)}`);
    if (shutdown) check(shutdown.upsname === '' && shutdown.text === 'Auto logout and shutdown proceeding', () => `${h.label}: SHUTDOWN ${JSON.stringify(shutdown)}`);
    // NUT runs NOTIFYCMD with UPSNAME always in the environment: "" for host events such as
    // SHUTDOWN (reference §1.8; real NUT 2.8.0 does, see multihost-nut.test.ts)
    for (const m of [onbatt, lowbatt, shutdown]) {
      if (m) check(m.upsnameSet, () => `${h.label}: ${m.type}: NOTIFYCMD ran without UPSNAME in its environment (NUT sets UPSNAME=${JSON.stringify(m.upsname)})`);
    }
    // NOTIFYCMD runs in a forked child, so notifications of one poll loop may land in any
    // order (a few ms apart); SHUTDOWNCMD comes FINALDELAY after the SHUTDOWN notification
    if (onbatt && lowbatt && shutdown && cmd) {
      check(onbatt.t < lowbatt.t && lowbatt.t <= shutdown.t + SAME_LOOP_MS && shutdown.t < cmd.t, () => `${h.label}: out of order: ONBATT, LOWBATT, SHUTDOWN, SHUTDOWNCMD`);
      // doshutdown's start: the earlier of its SHUTDOWN notification and its wall (both forked)
      const wall = h.markers().find((m) => m.kind === 'WALL');
      const began = Math.min(shutdown.t, wall?.t ?? Infinity);
      check(cmd.t - began >= r.timing.finaldelay * 1000 - NOTIFY_JITTER_MS, () => `${h.label}: SHUTDOWNCMD ${sec(cmd.t - began)} after SHUTDOWN: FINALDELAY is ${r.timing.finaldelay} s`);
    }
    // doshutdown() always broadcasts, whatever NOTIFYFLAG says (§1.7)
    check(h.markers().some((m) => m.kind === 'WALL' && m.text.includes('Executing automatic power-fail shutdown')), () => `${h.label}: no wall "Executing automatic power-fail shutdown"`);
    check(!h.markers().some((m) => m.kind === 'NOTIFY' && m.type === 'ONLINE'), () => `${h.label}: ONLINE notified (no start-up ONLINE, and power never came back)`);
    if (h.upsmon) check(h.upsmon.exitCode === 0, () => `${h.label}: upsmon exit code ${h.upsmon?.exitCode} signal ${h.upsmon?.exitSignal}`);
  }
  const p = got.get(r.ups) ?? {};
  for (const s of r.secondaries.filter((h) => !frozen.includes(h))) {
    const fsd = find(s, 'NOTIFY', 'FSD');
    check(
      fsd.length === 1 && fsd[0]!.upsname === UPSNAME && fsd[0]!.text === `UPS ${UPSNAME}: forced shutdown in progress`,
      () => `${s.label}: expected one FSD notification from the primary's FSD, saw ${JSON.stringify(fsd)}`,
    );
    const g = got.get(s) ?? {};
    // it went down on the FSD, not on its own HOSTSYNC timer
    if (g.lowbatt && g.shutdown) check(g.shutdown.t - g.lowbatt.t < hs, () => `${s.label}: SHUTDOWN ${sec(g.shutdown!.t - g.lowbatt!.t)} after LOWBATT: it did not go on the primary's FSD`);
    if (g.cmd && p.cmd) check(g.cmd.t < p.cmd.t, () => `${s.label}: SHUTDOWNCMD not before the primary's (${sec(g.cmd!.t - p.cmd!.t)} after it)`);
    // the primary waited until this secondary was done (it logs out by exiting after SHUTDOWNCMD)
    if (g.cmd && p.shutdown) check(g.cmd.t < p.shutdown.t, () => `primary proceeded (SHUTDOWN) before ${s.label} ran SHUTDOWNCMD and logged out`);
  }
  if (p.lowbatt && p.shutdown) {
    const waited = p.shutdown.t - p.lowbatt.t;
    if (frozen.length === 0) {
      check(waited <= hs, () => `primary waited ${sec(waited)} from LOWBATT to SHUTDOWN: more than HOSTSYNC ${sec(hs)} although every secondary logged out`);
    } else {
      // the frozen secondary never logs out: the primary gives up after HOSTSYNC
      check(waited >= hs - 500 && waited <= hs + 2500, () => `primary waited ${sec(waited)} from LOWBATT to SHUTDOWN with a frozen secondary; expected HOSTSYNC ${sec(hs)}`);
    }
  }
  let flag = '(missing)';
  try {
    flag = fs.readFileSync(path.join(r.ups.dir, 'killpower'), 'latin1');
  } catch {
    /* reported below */
  }
  check(flag === 'upsmon-shutdown-file', () => `primary's POWERDOWNFLAG holds ${JSON.stringify(flag)}`);
  if (errs.length) throw new Error(`${errs.length} violation(s):\n- ${errs.join('\n- ')}\n${r.dump()}`);
}

/** Collects every violation of a run, then fails once with all of them and every host's markers and logs. */
class Violations {
  readonly errs: string[] = [];
  constructor(private readonly r: Run) {}
  that(ok: boolean, msg: () => string): boolean {
    if (!ok) this.errs.push(msg());
    return ok;
  }
  /** The one notification of `type` on `h` (a violation if there are 0 or several). */
  one(h: RunHost, type: string): Marker | undefined {
    const m = find(h, 'NOTIFY', type);
    this.that(m.length === 1, () => `${h.label}: expected one ${type} notification, saw ${m.length}`);
    return m[0];
  }
  none(h: RunHost, what: { kind: Marker['kind']; type?: string }[]): void {
    for (const w of what) {
      const m = find(h, w.kind, w.type);
      this.that(m.length === 0, () => `${h.label}: unexpected ${w.kind} ${w.type ?? ''}: ${JSON.stringify(m[0])}`);
    }
  }
  /** Every upsmon still running, every host still logged in. */
  async allUp(): Promise<void> {
    for (const h of this.r.hosts) this.that(h.upsmon?.exitedAt === undefined, () => `${h.label}: upsmon exited (code ${h.upsmon?.exitCode})`);
    const n = await this.r.numLogins();
    this.that(n === this.r.hosts.length, () => `NUMLOGINS myups is ${n}, expected ${this.r.hosts.length}`);
  }
  done(): void {
    if (this.errs.length) throw new Error(`${this.errs.length} violation(s):\n- ${this.errs.join('\n- ')}\n${this.r.dump()}`);
  }
}

const NO_SHUTDOWN = [
  { kind: 'NOTIFY' as const, type: 'LOWBATT' },
  { kind: 'NOTIFY' as const, type: 'FSD' },
  { kind: 'NOTIFY' as const, type: 'SHUTDOWN' },
  { kind: 'SHUTDOWNCMD' as const },
  { kind: 'WALL' as const },
];

/**
 * power-returns.seq (OL → OB → OL before LB): every host notifies ONBATT then
 * ONLINE, and nobody shuts down — checked HOSTSYNC + DEADTIME after the power came back.
 */
export async function powerReturns(r: Run): Promise<void> {
  r.play('power-returns.seq');
  await waitUntil('ONLINE on every host', () => r.hosts.every((h) => find(h, 'NOTIFY', 'ONLINE').length > 0), 30_000, () => r.dump());
  r.mark('ONLINE everywhere');
  await delay((r.timing.hostsync + r.timing.deadtime + 1) * 1000);
  const v = new Violations(r);
  for (const h of r.hosts) {
    const ob = v.one(h, 'ONBATT');
    const ol = v.one(h, 'ONLINE');
    if (ob) v.that(ob.upsname === UPSNAME && ob.upsnameSet && ob.text === `UPS ${UPSNAME} on battery`, () => `${h.label}: ONBATT ${JSON.stringify(ob)}`);
    if (ol) v.that(ol.upsname === UPSNAME && ol.upsnameSet && ol.text === `UPS ${UPSNAME} on line power`, () => `${h.label}: ONLINE ${JSON.stringify(ol)}`);
    if (ob && ol) v.that(ob.t < ol.t, () => `${h.label}: ONLINE before ONBATT`);
    v.none(h, NO_SHUTDOWN);
    v.that(!fs.existsSync(path.join(h.dir, 'killpower')), () => `${h.label}: POWERDOWNFLAG written`);
  }
  await v.allUp();
  v.done();
}

/**
 * upsd restarted while on line power (the how-to's `service nut-server
 * restart`): every upsmon notices (COMMBAD), logs back in (COMMOK, upsd's
 * login line again) and nobody shuts down.
 */
export async function upsdRestart(r: Run): Promise<void> {
  const old = r.upsd!;
  await r.lab.stop(old);
  r.mark('upsd stopped');
  // down for a few polls: every upsmon sees the failure
  await delay(Math.max(2, r.timing.pollfreq * 2) * 1000 + 500);
  const again = r.startUpsd();
  r.mark('upsd started');
  await r.waitAllLoggedIn(30_000, () => again.log());
  r.mark('all logged in again');
  await waitUntil('COMMOK on every host', () => r.hosts.every((h) => find(h, 'NOTIFY', 'COMMOK').length > 0), 15_000, () => r.dump());
  await delay((r.timing.deadtime + 1) * 1000);
  const v = new Violations(r);
  for (const h of r.hosts) {
    const bad = v.one(h, 'COMMBAD');
    const ok = v.one(h, 'COMMOK');
    if (bad) v.that(bad.upsname === UPSNAME && bad.upsnameSet && bad.text === `Communications with UPS ${UPSNAME} lost`, () => `${h.label}: COMMBAD ${JSON.stringify(bad)}`);
    if (ok) v.that(ok.upsname === UPSNAME && ok.upsnameSet && ok.text === `Communications with UPS ${UPSNAME} established`, () => `${h.label}: COMMOK ${JSON.stringify(ok)}`);
    if (bad && ok) v.that(bad.t < ok.t, () => `${h.label}: COMMOK before COMMBAD`);
    v.none(h, [...NO_SHUTDOWN, { kind: 'NOTIFY', type: 'ONBATT' }, { kind: 'NOTIFY', type: 'ONLINE' }]);
  }
  await v.allUp();
  v.done();
}

/**
 * The driver dies while the UPS is on battery (on-battery.seq, then SIGKILL
 * to dummy-ups). NUT's documented behaviour (reference §1.5–1.7): upsd
 * answers the polls with an error → COMMBAD on every host; once the last
 * good poll is older than DEADTIME a UPS last seen OB is taken as OB+LB
 * (silently: no LOWBATT). The primary is then critical and sets FSD, but
 * its wait for the secondaries ends at once: upsd answers GET NUMLOGINS with
 * DRIVER-NOT-CONNECTED, and failed queries count as nobody (§1.7, "with
 * comms lost, every query fails → immediate"). A secondary, which can't see
 * that FSD, is critical once its last non-critical poll is older than
 * HOSTSYNC. So: everyone shuts down, the primary ≥ DEADTIME and the
 * secondaries ≥ max(DEADTIME, HOSTSYNC) after the data stopped, all within
 * DEADTIME + HOSTSYNC (+ slack). Real NUT 2.8.0 does exactly this (the primary
 * goes first here: seen in multihost-nut.test.ts).
 */
export async function driverKilledOnBattery(r: Run): Promise<void> {
  r.play('on-battery.seq');
  await waitUntil('ONBATT on every host', () => r.hosts.every((h) => find(h, 'NOTIFY', 'ONBATT').length > 0), 30_000, () => r.dump());
  // a couple more polls on battery, then the driver dies
  await delay(1500);
  const tKill = Date.now();
  process.kill(r.driver!.pid, 'SIGKILL');
  r.mark('driver killed');
  await r.driver!.exited;
  const { deadtime, hostsync, pollfreqalert } = r.timing;
  await waitUntil(
    'every upsmon to shut down and exit',
    () => r.hosts.every((h) => h.upsmon?.exitedAt !== undefined),
    (deadtime + hostsync + 25) * 1000,
    () => r.dump(),
  );
  r.mark('all shut down');
  const slack = (pollfreqalert + 0.5) * 1000;
  const v = new Violations(r);
  for (const h of r.hosts) {
    const ob = v.one(h, 'ONBATT');
    const bad = v.one(h, 'COMMBAD');
    const down = v.one(h, 'SHUTDOWN');
    const cmds = find(h, 'SHUTDOWNCMD');
    v.that(cmds.length === 1, () => `${h.label}: SHUTDOWNCMD ran ${cmds.length} times`);
    if (bad) v.that(bad.upsname === UPSNAME && bad.upsnameSet, () => `${h.label}: COMMBAD ${JSON.stringify(bad)}`);
    if (ob && bad) v.that(ob.t < tKill && tKill <= bad.t + 50, () => `${h.label}: ONBATT/COMMBAD not around the driver's death`);
    // LB is inferred silently (§1.6): no LOWBATT
    v.none(h, [{ kind: 'NOTIFY', type: 'LOWBATT' }, { kind: 'NOTIFY', type: 'ONLINE' }]);
    const primary = h === r.ups;
    const floor = (primary ? deadtime : Math.max(deadtime, hostsync)) * 1000 - slack;
    if (down) {
      v.that(down.t - tKill >= floor, () => `${h.label}: shut down ${sec(down.t - tKill)} after the driver died; not before ${sec(floor)} (DEADTIME ${deadtime}, HOSTSYNC ${hostsync})`);
      v.that(down.t - tKill <= (deadtime + hostsync + 5) * 1000, () => `${h.label}: shut down only ${sec(down.t - tKill)} after the driver died`);
    }
    v.that(h.upsmon?.exitCode === 0, () => `${h.label}: upsmon exit code ${h.upsmon?.exitCode}`);
  }
  v.done();
}

/** SIGSTOP every process of a host (the host "freezes"; its TCP session stays open). */
export function freeze(h: RunHost): number[] {
  const pids = hostPids(h).filter((p) => p !== h.net.holderPid);
  for (const p of pids) process.kill(p, 'SIGSTOP');
  return pids;
}

/**
 * One secondary frozen (SIGSTOP) before the outage: it never logs out, so
 * the primary goes on after HOSTSYNC; every other host does the usual.
 */
export async function frozenSecondary(r: Run, frozen: RunHost): Promise<void> {
  const before = frozen.markers().length;
  const pids = freeze(frozen);
  r.mark(`froze h${frozen.net.index}`);
  if (!pids.includes(frozen.upsmon!.pid)) throw new Error(`${frozen.label}: its upsmon (pid ${frozen.upsmon!.pid}) is not among the namespace's pids ${pids.join(',')}`);
  await playOutage(r, [frozen]);
  const v = new Violations(r);
  v.that(frozen.markers().length === before, () => `${frozen.label}: notified while frozen`);
  const n = await r.numLogins();
  v.that(n === 1, () => `after the primary shut down, NUMLOGINS is ${n}: it should count the frozen secondary only`);
  try {
    assertOutage(r, [frozen]);
  } catch (e) {
    if (v.errs.length) throw new Error(`${v.errs.join('\n')}\n${(e as Error).message}`);
    throw e;
  }
  v.done();
}
