/**
 * `upsd`: NUT's network server. A thin shell over src/server (startUpsd):
 * NUT's flags, PID file, signals (SIGHUP reload, SIGTERM/SIGINT stop),
 * privilege drop after binding.
 *
 * Walnut's upsd never forks: it always runs in the foreground. As NUT does
 * when it backgrounds, it writes NUT_ALTPIDPATH|NUT_STATEPATH/upsd.pid unless
 * started with a single -F (-FF: foreground and PID file, as NUT).
 */
import path from 'node:path';
import { getopt, count, last, UsageError } from './getopt.js';
import { startUpsd, UpsdConfigError } from '../server/index.js';
import { daemonLog } from '../common/log.js';
import { nutPaths } from '../common/paths.js';
import { dropPrivileges, isAlive, readPidFile, removePidFile, writePidFile } from '../common/daemon.js';
import { formatIssue } from '../config/issues.js';
import { NUT_VERSION, WALNUT_VERSION } from '../common/version.js';

const BANNER = `Network UPS Tools upsd ${NUT_VERSION}`;

function usage(): string {
  return `${BANNER} (Walnut ${WALNUT_VERSION})
Network server for UPS data.

usage: upsd [OPTIONS]

  -c <command>	send <command> via signal to background process
		commands:
		 - reload: reread configuration files
		 - stop: stop process and exit
  -P <pid>	send the signal above to specified PID (bypassing PID file)
  -D		raise debugging level (Walnut always stays in the foreground)
  -F		stay foregrounded, do not save the PID file
  -FF		stay foregrounded and still save the PID file
  -B		(accepted; Walnut never forks) save the PID file
  -h		display this help
  -r <dir>	chroots to <dir> (not supported by Walnut)
  -q		raise log level threshold
  -u <user>	switch to <user> (if started as root; default nut)
  -V		display the version of this software
  -4		IPv4 only
  -6		IPv6 only
`;
}

export async function main(argv: string[]): Promise<number> {
  let p;
  try {
    p = getopt(argv, 'c:P:DFBhr:qu:V46');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`upsd: ${e.message}\n\n${usage()}`);
      return 1;
    }
    throw e;
  }
  if (count(p, 'h') > 0) {
    process.stdout.write(usage());
    return 0;
  }
  if (count(p, 'V') > 0) {
    process.stdout.write(`${BANNER} (Walnut ${WALNUT_VERSION})\n`);
    return 0;
  }
  const paths = nutPaths(process.env);
  const pidFile = path.join(paths.pidPath, 'upsd.pid');

  const cmd = last(p, 'c');
  if (cmd !== undefined) {
    const sig = cmd === 'reload' ? 'SIGHUP' : cmd === 'stop' ? 'SIGTERM' : undefined;
    if (!sig) {
      process.stderr.write(`upsd: unknown command "${cmd}" for -c (use reload or stop)\n`);
      return 1;
    }
    const pidArg = last(p, 'P');
    const pid = pidArg !== undefined ? Number(pidArg) : readPidFile(pidFile);
    if (pid === undefined || !Number.isInteger(pid) || pid <= 0) {
      process.stderr.write(`upsd: can't read a PID from ${pidArg !== undefined ? '-P' : pidFile}\n`);
      return 1;
    }
    try {
      process.kill(pid, sig);
      return 0;
    } catch (e) {
      process.stderr.write(`upsd: can't send ${sig} to PID ${pid}: ${(e as Error).message}\n`);
      return 1;
    }
  }

  const debug = count(p, 'D');
  const fg = count(p, 'F');
  // started by a launcher (walnut service) that goes away: a closed stderr must not kill upsd
  process.stderr.on('error', () => {});
  // NUT: stderr in the foreground (-F, -D), the system log always when there is one
  const { logger: log, close: closeLog } = daemonLog({ ident: 'upsd', foreground: fg > 0 || debug > 0, debugLevel: debug });
  if (last(p, 'r') !== undefined) log.warn('-r (chroot) is not supported by Walnut; ignored');

  const savePid = fg !== 1;
  if (savePid) {
    const old = readPidFile(pidFile);
    if (old !== undefined && old !== process.pid && isAlive(old)) {
      process.stderr.write(`Fatal error: A previous upsd instance is already running! (PID ${old} in ${pidFile})\n`);
      return 1;
    }
  }

  let upsd;
  try {
    const family = count(p, '4') > 0 ? 4 : count(p, '6') > 0 ? 6 : undefined;
    upsd = await startUpsd({ logger: log, ...(family ? { family } : {}) });
  } catch (e) {
    if (e instanceof UpsdConfigError) {
      for (const i of e.issues) log.error(formatIssue(i));
      log.error('upsd: configuration errors, not starting');
      await closeLog();
      return 1;
    }
    log.error(`Fatal error: ${(e as Error).message}`);
    await closeLog();
    return 1;
  }

  try {
    const what = dropPrivileges(last(p, 'u'));
    if (what) log.debug(1, what);
  } catch (e) {
    log.error(`Fatal error: ${(e as Error).message}`);
    await upsd.stop();
    await closeLog();
    return 1;
  }

  if (savePid) {
    try {
      writePidFile(pidFile);
    } catch (e) {
      log.warn(`can't write PID file ${pidFile}: ${(e as Error).message}`);
    }
  } else {
    log.info('Running as foreground process, not saving a PID file');
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onHup = () => {
      log.info('SIGHUP: reloading configuration');
      upsd.reload().catch((e: Error) => log.error(`reload failed: ${e.message}`));
    };
    const onStop = (sig: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info(`Signal ${sig === 'SIGINT' ? 2 : 15}: exiting`);
      process.off('SIGHUP', onHup);
      upsd
        .stop()
        .catch(() => undefined)
        .then(() => closeLog())
        .finally(() => {
          if (savePid) removePidFile(pidFile);
          process.off('SIGTERM', onStop);
          process.off('SIGINT', onStop);
          resolve(0);
        });
    };
    process.on('SIGHUP', onHup);
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
  });
}
