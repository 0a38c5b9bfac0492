/**
 * Delivers upsmon notifications (nut-monitor-drivers.md §1.8): SYSLOG
 * through the Logger, WALL through the `wall` program, EXEC through
 * NOTIFYCMD with NOTIFYTYPE and UPSNAME in the environment and the message
 * as its argument. Always unprivileged (the monitor process does it).
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../common/log.js';
import type { NotifyFlag, NotifyType } from '../config/types.js';

export interface NotifierOptions {
  logger: Logger;
  notifyCmd?: string | undefined;
  /** The wall program (default `wall`). */
  wallCommand?: string;
  env?: NodeJS.ProcessEnv;
}

export class Notifier {
  private running = new Set<Promise<void>>();
  constructor(private opts: NotifierOptions) {}

  setNotifyCmd(cmd: string | undefined): void {
    this.opts = { ...this.opts, notifyCmd: cmd };
  }

  /** Sends one notification with its flags (empty = ignored). Never throws. */
  notify(type: NotifyType, ups: string, message: string, flags: readonly NotifyFlag[]): void {
    if (flags.length === 0 || flags.includes('IGNORE')) return;
    if (flags.includes('SYSLOG')) this.opts.logger.notice(message);
    if (flags.includes('WALL')) this.wall(message);
    if (flags.includes('EXEC')) {
      if (this.opts.notifyCmd) this.exec(type, ups, message);
      else this.opts.logger.debug(1, `NOTIFYFLAG ${type} has EXEC but no NOTIFYCMD is set`);
    }
  }

  /** Broadcasts to logged-in users with `wall` (message on its stdin). */
  wall(message: string): void {
    this.track(
      new Promise<void>((resolve) => {
        try {
          const child = spawn(this.opts.wallCommand ?? 'wall', [], { stdio: ['pipe', 'ignore', 'ignore'], env: this.opts.env ?? process.env });
          child.once('error', (e) => {
            this.opts.logger.debug(1, `wall: ${e.message}`);
            resolve();
          });
          child.once('exit', () => resolve());
          child.stdin!.on('error', () => {});
          child.stdin!.end(message + '\n');
        } catch (e) {
          this.opts.logger.debug(1, `wall: ${(e as Error).message}`);
          resolve();
        }
      }),
    );
  }

  /**
   * NOTIFYCMD "message": the command line goes through /bin/sh as NUT's
   * does, but the message is passed as "$1", so quotes or `$` in a UPS's
   * alarm text are never run by the shell. UPSNAME is "" for host events.
   */
  private exec(type: NotifyType, ups: string, message: string): void {
    // host events (SHUTDOWN, NOPARENT) get UPSNAME="" as real NUT 2.8.0 sets it
    const env: NodeJS.ProcessEnv = { ...(this.opts.env ?? process.env), NOTIFYTYPE: type, UPSNAME: ups };
    const cmd = this.opts.notifyCmd!;
    this.track(
      new Promise<void>((resolve) => {
        try {
          const child = spawn('/bin/sh', ['-c', `${cmd} "$1"`, 'sh', message], { env, stdio: ['ignore', 'inherit', 'inherit'] });
          child.once('error', (e) => {
            this.opts.logger.error(`NOTIFYCMD ${cmd}: ${e.message}`);
            resolve();
          });
          child.once('exit', (code) => {
            if (code !== 0) this.opts.logger.debug(1, `NOTIFYCMD ${cmd} exited with ${code}`);
            resolve();
          });
        } catch (e) {
          this.opts.logger.error(`NOTIFYCMD ${cmd}: ${(e as Error).message}`);
          resolve();
        }
      }),
    );
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.then(() => this.running.delete(p));
  }

  /** Waits for the notifier children still running (at most timeoutMs). */
  async settle(timeoutMs = 5000): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.running]), new Promise<void>((r) => (t = setTimeout(r, timeoutMs)))]);
    if (t) clearTimeout(t);
  }
}
