/**
 * `walnut service start|stop|restart|status [nut-server|nut-client]`: the
 * how-to's `service nut-server start` on machines without systemd.
 *
 * nut-server = the drivers of ups.conf (`upsdrvctl start`, which puts them in
 * the background) then upsd (started detached; it writes upsd.pid and logs
 * to syslog); nut-client = upsmon (it goes to the background itself and
 * writes upsmon.pid). nut.conf MODE decides what may start. Everything is
 * found through PID files in NUT_ALTPIDPATH (else NUT_STATEPATH, /run/nut),
 * and only those PIDs are signalled. Exit codes as `service` (LSB): status
 * 0 running, 1 dead but PID file left, 3 not running; start/stop 0 or 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFile } from 'node:child_process';
import { nutPaths } from '../common/paths.js';
import { readPidFile, isAlive } from '../common/daemon.js';
import { parseUpsConf } from '../config/ups-conf.js';
import { loadMode, serviceAllowed, disabledReason, SERVICES, type ServiceName } from './mode.js';

export type ServiceAction = 'start' | 'stop' | 'restart' | 'status';

export interface ServiceIo {
  env: NodeJS.ProcessEnv;
  /** Walnut's bin/ (the programs named as NUT's). */
  binDir: string;
  /** The node binary running them. */
  execPath: string;
  out(s: string): void;
  err(s: string): void;
  /** How long to wait for a daemon to come up or go away (default 20 s). */
  timeoutMs?: number;
}

/** LSB status codes. */
export const STATUS_RUNNING = 0;
export const STATUS_DEAD_PIDFILE = 1;
export const STATUS_NOT_RUNNING = 3;

