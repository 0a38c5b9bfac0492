/**
 * upsmon's I/O edge: one NutClient session per MONITOR line (connect,
 * USERNAME/PASSWORD/LOGIN, PRIMARY with MASTER fallback, retried every loop),
 * the polling loop on an injected Clock, and the execution of the state
 * machine's effects (notifications, FSD, HOSTSYNC, FINALDELAY, power down
 * through the privileged port, exit).
 */
import dns from 'node:dns';
import { NutClient, NutServerError } from '../clients/client.js';
import { systemClock, type Clock } from '../common/clock.js';
import type { Logger } from '../common/log.js';
import type { UpsmonConf } from '../config/types.js';
import {
  applyReload,
  createMonitor,
  onFsdResult,
  onNumLogins,
  onParentGone,
  onPoll,
  onPowerdownDone,
  onSession,
  onSlept,
  onTick,
  pollInterval,
  recalc,
  requestFsd,
  totalPower,
  type Effect,
  type MonitorState,
  type PollResult,
} from './machine.js';
import { Notifier } from './notifier.js';
import { negotiateTls, type ClientTlsSettings } from '../clients/tls.js';

/** What the unprivileged monitor may ask of the privileged part. */
export interface PrivilegedPort {
  /** Write POWERDOWNFLAG and run SHUTDOWNCMD; resolves with an error text or undefined. */
  powerdown(): Promise<string | undefined>;
  /** False once the privileged parent is gone (split mode). */
  parentAlive(): boolean;
}

export interface UpsmonOptions {
  conf: UpsmonConf;
  logger: Logger;
  privileged: PrivilegedPort;
  /** Re-reads the configuration (SIGHUP); throw to skip the reload. */
  loadConf?: () => UpsmonConf;
  clock?: Clock;
  /** Connect and reply timeout in ms (default 10000; -W). */
  timeoutMs?: number;
  family?: 4 | 6;
  env?: NodeJS.ProcessEnv;
  wallCommand?: string;
  /** How soon a session without LOGIN (or PRIMARY) is reopened to try again (default 60 s). */
  loginRetryMs?: number;
}

interface Session {
  client: NutClient;
  loggedIn: boolean;
  primary: boolean;
  /** When it was opened (a session without its rights is retried after LOGIN_RETRY_MS). */
  since: number;
}

/** A session that did not get LOGIN (or PRIMARY for a primary) is reopened this often. */
const LOGIN_RETRY_MS = 60_000;

const HOSTSYNC_STEP_MS = 250;

export class Upsmon {
  readonly state: MonitorState;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly notifier: Notifier;
  private sessions: Array<Session | undefined>;
  private control: Effect[] = [];
  private wake: (() => void) | undefined;
  private fsdWanted = false;
  private reloadWanted = false;
  private stopWanted = false;
  private exitCode: number | undefined;
  /** host:port that do not offer STARTTLS (asked once per run, unless TLS is required). */
  private readonly plainHosts = new Set<string>();

