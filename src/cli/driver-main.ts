/**
 * The command line every Walnut driver shares (NUT's drivers/main.c options):
 *   -a <ups>  -D (repeatable)  -F (foreground)  -B (background)  -k (kill power)
 *   -h  -V  -u <user>  -x <key>=<value>  -i <pollinterval>  -q
 * Without -F the driver goes to the background (a detached copy of itself
 * with -F) and the command returns once the socket is up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { getopt, count, last, all, UsageError } from './getopt.js';
import { daemonLog, DAEMON_ENV } from '../common/log.js';
import type { Logger } from '../common/log.js';
import { nutPaths, driverSocketName } from '../common/paths.js';
import { NUT_VERSION } from '../common/version.js';
import { dropPrivileges, readPidFile, isAlive } from '../common/daemon.js';
import { socketRequest } from '../drivers/upsdrvctl.js';
import { parseUpsConf } from '../config/ups-conf.js';
import type { UpsConf } from '../config/types.js';
import { settingsFor, startDriver } from '../drivers/core/driver.js';
import type { DriverDefinition, DriverHandle } from '../drivers/core/driver.js';
import { DriverInstance } from '../drivers/core/driver.js';
import { WalnutError } from '../common/errors.js';
import { fileURLToPath } from 'node:url';

/** Walnut's bin/ folder (the launchers named as NUT's programs). */
export const WALNUT_BIN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin');

export interface DriverIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: DriverIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  env: process.env,
};

export function driverUsage(def: DriverDefinition): string {
  const lines = [
    `Network UPS Tools - ${def.description} ${def.version} (Walnut, NUT ${NUT_VERSION})`,
    '',
    `usage: ${def.name} [OPTIONS] -a <id>`,
    '',
    '  -V             - print version, then exit',
    '  -h             - display this help',
    '  -a <id>        - autoconfig using ups.conf section <id>',
    '  -D             - raise debugging level (repeatable)',
    '  -q             - raise log level threshold',
    '  -F             - stay in the foreground',
    '  -B             - go to the background (default)',
    '  -k             - force shutdown (kill the load power)',
    '  -i <int>       - poll interval',
    '  -u <user>      - switch to <user> (if started as root)',
    '  -x <var>=<val> - set driver variable <var> to <val>',
    '',
  ];
  if (def.options.length || def.flags.length) {
    lines.push('Acceptable values for -x or ups.conf in this driver:', '');
    for (const o of def.options) lines.push(`  ${o.help.padEnd(50)} : -x ${o.name}=<value>`);
    for (const f of def.flags) lines.push(`  ${f.help.padEnd(50)} : -x ${f.name}`);
  }
  return lines.join('\n') + '\n';
}

/** Reads and parses ups.conf from NUT_CONFPATH; errors are fatal. */
export function loadUpsConf(confPath: string): { conf: UpsConf; file: string } {
  const file = path.join(confPath, 'ups.conf');
  let text: Buffer;
  try {
    text = fs.readFileSync(file);
  } catch (e) {
    throw new WalnutError('CONFIG', `Can't open ${file}: ${(e as Error).message}`);
  }
  const parsed = parseUpsConf(text, file);
  const errs = parsed.issues.filter((i) => i.severity === 'error');
  // a broken section elsewhere must not stop this driver: keep only lexer-level errors fatal
  const fatal = errs.filter((i) => i.line === 0);
  if (fatal.length) throw new WalnutError('CONFIG', fatal.map((i) => `${i.file}:${i.line}: ${i.message}`).join('\n'));
  return { conf: parsed.value, file };
}

function parseExtra(values: string[]): Array<{ key: string; value?: string }> {
  return values.map((v) => {
    const i = v.indexOf('=');
    return i < 0 ? { key: v } : { key: v.slice(0, i), value: v.slice(i + 1) };
  });
}

/** The statepath: NUT_STATEPATH, else `statepath` in ups.conf, else the default. */
export function statePathFor(conf: UpsConf | undefined, env: NodeJS.ProcessEnv): string {
  const p = nutPaths(env);
  if (p.statePathFromEnv) return p.statePath;
  const g = conf?.globals.find((x) => x.key.toLowerCase() === 'statepath');
  return g ? g.value : p.statePath;
}

/**
 * Runs a driver program. Resolves with the exit code once the driver has
 * stopped (foreground), or once the background copy is up.
 */
