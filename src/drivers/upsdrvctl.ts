/**
 * upsdrvctl as a library: start, stop and shut down the drivers of ups.conf.
 *
 * Walnut drivers (see registry.ts) run by default all in ONE process, each
 * still serving its own driver socket STATEPATH/<driver>-<ups>; `isolate`
 * gives one process per driver. Any other driver name is a NUT program,
 * started from the driver path exactly as NUT's upsdrvctl does.
 * PID files: <pidPath>/<driver>-<ups>.pid (the shared process's PID for every
 * driver it runs). `stop` asks a Walnut driver over its socket
 * (`INSTCMD driver.exit`, so one driver of a shared process can stop alone)
 * and signals anything else by its PID file.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../common/log.js';
import { driverSocketName } from '../common/paths.js';
import { isAlive, readPidFile } from '../common/daemon.js';
import type { UpsConf } from '../config/types.js';
import { startDriver, settingsFor } from './core/driver.js';
import type { DriverHandle } from './core/driver.js';
import { DriverInstance } from './core/driver.js';
import { walnutDriver } from './registry.js';

export const DEFAULT_DRIVER_PATH = '/lib/nut';

export interface DrvTarget {
  name: string;
  driver: string;
  sdorder: number;
  /** Implemented by Walnut (runs in-process or as a Walnut program). */
  walnut: boolean;
  line: number;
}

export interface DrvctlContext {
  conf: UpsConf;
  confFile: string;
  confPath: string;
  statePath: string;
  pidPath: string;
  /** Folder of NUT's driver programs (ups.conf driverpath, default /lib/nut). */
  driverPath: string;
  /** Folder of Walnut's launchers (bin/), for one process per driver. */
  walnutBinDir: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  dryRun: boolean;
  debug: number;
  /** -d: pass the debug level on to the drivers. */
  passDebug: boolean;
  foreground: boolean;
  user?: string;
  chroot?: string;
  /** One process per driver instead of all Walnut drivers in one. */
  isolate: boolean;
}

export class DrvctlError extends Error {}

/** The sections to act on: all with a driver, or the one named (an unknown name is an error). */
export function targets(conf: UpsConf, ups: string | undefined): DrvTarget[] {
  const all = conf.ups
    .filter((s) => s.driver !== undefined)
    .map((s) => ({ name: s.name, driver: s.driver!, sdorder: s.sdorder, walnut: walnutDriver(s.driver!) !== undefined, line: s.line }));
  if (ups === undefined) return all;
  const one = all.filter((t) => t.name === ups);
  if (one.length === 0) throw new DrvctlError(`UPS ${ups} not found in ups.conf`);
  return one;
}

function globalValue(conf: UpsConf, key: string): string | undefined {
  let v: string | undefined;
  for (const g of conf.globals) if (g.key.toLowerCase() === key.toLowerCase()) v = g.value;
  return v;
}

function sectionValue(conf: UpsConf, ups: string, key: string): string | undefined {
  const s = conf.ups.find((x) => x.name === ups);
  let v: string | undefined;
  for (const o of s?.options ?? []) if (o.key === key) v = o.value;
  return v ?? globalValue(conf, key);
}

export function driverPathOf(conf: UpsConf): string {
  return globalValue(conf, 'driverpath') ?? DEFAULT_DRIVER_PATH;
}

export function pidFileOf(ctx: Pick<DrvctlContext, 'pidPath'>, t: Pick<DrvTarget, 'driver' | 'name'>): string {
  return path.join(ctx.pidPath, `${driverSocketName(t.driver, t.name)}.pid`);
}

export function socketOf(ctx: Pick<DrvctlContext, 'statePath'>, t: Pick<DrvTarget, 'driver' | 'name'>): string {
  return path.join(ctx.statePath, driverSocketName(t.driver, t.name));
}

/** The NUT command line for a driver program (as NUT's upsdrvctl builds it). */
export function driverArgv(ctx: DrvctlContext, t: DrvTarget, extra: string[] = []): { cmd: string; args: string[] } {
  const cmd = t.walnut ? path.join(ctx.walnutBinDir, t.driver) : path.join(ctx.driverPath, t.driver);
  const args = ['-a', t.name];
  if (ctx.passDebug) for (let i = 0; i < ctx.debug; i++) args.push('-D');
  if (ctx.foreground) args.push('-F');
  if (ctx.chroot) args.push('-r', ctx.chroot);
  if (ctx.user) args.push('-u', ctx.user);
  args.push(...extra);
  return { cmd, args };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitForSocket(sock: string, child: ChildProcess | undefined, ms: number): Promise<'up' | 'exited' | 'timeout'> {
  let exited = false;
  child?.once('exit', () => {
    exited = true;
  });
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fs.existsSync(sock)) return 'up';
    if (exited) return 'exited';
    await sleep(50);
  }
  return 'timeout';
}

