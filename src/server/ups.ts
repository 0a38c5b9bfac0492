/**
 * One UPS as upsd sees it: the state table fed by its driver, the link
 * status (connected, dump done, DATAOK/DATASTALE, last heard), the FSD latch,
 * the logged-in clients and the rendered-reply caches. Pure: time comes in
 * as a value, the driver socket is reached through `sender`.
 */
import { StateTable } from '../state/table.js';
import type { FromDriver } from '../protocol/sock/messages.js';

/** Bounds on what one driver can make upsd store (NUT has none). */
export const MAX_VARS = 10_000;
export const MAX_CMDS = 10_000;
export const MAX_ENUMS = 2_000;
export const MAX_RANGES = 1_000;

/** A session as the UPS needs to know it (for LIST CLIENT and kicking). */
export interface UpsClient {
  readonly addr: string;
  kick(): void;
}

/**
 * A variable or command name clients can read back: non-empty, and no
 * character their lexer would split or strip (space, `"`, `#`, `=`, `\`).
 * Anything else a driver sends as a name is ignored.
 */
export function isUsableName(n: string): boolean {
  if (n.length === 0) return false;
  for (let i = 0; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (c <= 0x20 || c === 0x22 || c === 0x23 || c === 0x3d || c === 0x5c || c >= 0x7f) return false;
  }
  return true;
}

export class UpsEntry {
  /** Canonical name, as written in ups.conf. */
  readonly name: string;
  readonly key: string;
  desc: string | undefined;
  driver: string;
  port: string;
  /** Full path of the driver socket. */
  socketPath: string;

  /** The table clients see. */
  table = new StateTable();
  /** The dump being received (served only after DUMPDONE). */
  private pending: StateTable | null = null;

  connected = false;
  dumpDone = false;
  dataOk = false;
  lastHeard = 0;
  lastPing = 0;
  /** Stale state as last logged. */
  staleLogged = false;
  /** The FSD latch: survives driver reconnects. */
  fsd = false;
  /** Logged-in clients, oldest first. */
  readonly clients = new Set<UpsClient>();
  /** Writes a line to the driver; false when that failed. Set by the driver link. */
  sender: ((line: string) => boolean) | null = null;

  private listVarKey: { table: StateTable; version: number; fsd: boolean } | null = null;
  private readonly listVarCache = new Map<string, string>();
  /** Set once a bound was hit, so it is logged once. */
  overflowed = false;

  constructor(opts: { name: string; desc?: string; driver: string; port: string; socketPath: string }) {
    this.name = opts.name;
    this.key = opts.name.toLowerCase();
    this.desc = opts.desc;
    this.driver = opts.driver;
    this.port = opts.port;
    this.socketPath = opts.socketPath;
  }

  get numLogins(): number {
    return this.clients.size;
  }

  /** The driver socket just connected (DUMPALL is being sent). */
  onConnect(now: number): void {
    this.connected = true;
    this.dumpDone = false;
    this.dataOk = false;
    this.lastHeard = now;
    this.lastPing = now;
    const wait = new StateTable();
    wait.setInfo('ups.status', 'WAIT');
    this.table = wait;
    this.pending = new StateTable();
  }

  /** The driver socket is gone: every variable and command is dropped. */
  onDisconnect(): void {
    this.connected = false;
    this.dumpDone = false;
    this.dataOk = false;
    this.pending = null;
    this.table = new StateTable();
    this.listVarCache.clear();
    this.listVarKey = null;
  }

  /**
   * True when the data counts as stale: nothing heard for more than maxAge
   * seconds, or the dump is done and the driver's last word was DATASTALE.
   */
  isStale(now: number, maxAgeMs: number): boolean {
    if (this.dumpDone && !this.dataOk) return true;
    return now - this.lastHeard > maxAgeMs;
  }

  /**
   * Applies one message from the driver. Returns the tracking update it
   * carries, if any (the caller owns the tracking table).
   */
  apply(m: FromDriver, now: number): { id: string; status: number } | undefined {
    this.lastHeard = now;
    const t = this.pending ?? this.table;
    switch (m.kind) {
      case 'pong':
      case 'pid':
      case 'goodbye':
        return undefined;
      case 'dumpdone':
        if (this.pending) {
          if (!this.pending.get('ups.status')) this.pending.setInfo('ups.status', 'WAIT');
          this.table = this.pending;
          this.pending = null;
        }
        this.dumpDone = true;
        return undefined;
      case 'dataok':
        this.dataOk = true;
        return undefined;
      case 'datastale':
        this.dataOk = false;
        return undefined;
      case 'addcmd':
        if (!isUsableName(m.cmd)) return undefined;
        if (t.cmdCount >= MAX_CMDS && !t.hasCmd(m.cmd)) return this.overflow();
        t.addCmd(m.cmd);
        return undefined;
      case 'delcmd':
        t.delCmd(m.cmd);
        return undefined;
      case 'setinfo': {
        const v = t.get(m.name);
        if (!v) {
          if (!isUsableName(m.name)) return undefined;
          if (t.size >= MAX_VARS) return this.overflow();
          t.setInfo(m.name, m.value);
        } else if (v.value.toLowerCase() !== m.value.toLowerCase()) {
          // NUT's state store: a change only in letter case is dropped
          t.setInfo(m.name, m.value);
        }
        return undefined;
      }
      case 'delinfo':
        t.delInfo(m.name);
        return undefined;
      case 'setflags':
        t.setFlags(m.name, m.flags);
        return undefined;
      case 'setaux':
        t.setAux(m.name, m.aux);
        return undefined;
      case 'addenum': {
        const v = t.get(m.name);
        if (v && v.enums.length >= MAX_ENUMS) return this.overflow();
        t.addEnum(m.name, m.value);
        return undefined;
      }
      case 'delenum':
        t.delEnum(m.name, m.value);
        return undefined;
      case 'addrange': {
        const v = t.get(m.name);
        if (v && v.ranges.length >= MAX_RANGES) return this.overflow();
        t.addRange(m.name, m.min, m.max);
        return undefined;
      }
      case 'delrange':
        t.delRange(m.name, m.min, m.max);
        return undefined;
      case 'tracking':
        return { id: m.id, status: m.status };
    }
  }

  private overflow(): undefined {
    this.overflowed = true;
    return undefined;
  }

  /**
   * The whole LIST VAR block for this spelling of the UPS name, cached on
   * the table's version and the FSD latch.
   */
  listVar(spelling: string, render: (ups: UpsEntry, spelling: string) => string): string {
    const k = this.listVarKey;
    if (!k || k.table !== this.table || k.version !== this.table.version || k.fsd !== this.fsd) {
      this.listVarCache.clear();
      this.listVarKey = { table: this.table, version: this.table.version, fsd: this.fsd };
    }
    let block = this.listVarCache.get(spelling);
    if (block === undefined) {
      block = render(this, spelling);
      if (this.listVarCache.size >= 16) this.listVarCache.clear();
      this.listVarCache.set(spelling, block);
    }
    return block;
  }
}
