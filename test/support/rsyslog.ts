/**
 * A private, real syslog daemon for tests: Debian's rsyslogd in the
 * foreground (`rsyslogd -n -f conf -i pidfile`), reading only its own unix
 * socket (imuxsock, the system socket /dev/log left alone) and writing every
 * message to a file as `facility.severity tag[pid]: message`.
 *
 * Point Walnut's daemons at it with env WALNUT_SYSLOG_SOCKET=<socketPath>
 * (see `env`). Needs requirePeers(t, 'rsyslog'). Stop it with stop(): only
 * the rsyslogd this helper started, by PID.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { waitFor } from './proc.js';

export interface Rsyslog {
  /** The unix datagram socket rsyslogd reads (give it as WALNUT_SYSLOG_SOCKET). */
  socketPath: string;
  /** Where rsyslogd writes the messages, one per line. */
  logFile: string;
  pid: number;
  /** { WALNUT_SYSLOG_SOCKET: socketPath }, to spread into a daemon's env. */
  env: Record<string, string>;
  /** The lines written so far. */
  lines(): string[];
  /** Waits (default 10 s) for a line matching `re`; returns it, throws on timeout with what was seen. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM to this rsyslogd (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

function rsyslogPath(): string {
  for (const p of ['/usr/sbin/rsyslogd', '/sbin/rsyslogd']) if (fs.existsSync(p)) return p;
  return 'rsyslogd';
}

/** Starts rsyslogd with its socket, config, PID file and output under `dir` (which must exist). */
export async function startRsyslog(dir: string): Promise<Rsyslog> {
  const work = path.join(dir, 'rsyslog');
  fs.mkdirSync(work, { recursive: true });
  const socketPath = path.join(work, 'log.sock');
  const logFile = path.join(work, 'messages');
  const pidFile = path.join(work, 'rsyslogd.pid');
  const conf = path.join(work, 'rsyslog.conf');
  fs.writeFileSync(
    conf,
    [
      `global(workDirectory="${work}")`,
      'module(load="imuxsock" SysSock.Use="off")',
      `input(type="imuxsock" Socket="${socketPath}" CreatePath="on" UsePIDFromSystem="off" RateLimit.Interval="0")`,
      'template(name="walnutTest" type="string" string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\\n")',
      `*.* action(type="omfile" file="${logFile}" template="walnutTest" asyncWriting="off" flushOnTXEnd="on")`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(logFile, '');
  const child: ChildProcess = spawn(rsyslogPath(), ['-n', '-f', conf, '-i', pidFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (child.pid === undefined) throw new Error('could not start rsyslogd');
  const pid = child.pid;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  try {
    await waitFor('rsyslogd socket', () => {
      if (child.exitCode !== null) throw new Error(`rsyslogd exited (${child.exitCode}): ${out}`);
      return fs.existsSync(socketPath);
    }, 10_000);
  } catch (e) {
    await stop();
    throw e;
  }
  const lines = () => {
    try {
      return fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  };
  const waitForLine = async (re: RegExp, timeoutMs = 10_000) => {
    let hit: string | undefined;
    try {
      await waitFor(`syslog line ${re}`, () => (hit = lines().find((l) => re.test(l))) !== undefined, timeoutMs);
    } catch {
      throw new Error(`no syslog line matching ${re} within ${timeoutMs} ms; rsyslog got:\n${lines().join('\n')}`);
    }
    return hit!;
  };
  return { socketPath, logFile, pid, env: { WALNUT_SYSLOG_SOCKET: socketPath }, lines, waitForLine, stop };
}
