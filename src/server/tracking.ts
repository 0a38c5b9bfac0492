/**
 * Tracking ids for SET/INSTCMD (NUT's TRACKING feature). Ids are shared by
 * all connections, start PENDING, take the driver's result code, and are
 * purged TRACKINGDELAY seconds after the request. Unlike NUT 2.8.0 (unseeded
 * rand()), ids are random per start: crypto.randomUUID(), upper-cased.
 */
import { randomUUID } from 'node:crypto';

/** Bound on live ids: the oldest are dropped first (NUT has no bound). */
export const MAX_TRACKING_IDS = 100_000;

/** The status line GET TRACKING <id> sends for a driver result code. */
export function trackingStatusText(code: number): string {
  switch (code) {
    case -1:
      return 'PENDING';
    case 0:
      return 'SUCCESS';
    case 2:
    case 4:
      return 'ERR INVALID-ARGUMENT';
    case 3:
      return 'ERR FAILED';
    default:
      return 'ERR UNKNOWN';
  }
}

interface Entry {
  status: string;
  at: number;
}

export class TrackingTable {
  private readonly ids = new Map<string, Entry>();

  constructor(private readonly newId: () => string = () => randomUUID().toUpperCase()) {}

  get size(): number {
    return this.ids.size;
  }

  /** A new PENDING id. */
  create(now: number): string {
    let id = this.newId();
    while (this.ids.has(id)) id = this.newId();
    if (this.ids.size >= MAX_TRACKING_IDS) {
      const oldest = this.ids.keys().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
    this.ids.set(id, { status: 'PENDING', at: now });
    return id;
  }

  /** Records the driver's result; returns the status text, or undefined for an unknown id. */
  result(id: string, code: number): string | undefined {
    const e = this.ids.get(id.toUpperCase());
    if (!e) return undefined;
    e.status = trackingStatusText(code);
    return e.status;
  }

  /** The status of an id (matched ignoring case), or undefined when unknown or purged. */
  status(id: string): string | undefined {
    return this.ids.get(id.toUpperCase())?.status;
  }

  /** Removes an id (its request could not be sent). */
  forget(id: string): void {
    this.ids.delete(id.toUpperCase());
  }

  /** Drops ids requested more than delayMs ago. */
  purge(now: number, delayMs: number): number {
    let n = 0;
    for (const [id, e] of this.ids) {
      if (now - e.at > delayMs) {
        this.ids.delete(id);
        n++;
      } else break; // insertion order = request order
    }
    return n;
  }
}
