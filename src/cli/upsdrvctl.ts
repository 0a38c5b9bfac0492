/**
 * `upsdrvctl`: start, stop and shut down the drivers listed in ups.conf
 * (NUT's drivers/upsdrvctl). Walnut drivers run all in one process by default
 * (each with its own NUT driver socket); -I gives one process per driver;
 * -S also runs upsd in that same process. Other drivers are NUT programs
 * started from the driver path.
 */
import path from 'node:path';
import fs from 'node:fs';
import { getopt, count, last, UsageError } from './getopt.js';
import { daemonLog, DAEMON_ENV } from '../common/log.js';
import { nutPaths } from '../common/paths.js';
import { NUT_VERSION } from '../common/version.js';
import { dropPrivileges, readPidFile } from '../common/daemon.js';
import { WalnutError } from '../common/errors.js';
import { loadUpsConf, statePathFor, WALNUT_BIN_DIR, runUntilSignal, spawnDetached, detach, ignoreBrokenStderr } from './driver-main.js';
import * as drv from '../drivers/upsdrvctl.js';
import type { DrvctlContext, DrvTarget, Running } from '../drivers/upsdrvctl.js';

export interface UpsdrvctlIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: UpsdrvctlIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  env: process.env,
};

export function usage(): string {
  return [
    `Network UPS Tools - UPS driver controller ${NUT_VERSION} (Walnut)`,
    'Starts and stops UPS drivers via ups.conf.',
    '',
    'usage: upsdrvctl [OPTIONS] (start | stop | shutdown | status) [<ups>]',
    '',
    '  -h			display this help',
    '  -r <path>		drivers will chroot to <path>',
    '  -t			testing mode - prints actions without doing them',
    '  -u <user>		drivers started will switch from root to <user>',
    '  -D            	raise debugging level',
    '  -d            	pass debugging level from upsdrvctl to driver',
    '  -F			stay in the foreground (with the drivers running in this process)',
    '  -B			go to the background (default)',
    '  -I			Walnut: one process per Walnut driver (isolation) instead of one for all',
    '  -S			Walnut: also run upsd in the drivers\' process (implies one process)',
    '  start			start all UPS drivers in ups.conf',
    '  start	<ups>		only start driver for UPS <ups>',
    '  stop			stop all UPS drivers in ups.conf',
    '  stop <ups>		only stop driver for UPS <ups>',
    '  shutdown		shutdown all UPS drivers in ups.conf',
    '  shutdown <ups>	only shutdown UPS <ups>',
    '  status [<ups>]	show the state of the drivers (TAB-separated)',
    '',
  ].join('\n');
}

