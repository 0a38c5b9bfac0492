/**
 * `upssched`: NUT's timer helper, run by upsmon as NOTIFYCMD (thin shell over
 * src/monitor/upssched). `upssched ["message"]` with UPSNAME and NOTIFYTYPE
 * in the environment; `-l` lists the timers; `-D` debug; `-V` version.
 * The timer daemon is this program started again, detached, with
 * --walnut-timer-daemon (it reads the same upssched.conf).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getopt, count, UsageError } from './getopt.js';
import { daemonLog, DAEMON_ENV } from '../common/log.js';
import { nutPaths } from '../common/paths.js';
import { systemClock } from '../common/clock.js';
import { NUT_VERSION, WALNUT_VERSION } from '../common/version.js';
import { parseUpsschedConf } from '../config/upssched-conf.js';
import { formatIssue } from '../config/issues.js';
import type { UpsschedConf } from '../config/types.js';
import { runInvocation, listTimers } from '../monitor/upssched/client.js';
import { TimerDaemon, serveTimerDaemon } from '../monitor/upssched/daemon.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin');
const DAEMON_FLAG = '--walnut-timer-daemon';
/** Walnut extension for tests: seconds of idleness before the timer daemon exits (NUT: 15). */
const IDLE_ENV = 'WALNUT_UPSSCHED_IDLE';

function usage(): string {
  return `Network UPS Tools upssched ${NUT_VERSION} (Walnut ${WALNUT_VERSION})

upssched - upsmon's helper: timers and commands for notify events

usage: upssched [OPTIONS] ["message"]
  (run as upsmon's NOTIFYCMD, with UPSNAME and NOTIFYTYPE in the environment)

  -l		list the timers of the running timer daemon
  -D		raise debugging level
  -V		display the version of this software
  -h		display this help
`;
}

function loadConf(confPath: string, log: { warn(m: string): void; error(m: string): void }): UpsschedConf | undefined {
  const file = path.join(confPath, 'upssched.conf');
  let text: Buffer;
  try {
    text = fs.readFileSync(file);
  } catch (e) {
    log.error(`Can't open ${file}: ${(e as Error).message}`);
    return undefined;
  }
  const parsed = parseUpsschedConf(text, file);
  for (const i of parsed.issues) (i.severity === 'error' ? log.error : log.warn).call(log, formatIssue(i));
  return parsed.value;
}

async function runDaemon(env: NodeJS.ProcessEnv, debug: number): Promise<number> {
  const { logger: log, close } = daemonLog({ ident: 'upssched', foreground: false, debugLevel: debug, env });
  const conf = loadConf(nutPaths(env).confPath, log);
  if (!conf || !conf.pipeFn || !conf.cmdScript) {
    log.error('upssched timer daemon: upssched.conf needs CMDSCRIPT and PIPEFN');
    await close();
    return 1;
  }
  const cmdScript = conf.cmdScript;
  const pipeFn = conf.pipeFn;
  const idle = Number(env[IDLE_ENV]);
  return new Promise<number>((resolve) => {
    let server: import('node:net').Server | undefined;
    const finish = (code: number) => {
      daemon.stop();
      server?.close();
      try {
        fs.unlinkSync(pipeFn);
      } catch {
        /* gone */
      }
      void daemon
        .drain()
        .then(() => close())
        .then(() => resolve(code));
    };
    const daemon = new TimerDaemon({
      clock: systemClock,
      logger: log,
      ...(Number.isFinite(idle) && idle > 0 ? { idleSecs: idle } : {}),
      runScript: (run) =>
        new Promise<void>((done) => {
          const child = spawn('/bin/sh', ['-c', `${cmdScript} ${run.arg}`], { env: { ...env, ...run.env }, stdio: 'ignore' });
          child.on('error', (e) => {
            log.error(`Can't run ${cmdScript}: ${e.message}`);
            done();
          });
          child.on('exit', () => done());
        }),
      onIdle: () => finish(0),
    });
    process.on('SIGTERM', () => finish(0));
    process.on('SIGINT', () => finish(0));
    serveTimerDaemon({ pipeFn, daemon, logger: log }).then(
      (s) => {
        server = s;
        daemon.start();
      },
      (e: Error) => {
        log.error(`Can't listen on ${pipeFn}: ${e.message}`);
        void close().then(() => resolve(1));
      },
    );
  });
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === DAEMON_FLAG) {
    const env = { ...process.env };
    delete env[DAEMON_ENV];
    return runDaemon(env, argv.filter((a) => a === '-D').length);
  }
  let p;
  try {
    p = getopt(argv, 'lDVh');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`upssched: ${e.message}\n\n${usage()}`);
      return 1;
    }
    throw e;
  }
  if (count(p, 'h')) {
    process.stdout.write(usage());
    return 0;
  }
  if (count(p, 'V')) {
    process.stdout.write(`Network UPS Tools upssched ${NUT_VERSION} (Walnut ${WALNUT_VERSION})\n`);
    return 0;
  }
  const debug = count(p, 'D');
  // a helper run by upsmon: its messages go to stderr and, like NUT's, to syslog when there is one
  const { logger: log, close } = daemonLog({ ident: 'upssched', foreground: true, debugLevel: debug });
  try {
    const conf = loadConf(nutPaths(process.env).confPath, log);
    if (!conf) return 1;
    if (count(p, 'l')) {
      if (!conf.pipeFn) {
        log.error('PIPEFN is not set in upssched.conf');
        return 1;
      }
      for (const row of await listTimers(conf.pipeFn)) process.stdout.write(row + '\n');
      return 0;
    }
    return await runInvocation({
      conf,
      env: process.env,
      ...(p.rest[0] !== undefined ? { message: p.rest[0] } : {}),
      logger: log,
      spawnDaemon: () => {
        const args = [path.join(BIN, 'upssched'), DAEMON_FLAG];
        for (let i = 0; i < debug; i++) args.push('-D');
        const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore', env: process.env });
        child.on('error', (e) => log.error(`Can't start the timer daemon: ${e.message}`));
        child.unref();
      },
    });
  } finally {
    await close();
  }
}
