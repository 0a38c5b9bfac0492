/**
 * A pseudo-terminal pair made by Debian's socat: two ttys joined back to
 * back (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`). What a
 * driver writes on A comes out on B (the simulated UPS) and back.
 *
 * Used by `walnut simulate` and by the tests (test/support/pty.ts). socat
 * is started and stopped by its own PID; `unplug()` ends it (both ttys go
 * away, as a pulled USB-serial adapter) and `replug()` starts a new one on
 * the same link names, so a driver that reopens A finds the device again.
 */
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { TransportError } from '../common/errors.js';

export interface PtyPairOptions {
  /** Symlink made for the first tty (the driver's side). */
  linkA: string;
  /** Symlink made for the second tty (the device's side). */
  linkB: string;
  /** socat program (default `socat` on PATH). */
  socat?: string;
  /** Wait at most this long for both PTY lines (default 5000 ms). */
  startTimeoutMs?: number;
}

export interface PtyPair {
  /** The link names (stable over unplug/replug). */
  readonly linkA: string;
  readonly linkB: string;
  /** The current /dev/pts paths (change on replug). */
  readonly ptyA: string;
  readonly ptyB: string;
  /** socat's PID while plugged, else undefined. */
  readonly pid: number | undefined;
  readonly plugged: boolean;
  /** Ends socat (by PID): both ttys disappear. */
  unplug(): Promise<void>;
  /** Starts socat again with the same link names. */
  replug(): Promise<void>;
  /** unplug(), for good. */
  stop(): Promise<void>;
}

const PTY_LINE = /PTY is (\/dev\/\S+)/g;

interface Running {
  child: ChildProcess;
  ptys: [string, string];
  exited: Promise<void>;
}

function launch(opts: PtyPairOptions): Promise<Running> {
  const socat = opts.socat ?? 'socat';
  const args = ['-d', '-d', `pty,raw,echo=0,link=${opts.linkA}`, `pty,raw,echo=0,link=${opts.linkB}`];
  const child = spawn(socat, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let text = '';
    const found: string[] = [];
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reject(err);
      } else resolve({ child, ptys: [found[0]!, found[1]!], exited });
    };
    const timer = setTimeout(
      () => finish(new TransportError('timeout', `socat did not report two PTYs within ${opts.startTimeoutMs ?? 5000} ms: ${text.trim()}`)),
      opts.startTimeoutMs ?? 5000,
    );
    child.once('error', (e) => finish(new TransportError('io', `cannot run ${socat}: ${e.message}`, { cause: e })));
    child.once('exit', (code) => finish(new TransportError('io', `socat exited (${code}) before making the PTYs: ${text.trim()}`)));
    child.stderr!.on('data', (b: Buffer) => {
      if (done) return; // socat's later notices are not needed
      text += b.toString('latin1');
      found.length = 0;
      for (const m of text.matchAll(PTY_LINE)) found.push(m[1]!);
      // socat makes the links, then logs "starting data transfer loop"
      if (found.length >= 2 && /starting data transfer loop/.test(text) && fs.existsSync(opts.linkA) && fs.existsSync(opts.linkB)) finish();
    });
  });
}

async function kill(r: Running): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  r.child.kill('SIGTERM');
  const t = setTimeout(() => r.child.kill('SIGKILL'), 3000);
  await r.exited;
  clearTimeout(t);
}

/** Starts socat and resolves once both ttys and links exist. */
export async function startPtyPair(opts: PtyPairOptions): Promise<PtyPair> {
  let cur: Running | undefined = await launch(opts);
  let last: [string, string] = cur.ptys;
  const pair: PtyPair = {
    linkA: opts.linkA,
    linkB: opts.linkB,
    get ptyA() {
      return last[0];
    },
    get ptyB() {
      return last[1];
    },
    get pid() {
      return cur?.child.pid;
    },
    get plugged() {
      return cur !== undefined && cur.child.exitCode === null && cur.child.signalCode === null;
    },
    async unplug() {
      const r = cur;
      cur = undefined;
      if (r) await kill(r);
      // socat removes its links on a clean exit; make sure (SIGKILL leaves them)
      for (const l of [opts.linkA, opts.linkB]) fs.rmSync(l, { force: true });
    },
    async replug() {
      if (cur) return;
      cur = await launch(opts);
      last = cur.ptys;
    },
    stop() {
      return pair.unplug();
    },
  };
  return pair;
}
