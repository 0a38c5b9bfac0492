/**
 * `upslog`: NUT's UPS status logger (thin shell over src/clients/upslog.ts).
 *
 *   upslog -s ups -l file|- [-i secs] [-f fmt] [-d n] [-N] [-F|-B] [-p pidbase] [-u user]
 *   upslog -m ups,file [-m ups,file ...]      (several UPSes; *@host = all there)
 *   upslog ups file interval [format...]     (NUT's old positional form)
 *
 * Logging to stdout stays in the foreground; to a file it goes to the
 * background (a detached copy of itself, as Walnut's drivers do) unless -F.
 * In the background it writes NUT_ALTPIDPATH/<pidbase>.pid and its messages
 * go to syslog. SIGHUP reopens the logs, SIGUSR1 logs at once, SIGTERM stops.
 */
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getopt, count, last, all, UsageError } from './getopt.js';
import { daemonLog, DAEMON_ENV } from '../common/log.js';
import { nutPaths } from '../common/paths.js';
import { systemClock } from '../common/clock.js';
import { NUT_VERSION, WALNUT_VERSION } from '../common/version.js';
import { dropPrivileges, readPidFile, removePidFile, writePidFile, isAlive } from '../common/daemon.js';
import { Upslog, type UpslogTargetSpec } from '../clients/upslog.js';
import { DEFAULT_FORMAT, UPSHOST_PREFIX } from '../clients/upslog-format.js';
import { splitName } from '../clients/client.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin');
const BANNER = `Network UPS Tools upslog ${NUT_VERSION}`;

function usage(): string {
  return `${BANNER} (Walnut ${WALNUT_VERSION})
UPS status logger.

usage: upslog [OPTIONS]

  -f <format>	- Log format.  See below for details.
		- Use -f "<format>" so your shell doesn't break it up.
  -i <interval>	- Time between updates, in seconds
  -d <count>	- Exit after specified amount of updates
  -l <logfile>	- Log file name, or - for stdout (foreground by default)
  -F		- stay foregrounded even if logging into a file
  -B		- stay backgrounded even if logging to stdout
  -p <pidbase>  - Base name for PID file (defaults to "upslog")
  -s <ups>	- Monitor UPS <ups> - <upsname>@<host>[:<port>]
        	- Example: -s myups@server
  -m <tuple>	- Monitor UPS <ups,logfile> (repeatable; *@host for every UPS there)
  -N		- prefix each line with %UPSHOST% and a TAB
  -u <user>	- Switch to <user> if started as root

Some valid format string escapes:
	%% insert a single %
	%t insert a TAB
	%TIME format% insert the time with strftime formatting (@ for %)
	%ETIME% insert the number of seconds since the epoch
	%HOST% insert the local hostname
	%UPSHOST% insert the host of the ups being monitored
	%PID% insert the pid of upslog
	%VAR varname% insert the value of ups variable varname

format string defaults to:
${DEFAULT_FORMAT}

See the upslog(8) man page for more information.
`;
}

