/**
 * `upsmon`: NUT's UPS monitor and shutdown controller. A thin shell over
 * src/monitor: NUT's options, the PID file, signals (SIGHUP reload, SIGUSR1
 * forced shutdown, SIGTERM stop), the split into a root parent and an
 * unprivileged monitor child (or one process with -p), -K and -c.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { getopt, count, last, UsageError, type ParsedArgs } from './getopt.js';
import { daemonLog, type Logger } from '../common/log.js';
import { nutPaths } from '../common/paths.js';
import { dropPrivileges, isAlive, readPidFile, removePidFile, writePidFile } from '../common/daemon.js';
import { formatIssue } from '../config/issues.js';
import { NUT_VERSION, WALNUT_VERSION } from '../common/version.js';
import {
  CHILD_ENV,
  Upsmon,
  checkPowerdownFlag,
  childPort,
  clearPowerdownFlag,
  loadUpsmonConfig,
  monoPort,
  startParent,
  totalPower,
  type LoadedUpsmonConf,
  type PrivilegedPort,
} from '../monitor/index.js';

const BANNER = `Network UPS Tools upsmon ${NUT_VERSION}`;
/** Set in the environment of the detached copy started for background mode. */
const BG_ENV = 'WALNUT_DAEMON';

function usage(): string {
  return `${BANNER} (Walnut ${WALNUT_VERSION})
UPS status monitor and shutdown controller.

usage: upsmon [OPTIONS]

  -c <cmd>	send command to running process
		commands:
		 - fsd: shutdown all primary-mode UPSes (use with caution)
		 - reload: reread configuration
		 - stop: stop monitoring and exit
  -P <pid>	send the signal above to specified PID (bypassing PID file)
  -D		raise debugging level (and stay foreground by default)
  -F		stay foregrounded even if no debugging is enabled
  -B		stay backgrounded even if debugging is bumped
  -h		display this information
  -K		checks POWERDOWNFLAG (if set), sets exit code to 0 if set
  -p		always run privileged (disable privileged parent)
  -u <user>	run child as user <user> (ignored when using -p)
  -W <secs>	connect timeout (default 10)
  -4		IPv4 only
  -6		IPv6 only
  -f <file>	configuration file (default $NUT_CONFPATH/upsmon.conf)
  -V		display the version of this software
`;
}

const COMMANDS: Array<[string, NodeJS.Signals]> = [
  ['fsd', 'SIGUSR1'],
  ['stop', 'SIGTERM'],
  ['reload', 'SIGHUP'],
];

/** `-c` words are prefix-matched, as NUT does (`-c f` = fsd). */
export function matchCommand(word: string): NodeJS.Signals | undefined {
  if (word === '') return undefined;
  const hit = COMMANDS.find(([name]) => name.startsWith(word.toLowerCase()));
  return hit?.[1];
}

/** The daemon's PID file: NUT_ALTPIDPATH (or NUT_STATEPATH, else /run/nut)/upsmon.pid. */
export function upsmonPidFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(nutPaths(env).pidPath, 'upsmon.pid');
}

/** Where the command line's own messages go (tests pass their own). */
export interface UpsmonIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

const processIo: UpsmonIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  get env() {
    return process.env;
  },
};

export async function main(argv: string[], io: UpsmonIo = processIo): Promise<number> {
  const out = (s: string) => io.out(s + '\n');
  let p;
  try {
    p = getopt(argv, 'c:DFBhKpu:W:46f:P:V');
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`upsmon: ${e.message}\n\n${usage()}`);
      return 1;
    }
    throw e;
  }
  if (count(p, 'h') > 0) {
    io.out(usage());
    return 0;
  }
  const env = io.env;
  if (count(p, 'V') > 0) {
    out(`${BANNER} (Walnut ${WALNUT_VERSION})`);
    return 0;
  }
  const pidFile = upsmonPidFile(env);

  const cmd = last(p, 'c');
  if (cmd !== undefined) {
    const sig = matchCommand(cmd);
    if (!sig) {
      io.err(`upsmon: Error: unknown argument to option -c. Try -h for help.\n`);
      return 1;
    }
    const pidArg = last(p, 'P');
    const pid = pidArg !== undefined ? Number(pidArg) : readPidFile(pidFile);
    if (pid === undefined || !Number.isInteger(pid) || pid <= 0) {
      io.err(`upsmon: Can't read a PID from ${pidArg !== undefined ? '-P' : pidFile}: is upsmon running?\n`);
      return 1;
    }
    try {
      process.kill(pid, sig);
      return 0;
    } catch (e) {
      io.err(`upsmon: Can't send ${sig} to PID ${pid}: ${(e as Error).message}\n`);
      return 1;
    }
  }

  const debug = count(p, 'D') + (count(p, 'D') === 0 ? Number(env.NUT_DEBUG_LEVEL ?? 0) || 0 : 0);
  // NUT's upsmon logs to syslog, and to stderr too while in the foreground
  const fgWanted = count(p, 'F') > 0 || (count(p, 'D') > 0 && count(p, 'B') === 0);
  // DEBUG_MIN in upsmon.conf raises the level -D gives (read once more below, with its issues)
  let debugMin = 0;
  try {
    debugMin = loadUpsmonConfig(last(p, 'f') ?? path.join(nutPaths(env).confPath, 'upsmon.conf')).conf.debugMin ?? 0;
  } catch {
    /* reported below */
  }
  const dlog = daemonLog({
    ident: 'upsmon',
    foreground: env[BG_ENV] !== '1' && fgWanted,
    debugLevel: Math.max(debug, debugMin),
    env,
    ...(io === processIo ? {} : { stderrSink: { write: (_sev: string, m: string) => io.err(m + '\n') } }),
  });
  const log: Logger = dlog.logger;
  try {
    return await run(p, argv, io, env, log, debug);
  } finally {
    await dlog.close();
  }
}