/** What `start` leaves running in this process (foreground or shared mode). */
export interface Running {
  handles: DriverHandle[];
  children: ChildProcess[];
  /** Resolves when every in-process driver has stopped (driver.exit) . */
  allStopped: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts drivers in this process (the Walnut ones of `list`), each with its
 * own socket and PID file. Used by `upsdrvctl -F start` (default mode) and by
 * the background copy `upsdrvctl` makes of itself.
 */
export async function startInProcess(ctx: DrvctlContext, list: DrvTarget[]): Promise<{ running: Running; failed: string[] }> {
  const handles: DriverHandle[] = [];
  const failed: string[] = [];
  let left = 0;
  let resolveAll!: () => void;
  const allStopped = new Promise<void>((r) => (resolveAll = r));
  for (const t of list) {
    const def = walnutDriver(t.driver);
    if (!def) continue;
    ctx.log.debug(1, `Starting UPS: ${t.name}`);
    try {
      const settings = settingsFor({ definition: def, upsName: t.name, conf: ctx.conf, confFile: ctx.confFile });
      const h = await startDriver({
        definition: def,
        upsName: t.name,
        settings,
        statePath: ctx.statePath,
        pidFile: pidFileOf(ctx, t),
        log: ctx.log,
        confPath: ctx.confPath,
        env: ctx.env,
        onExit: () => {
          if (--left === 0) resolveAll();
        },
      });
      left++;
      handles.push(h);
    } catch (e) {
      ctx.log.error(`Driver failed to start: ${t.driver} -a ${t.name}: ${(e as Error).message}`);
      failed.push(t.name);
    }
  }
  if (left === 0) resolveAll();
  const running: Running = {
    handles,
    children: [],
    allStopped,
    async stop() {
      await Promise.all(handles.map((h) => h.stop()));
    },
  };
  return { running, failed };
}

/**
 * Starts one driver as a program and waits for its socket (maxstartdelay,
 * default 75 s), retrying maxretry times retrydelay seconds apart.
 */
async function startProgram(ctx: DrvctlContext, t: DrvTarget): Promise<ChildProcess | undefined | 'failed'> {
  const { cmd, args } = driverArgv(ctx, t);
  const maxRetry = Math.max(1, parseInt(sectionValue(ctx.conf, t.name, 'maxretry') ?? '1', 10) || 1);
  const retryDelay = parseInt(sectionValue(ctx.conf, t.name, 'retrydelay') ?? '5', 10) || 5;
  const maxStart = parseInt(sectionValue(ctx.conf, t.name, 'maxstartdelay') ?? '75', 10) || 75;
  for (let attempt = 0; attempt < maxRetry; attempt++) {
    ctx.log.debug(2, `${maxRetry - attempt} remaining attempts`);
    ctx.log.debug(2, `exec:  ${cmd} ${args.join(' ')}`);
    if (ctx.dryRun) return undefined;
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { env: ctx.env, stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (e) {
      ctx.log.error(`Can't start ${cmd}: ${(e as Error).message}`);
      return 'failed';
    }
    child.on('error', (e) => ctx.log.error(`Can't start ${cmd}: ${e.message}`));
    const r = await waitForSocket(socketOf(ctx, t), child, maxStart * 1000);
    if (r === 'up') return ctx.foreground ? child : undefined;
    if (r === 'exited' && !ctx.foreground && child.exitCode === 0 && fs.existsSync(socketOf(ctx, t))) return undefined;
    if (r === 'exited' && !ctx.foreground && child.exitCode === 0) {
      // a background driver forked away: give its socket a moment
      if ((await waitForSocket(socketOf(ctx, t), undefined, maxStart * 1000)) === 'up') return undefined;
    }
    if (r === 'timeout') child.kill('SIGTERM');
    ctx.log.error(`Driver failed to start (exit status=${child.exitCode ?? 'none'})`);
    if (attempt + 1 < maxRetry) await sleep(retryDelay * 1000);
  }
  return 'failed';
}

export interface StartResult {
  code: number;
  /** Present when something keeps running in this process (foreground or shared mode). */
  running?: Running;
}

/**
 * `upsdrvctl start [ups]`. `spawnShared` starts the background process for
 * the Walnut drivers (shared mode without -F); it gets the targets and must
 * resolve once their sockets are up.
 */
export async function start(
  ctx: DrvctlContext,
  list: DrvTarget[],
  spawnShared: (walnut: DrvTarget[]) => Promise<boolean>,
): Promise<StartResult> {
  let failed = 0;
  // a Walnut driver that already runs (live PID file, socket there) is left alone
  list = list.filter((t) => {
    if (!t.walnut || ctx.dryRun) return true;
    const pid = readPidFile(pidFileOf(ctx, t));
    if (pid !== undefined && pid !== process.pid && isAlive(pid) && fs.existsSync(socketOf(ctx, t))) {
      ctx.log.info(`Driver for UPS ${t.name} is already running (PID ${pid})`);
      return false;
    }
    return true;
  });
  const walnutShared = ctx.isolate ? [] : list.filter((t) => t.walnut);
  const programs = list.filter((t) => !walnutShared.includes(t));
  let running: Running | undefined;

  if (walnutShared.length) {
    for (const t of walnutShared) {
      if (ctx.dryRun) {
        ctx.log.debug(1, `Starting UPS: ${t.name}`);
        ctx.log.debug(2, `walnut: ${t.driver} -a ${t.name} (in one shared process${ctx.foreground ? ', this one' : ''})`);
      }
    }
    if (!ctx.dryRun) {
      if (ctx.foreground) {
        const r = await startInProcess(ctx, walnutShared);
        running = r.running;
        failed += r.failed.length;
      } else if (!(await spawnShared(walnutShared))) {
        failed += walnutShared.length;
      }
    }
  }
  const children: ChildProcess[] = [];
  for (const t of programs) {
    if (!ctx.dryRun || !walnutShared.length) ctx.log.debug(1, `Starting UPS: ${t.name}`);
    else ctx.log.debug(1, `Starting UPS: ${t.name}`);
    const r = await startProgram(ctx, t);
    if (r === 'failed') failed++;
    else if (r) children.push(r);
  }
  if (children.length) {
    if (running) running.children.push(...children);
    else {
      let left = children.length;
      let resolveAll!: () => void;
      const allStopped = new Promise<void>((res) => (resolveAll = res));
      for (const c of children) c.once('exit', () => --left === 0 && resolveAll());
      running = {
        handles: [],
        children,
        allStopped,
        async stop() {
          await Promise.all(
            children.map(
              (c) =>
                new Promise<void>((res) => {
                  if (c.exitCode !== null || c.signalCode !== null) return res();
                  c.once('exit', () => res());
                  c.kill('SIGTERM');
                }),
            ),
          );
        },
      };
    }
  }
  return { code: failed ? 1 : 0, ...(running ? { running } : {}) };
}

/** Sends one line to a driver socket and waits for a reply line or close (ms). */
export function socketRequest(sockPath: string, line: string, ms = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = net.createConnection(sockPath);
    let buf = '';
    const done = (v: string | undefined) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(undefined), ms);
    s.on('error', () => done(undefined));
    s.on('connect', () => s.write(line));
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) done(buf.slice(0, i));
    });
    s.on('close', () => done(buf || undefined));
  });
}