  constructor(private readonly opts: UpsmonOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.state = createMonitor(opts.conf, this.clock.now());
    this.sessions = opts.conf.monitors.map(() => undefined);
    this.notifier = new Notifier({
      logger: opts.logger,
      notifyCmd: opts.conf.notifyCmd,
      ...(opts.wallCommand ? { wallCommand: opts.wallCommand } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    });
  }

  /** SIGUSR1 / -c fsd. */
  requestFsd(): void {
    this.fsdWanted = true;
    this.wake?.();
  }

  /** SIGHUP / -c reload. */
  requestReload(): void {
    this.reloadWanted = true;
    this.wake?.();
  }

  /** SIGTERM / -c stop: log out and end (ignored once a shutdown has begun, except while lingering). */
  requestStop(): void {
    this.stopWanted = true;
    this.wake?.();
  }

  /** Runs until stopped or the shutdown sequence exits; resolves with the exit code. */
  async run(): Promise<number> {
    try {
      for (;;) {
        if (this.state.phase !== 'running') {
          const code = await this.shutdownSequence();
          await this.closeAll(false);
          return code;
        }
        if (this.exitCode !== undefined) {
          await this.closeAll(true);
          return this.exitCode;
        }
        if (this.stopWanted) {
          this.log.info('Signal 15: exiting');
          await this.closeAll(true);
          return 0;
        }
        if (this.reloadWanted) {
          this.reloadWanted = false;
          this.reload();
          continue;
        }
        if (this.fsdWanted) {
          this.fsdWanted = false;
          this.exec(requestFsd(this.state, this.clock.now()));
          continue;
        }
        try {
          await this.pollAll();
          this.exec(recalc(this.state, this.clock.now()));
          if (!this.opts.privileged.parentAlive()) this.exec(onParentGone(this.state, this.clock.now()));
        } catch (e) {
          // a bug must never end the monitoring: log it and go on with the next loop
          this.log.alert(`upsmon: unexpected error in the polling loop: ${(e as Error).stack ?? String(e)}`);
        }
        if (this.state.phase !== 'running') continue;
        const planned = Math.max(100, pollInterval(this.state, this.clock.now()));
        const before = this.clock.now();
        const cut = await this.sleep(planned);
        if (!cut) this.exec(onSlept(this.state, this.clock.now(), planned, this.clock.now() - before));
      }
    } finally {
      await this.notifier.settle();
    }
  }

  /* ------------------------------------------------------------ effects */

  private exec(fx: Effect[]): void {
    for (const e of fx) {
      switch (e.kind) {
        case 'notify':
          this.notifier.notify(e.type, e.ups, e.message, e.flags);
          break;
        case 'log':
          this.logAt(e.level, e.message);
          break;
        case 'wall':
          this.notifier.wall(e.message);
          break;
        default:
          this.control.push(e);
      }
    }
  }

  private logAt(level: string, msg: string): void {
    switch (level) {
      case 'debug':
        this.log.debug(1, msg);
        break;
      case 'info':
        this.log.info(msg);
        break;
      case 'notice':
        this.log.notice(msg);
        break;
      case 'warning':
        this.log.warn(msg);
        break;
      case 'error':
        this.log.error(msg);
        break;
      default:
        this.log.alert(msg);
    }
  }

  private async shutdownSequence(): Promise<number> {
    for (;;) {
      const e = this.control.shift();
      if (!e) {
        // nothing queued: the machine is waiting on time only
        if (this.state.phase === 'done') return 0;
        await this.sleep(HOSTSYNC_STEP_MS);
        this.exec(onTick(this.state, this.clock.now()));
        continue;
      }
      switch (e.kind) {
        case 'setFsd': {
          const r = await this.setFsd(e.index);
          this.exec(onFsdResult(this.state, e.index, this.clock.now(), r === undefined, r));
          break;
        }
        case 'hostsync':
          while (this.state.phase === 'hostsync') {
            const max = await this.maxLogins();
            this.exec(onNumLogins(this.state, this.clock.now(), max));
            if (this.state.phase !== 'hostsync') break;
            await this.sleep(HOSTSYNC_STEP_MS, false);
            this.exec(onTick(this.state, this.clock.now()));
          }
          break;
        case 'finalDelay':
          while (this.state.phase === 'finaldelay') {
            await this.sleep(Math.max(0, e.until - this.clock.now()), false);
            this.exec(onTick(this.state, this.clock.now()));
          }
          break;
        case 'powerdown': {
          const err = await this.opts.privileged.powerdown();
          this.exec(onPowerdownDone(this.state, this.clock.now(), err));
          break;
        }
        case 'linger':
          this.log.info(e.until === undefined ? 'SHUTDOWNEXIT no: staying connected until killed' : `SHUTDOWNEXIT: staying connected for ${Math.round((e.until - this.clock.now()) / 1000)} s`);
          while (this.state.phase === 'linger' && !this.stopWanted) {
            await this.pingAll(); // keeps every session alive (upsd drops idle clients) and counted
            await this.sleep(1000);
            this.exec(onTick(this.state, this.clock.now()));
          }
          if (this.state.phase === 'linger') return 0;
          break;
        case 'exit':
          return e.code;
        default:
          break;
      }
    }
  }

  /* ------------------------------------------------------------- sessions */

  private async resolveHost(host: string): Promise<string> {
    if (!this.opts.family) return host;
    const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    const r = await dns.promises.lookup(h, { family: this.opts.family });
    return r.address;
  }

  /** The session of UPS i, connecting and logging in when there is none. Throws on connection failure. */
  private async session(i: number): Promise<Session> {
    const have = this.sessions[i];
    const m = this.state.conf.monitors[i]!;
    const lacking = have && (!have.loggedIn || (m.role === 'primary' && !have.primary));
    if (have && have.client.isOpen && !(lacking && this.clock.now() - have.since >= (this.opts.loginRetryMs ?? LOGIN_RETRY_MS))) return have;
    if (have?.client.isOpen) {
      this.log.info(`UPS ${m.system}: reconnecting to try the login again`);
      have.client.close();
    }
    this.sessions[i] = undefined;
    const host = await this.resolveHost(m.host);
    const client = await NutClient.connect(host, m.port, { timeoutMs: this.opts.timeoutMs ?? 10_000, clock: this.clock });
    const key = `${m.host}:${m.port}`;
    // STARTTLS before any credential (src/clients/tls.ts): opportunistic, or required by FORCESSL / CERTVERIFY / CERTHOST
    const c = this.state.conf;
    const tlsSettings: ClientTlsSettings = {
      certVerify: c.certVerify,
      forceSsl: c.forceSsl,
      certHosts: c.certHosts.map((h) => ({ host: h.host, name: h.name, verify: h.verify, force: h.force })),
      noTls: this.plainHosts.has(key),
      ...(c.certPath ? { certPath: c.certPath } : {}),
      ...(c.certIdent ? { certIdent: c.certIdent } : {}),
      ...(c.certPin ? { pinFile: c.certPin } : {}),
    };
    try {
      const outcome = await negotiateTls(client, m.host, m.port, tlsSettings, this.log);
      if (!outcome.secure) this.plainHosts.add(key);
    } catch (e) {
      client.close();
      throw e;
    }
    const s: Session = { client, loggedIn: false, primary: false, since: this.clock.now() };
    let error: string | undefined;
    try {
      await client.username(m.user);
      await client.password(m.password);
      await client.login(m.ups);
      s.loggedIn = true;
      if (m.role === 'primary') {
        try {
          await client.primary(m.ups);
          s.primary = true;
        } catch (e) {
          if (!(e instanceof NutServerError)) throw e;
          error = `PRIMARY/MASTER: ${e.message}`;
        }
      }
    } catch (e) {
      if (!(e instanceof NutServerError)) {
        client.close();
        throw e;
      }
      error ??= e.message;
    }
    this.sessions[i] = s;
    if (s.loggedIn) this.log.debug(1, `Logged into UPS ${m.system}`);
    this.exec(onSession(this.state, i, this.clock.now(), { connected: true, loggedIn: s.loggedIn, primaryGranted: s.primary, ...(error ? { error } : {}) }));
    return s;
  }

  private async pollOne(i: number): Promise<PollResult> {
    const m = this.state.conf.monitors[i]!;
    let s: Session;
    try {
      s = await this.session(i);
    } catch (e) {
      return { ok: false, reason: `connect to ${m.host}:${m.port}: ${(e as Error).message}` };
    }
    try {
      const status = await s.client.get(m.ups, 'ups.status');
      let alarm: string | undefined;
      if (/(^|\s)ALARM(\s|$)/i.test(status)) {
        try {
          alarm = await s.client.get(m.ups, 'ups.alarm');
        } catch {
          alarm = undefined;
        }
      }
      return { ok: true, status, alarm };
    } catch (e) {
      if (!(e instanceof NutServerError)) {
        s.client.close();
        this.sessions[i] = undefined;
      }
      return { ok: false, reason: (e as Error).message };
    }
  }

  /** Polls every UPS at once; the results go to the machine in config order. */
  private async pollAll(): Promise<void> {
    const n = this.state.ups.length;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => this.pollOne(i)));
    const now = this.clock.now();
    results.forEach((r, i) => {
      if (this.log.debugLevel >= 2) this.log.debug(2, `Poll UPS [${this.state.ups[i]?.system}]: ${r.ok ? `status "${r.status}"` : `failed: ${r.reason}`}`);
      this.exec(onPoll(this.state, i, now, r));
    });
  }

  private async setFsd(i: number): Promise<string | undefined> {
    const m = this.state.conf.monitors[i]!;
    try {
      // a dead upsd must not hold the shutdown up: one attempt, 5 s at most
      const s = await this.withTimeout(this.session(i), 5000);
      await this.withTimeout(s.client.fsd(m.ups), 5000);
      this.log.info(`Set FSD on UPS ${m.system}`);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** GET NUMLOGINS on the primary UPSes (1 s each at most): the highest count of other hosts + 1; failures count 0. */
  private async maxLogins(): Promise<number> {
    const counts = await Promise.all(
      this.state.ups.map(async (u, i) => {
        if (u.role !== 'primary') return 0;
        const s = this.sessions[i];
        if (!s || !s.client.isOpen) return 0;
        // counted as NUT counts (this host = 1), also when this host's own LOGIN failed:
        // NUT then sees one secondary as "only me" and stops waiting for it
        return this.withTimeout(s.client.getNumLogins(u.ups), 1000).then(
          (n) => n - (s.loggedIn ? 1 : 0) + 1,
          () => 0,
        );
      }),
    );
    return Math.max(0, ...counts);
  }

  /** GET NUMLOGINS on every open session, only to keep it alive. */
  private async pingAll(): Promise<void> {
    await Promise.all(
      this.state.ups.map(async (u, i) => {
        const s = this.sessions[i];
        if (s && s.client.isOpen) await this.withTimeout(s.client.getNumLogins(u.ups), 1000).catch(() => 0);
      }),
    );
  }

  private withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cancel = this.clock.setTimer(ms, () => reject(new Error('timeout')));
      p.then(
        (v) => {
          cancel();
          resolve(v);
        },
        (e) => {
          cancel();
          reject(e);
        },
      );
    });
  }

  private async closeAll(logout: boolean): Promise<void> {
    const all = this.sessions.splice(0);
    await Promise.all(
      all.map(async (s) => {
        if (!s) return;
        if (logout && s.client.isOpen) await this.withTimeout(s.client.logout(), 1000).catch(() => undefined);
        s.client.close();
      }),
    );
  }

  /* --------------------------------------------------------------- reload */

  private reload(): void {
    if (!this.opts.loadConf) return;
    let conf: UpsmonConf;
    try {
      conf = this.opts.loadConf();
    } catch (e) {
      this.log.error(`Reload failed, keeping the old configuration: ${(e as Error).message}`);
      return;
    }
    const old = this.state.conf;
    if (conf.shutdownCmd !== old.shutdownCmd) this.log.warn('Reload: SHUTDOWNCMD changed; the privileged part keeps the one read at startup until upsmon restarts');
    if (conf.powerDownFlag !== old.powerDownFlag) this.log.warn('Reload: POWERDOWNFLAG changed; the privileged part keeps the one read at startup until upsmon restarts');
    const { effects, keep, reconnect } = applyReload(this.state, conf, this.clock.now());
    const next: Array<Session | undefined> = conf.monitors.map(() => undefined);
    this.sessions.forEach((s, oi) => {
      const ni = keep.get(oi);
      if (ni === undefined || reconnect.has(ni)) {
        if (s) void this.withTimeout(s.client.logout(), 1000).catch(() => s.client.close());
      } else next[ni] = s;
    });
    this.sessions = next;
    this.notifier.setNotifyCmd(conf.notifyCmd);
    this.exec(effects);
    if (totalPower(conf) < conf.minSupplies) {
      this.log.alert(`Fatal error: insufficient power configured! Sum of power values: ${totalPower(conf)}, minimum supplies: ${conf.minSupplies}`);
      this.exitCode = 1;
    }
    this.log.info('Reloaded the configuration');
  }

  /* ----------------------------------------------------------------- time */

  /** Sleeps on the clock; requests (FSD, reload, stop) cut it short when interruptible. */
  /** Resolves true when a request cut the sleep short. */
  private sleep(ms: number, interruptible = true): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (cut: boolean) => {
        if (done) return;
        done = true;
        cancel();
        if (this.wake === wakeFn) this.wake = undefined;
        resolve(cut);
      };
      const wakeFn = () => finish(true);
      const cancel = this.clock.setTimer(ms, () => finish(false));
      if (interruptible) this.wake = wakeFn;
    });
  }
}
