/**
 * Walnut's upsd as a library: startUpsd(opts) reads NUT's config files,
 * links to every driver socket, listens, and returns a handle with
 * addresses(), reload() and stop(). Used by src/cli/upsd.ts, the demo,
 * upsdrvctl (in-process) and the benchmark.
 */
import path from 'node:path';
import { systemClock, type Clock } from '../common/clock.js';
import { createLogger, StderrSink, type Logger } from '../common/log.js';
import { DEFAULT_PORT, DEFAULT_STATEPATH, driverSocketName, nutPaths } from '../common/paths.js';
import { formatIssue } from '../config/issues.js';
import type { ConfigIssue, UpsSection } from '../config/types.js';
import { UpsdCore, DEFAULT_SETTINGS, type Descriptions } from './core.js';
import { UpsEntry } from './ups.js';
import { DriverLink } from './driver-link.js';
import { loadServerTls } from './tls.js';
import { ClientServer, type BoundAddress, type ListenSpec } from './listen.js';
import { configErrors, loadUpsdConfig, upsConfStatePath, UpsdConfigError, type UpsdConfig } from './config.js';
import { loadServerDescriptions } from './descriptions.js';

export { UpsdConfigError } from './config.js';
export type { BoundAddress, ListenSpec } from './listen.js';
export { UpsdCore } from './core.js';
export { Session } from './session.js';

export interface StartUpsdOptions {
  /** Folder of ups.conf, upsd.conf, upsd.users (default: NUT_CONFPATH or /etc/nut). */
  confPath?: string;
  /** Driver socket folder; wins over everything (then NUT_STATEPATH, ups.conf, upsd.conf). */
  statePath?: string;
  /** Folder of cmdvartab (default: upsd.conf DATAPATH, else the reader's default). */
  dataPath?: string;
  /** Descriptions to use instead of reading cmdvartab. */
  descriptions?: Descriptions;
  logger?: Logger;
  /** Listen here instead of upsd.conf's LISTEN lines (tests: port 0). */
  listen?: ListenSpec[];
  clock?: Clock;
  /** Environment to read NUT_* variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Idle client disconnect in ms (NUT: 60000, fixed; tests shorten it). */
  idleTimeoutMs?: number;
  /** Listen on IPv4 (4) or IPv6 (6) addresses only (upsd -4 / -6). */
  family?: 4 | 6;
  /** Drop a client whose TLS handshake has not finished after this many ms (default 10000). */
  tlsHandshakeTimeoutMs?: number;
}

export interface ReloadResult {
  ok: boolean;
  issues: ConfigIssue[];
  added: string[];
  removed: string[];
}

export interface Upsd {
  /** The addresses really bound (port 0 resolved). */
  addresses(): BoundAddress[];
  /** Re-reads ups.conf, upsd.conf and upsd.users (SIGHUP). Clients stay connected. */
  reload(): Promise<ReloadResult>;
  /** Closes listeners, clients and driver links. */
  stop(): Promise<void>;
  /** The shared state, for tests and tools. */
  readonly core: UpsdCore;
  readonly statePath: string;
}

const DEFAULT_LISTEN: ListenSpec[] = [
  { host: '::1', port: DEFAULT_PORT },
  { host: '127.0.0.1', port: DEFAULT_PORT },
];

function envBool(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  const l = v.toLowerCase();
  if (['true', 'yes', 'on'].includes(l)) return true;
  if (['false', 'no', 'off'].includes(l)) return false;
  const n = Number(l);
  return Number.isFinite(n) ? n !== 0 : undefined;
}