/** `upsdrvctl stop [ups]`. Returns the exit code (1 when a driver could not be found). */
export async function stop(ctx: DrvctlContext, list: DrvTarget[]): Promise<number> {
  let code = 0;
  for (const t of list) {
    ctx.log.debug(1, `Stopping UPS: ${t.name}`);
    const pidFile = pidFileOf(ctx, t);
    const sock = socketOf(ctx, t);
    const pid = readPidFile(pidFile);
    if (t.walnut && fs.existsSync(sock)) {
      if (ctx.dryRun) {
        ctx.log.debug(2, `walnut: INSTCMD driver.exit on ${sock}`);
        continue;
      }
      const reply = await socketRequest(sock, 'INSTCMD driver.exit TRACKING upsdrvctl-stop\n');
      if (reply !== undefined && reply.startsWith('TRACKING upsdrvctl-stop 0')) {
        const end = Date.now() + 10000;
        while (fs.existsSync(sock) && Date.now() < end) await sleep(50);
        if (!fs.existsSync(sock)) continue;
      }
      // not answering: fall back on the PID file
    }
    if (pid === undefined) {
      ctx.log.error(`Can't open ${pidFile}: No such file or directory`);
      code = 1;
      continue;
    }
    if (ctx.dryRun) {
      ctx.log.debug(2, `kill -TERM ${pid} (${pidFile})`);
      continue;
    }
    try {
      process.kill(pid, 'SIGTERM');
    } catch (e) {
      ctx.log.error(`Stopping ${pidFile} failed: ${(e as Error).message}`);
      code = 1;
      continue;
    }
    const end = Date.now() + 10000;
    while (isAlive(pid) && Date.now() < end) await sleep(50);
    if (isAlive(pid)) {
      ctx.log.error(`Driver ${t.driver} for ${t.name} (PID ${pid}) did not stop`);
      code = 1;
    }
  }
  return code;
}