export async function main(argv: string[]): Promise<number> {
  let p;
  try {
    p = getopt(argv, 'f:i:l:FBp:s:u:m:d:NhV');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`upslog: ${e.message}\n\n${usage()}`);
      return 1;
    }
    throw e;
  }
  if (count(p, 'h')) {
    process.stdout.write(usage());
    return 0;
  }
  const daemonCopy = process.env[DAEMON_ENV] === '1';
  if (!daemonCopy) process.stdout.write(`${BANNER}\n`);
  if (count(p, 'V')) return 0;

  let format = last(p, 'f') ?? DEFAULT_FORMAT;
  let interval = last(p, 'i') ?? '30';
  const targets: UpslogTargetSpec[] = [];
  let single = last(p, 's');
  let logFile = last(p, 'l');
  // NUT's old form: upslog <ups> <logfile> <interval> [format...]
  if (single === undefined && !all(p, 'm').length && p.rest.length >= 3) {
    single = p.rest[0];
    logFile = p.rest[1];
    interval = p.rest[2]!;
    if (p.rest.length > 3) format = p.rest.slice(3).join(' ');
  }
  for (const m of all(p, 'm')) {
    const comma = m.lastIndexOf(',');
    if (comma <= 0 || comma === m.length - 1) {
      process.stderr.write(`Error: invalid -m argument "${m}". Required format: upsname[@hostname[:port]],logfile\n`);
      return 1;
    }
    targets.push({ ups: m.slice(0, comma), logFile: m.slice(comma + 1) });
  }
  if (single !== undefined) {
    if (logFile === undefined) {
      process.stderr.write('No filename defined for logging - use -l <file>\n');
      return 1;
    }
    targets.push({ ups: single, logFile });
  }
  if (!targets.length) {
    process.stderr.write('No UPS defined for monitoring - use -s <system> when using -l <file>, or use -m <ups,logfile>\n');
    return 1;
  }
  for (const t of targets) {
    try {
      splitName(t.ups);
    } catch {
      process.stderr.write('Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]\n');
      return 1;
    }
  }
  const secs = Number(interval);
  if (!/^\d+$/.test(interval) || secs < 1) {
    process.stderr.write(`Error: invalid interval "${interval}" (whole seconds, at least 1)\n`);
    return 1;
  }
  const maxArg = last(p, 'd');
  const maxUpdates = maxArg !== undefined ? Number(maxArg) : undefined;
  if (maxArg !== undefined && (!/^\d+$/.test(maxArg) || maxUpdates! < 1)) {
    process.stderr.write(`Error: invalid -d "${maxArg}" (a number of updates, at least 1)\n`);
    return 1;
  }
  if (count(p, 'N')) format = UPSHOST_PREFIX + format;

  const allStdout = targets.every((t) => t.logFile === '-');
  const background = daemonCopy || count(p, 'B') > 0 || (!allStdout && count(p, 'F') === 0);
  const pidFile = path.join(nutPaths(process.env).pidPath, `${last(p, 'p') ?? 'upslog'}.pid`);

  if (!daemonCopy) {
    for (const t of targets) process.stdout.write(`logging status of ${t.ups} to ${t.logFile} (${secs}s intervals)\n`);
  }
  if (background && !daemonCopy) return goBackground(argv, pidFile);

  const { logger: log, close } = daemonLog({ ident: 'upslog', foreground: !background, env: process.env });
  const upslog = new Upslog({
    targets,
    intervalSec: secs,
    format,
    ...(maxUpdates !== undefined ? { maxUpdates } : {}),
    clock: systemClock,
    hostname: os.hostname(),
    pid: process.pid,
    logger: log,
    stdout: (s) => process.stdout.write(s),
  });
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {}); // a background copy's stderr pipe is gone once the starter returned
  const onHup = () => {
    log.info('Signal 1: reopening log file');
    upslog.reopen();
  };
  const onUsr1 = () => upslog.logNow();
  const onStop = (sig: NodeJS.Signals) => {
    log.info(`Signal ${sig === 'SIGINT' ? 2 : 15}: exiting`);
    void upslog.stop();
  };
  process.on('SIGHUP', onHup);
  process.on('SIGUSR1', onUsr1);
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  try {
    await upslog.start();
    if (background) writePidFile(pidFile);
    const what = dropPrivileges(last(p, 'u'));
    if (what) log.debug(1, what);
    await upslog.done;
    return 0;
  } catch (e) {
    log.error(`upslog: ${(e as Error).message}`);
    await upslog.stop();
    return 1;
  } finally {
    if (background) removePidFile(pidFile);
    process.off('SIGHUP', onHup);
    process.off('SIGUSR1', onUsr1);
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    await close();
  }
}

/** Starts a detached copy with -F (WALNUT_DAEMON=1) and returns once it wrote its PID file. */
async function goBackground(argv: string[], pidFile: string): Promise<number> {
  const old = readPidFile(pidFile);
  const child = spawn(process.execPath, [path.join(BIN, 'upslog'), ...argv.filter((a) => a !== '-B'), '-F'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  child.stderr!.on('error', () => {});
  let exited: number | null = null;
  child.on('exit', (c) => (exited = c ?? 1));
  for (let i = 0; i < 200; i++) {
    if (exited !== null) {
      process.stderr.write(err);
      return exited || 1;
    }
    const pid = readPidFile(pidFile);
    if (pid !== undefined && pid === child.pid && pid !== old && isAlive(pid)) {
      child.stderr!.destroy();
      child.unref();
      return 0;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stderr.write(`${err}upslog: the background copy did not write ${pidFile} within 10 s\n`);
  child.stderr!.destroy();
  child.unref();
  return 1;
}

