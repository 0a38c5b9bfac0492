/**
 * Drives the pure upsmon state machine on a ManualClock, the way the
 * runtime does: poll results in config order, then recalc; shutdown effects
 * answered by the test. Collects every effect.
 */
import { ManualClock } from '../../src/common/clock.js';
import { parseUpsmonConf } from '../../src/config/upsmon-conf.js';
import type { UpsmonConf } from '../../src/config/types.js';
import {
  createMonitor,
  onFsdResult,
  onSlept,
  onNumLogins,
  onPoll,
  onPowerdownDone,
  onTick,
  recalc,
  type Effect,
  type MonitorState,
  type PollResult,
} from '../../src/monitor/machine.js';

export function conf(text: string): UpsmonConf {
  const p = parseUpsmonConf(text, 'upsmon.conf');
  return p.value;
}

export type Note = [type: string, ups: string, message: string];

export class Sim {
  readonly clock: ManualClock;
  readonly s: MonitorState;
  readonly all: Effect[] = [];

  constructor(text: string, start = 1_800_000_000_000) {
    this.clock = new ManualClock(start);
    this.s = createMonitor(conf(text), start);
  }

  get now(): number {
    return this.clock.now();
  }

  private take(fx: Effect[]): Effect[] {
    this.all.push(...fx);
    return fx;
  }

  /** One loop: each UPS gets its result (a status string, or null = failed poll), then recalc. */
  loop(...results: Array<string | null | PollResult>): Effect[] {
    const fx: Effect[] = [];
    results.forEach((r, i) => {
      const pr: PollResult = r === null ? { ok: false, reason: 'Data stale' } : typeof r === 'string' ? { ok: true, status: r } : r;
      fx.push(...onPoll(this.s, i, this.now, pr));
    });
    fx.push(...recalc(this.s, this.now));
    return this.take(fx);
  }

  /** Advance time by `sec` seconds (a normal sleep between loops: never seen as a time jump). */
  advance(sec: number): this {
    this.clock.advance(sec * 1000);
    return this;
  }

  /** A sleep of `plannedSec` that really lasted `actualSec` (suspend / clock jump). */
  slept(plannedSec: number, actualSec: number): Effect[] {
    this.clock.advance(actualSec * 1000);
    return this.take(onSlept(this.s, this.now, plannedSec * 1000, actualSec * 1000));
  }

  /** Loops every `step` seconds for `sec` seconds with the same results; returns all effects. */
  run(sec: number, step: number, ...results: Array<string | null>): Effect[] {
    const fx: Effect[] = [];
    for (let t = 0; t < sec; t += step) {
      this.advance(step);
      fx.push(...this.loop(...results));
    }
    return fx;
  }

  fsdResult(i: number, ok = true): Effect[] {
    return this.take(onFsdResult(this.s, i, this.now, ok, ok ? undefined : 'Access denied'));
  }
  numLogins(max: number): Effect[] {
    return this.take(onNumLogins(this.s, this.now, max));
  }
  tick(): Effect[] {
    return this.take(onTick(this.s, this.now));
  }
  powerdownDone(err?: string): Effect[] {
    return this.take(onPowerdownDone(this.s, this.now, err));
  }
}

/** The notifications among effects, as [type, ups, message]. */
export function notes(fx: Effect[]): Note[] {
  return fx.flatMap((e) => (e.kind === 'notify' ? [[e.type, e.ups, e.message] as Note] : []));
}

/** The effect kinds other than notify/log, e.g. ['setFsd', 'hostsync']. */
export function actions(fx: Effect[]): string[] {
  return fx.filter((e) => e.kind !== 'notify' && e.kind !== 'log').map((e) => e.kind);
}

export function shuttingDown(s: MonitorState): boolean {
  return s.phase !== 'running';
}

export const BASE = `
POLLFREQ 5
POLLFREQALERT 5
DEADTIME 15
HOSTSYNC 15
FINALDELAY 5
`;