/** `upsdrvctl shutdown [ups]`: `<driver> -a <ups> -k` in ascending sdorder (-1 excluded). */
export async function shutdown(ctx: DrvctlContext, list: DrvTarget[]): Promise<number> {
  const order = list.filter((t) => t.sdorder >= 0).sort((a, b) => a.sdorder - b.sdorder);
  let code = 0;
  for (const t of order) {
    ctx.log.debug(1, `Shutdown UPS: ${t.name}`);
    const def = walnutDriver(t.driver);
    if (def) {
      ctx.log.debug(2, `walnut: ${t.driver} -a ${t.name} -k (in this process)`);
      if (ctx.dryRun) continue;
      try {
        const settings = settingsFor({ definition: def, upsName: t.name, conf: ctx.conf, confFile: ctx.confFile });
        const inst = new DriverInstance(def, settings, { log: ctx.log, confPath: ctx.confPath, env: ctx.env });
        await inst.init();
        const r = inst.hooks.killpower ? await inst.hooks.killpower() : 1;
        await inst.stop();
        if (r !== 0) {
          ctx.log.error(`Shutdown failed for ${t.name}`);
          code = 1;
        }
      } catch (e) {
        ctx.log.error(`Shutdown failed for ${t.name}: ${(e as Error).message}`);
        code = 1;
      }
      continue;
    }
    const { cmd, args } = driverArgv({ ...ctx, foreground: false }, t, ['-k']);
    ctx.log.debug(2, `exec:  ${cmd} ${args.join(' ')}`);
    if (ctx.dryRun) continue;
    const rc = await new Promise<number>((resolve) => {
      const c = spawn(cmd, args, { env: ctx.env, stdio: ['ignore', 'inherit', 'inherit'] });
      c.on('error', () => resolve(1));
      c.on('exit', (n) => resolve(n ?? 1));
    });
    if (rc !== 0) {
      ctx.log.error(`Shutdown failed for ${t.name}`);
      code = 1;
    }
  }
  return code;
}

/** `upsdrvctl status`: TAB-separated, as NUT 2.8.1+. */
export async function status(ctx: DrvctlContext, list: DrvTarget[]): Promise<string> {
  const rows = ['UPSNAME\tUPSDRV\tRUNNING\tPF_PID\tS_RESPONSIVE\tS_PID\tS_STATUS'];
  for (const t of list) {
    const pid = readPidFile(pidFileOf(ctx, t));
    const running = pid !== undefined && isAlive(pid);
    const sock = socketOf(ctx, t);
    let responsive = 'NOT_RESPONSIVE';
    let spid = 'N/A';
    let sstatus = 'N/A';
    // only Walnut sockets are probed: a 2.8.0 C driver may abort when a short-lived client goes away
    if (t.walnut && fs.existsSync(sock)) {
      if ((await socketRequest(sock, 'PING\n', 2000)) === 'PONG') responsive = 'RESPONSIVE';
      {
        const p = await socketRequest(sock, 'GETPID\n', 2000);
        if (p?.startsWith('PID ')) spid = p.slice(4);
        const s = await socketRequest(sock, 'DUMPSTATUS\n', 2000);
        const m = s ? /^SETINFO \S+ "(.*)"$/.exec(s) : null;
        if (m) sstatus = m[1]!;
      }
    }
    rows.push([t.name, t.driver, running ? 'RUNNING' : 'STOPPED', pid ?? 'N/A', responsive, spid, sstatus].join('\t'));
  }
  return rows.join('\n') + '\n';
}