/** Starts the Walnut drivers in a detached copy of this program and waits for their sockets. */
async function spawnShared(ctx: DrvctlContext, list: DrvTarget[], ups: string | undefined, withUpsd: boolean, io: UpsdrvctlIo): Promise<boolean> {
  const args = [path.join(WALNUT_BIN_DIR, 'upsdrvctl'), '-F', '-W'];
  for (let i = 0; i < ctx.debug; i++) args.push('-D');
  if (ctx.passDebug) args.push('-d');
  if (ctx.user) args.push('-u', ctx.user);
  if (withUpsd) args.push('-S');
  args.push('start');
  if (ups) args.push(ups);
  const child = spawnDetached(args, io);
  let exited = false;
  let ready = false;
  child.on('exit', () => {
    exited = true;
  });
  // the copy prints READY_LINE on stdout once it has tried every driver
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString('latin1');
    if (out.includes(READY_LINE)) ready = true;
  });
  child.stdout!.on('error', () => {});
  const up = (t: DrvTarget) => readPidFile(drv.pidFileOf(ctx, t)) === child.pid && fs.existsSync(drv.socketOf(ctx, t));
  const end = Date.now() + 75_000;
  while (Date.now() < end) {
    if (list.every(up)) {
      detach(child);
      return true;
    }
    if (ready || exited) {
      for (const t of list) if (!up(t)) ctx.log.error(`Driver failed to start: ${t.driver} -a ${t.name}`);
      detach(child);
      return list.every(up);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  detach(child);
  ctx.log.error('the Walnut drivers did not come up within 75 s');
  return false;
}

/** What the background copy (-W) prints on stdout once every driver was tried. */
const READY_LINE = 'walnut-upsdrvctl: drivers started';

export async function main(argv: string[], io: UpsdrvctlIo = defaultIo): Promise<number> {
  let p;
  try {
    p = getopt(argv, 'hr:tu:DdFBISW', true);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`upsdrvctl: ${e.message}\n${usage()}`);
      return 1;
    }
    throw e;
  }
  if (count(p, 'h')) {
    io.out(usage());
    return 0;
  }
  const [command, ups, ...extra] = p.rest;
  if (!command || extra.length || !['start', 'stop', 'shutdown', 'status'].includes(command)) {
    io.err(`${command ? `upsdrvctl: unknown command ${[command, ups, ...extra].join(' ')}\n` : ''}${usage()}`);
    return 1;
  }
  ignoreBrokenStderr();
  const dryRun = count(p, 't') > 0;
  const debug = count(p, 'D') + (dryRun ? 2 : 0);
  // the detached copy (-W) runs in the background: syslog as well as its stderr (gone once detached)
  const { logger: log, close: closeLog } = daemonLog({
    ident: 'upsdrvctl',
    foreground: io.env[DAEMON_ENV] !== '1',
    debugLevel: debug,
    env: io.env,
    stderrSink: { write: (_sev, m) => io.err(m + '\n') },
  });
  io.out(`Network UPS Tools - UPS driver controller ${NUT_VERSION} (Walnut)\n`);
  if (dryRun) io.out('*** Testing mode: not calling exec/kill\n');

  const paths = nutPaths(io.env);
  let ctx: DrvctlContext;
  let list: DrvTarget[];
  try {
    const { conf, file } = loadUpsConf(paths.confPath);
    ctx = {
      conf,
      confFile: file,
      confPath: paths.confPath,
      statePath: statePathFor(conf, io.env),
      pidPath: paths.pidPath,
      driverPath: drv.driverPathOf(conf),
      walnutBinDir: WALNUT_BIN_DIR,
      env: io.env,
      log,
      dryRun,
      debug: count(p, 'D'),
      passDebug: count(p, 'd') > 0,
      foreground: count(p, 'F') > 0 && count(p, 'B') === 0,
      isolate: count(p, 'I') > 0 && count(p, 'S') === 0,
      ...(last(p, 'u') !== undefined ? { user: last(p, 'u')! } : {}),
      ...(last(p, 'r') !== undefined ? { chroot: last(p, 'r')! } : {}),
    };
    list = drv.targets(conf, ups);
    if (count(p, 'W')) list = list.filter((t) => t.walnut);
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 1;
  }

  switch (command) {
    case 'stop':
      return drv.stop(ctx, list);
    case 'shutdown':
      return drv.shutdown(ctx, list);
    case 'status':
      io.out(await drv.status(ctx, list));
      return 0;
  }

  // start
  const withUpsd = count(p, 'S') > 0;
  let running: Running | undefined;
  let upsd: { stop(): Promise<void>; reload(): Promise<unknown> } | undefined;
  try {
    if (ctx.foreground && !dryRun) {
      // drop privileges before the sockets are made, as a NUT driver does; -u wins over ups.conf's global `user =`
      const confUser = [...ctx.conf.globals].reverse().find((g) => g.key === 'user')?.value;
      const msg = dropPrivileges(ctx.user ?? confUser);
      if (msg) log.debug(1, msg);
      ctx.user = undefined;
    }
    const r = await drv.start(ctx, list, (w) => spawnShared(ctx, w, ups, withUpsd, io));
    running = r.running;
    if (count(p, 'W')) io.out(`${READY_LINE}\n`);
    if (withUpsd && ctx.foreground && !dryRun) {
      const server = (await import('../server/index.js')) as typeof import('../server/index.js');
      const u = await server.startUpsd({ env: io.env, confPath: ctx.confPath, statePath: ctx.statePath, logger: log });
      upsd = u;
    }
    if (ctx.foreground && !dryRun) {
      // SIGHUP: upsd (when here) re-reads its files; the drivers keep running as they are
      process.on('SIGHUP', () => {
        if (upsd) void upsd.reload().catch((e: Error) => log.error(`reload failed: ${e.message}`));
        else log.info('SIGHUP: drivers are not reloaded; restart them with upsdrvctl stop/start');
      });
    }
    if (!running && !upsd) return r.code;
    if (r.code !== 0 && !count(p, 'W')) log.error('some drivers failed to start');
    // foreground: keep serving until a signal (or, without upsd, until every driver exited)
    const all = running;
    const stopAll = {
      stop: async () => {
        await upsd?.stop();
        await all?.stop();
      },
    };
    const bySignal = runUntilSignal(stopAll);
    if (!upsd && all) {
      await Promise.race([bySignal, all.allStopped]);
      await stopAll.stop();
      return r.code;
    }
    await bySignal;
    await closeLog();
    return r.code;
  } catch (e) {
    await upsd?.stop().catch(() => {});
    await running?.stop().catch(() => {});
    io.err(`${e instanceof WalnutError ? '' : 'Fatal error: '}${(e as Error).message}\n`);
    await closeLog();
    return 1;
  }
}