async function run(p: ParsedArgs, argv: string[], io: UpsmonIo, env: NodeJS.ProcessEnv, log: Logger, _debug: number): Promise<number> {
  const out = (s: string) => io.out(s + '\n');
  const isChild = env[CHILD_ENV] === '1';
  const paths = nutPaths(env);
  const pidFile = upsmonPidFile(env);
  const confFile = last(p, 'f') ?? path.join(paths.confPath, 'upsmon.conf');
  const checkK = count(p, 'K') > 0;

  if (!isChild) {
    if (env[BG_ENV] !== '1') out(`${BANNER} (Walnut ${WALNUT_VERSION})`);
    const old = readPidFile(pidFile);
    if (old !== undefined && old !== process.pid && isAlive(old) && env[BG_ENV] !== '1') {
      if (!checkK) {
        io.err(`Fatal error: A previous upsmon instance is already running! (PID ${old} in ${pidFile})\n`);
        return 1;
      }
      out(`Note: a previous upsmon instance is running (PID ${old})`);
    }
  }

  let loaded: LoadedUpsmonConf;
  try {
    loaded = loadUpsmonConfig(confFile);
  } catch (e) {
    io.err(`Fatal error: Can't open ${confFile}: ${(e as Error).message}\n`);
    return 1;
  }
  if (!isChild) for (const i of loaded.issues) log.warn(formatIssue(i));
  const conf = loaded.conf;

  if (checkK) {
    if (!conf.powerDownFlag) {
      out('POWERDOWNFLAG is not set in the configuration: nothing to check');
      return 1;
    }
    const set = checkPowerdownFlag(conf.powerDownFlag);
    out(set ? 'Power down flag is set' : 'Power down flag is not set');
    return set ? 0 : 1;
  }

  if (loaded.fatal.length > 0) {
    for (const f of loaded.fatal) io.err(`Fatal error: ${f}\n`);
    return 1;
  }
  if (totalPower(conf) < conf.minSupplies) {
    io.err(`Fatal error: insufficient power configured! Sum of power values: ${totalPower(conf)}, minimum supplies: ${conf.minSupplies}\n`);
    return 1;
  }

  const timeoutArg = last(p, 'W') ?? env.NUT_DEFAULT_CONNECT_TIMEOUT;
  const timeoutMs = timeoutArg !== undefined && Number(timeoutArg) > 0 ? Number(timeoutArg) * 1000 : 10_000;
  const family = count(p, '6') > 0 ? 6 : count(p, '4') > 0 ? 4 : undefined;
  const mono = count(p, 'p') > 0;

  if (isChild) return runMonitor({ conf, confFile, log, privileged: childPort(), timeoutMs, family, user: conf.runAsUser ?? last(p, 'u'), pidFile: undefined });

  if (!conf.shutdownCmd) out('Warning: no shutdown command defined!');
  if (!conf.notifyCmd) out('Warning: no NOTIFYCMD defined, so NOTIFYFLAG EXEC does nothing');

  let settings = { powerDownFlag: conf.powerDownFlag, shutdownCmd: conf.shutdownCmd };
  if (conf.powerDownFlag) {
    const r = clearPowerdownFlag(conf.powerDownFlag);
    if (r === 'foreign' || r === 'error') {
      log.error(`POWERDOWNFLAG ${conf.powerDownFlag} ${r === 'foreign' ? 'holds something else than upsmon\'s flag' : 'cannot be removed'}: not touching it, and not writing it at shutdown`);
      settings = { powerDownFlag: undefined, shutdownCmd: conf.shutdownCmd };
    } else if (r === 'removed') log.info(`Removed the power down flag ${conf.powerDownFlag} left by the last shutdown`);
  }
  if (!conf.powerDownFlag) log.warn('No POWERDOWNFLAG set: the UPS will not be told to cut the power after a shutdown');
  else if (settings.powerDownFlag) log.info(`Using power down flag file ${conf.powerDownFlag}`);
  for (const m of conf.monitors) log.info(`UPS: ${m.system} (${m.role}) (power value ${m.powerValue})`);
  if (mono) log.info('Warning: running as one big root process by request (upsmon -p)');

  // background: a detached copy of this program does the work
  const foreground = count(p, 'F') > 0 || (count(p, 'D') > 0 && count(p, 'B') === 0);
  if (!foreground && env[BG_ENV] !== '1') return background(argv, pidFile, io);

  const logFn = (m: string) => log.alert(m);
  if (mono) {
    return runMonitor({ conf, confFile, log, privileged: monoPort(settings, logFn), timeoutMs, family, user: undefined, pidFile });
  }
  // split mode: this process stays root and serves the powerdown request
  const self = childInvocation(argv);
  const parent = startParent({ script: self.script, args: self.args, env, settings, log: logFn });
  if (parent.child.pid !== undefined) {
    try {
      writePidFile(pidFile, parent.child.pid);
    } catch (e) {
      log.warn(`can't write PID file ${pidFile}: ${(e as Error).message}`);
    }
  }
  const forward = (sig: NodeJS.Signals) => () => {
    try {
      parent.child.kill(sig);
    } catch {
      /* gone */
    }
  };
  const ignore = () => {};
  const onTerm = forward('SIGTERM');
  const onInt = forward('SIGTERM');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', ignore);
  process.on('SIGUSR1', ignore);
  process.on('SIGUSR2', ignore);
  const code = await parent.done;
  process.off('SIGTERM', onTerm);
  process.off('SIGINT', onInt);
  process.off('SIGHUP', ignore);
  process.off('SIGUSR1', ignore);
  process.off('SIGUSR2', ignore);
  if (parent.child.pid !== undefined) removePidFile(pidFile, parent.child.pid);
  return code;
}

