/**
 * One upssched invocation (NUT runs it as NOTIFYCMD): read UPSNAME and
 * NOTIFYTYPE from the environment, run every matching AT rule of
 * upssched.conf in file order. EXECUTE runs CMDSCRIPT here and waits;
 * timers live in the timer daemon on PIPEFN, started by the first
 * invocation that needs it (holding LOCKFN, created O_EXCL), so they
 * survive between invocations. Requests are retried up to 30 x 250 ms.
 */
import fs from 'node:fs';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import type { Logger } from '../../common/log.js';
import type { UpsschedConf } from '../../config/types.js';
import { planInvocation, needsDaemon } from './plan.js';
import { formatRequest, type DaemonRequest } from './wire.js';

export const RETRIES = 30;
export const RETRY_MS = 250;
/** A lock file older than this is left over from a crash and is removed. */
export const STALE_LOCK_MS = 10_000;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Sends one request on PIPEFN; resolves with the reply lines (ending with OK), rejects when it cannot connect. */
export function daemonRequest(pipeFn: string, req: DaemonRequest | string, timeoutMs = 5000): Promise<string[]> {
  const line = typeof req === 'string' ? req : formatRequest(req);
  return new Promise((resolve, reject) => {
    const sock = net.connect(pipeFn);
    let buf = '';
    let connected = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(connected ? 'timed out waiting for the timer daemon' : 'connect timed out'));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => {
      connected = true;
      sock.write(line);
    });
    sock.on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\n');
      const done = lines.findIndex((l) => l === 'OK' || l.startsWith('ERR'));
      if (done >= 0) {
        clearTimeout(timer);
        sock.destroy();
        resolve(lines.slice(0, done + 1));
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(Object.assign(e, { connected }));
    });
    sock.on('close', () => {
      clearTimeout(timer);
      reject(new Error('the timer daemon closed the connection'));
    });
  });
}

export interface InvocationOptions {
  conf: UpsschedConf;
  env: NodeJS.ProcessEnv;
  /** argv[1]: becomes NOTIFYMSG when not empty. */
  message?: string;
  logger: Logger;
  /** Starts the timer daemon process (detached); it listens on PIPEFN. */
  spawnDaemon: () => void;
  /** Runs `CMDSCRIPT arg` and waits (default: /bin/sh -c, as NUT's system()). */
  runScript?: (cmdScript: string, arg: string, env: NodeJS.ProcessEnv) => void;
}

export function runScriptSync(cmdScript: string, arg: string, env: NodeJS.ProcessEnv): void {
  spawnSync('/bin/sh', ['-c', `${cmdScript} ${arg}`], { env, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Takes LOCKFN and starts the daemon; false when another invocation holds the lock. */
function tryStartDaemon(lockFn: string, o: InvocationOptions): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockFn, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      try {
        if (Date.now() - fs.statSync(lockFn).mtimeMs > STALE_LOCK_MS) fs.unlinkSync(lockFn);
      } catch {
        /* raced */
      }
      return false;
    }
    o.logger.error(`Failed to create lock file ${lockFn}: ${(e as Error).message}`);
    return false;
  }
  fs.closeSync(fd);
  o.spawnDaemon();
  return true;
}

/** Sends a request, starting the daemon when needed (and allowed). undefined = no daemon and not started. */
async function send(conf: UpsschedConf, req: DaemonRequest, start: boolean, o: InvocationOptions): Promise<string[] | undefined> {
  const pipeFn = conf.pipeFn!;
  const lockFn = conf.lockFn!;
  let started = false;
  try {
    for (let i = 0; i < RETRIES; i++) {
      try {
        const reply = await daemonRequest(pipeFn, req);
        if (reply[reply.length - 1] === 'ERR DAEMON-EXITING') throw Object.assign(new Error('timer daemon exiting'), { connected: false });
        return reply;
      } catch (e) {
        if ((e as { connected?: boolean }).connected) throw e;
        if (!start) return undefined;
        if (!started) started = tryStartDaemon(lockFn, o);
        await sleep(RETRY_MS);
      }
    }
    throw new Error(`can't reach the timer daemon on ${pipeFn}`);
  } finally {
    if (started) {
      try {
        fs.unlinkSync(lockFn);
      } catch {
        /* gone */
      }
    }
  }
}

/** Runs the invocation; resolves with the exit code. */
export async function runInvocation(o: InvocationOptions): Promise<number> {
  const upsName = o.env.UPSNAME;
  const notifyType = o.env.NOTIFYTYPE;
  if (!upsName) {
    o.logger.error('Could not find UPSNAME in the environment');
    return 1;
  }
  if (!notifyType) {
    o.logger.error('Could not find NOTIFYTYPE in the environment');
    return 1;
  }
  const notifyMsg = o.message ? o.message : (o.env.NOTIFYMSG ?? '');
  const env: NodeJS.ProcessEnv = { ...o.env, NOTIFYMSG: notifyMsg };
  const run = o.runScript ?? runScriptSync;
  const { conf } = o;
  for (const s of planInvocation(conf, notifyType, upsName)) {
    if (s.kind !== 'cancel-timer' || s.cmd !== undefined) {
      if (conf.cmdScript === undefined) {
        o.logger.error(`CMDSCRIPT must be set before any ATs in the config file (line ${s.line})`);
        return 1;
      }
    }
    if (s.kind !== 'execute' && (conf.pipeFn === undefined || conf.lockFn === undefined)) {
      o.logger.error(`${conf.pipeFn === undefined ? 'PIPEFN' : 'LOCKFN'} must be set before any ATs in the config file (line ${s.line})`);
      return 1;
    }
    try {
      switch (s.kind) {
        case 'execute':
          o.logger.debug(1, `Executing command: ${s.cmd}`);
          run(conf.cmdScript!, s.cmd, env);
          break;
        case 'start-timer':
          await send(conf, { cmd: s.shared ? 'START-SHARED' : 'START', name: s.name, secs: s.seconds, notifyType, upsName, notifyMsg }, true, o);
          break;
        case 'cancel-timer': {
          const req: DaemonRequest = { cmd: 'CANCEL', name: s.name };
          if (s.cmd !== undefined) Object.assign(req, { script: s.cmd, notifyType, upsName, notifyMsg });
          const r = await send(conf, req, needsDaemon(s), o);
          if (r === undefined) o.logger.debug(1, `Timer daemon not running, nothing to cancel for ${s.name}`);
          break;
        }
      }
    } catch (e) {
      o.logger.error(`${s.kind === 'execute' ? 'EXECUTE' : 'Timer daemon'}: ${(e as Error).message}`);
      return 1;
    }
  }
  return 0;
}

/** `upssched -l`: the timer rows, or [] when no daemon runs. */
export async function listTimers(pipeFn: string): Promise<string[]> {
  try {
    const r = await daemonRequest(pipeFn, { cmd: 'LIST-TIMERS' });
    return r.filter((l) => l !== 'OK');
  } catch {
    return [];
  }
}
