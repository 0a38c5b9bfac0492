/**
 * Process plumbing shared by Walnut's daemons: PID files, signalling a
 * running daemon (`-c reload|stop`), and dropping root privileges to the
 * `nut` user as NUT does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export function writePidFile(file: string, pid = process.pid): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${pid}\n`);
}

export function readPidFile(file: string): number | undefined {
  try {
    const n = parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function removePidFile(file: string, pid = process.pid): void {
  if (readPidFile(file) === pid) {
    try {
      fs.unlinkSync(file);
    } catch {
      /* already gone */
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sends a signal to the daemon named in a PID file.
 * Returns an error message, or undefined on success.
 */
export function signalPidFile(file: string, signal: NodeJS.Signals): string | undefined {
  const pid = readPidFile(file);
  if (pid === undefined) return `Can't open PID file ${file}`;
  try {
    process.kill(pid, signal);
    return undefined;
  } catch (e) {
    return `Can't send signal to PID ${pid}: ${(e as Error).message}`;
  }
}

export interface UserIds {
  uid: number;
  gid: number;
  name: string;
}

/** Looks a user up in the passwd database (getent), or undefined. */
export function lookupUser(name: string): UserIds | undefined {
  try {
    const line = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const f = line.split(':');
    if (f.length < 4) return undefined;
    return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]) };
  } catch {
    return undefined;
  }
}

/**
 * As root, become `user` (default `nut` when it exists), like NUT's daemons.
 * Returns what happened, for the log; never throws for a missing default user.
 */
export function dropPrivileges(user: string | undefined): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const name = user ?? 'nut';
  const ids = lookupUser(name);
  if (!ids) {
    if (user) throw new Error(`user ${user} not found`);
    return undefined;
  }
  process.setgroups?.([ids.gid]);
  process.setgid!(ids.gid);
  process.setuid!(ids.uid);
  return `dropped privileges to ${ids.name} (uid ${ids.uid})`;
}