export async function startUpsd(opts: StartUpsdOptions = {}): Promise<Upsd> {
  const env = opts.env ?? process.env;
  const paths = nutPaths(env);
  const confPath = opts.confPath ?? paths.confPath;
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(new StderrSink());

  const cfg = loadUpsdConfig(confPath);
  const errors = configErrors(cfg);
  if (errors.length > 0) throw new UpsdConfigError(cfg.issues);
  for (const i of cfg.issues) log.warn(formatIssue(i));

  const statePath =
    opts.statePath ?? (paths.statePathFromEnv ? paths.statePath : undefined) ?? upsConfStatePath(cfg.ups) ?? cfg.upsd.statePath ?? DEFAULT_STATEPATH;

  const core = new UpsdCore(clock, log);
  applySettings(core, cfg, opts);
  try {
    core.tls = await loadServerTls(cfg.upsd);
  } catch (e) {
    throw new UpsdConfigError([
      {
        severity: 'error',
        file: path.join(confPath, 'upsd.conf'),
        line: 0,
        message: `TLS is configured but cannot be used: ${(e as Error).message}`,
        suggestion: 'fix the certificate settings (CERTPATH/CERTIDENT or CERTFILE), or remove them to run without TLS',
      },
    ]);
  }
  if (core.tls) log.info(`TLS: using ${core.tls.describe}${core.tls.requestCert ? (core.tls.rejectUnauthorized ? ', client certificates required' : ', client certificates requested') : ''}`);
  core.descriptions = opts.descriptions ?? loadServerDescriptions(opts.dataPath ?? cfg.upsd.dataPath ?? paths.dataPath, log);

  const allowNoDevice = envBool(env.ALLOW_NO_DEVICE) ?? cfg.upsd.allowNoDevice;
  const sections = usableSections(cfg, log);
  if (sections.length === 0 && !allowNoDevice) {
    throw new UpsdConfigError([
      {
        severity: 'error',
        file: path.join(confPath, 'ups.conf'),
        line: 0,
        message: 'no UPS defined: upsd needs at least one [section] with driver and port',
        suggestion: 'add a UPS section, or set ALLOW_NO_DEVICE true in upsd.conf',
      },
    ]);
  }

  const links = new Map<UpsEntry, DriverLink>();
  const makeEntry = (s: UpsSection): UpsEntry =>
    new UpsEntry({
      name: s.name,
      ...(s.desc !== undefined ? { desc: s.desc } : {}),
      driver: s.driver!,
      port: s.port!,
      socketPath: path.join(statePath, driverSocketName(s.driver!, s.name)),
    });
  for (const s of sections) core.add(makeEntry(s));

  const server = new ClientServer(core);
  const listen = opts.listen ?? (cfg.upsd.listen.length ? cfg.upsd.listen.map((l) => ({ host: l.address, port: l.port })) : DEFAULT_LISTEN);
  const allowPartial = opts.listen === undefined && cfg.upsd.listen.length === 0 ? true : (envBool(env.ALLOW_NOT_ALL_LISTENERS) ?? cfg.upsd.allowNotAllListeners);
  await server.listen(listen, allowPartial, opts.family);

  for (const ups of core.upsList) {
    const l = new DriverLink(core, ups);
    links.set(ups, l);
    l.start();
  }

  // purge old tracking ids
  let cancelPurge: (() => void) | null = null;
  const armPurge = () => {
    const every = Math.max(1000, Math.min(60_000, core.settings.trackingDelay * 1000));
    cancelPurge = clock.setTimer(every, () => {
      core.tracking.purge(clock.now(), core.settings.trackingDelay * 1000);
      armPurge();
    });
  };
  armPurge();

  let stopped = false;
  return {
    core,
    statePath,
    addresses: () => server.addresses(),
    async reload(): Promise<ReloadResult> {
      const next = loadUpsdConfig(confPath);
      const errs = configErrors(next);
      if (errs.length > 0) {
        for (const i of next.issues) log.error(formatIssue(i));
        log.error('reload: configuration has errors; keeping the running configuration');
        return { ok: false, issues: next.issues, added: [], removed: [] };
      }
      for (const i of next.issues) log.warn(formatIssue(i));
      applySettings(core, next, opts);
      core.users = next.users;
      try {
        core.tls = await loadServerTls(next.upsd);
        if (core.tls) log.info(`TLS: using ${core.tls.describe}`);
      } catch (e) {
        log.error(`reload: TLS certificate cannot be loaded (${(e as Error).message}); keeping the previous one`);
      }
      const wanted = usableSections(next, log);
      const wantedKeys = new Set(wanted.map((s) => s.name.toLowerCase()));
      const added: string[] = [];
      const removed: string[] = [];
      for (const ups of [...core.upsList]) {
        if (wantedKeys.has(ups.key)) continue;
        for (const c of [...ups.clients]) c.kick();
        links.get(ups)?.stop();
        links.delete(ups);
        core.remove(ups);
        removed.push(ups.name);
        log.info(`Deleted UPS [${ups.name}]`);
      }
      for (const s of wanted) {
        const cur = core.find(s.name);
        const sock = path.join(statePath, driverSocketName(s.driver!, s.name));
        if (cur) {
          cur.desc = s.desc;
          if (cur.socketPath !== sock) {
            cur.socketPath = sock;
            cur.driver = s.driver!;
            cur.port = s.port!;
            links.get(cur)?.restart();
          }
          continue;
        }
        const ups = makeEntry(s);
        core.add(ups, true); // NUT: UPS added by a reload go first
        const l = new DriverLink(core, ups);
        links.set(ups, l);
        l.start();
        added.push(ups.name);
      }
      return { ok: true, issues: next.issues, added, removed };
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      cancelPurge?.();
      for (const l of links.values()) l.stop();
      links.clear();
      await server.close();
    },
  };
}

function applySettings(core: UpsdCore, cfg: UpsdConfig, opts: StartUpsdOptions): void {
  core.settings = {
    maxAge: cfg.upsd.maxAge,
    trackingDelay: cfg.upsd.trackingDelay,
    maxConn: cfg.upsd.maxConn ?? DEFAULT_SETTINGS.maxConn,
    idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_SETTINGS.idleTimeoutMs,
    tlsHandshakeTimeoutMs: opts.tlsHandshakeTimeoutMs ?? DEFAULT_SETTINGS.tlsHandshakeTimeoutMs,
  };
  core.users = cfg.users;
}

/** Sections upsd can serve: NUT skips one without driver or port (with a warning). */
function usableSections(cfg: UpsdConfig, log: Logger): UpsSection[] {
  const out: UpsSection[] = [];
  for (const s of cfg.ups.ups) {
    if (!s.driver || !s.port) {
      log.warn(`UPS [${s.name}]: no ${!s.driver ? 'driver' : 'port'} in ups.conf; upsd skips it`);
      continue;
    }
    out.push(s);
  }
  return out;
}
