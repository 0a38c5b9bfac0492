/**
 * The driver core: what every Walnut driver builds on. A driver is a
 * DriverDefinition (name, declared options and flags, a factory for hooks);
 * the core owns the state, the poll loop on an injected Clock, what every
 * NUT driver publishes by itself, and (in startDriver) the driver socket.
 *
 * No module-level state: one process can run many drivers, each an object.
 */
import path from 'node:path';
import type { Clock } from '../../common/clock.js';
import { systemClock } from '../../common/clock.js';
import { WalnutError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { silentLogger } from '../../common/log.js';
import { driverSocketName } from '../../common/paths.js';
import { NUT_VERSION } from '../../common/version.js';
import { removePidFile, writePidFile } from '../../common/daemon.js';
import type { UpsConf } from '../../config/types.js';
import { DriverState, escapedCopy } from './dstate.js';
import { resolveSettings } from './config.js';
import type { DriverSettings, FlagDecl, OptionDecl } from './config.js';
import { DriverSocketServer } from './socket-server.js';

/** NUT's status codes for SET and INSTCMD (what TRACKING replies carry). */
export const STAT_HANDLED = 0;
export const STAT_UNKNOWN = 1;
export const STAT_INVALID = 2;
export const STAT_FAILED = 3;

export interface DriverContext {
  readonly ups: string;
  readonly settings: DriverSettings;
  readonly state: DriverState;
  readonly clock: Clock;
  readonly log: Logger;
  /** NUT_CONFPATH: relative ports are resolved against it. */
  readonly confPath: string;
  readonly env: NodeJS.ProcessEnv;
  option(name: string): string | undefined;
  flag(name: string): boolean;
}

/** What a driver implements (NUT's upsdrv_* functions). */
export interface DriverHooks {
  /**
   * NUT's upsdrv_initups: open the device, before the program drops root
   * (a serial port or USB device may be readable by root only). Optional:
   * drivers without it open the device in initInfo.
   */
  openDevice?(): void | Promise<void>;
  /** Open the device (unless openDevice did) and publish the first variables and commands. Throw to refuse to start. */
  initInfo(): void | Promise<void>;
  /** One poll: read the device, update the state, call dataOk()/dataStale(). */
  update(): void | Promise<void>;
  instcmd?(cmd: string, param: string | undefined): number | Promise<number>;
  setvar?(name: string, value: string): number | Promise<number>;
  /** `-k`: cut the load power. Returns 0 on success. */
  killpower?(): number | Promise<number>;
  /** The driver stops: close the device. */
  close?(): void | Promise<void>;
}

export interface DriverDefinition {
  /** The program name (`dummy-ups`), also the socket prefix and `driver =` value. */
  name: string;
  /** driver.version.internal */
  version: string;
  description: string;
  options: readonly OptionDecl[];
  flags: readonly FlagDecl[];
  create(ctx: DriverContext): DriverHooks;
}

export interface DriverEnv {
  clock?: Clock;
  log?: Logger;
  confPath?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * One driver instance without any socket: state, hooks and the poll loop.
 * Tests drive it on a ManualClock; startDriver adds the socket server.
 */
export class DriverInstance {
  readonly state = new DriverState();
  readonly ctx: DriverContext;
  readonly hooks: DriverHooks;
  private cancelTimer: (() => void) | undefined;
  private updating: Promise<void> | undefined;
  private updates = 0;
  private stopped = false;

  constructor(
    readonly definition: DriverDefinition,
    readonly settings: DriverSettings,
    envs: DriverEnv = {},
  ) {
    const env = envs.env ?? process.env;
    this.ctx = {
      ups: settings.upsName,
      settings,
      state: this.state,
      clock: envs.clock ?? systemClock,
      log: envs.log ?? silentLogger,
      confPath: envs.confPath ?? env.NUT_CONFPATH ?? '/etc/nut',
      env,
      option: (n) => settings.options.get(n),
      flag: (n) => settings.flags.has(n),
    };
    this.state.ignoreLb = settings.flags.has('ignorelb');
    this.hooks = definition.create(this.ctx);
  }

  get updateCount(): number {
    return this.updates;
  }

  /** Publishes the core variables, overrides and defaults, then runs initInfo. */
  async init(): Promise<void> {
    const st = this.state;
    const s = this.settings;
    st.setInfo('device.type', 'ups');
    st.setInfo('driver.name', this.definition.name);
    st.setInfo('driver.version', NUT_VERSION);
    st.setInfo('driver.version.internal', this.definition.version);
    for (const [k, v] of s.published) st.setInfo(`driver.parameter.${k}`, v);
    for (const f of s.flags) st.setInfo(`driver.flag.${f}`, 'enabled');
    for (const o of s.overrides) st.setOverride(o.key, o.value);
    for (const d of s.defaults) st.setInfo(d.key, d.value);
    await this.hooks.initInfo();
  }

  /** An update running longer than this makes the data stale (the device hangs). */
  get hangLimitMs(): number {
    return Math.max(15_000, 3 * this.settings.pollIntervalSec * 1000);
  }

  /** Runs one update now (skipped while one is still running). */
  poll(): Promise<void> {
    if (this.updating) return this.updating;
    const cancelWatchdog = this.ctx.clock.setTimer(this.hangLimitMs, () => {
      this.ctx.log.warn(`${this.definition.name} [${this.ctx.ups}]: update has not finished after ${this.hangLimitMs / 1000} s; data is stale`);
      this.state.dataStale();
    });
    const run = (async () => {
      try {
        await this.hooks.update();
      } catch (e) {
        this.ctx.log.error(`${this.definition.name} [${this.ctx.ups}]: update failed: ${(e as Error).message}`);
        this.state.dataStale();
      } finally {
        cancelWatchdog();
      }
      this.updates++;
      if (this.updates === 1) this.copyDeviceInfo();
    })();
    this.updating = run.finally(() => {
      this.updating = undefined;
    });
    return this.updating;
  }

  /** NUT copies ups.mfr/model/serial to device.* after the first update (escaped). */
  private copyDeviceInfo(): void {
    for (const k of ['mfr', 'model', 'serial']) {
      const v = this.state.getInfo(`ups.${k}`);
      if (v !== undefined) this.state.setInfo(`device.${k}`, escapedCopy(v));
    }
  }

  /** Polls every pollinterval seconds on the clock (the first poll after one interval). */
  startLoop(): void {
    if (this.stopped || this.cancelTimer) return;
    const tick = () => {
      this.cancelTimer = undefined;
      if (this.stopped) return;
      void this.poll().then(() => {
        if (!this.stopped) this.cancelTimer = this.ctx.clock.setTimer(this.settings.pollIntervalSec * 1000, tick);
      });
    };
    this.cancelTimer = this.ctx.clock.setTimer(this.settings.pollIntervalSec * 1000, tick);
  }

  async setvar(name: string, value: string): Promise<number> {
    if (this.state.isImmutable(name)) return STAT_INVALID;
    if (!this.hooks.setvar) {
      this.ctx.log.info(`setvar: unknown variable [${name}]`);
      return STAT_UNKNOWN;
    }
    return this.hooks.setvar(name, value);
  }

  async instcmd(cmd: string, param: string | undefined): Promise<number> {
    if (!this.hooks.instcmd) {
      this.ctx.log.info(`instcmd: unknown command [${cmd}] [${param ?? '(null)'}]`);
      return STAT_UNKNOWN;
    }
    return this.hooks.instcmd(cmd, param);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.updating) await this.updating.catch(() => {});
    await this.hooks.close?.();
  }
}

export interface StartDriverOptions extends DriverEnv {
  definition: DriverDefinition;
  upsName: string;
  /** Parsed ups.conf; its [upsName] section gives the settings. */
  conf?: UpsConf;
  confFile?: string;
  /** -x key=value (or -x flag) overrides, applied after the section. */
  extra?: ReadonlyArray<{ key: string; value?: string }>;
  /** Already resolved settings (skips conf/extra). */
  settings?: DriverSettings;
  /** Folder for the socket (NUT_STATEPATH). Without it, no socket is served. */
  statePath?: string;
  /** Write this PID file (and remove it on stop). */
  pidFile?: string;
  /** Start the poll loop (default true). */
  loop?: boolean;
  /**
   * Called after the device is open (hooks.openDevice) and before anything
   * else: where a program drops root, as NUT's drivers do after upsdrv_initups.
   */
  afterOpen?: () => void;
  /**
   * Called after the driver stopped because a socket client sent
   * `INSTCMD driver.exit` (how upsdrvctl stops one driver of a shared process).
   */
  onExit?: () => void;
}

export interface DriverHandle {
  readonly upsName: string;
  readonly driver: string;
  /** The socket path, when one is served. */
  readonly socketPath: string | undefined;
  readonly instance: DriverInstance;
  readonly state: DriverState;
  stop(): Promise<void>;
}

/** Resolves settings or throws a WalnutError listing every problem. */
export function settingsFor(opts: Pick<StartDriverOptions, 'definition' | 'upsName' | 'conf' | 'confFile' | 'extra'>): DriverSettings {
  const r = resolveSettings({
    upsName: opts.upsName,
    driverName: opts.definition.name,
    options: opts.definition.options,
    flags: opts.definition.flags,
    conf: opts.conf,
    confFile: opts.confFile,
    extra: opts.extra,
  });
  if (!r.ok) throw new WalnutError('DRIVER_CONFIG', `Fatal error: ${r.errors.join('; ')}`);
  return r.settings;
}

/**
 * Starts a driver: settings, initInfo, the first update, then the socket
 * `<statePath>/<driver>-<ups>` and the poll loop. Resolves once the socket
 * listens. Throws (WalnutError) when the settings are wrong or initInfo fails.
 */
export async function startDriver(opts: StartDriverOptions): Promise<DriverHandle> {
  const settings = opts.settings ?? settingsFor(opts);
  const inst = new DriverInstance(opts.definition, settings, opts);
  const log = inst.ctx.log;
  let server: DriverSocketServer | undefined;
  try {
    await inst.hooks.openDevice?.();
    opts.afterOpen?.();
    await inst.init();
    await inst.poll();
    if (opts.statePath) {
      const sockPath = path.join(opts.statePath, driverSocketName(opts.definition.name, opts.upsName));
      server = new DriverSocketServer(sockPath, {
        dumpAll: () => inst.state.dumpAll(),
        dumpValue: (n) => inst.state.dumpValue(n),
        set: (n, v) => inst.setvar(n, v),
        instcmd: (c, p) => {
          // driver.exit (NUT 2.8.3+): accepted on the socket, never advertised (2.8.0 has no such command)
          if (c.toLowerCase() === 'driver.exit') {
            log.info(`${opts.definition.name} [${opts.upsName}]: exit requested on the driver socket`);
            setImmediate(() => void handle.stop().then(() => opts.onExit?.()));
            return Promise.resolve(STAT_HANDLED);
          }
          return inst.instcmd(c, p);
        },
      }, log);
      const srv = server;
      inst.state.onChange((m) => srv.broadcast(m));
      await server.listen();
    }
  } catch (e) {
    await inst.stop().catch(() => {});
    await server?.close().catch(() => {});
    throw e;
  }
  if (opts.pidFile) writePidFile(opts.pidFile);
  if (opts.loop !== false) inst.startLoop();
  let stopping: Promise<void> | undefined;
  const handle: DriverHandle = {
    upsName: opts.upsName,
    driver: opts.definition.name,
    socketPath: server?.path,
    instance: inst,
    state: inst.state,
    stop() {
      stopping ??= (async () => {
        await inst.stop();
        inst.state.onChange(undefined);
        await server?.close();
        if (opts.pidFile) removePidFile(opts.pidFile);
      })();
      return stopping;
    },
  };
  return handle;
}
