/**
 * Private networks for multi-host tests: a "lab" is a set of network
 * namespaces made with `ip netns` — one "switch" namespace holding a bridge,
 * and one namespace per host joined to it by a veth pair (the host end is
 * `eth0`, address 198.18.0.<n>/24; 198.18.0.0/15 is reserved for benchmarks,
 * RFC 2544). Nothing is created in, or attached to, the host's own network:
 * every link is made inside the lab's namespaces.
 *
 * Each host has a holder process (`ip netns exec <ns> sh … sleep`) whose
 * mount namespace has a private tmpfs on /run/nut; programs run inside a host
 * with `nsenter -t <holder> -n -m` (which execs the program, so the PID we
 * get is the program's own and we can signal exactly it).
 * Names are unique per test process and lab: walnut<pid>x<seq>{sw,h0,h1,…}.
 * destroy() stops what the lab started (SIGCONT first for stopped ones,
 * SIGTERM, SIGKILL after a grace period), destroys child stdio pipes, and
 * deletes the namespaces.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export const LAB_SUBNET = '198.18.0';

let probed: { why: string | undefined } | undefined;

/** Why network namespaces can't be used here, or undefined when they can (probed once per process). */
export function netnsMissing(): string | undefined {
  probed ??= { why: probeNetns() };
  return probed.why;
}