/** How to start this program again: bin/upsmon ARGS, or bin/walnut upsmon ARGS. */
function childInvocation(argv: string[]): { script: string; args: string[] } {
  const script = process.argv[1] ?? '';
  const viaWalnut = path.basename(script).startsWith('walnut');
  return { script, args: viaWalnut ? ['upsmon', ...argv] : argv };
}

/** NUT's default: go to the background. Starts a detached copy and waits for its PID file. */
async function background(argv: string[], pidFile: string, io: UpsmonIo): Promise<number> {
  const self = childInvocation(argv);
  const before = readPidFile(pidFile);
  const child = spawn(process.execPath, [...process.execArgv, self.script, ...self.args], {
    env: { ...io.env, [BG_ENV]: '1' },
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const now = readPidFile(pidFile);
    if (now !== undefined && now !== before && isAlive(now)) return 0;
    if (child.exitCode !== null) return child.exitCode || 1;
    await new Promise((r) => setTimeout(r, 50));
  }
  io.err('upsmon: the background process did not start in 10 s\n');
  return 1;
}

interface RunOptions {
  conf: LoadedUpsmonConf['conf'];
  confFile: string;
  log: Logger;
  privileged: PrivilegedPort;
  timeoutMs: number;
  family: 4 | 6 | undefined;
  /** Drop to this user (RUN_AS_USER wins over -u, as NUT); undefined in mono mode. */
  user: string | undefined;
  /** Mono mode writes its own PID file. */
  pidFile: string | undefined;
}

async function runMonitor(o: RunOptions): Promise<number> {
  const { log } = o;
  if (o.pidFile) {
    try {
      writePidFile(o.pidFile);
    } catch (e) {
      log.warn(`can't write PID file ${o.pidFile}: ${(e as Error).message}`);
    }
  }
  if (!o.pidFile) {
    try {
      const what = dropPrivileges(o.user);
      if (what) log.debug(1, what);
    } catch (e) {
      log.error(`Fatal error: ${(e as Error).message}`);
      return 1;
    }
  }
  const mon = new Upsmon({
    conf: o.conf,
    logger: log,
    privileged: o.privileged,
    timeoutMs: o.timeoutMs,
    ...(o.family ? { family: o.family } : {}),
    loadConf: () => {
      const l = loadUpsmonConfig(o.confFile);
      for (const i of l.issues) log.warn(formatIssue(i));
      if (l.fatal.length > 0) throw new Error(l.fatal.join('; '));
      return l.conf;
    },
  });
  const onHup = () => mon.requestReload();
  const onUsr1 = () => mon.requestFsd();
  const onTerm = () => mon.requestStop();
  process.on('SIGHUP', onHup);
  process.on('SIGUSR1', onUsr1);
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  // the monitor must outlive a bug: report it loudly and keep polling
  const onUncaught = (e: unknown) => log.alert(`upsmon: unexpected error (monitoring goes on): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  let code: number;
  try {
    code = await mon.run();
  } finally {
    process.off('SIGHUP', onHup);
    process.off('SIGUSR1', onUsr1);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onTerm);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    if (o.pidFile) removePidFile(o.pidFile);
  }
  if (process.connected) process.disconnect?.();
  // a stray handle must never keep a finished monitor alive
  setTimeout(() => process.exit(code), 2000).unref();
  return code;
}

/** Exported for tests: is a path's content upsmon's flag. */
export function powerdownFlagSet(file: string): boolean {
  return fs.existsSync(file) && checkPowerdownFlag(file);
}