export async function runDriverProgram(def: DriverDefinition, argv: string[], io: DriverIo = defaultIo): Promise<number> {
  let p;
  try {
    p = getopt(argv, 'a:s:DqFBkhVu:x:i:d:r:g:', true);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${def.name}: ${e.message}\n\n${driverUsage(def)}`);
      return 1;
    }
    throw e;
  }
  if (count(p, 'h')) {
    io.out(driverUsage(def));
    return 0;
  }
  ignoreBrokenStderr();
  io.err(`Network UPS Tools - ${def.description} ${def.version} (Walnut, NUT ${NUT_VERSION})\n`);
  if (count(p, 'V')) return 0;
  const upsName = last(p, 'a') ?? last(p, 's');
  if (!upsName) {
    io.err(`Error: specifying '-a <id>' is required\n\n${driverUsage(def)}`);
    return 1;
  }
  const debug = count(p, 'D');
  // the detached copy a background start makes logs to syslog (and its stderr, gone once detached)
  const daemonised = io.env[DAEMON_ENV] === '1';
  const { logger: log, close: closeLog } = daemonLog({ ident: def.name, foreground: !daemonised, debugLevel: debug, env: io.env, stderrSink: { write: (_s, m) => io.err(m + '\n') } });
  const paths = nutPaths(io.env);
  const extra = parseExtra(all(p, 'x'));
  const pollArg = last(p, 'i');
  if (pollArg !== undefined) extra.push({ key: 'pollinterval', value: pollArg });

  let conf: UpsConf | undefined;
  let confFile: string | undefined;
  try {
    if (last(p, 'a') !== undefined) {
      const c = loadUpsConf(paths.confPath);
      conf = c.conf;
      confFile = c.file;
    }
    const settings = settingsFor({ definition: def, upsName, conf, confFile, extra });
    const statePath = statePathFor(conf, io.env);
    const sockName = driverSocketName(def.name, upsName);
    const pidFile = path.join(paths.pidPath, `${sockName}.pid`);

    if (count(p, 'k')) {
      const inst = new DriverInstance(def, settings, { log, confPath: paths.confPath, env: io.env });
      await inst.init();
      const code = inst.hooks.killpower ? await inst.hooks.killpower() : undefined;
      await inst.stop();
      if (code === undefined) {
        io.err(`${def.name}: shutdown not supported by this driver\n`);
        return 1;
      }
      return code === 0 ? 0 : 1;
    }

    const foreground = count(p, 'F') > 0 && count(p, 'B') === 0;
    if (!foreground) return await background(def, argv, path.join(statePath, sockName), pidFile, io);

    await replaceRunningInstance(pidFile, path.join(statePath, sockName), log);
    // as NUT: the device is opened as root, then root is dropped before the socket and the rest
    const handle = await startDriver({
      definition: def,
      upsName,
      settings,
      statePath,
      pidFile,
      log,
      confPath: paths.confPath,
      env: io.env,
      afterOpen: () => {
        const msg = dropPrivileges(last(p, 'u') ?? settings.user);
        if (msg) log.debug(1, msg);
      },
    });
    process.on('SIGHUP', () => log.info(`SIGHUP: ${def.name} does not reload; restart it to apply ups.conf changes`));
    const code = await runUntilSignal(handle);
    await closeLog();
    return code;
  } catch (e) {
    const msg = `${e instanceof WalnutError ? '' : 'Fatal error: '}${(e as Error).message}`;
    if (daemonised) log.error(msg);
    else io.err(`${msg}\n`);
    await closeLog();
    return 1;
  }
}

/**
 * As NUT 2.8: a driver already serving this UPS is asked to leave first
 * (`INSTCMD driver.exit` on its socket; SIGTERM by its own PID file otherwise).
 */
async function replaceRunningInstance(pidFile: string, sockPath: string, log: Logger): Promise<void> {
  const pid = readPidFile(pidFile);
  // a PID file without a socket may be stale (the PID reused): never signal on it alone
  if (pid === undefined || pid === process.pid || !isAlive(pid) || !fs.existsSync(sockPath)) return;
  log.info(`Duplicate driver instance detected (PID ${pid}); asking it to exit`);
  const reply = await socketRequest(sockPath, 'INSTCMD driver.exit TRACKING replace\n');
  if (reply === undefined || !reply.startsWith('TRACKING replace 0')) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  for (let i = 0; i < 100 && fs.existsSync(sockPath) && isAlive(pid); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Keeps the driver up until SIGTERM/SIGINT/SIGQUIT, then stops it cleanly. */
export function runUntilSignal(handle: DriverHandle | { stop(): Promise<void> }): Promise<number> {
  return new Promise((resolve) => {
    const sigs: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT'];
    const onSig = () => {
      for (const s of sigs) process.off(s, onSig);
      void handle.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    for (const s of sigs) process.on(s, onSig);
  });
}

/** Starts a detached copy with -F and waits (max 15 s) for its socket. */
async function background(def: DriverDefinition, argv: string[], sockPath: string, pidFile: string, io: DriverIo): Promise<number> {
  const script = path.join(WALNUT_BIN_DIR, def.name);
  if (!fs.existsSync(script)) {
    io.err(`${def.name}: cannot find ${script} to go to the background; use -F\n`);
    return 1;
  }
  const child = spawnDetached([script, ...argv.filter((a) => a !== '-B'), '-F'], io);
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? 1;
  });
  // up = the copy wrote its PID file (it does so once its socket listens)
  for (let i = 0; i < 150; i++) {
    if (exited !== null) return exited || 1;
    if (readPidFile(pidFile) === child.pid && fs.existsSync(sockPath)) {
      detach(child);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  io.err(`${def.name}: the driver did not create ${sockPath} within 15 s\n`);
  detach(child);
  return 1;
}

/**
 * Starts a detached Node program. Its stderr comes to ours until detach():
 * startup errors are shown, later log lines go nowhere (a daemon has no
 * terminal; the program ignores the broken pipe).
 */
export function spawnDetached(args: string[], io: Pick<DriverIo, 'err' | 'env'>): ChildProcess {
  // WALNUT_DAEMON=1 tells the copy it runs in the background: it logs to syslog (src/common/log.ts daemonLog)
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...io.env, [DAEMON_ENV]: '1' } });
  child.stdout!.on('error', () => {});
  child.stdout!.on('data', () => {}); // drained, so a chatty child never blocks on a full pipe
  child.stderr!.on('data', (b: Buffer) => io.err(b.toString('latin1')));
  child.stderr!.on('error', () => {});
  return child;
}

export function detach(child: ChildProcess): void {
  child.stderr?.destroy();
  child.stdout?.destroy();
  child.unref();
}

/** A daemon whose terminal went away must not die of EPIPE on its next log line. */
let stdioGuarded = false;
export function ignoreBrokenStderr(): void {
  if (stdioGuarded) return;
  stdioGuarded = true;
  process.stderr.on('error', () => {});
  process.stdout.on('error', () => {});
}