function probeNetns(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces (ip netns)';
  const probe = `walnut${process.pid}probe`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'ignore' });
  } catch (e) {
    return `ip netns add not permitted or iproute2 missing: ${(e as Error).message.split('\n')[0]}`;
  }
  try {
    execFileSync('ip', ['-n', probe, 'link', 'add', 'vprobe', 'type', 'veth', 'peer', 'name', 'vprobe2'], { stdio: 'ignore' });
    execFileSync('ip', ['-n', probe, 'link', 'add', 'bprobe', 'type', 'bridge'], { stdio: 'ignore' });
    execFileSync('nsenter', ['--net=/run/netns/' + probe, 'true'], { stdio: 'ignore' });
    return undefined;
  } catch (e) {
    return `veth pairs, bridges or nsenter (util-linux) not available: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
    } catch {
      /* gone */
    }
  }
}

function ip(args: string[], timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: timeoutMs }, (err, _out, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}

export interface LabProc {
  child: ChildProcess;
  pid: number;
  /** Which host, and a label for messages. */
  host: string;
  name: string;
  /** stdout+stderr as they arrive. */
  log(): string;
  /** Date.now() at exit, with the code/signal; undefined while running. */
  exitedAt?: number;
  exitCode?: number | null;
  exitSignal?: NodeJS.Signals | null;
  exited: Promise<void>;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface LabHost {
  /** Namespace name (ip netns). */
  ns: string;
  /** Index in the lab (0-based); its address is 198.18.0.<index+1>. */
  index: number;
  /** The process holding the host's mount namespace (private /run/nut). */
  holderPid: number;
  addr: string;
  /** Starts a long-running program inside this host; stopped by lab.destroy(). */
  spawn(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): LabProc;
  /** Runs a program to its end inside this host (killed after timeoutMs). */
  exec(cmd: string, args: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): Promise<Ran>;
}

export interface Lab {
  prefix: string;
  switchNs: string;
  hosts: LabHost[];
  procs: LabProc[];
  /** SIGTERM (then SIGKILL after graceMs) exactly this process; SIGCONT first so a stopped one can die. */
  stop(p: LabProc, graceMs?: number): Promise<void>;
  /** Stops everything and deletes the namespaces; safe to call again (same promise). */
  destroy(): Promise<void>;
}

let labSeq = 0;

const HOLDER_SCRIPT =
  'if [ -d /run/nut ]; then mount -t tmpfs -o mode=0770 tmpfs /run/nut; else mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -m 0770 /run/nut; fi && ' +
  '(chgrp nut /run/nut 2>/dev/null; true) && echo ready && exec sleep 86400';

/** The PIDs of every process inside namespace `ns` (`ip netns pids`). */
export function nsPids(ns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Deletes the labs of an earlier test process that died without cleaning up
 * (killed by a runner timeout, say): namespaces named walnut<pid>x… whose
 * <pid> is gone. What still runs inside them was started by that process's
 * lab (upsd, upsmon…): it is stopped first (SIGCONT, SIGKILL by PID).
 */
export function sweepStaleLabs(): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync('/run/netns');
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^walnut(\d+)(x\d+|probe)/.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) {
      for (const p of nsPids(n)) {
        try {
          process.kill(p, 'SIGCONT');
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      try {
        execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
      } catch {
        /* someone else's, or busy */
      }
    }
  }
}

/**
 * A switch namespace with a bridge and `hostCount` hosts joined to it.
 * On any error the half-built lab is deleted before the error is thrown.
 */
export async function createLab(hostCount: number): Promise<Lab> {
  sweepStaleLabs();
  const prefix = `walnut${process.pid}x${labSeq++}`;
  const switchNs = `${prefix}sw`;
  const made: string[] = [];
  const procs: LabProc[] = [];
  const hosts: LabHost[] = [];

  /** nsenter and ip netns exec exec the program: the PID we get is the program's. */
  const spawnTracked = (host: string, name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): LabProc => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new Error(`could not start ${args.join(' ')}`);
    let text = '';
    child.stdout!.on('data', (b: Buffer) => (text += b.toString('latin1')));
    child.stderr!.on('data', (b: Buffer) => (text += b.toString('latin1')));
    const p: LabProc = {
      child,
      pid: child.pid,
      host,
      name,
      log: () => text,
      exited: new Promise<void>((resolve) => {
        child.once('exit', (code, signal) => {
          p.exitedAt = Date.now();
          p.exitCode = code;
          p.exitSignal = signal;
          resolve();
        });
      }),
    };
    procs.push(p);
    return p;
  };

  const stop = async (p: LabProc, graceMs = 3000): Promise<void> => {
    if (p.exitedAt === undefined) {
      try {
        process.kill(p.pid, 'SIGCONT');
        process.kill(p.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const t = setTimeout(() => {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, graceMs);
      await p.exited;
      clearTimeout(t);
    }
    p.child.stdout?.destroy();
    p.child.stderr?.destroy();
  };

  let destroying: Promise<void> | undefined;
  const destroy = (): Promise<void> => (destroying ??= destroyOnce());
  const destroyOnce = async (): Promise<void> => {
    await Promise.all(procs.map((p) => stop(p)));
    // what our programs started inside the lab and left behind (a NOTIFYCMD still
    // running, a forked helper): descendants of our processes, only in our namespaces
    for (const ns of made) {
      for (const pid of nsPids(ns)) {
        try {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    for (const ns of made.reverse()) {
      await ip(['netns', 'del', ns]).catch(() => undefined);
    }
  };

  try {
    await ip(['netns', 'add', switchNs]);
    made.push(switchNs);
    await ip(['-n', switchNs, 'link', 'set', 'lo', 'up']);
    await ip(['-n', switchNs, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', switchNs, 'link', 'set', 'br0', 'up']);
    for (let i = 0; i < hostCount; i++) {
      const ns = `${prefix}h${i}`;
      await ip(['netns', 'add', ns]);
      made.push(ns);
      const addr = `${LAB_SUBNET}.${i + 1}`;
      // both ends are created inside the lab: port p<i> in the switch, eth0 in the host
      await ip(['-n', switchNs, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await ip(['-n', switchNs, 'link', 'set', `p${i}`, 'master', 'br0']);
      await ip(['-n', switchNs, 'link', 'set', `p${i}`, 'up']);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      await ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
      await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      const hostName = `h${i}`;
      // The host's holder: a process inside the namespace with its own mount namespace
      // (ip netns exec makes one, slave to ours, so nothing mounted there leaks out),
      // where /run/nut is a private tmpfs: programs that insist on /run/nut (NUT 2.8.0's
      // upsmon PID file) each get the host's own, not the machine's.
      const holder = spawnTracked(hostName, 'holder', 'ip', ['netns', 'exec', ns, 'sh', '-c', HOLDER_SCRIPT], process.env);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`namespace holder for ${ns} did not start: ${holder.log()}`)), 10_000);
        holder.child.stdout!.once('data', () => {
          clearTimeout(t);
          resolve();
        });
        void holder.exited.then(() => {
          clearTimeout(t);
          reject(new Error(`namespace holder for ${ns} exited: ${holder.log()}`));
        });
      });
      const enter = ['-t', String(holder.pid), '-n', '-m', '--'];
      hosts.push({
        ns,
        index: i,
        addr,
        holderPid: holder.pid,
        spawn(name, cmd, args, env) {
          return spawnTracked(hostName, name, 'nsenter', [...enter, cmd, ...args], env);
        },
        exec(cmd, args, env = process.env, timeoutMs = 20_000) {
          return new Promise((resolve) => {
            execFile('nsenter', [...enter, cmd, ...args], { env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
              const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
              resolve({ code, stdout: String(stdout), stderr: String(stderr) });
            });
          });
        },
      });
    }
  } catch (e) {
    await destroy();
    throw e;
  }
  return { prefix, switchNs, hosts, procs, stop, destroy };
}
