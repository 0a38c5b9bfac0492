/**
 * What every session shares: the UPS list, users, tracking ids,
 * descriptions, settings, clock and logger. Pure data plus small helpers;
 * the listeners and driver links (I/O) live in listen.ts / driver-link.ts.
 */
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/log.js';
import type { UpsdUser, UpsdUsers } from '../config/types.js';
import { TrackingTable } from './tracking.js';
import type { ServerTls } from './tls.js';
import { UpsEntry } from './ups.js';

/** Variable and command descriptions (cmdvartab), looked up ignoring case. */
export interface Descriptions {
  varDesc(name: string): string | undefined;
  cmdDesc(name: string): string | undefined;
}

export const noDescriptions: Descriptions = {
  varDesc: () => undefined,
  cmdDesc: () => undefined,
};

export interface UpsdSettings {
  /** MAXAGE in seconds (default 15). */
  maxAge: number;
  /** TRACKINGDELAY in seconds (default 3600). */
  trackingDelay: number;
  /** MAXCONN: most client connections at once. */
  maxConn: number;
  /** Idle client disconnect, ms (NUT: 60 s, fixed). */
  idleTimeoutMs: number;
  /** A TLS handshake not finished after this long (ms) drops the client. */
  tlsHandshakeTimeoutMs: number;
}

export const DEFAULT_SETTINGS: UpsdSettings = {
  maxAge: 15,
  trackingDelay: 3600,
  maxConn: 20_000,
  idleTimeoutMs: 60_000,
  tlsHandshakeTimeoutMs: 10_000,
};

export class UpsdCore {
  /** LIST UPS order. */
  upsList: UpsEntry[] = [];
  private readonly upsMap = new Map<string, UpsEntry>();
  users: UpsdUsers = new Map();
  readonly tracking = new TrackingTable();
  descriptions: Descriptions = noDescriptions;
  settings: UpsdSettings = { ...DEFAULT_SETTINGS };
  /** The loaded certificate; STARTTLS is honoured while it is set. */
  tls: ServerTls | undefined;

  /** STARTTLS can be honoured (a certificate is configured and loaded). */
  get tlsAvailable(): boolean {
    return this.tls !== undefined;
  }

  constructor(
    readonly clock: Clock,
    readonly log: Logger,
  ) {}

  find(name: string): UpsEntry | undefined {
    return this.upsMap.get(name.toLowerCase());
  }

  add(ups: UpsEntry, atHead = false): void {
    this.upsMap.set(ups.key, ups);
    if (atHead) this.upsList.unshift(ups);
    else this.upsList.push(ups);
  }

  remove(ups: UpsEntry): void {
    this.upsMap.delete(ups.key);
    this.upsList = this.upsList.filter((u) => u !== ups);
  }

  get maxAgeMs(): number {
    return this.settings.maxAge * 1000;
  }

  /**
   * The user if the name and password match exactly (first entry wins),
   * otherwise undefined.
   */
  checkUser(name: string | undefined, password: string | undefined): UpsdUser | undefined {
    if (name === undefined || password === undefined) return undefined;
    const u = this.users.get(name);
    if (!u || u.password === undefined || u.password !== password) return undefined;
    return u;
  }

  /** NUT's user_checkaction: valid credentials and the action granted (ignoring case). */
  checkAction(name: string | undefined, password: string | undefined, action: string): boolean {
    const u = this.checkUser(name, password);
    if (!u) return false;
    return userHasAction(u, action.toLowerCase());
  }

  /** NUT's user_checkinstcmd: valid credentials and the command (or `all`) in instcmds. */
  checkInstcmd(name: string | undefined, password: string | undefined, cmd: string): boolean {
    const u = this.checkUser(name, password);
    if (!u) return false;
    return u.instcmds.has('all') || u.instcmds.has(cmd.toLowerCase());
  }
}

/** Actions, with what `upsmon primary|secondary` grants folded in. */
export function userHasAction(u: UpsdUser, action: string): boolean {
  if (u.actions.has(action)) return true;
  if (u.upsmon === 'primary') return action === 'login' || action === 'master' || action === 'fsd';
  if (u.upsmon === 'secondary') return action === 'login';
  return false;
}