interface Component {
  /** What the status line calls it. */
  label: string;
  pidFile: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(cond: () => boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (cond()) return true;
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
}

function runProgram(io: ServiceIo, prog: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(io.execPath, [path.join(io.binDir, prog), ...args], { env: io.env, timeout: (io.timeoutMs ?? 20_000) * 4, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Each ups.conf section: its driver's PID file (`<driver>-<ups>.pid`). */
function driverComponents(io: ServiceIo): { list: Component[]; problem?: string } {
  const paths = nutPaths(io.env);
  const file = path.join(paths.confPath, 'ups.conf');
  let text: Buffer;
  try {
    text = fs.readFileSync(file);
  } catch (e) {
    return { list: [], problem: `can't read ${file}: ${(e as Error).message}` };
  }
  const conf = parseUpsConf(text, file).value;
  const list: Component[] = [];
  for (const u of conf.ups) {
    const driver = u.options.find((o) => o.key.toLowerCase() === 'driver')?.value;
    if (!driver) continue;
    list.push({ label: `driver ${driver} for UPS [${u.name}]`, pidFile: path.join(paths.pidPath, `${driver}-${u.name}.pid`) });
  }
  return { list };
}

function upsdComponent(io: ServiceIo): Component {
  return { label: 'upsd', pidFile: path.join(nutPaths(io.env).pidPath, 'upsd.pid') };
}

function upsmonComponent(io: ServiceIo): Component {
  return { label: 'upsmon', pidFile: path.join(nutPaths(io.env).pidPath, 'upsmon.pid') };
}

type State = { running: true; pid: number } | { running: false; stalePid?: number };

function stateOf(c: Component): State {
  const pid = readPidFile(c.pidFile);
  if (pid === undefined) return { running: false };
  return isAlive(pid) ? { running: true, pid } : { running: false, stalePid: pid };
}

function components(service: ServiceName, io: ServiceIo): { list: Component[]; problem?: string } {
  if (service === 'nut-client') return { list: [upsmonComponent(io)] };
  const d = driverComponents(io);
  return { list: [...d.list, upsdComponent(io)], ...(d.problem ? { problem: d.problem } : {}) };
}

/** `status`: one line per component; LSB code. */
export function status(service: ServiceName, io: ServiceIo): number {
  const { mode, file } = loadMode(nutPaths(io.env).confPath);
  const { list, problem } = components(service, io);
  if (problem) io.out(`${service}: ${problem}\n`);
  let running = 0;
  let stale = 0;
  for (const c of list) {
    const s = stateOf(c);
    if (s.running) {
      running++;
      io.out(`${service}: ${c.label} is running (PID ${s.pid})\n`);
    } else if (s.stalePid !== undefined) {
      stale++;
      io.out(`${service}: ${c.label} is dead but its PID file remains (${c.pidFile}, PID ${s.stalePid})\n`);
    } else io.out(`${service}: ${c.label} is not running\n`);
  }
  if (!serviceAllowed(mode, service)) io.out(`${service}: ${disabledReason(mode, service, file)}\n`);
  if (list.length && running === list.length) return STATUS_RUNNING;
  return stale ? STATUS_DEAD_PIDFILE : STATUS_NOT_RUNNING;
}

/** Starts upsd detached (it writes upsd.pid once listening); its start-up errors are shown. */
async function startUpsd(io: ServiceIo, extraArgs: string[]): Promise<boolean> {
  const c = upsdComponent(io);
  const s = stateOf(c);
  if (s.running) {
    io.out(`upsd is already running (PID ${s.pid})\n`);
    return true;
  }
  const child = spawn(io.execPath, [path.join(io.binDir, 'upsd'), ...extraArgs], { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: io.env });
  let errText = '';
  child.stderr!.on('data', (b: Buffer) => (errText += b.toString()));
  child.stderr!.on('error', () => {});
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.on('error', (e) => {
    errText += `${e.message}\n`;
    exited = 1;
  });
  const up = await until(() => exited !== null || (readPidFile(c.pidFile) === child.pid && isAlive(child.pid!)), io.timeoutMs ?? 20_000);
  child.stderr!.destroy();
  child.unref();
  if (up && exited === null) return true;
  if (exited === null) {
    // it runs but never said it was up: stop the one we started
    try {
      child.kill('SIGTERM');
    } catch {
      /* gone */
    }
  }
  io.err(errText);
  io.err(exited !== null ? `upsd failed to start (exit status ${exited})\n` : `upsd did not write ${c.pidFile} in time\n`);
  return false;
}

/** SIGTERM to the PID in the file, then wait for it to go (SIGKILL after the timeout). */
async function stopByPidFile(c: Component, io: ServiceIo): Promise<boolean> {
  const s = stateOf(c);
  if (!s.running) {
    io.out(`${c.label} is not running\n`);
    return true;
  }
  try {
    process.kill(s.pid, 'SIGTERM');
  } catch (e) {
    io.err(`can't stop ${c.label} (PID ${s.pid}): ${(e as Error).message}\n`);
    return false;
  }
  if (await until(() => !isAlive(s.pid), io.timeoutMs ?? 20_000)) return true;
  io.err(`${c.label} (PID ${s.pid}) did not exit; killing it\n`);
  try {
    process.kill(s.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  return until(() => !isAlive(s.pid), 5000);
}

function optionsOf(io: ServiceIo, key: 'UPSD_OPTIONS' | 'UPSMON_OPTIONS'): string[] {
  // nut.conf is sourced by NUT's scripts: its *_OPTIONS end up as extra words on the command line
  const confPath = nutPaths(io.env).confPath;
  try {
    const text = fs.readFileSync(path.join(confPath, 'nut.conf'), 'utf8');
    const m = new RegExp(`^\\s*(?:export\\s+)?${key}=(?:"([^"]*)"|'([^']*)'|(\\S*))`, 'm').exec(text);
    const v = m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
    return v.split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

export async function start(service: ServiceName, io: ServiceIo): Promise<number> {
  const { mode, file, problems } = loadMode(nutPaths(io.env).confPath);
  for (const p of problems) io.err(`${p}\n`);
  if (!serviceAllowed(mode, service)) {
    io.out(`${disabledReason(mode, service, file)}\n`);
    return 0;
  }
  if (service === 'nut-client') {
    io.out('Starting NUT - power device monitor and shutdown controller: upsmon');
    const c = upsmonComponent(io);
    const s = stateOf(c);
    if (s.running) {
      io.out(` (already running, PID ${s.pid}).\n`);
      return 0;
    }
    const r = await runProgram(io, 'upsmon', optionsOf(io, 'UPSMON_OPTIONS'));
    if (r.code !== 0) {
      io.out(' failed.\n');
      io.err(r.stderr);
      return 1;
    }
    io.out('.\n');
    return 0;
  }
  io.out('Starting NUT - power devices information server and drivers:');
  let ok = true;
  const drivers = driverComponents(io);
  if (drivers.problem) {
    io.out('\n');
    io.err(`${drivers.problem}\n`);
    return 1;
  }
  const missing = drivers.list.filter((c) => !stateOf(c).running);
  if (missing.length) {
    // all of them in one go when none runs; else only the stopped ones, so running drivers are left alone
    const names = missing.length === drivers.list.length ? [undefined] : missing.map((c) => /\[(.*)\]$/.exec(c.label)![1]);
    for (const n of names) {
      const r = await runProgram(io, 'upsdrvctl', n === undefined ? ['start'] : ['start', n]);
      if (r.code !== 0) {
        ok = false;
        io.err(r.stderr);
      }
    }
    io.out(ok ? ' drivers' : ' (upsdrvctl failed)');
  } else io.out(' drivers (already running)');
  const u = await startUpsd(io, optionsOf(io, 'UPSD_OPTIONS'));
  io.out(u ? ' upsd.\n' : ' upsd (failed).\n');
  return u && ok ? 0 : 1;
}

export async function stop(service: ServiceName, io: ServiceIo): Promise<number> {
  if (service === 'nut-client') {
    io.out('Stopping NUT - power device monitor and shutdown controller: upsmon\n');
    return (await stopByPidFile(upsmonComponent(io), io)) ? 0 : 1;
  }
  io.out('Stopping NUT - power devices information server and drivers: upsd drivers\n');
  let ok = await stopByPidFile(upsdComponent(io), io);
  const drivers = driverComponents(io);
  if (drivers.list.some((c) => stateOf(c).running)) {
    const r = await runProgram(io, 'upsdrvctl', ['stop']);
    if (r.code !== 0) {
      ok = false;
      io.err(r.stderr);
    }
    // upsdrvctl asks politely; wait for them to be gone
    for (const c of drivers.list) {
      const s = stateOf(c);
      if (s.running && !(await until(() => !isAlive(s.pid), io.timeoutMs ?? 20_000))) {
        io.err(`${c.label} (PID ${s.pid}) is still running\n`);
        ok = false;
      }
    }
  }
  return ok ? 0 : 1;
}

/** Runs an action on the named service, or on every service (start order; stop in reverse). */
export async function runService(action: ServiceAction, service: ServiceName | undefined, io: ServiceIo): Promise<number> {
  const order: ServiceName[] = service ? [service] : [...SERVICES];
  const reverse = [...order].reverse();
  let code = 0;
  switch (action) {
    case 'status':
      for (const s of order) code = Math.max(code, status(s, io));
      return code;
    case 'start':
      for (const s of order) code = Math.max(code, await start(s, io));
      return code;
    case 'stop':
      for (const s of reverse) code = Math.max(code, await stop(s, io));
      return code;
    case 'restart':
      for (const s of reverse) code = Math.max(code, await stop(s, io));
      for (const s of order) code = Math.max(code, await start(s, io));
      return code;
  }
}
