/**
 * upssched's timer table (nut-monitor-drivers.md §2), pure: time is passed
 * in (milliseconds), nothing here touches a clock, a socket or a process.
 *
 * - START adds an independent timer (duplicate names are possible);
 * - START-SHARED joins an existing timer of that name (its deadline stays;
 *   the UPS name, notify type and message are added when new), else creates it;
 * - CANCEL removes every timer of that name;
 * - a timer is due when now >= start + secs; due timers come out in deadline
 *   order (ties in creation order) and are removed.
 */

export interface TimerEvent {
  upsName: string;
  notifyType: string;
  notifyMsg: string;
}

export interface Timer {
  name: string;
  /** The delay asked for, in seconds. */
  secs: number;
  /** Milliseconds (the caller's clock) when it fires. */
  deadline: number;
  /** Distinct values, in arrival order (one each unless shared). */
  upsNames: string[];
  notifyTypes: string[];
  notifyMsgs: string[];
  shared: boolean;
  seq: number;
}

/** The environment a fired timer gives CMDSCRIPT: lists comma-joined, messages joined with `.` TAB. */
export function timerEnv(t: Timer): { UPSNAME: string; NOTIFYTYPE: string; NOTIFYMSG: string } {
  return { UPSNAME: t.upsNames.join(','), NOTIFYTYPE: t.notifyTypes.join(','), NOTIFYMSG: t.notifyMsgs.join('.\t') };
}

function addUnique(list: string[], v: string): void {
  if (!list.includes(v)) list.push(v);
}

export class TimerTable {
  private timers: Timer[] = [];
  private seq = 0;

  get size(): number {
    return this.timers.length;
  }

  /** START name secs: a new, independent timer. */
  start(name: string, secs: number, now: number, ev: TimerEvent): Timer {
    const t: Timer = {
      name,
      secs,
      deadline: now + Math.max(0, secs) * 1000,
      upsNames: [ev.upsName],
      notifyTypes: [ev.notifyType],
      notifyMsgs: [ev.notifyMsg],
      shared: false,
      seq: ++this.seq,
    };
    this.timers.push(t);
    return t;
  }

  /** START-SHARED name secs: joins the first timer called `name`, or creates one. */
  startShared(name: string, secs: number, now: number, ev: TimerEvent): { timer: Timer; created: boolean } {
    const t = this.timers.find((x) => x.name === name);
    if (!t) {
      const n = this.start(name, secs, now, ev);
      n.shared = true;
      return { timer: n, created: true };
    }
    t.shared = true;
    addUnique(t.upsNames, ev.upsName);
    addUnique(t.notifyTypes, ev.notifyType);
    addUnique(t.notifyMsgs, ev.notifyMsg);
    return { timer: t, created: false };
  }

  /** CANCEL name: removes every timer of that name; returns how many. */
  cancel(name: string): number {
    const before = this.timers.length;
    this.timers = this.timers.filter((t) => t.name !== name);
    return before - this.timers.length;
  }

  /**
   * CANCEL-MATCHED name [ups [type]]: removes timers of that name whose UPS
   * (and notify type) lists contain the given values.
   */
  cancelMatched(name: string, upsName?: string, notifyType?: string): number {
    const before = this.timers.length;
    this.timers = this.timers.filter(
      (t) => !(t.name === name && (upsName === undefined || t.upsNames.includes(upsName)) && (notifyType === undefined || t.notifyTypes.includes(notifyType))),
    );
    return before - this.timers.length;
  }

  /** Removes and returns the timers due at `now`, earliest first. */
  takeDue(now: number): Timer[] {
    const due = this.timers.filter((t) => now >= t.deadline);
    if (!due.length) return [];
    this.timers = this.timers.filter((t) => now < t.deadline);
    return due.sort((a, b) => a.deadline - b.deadline || a.seq - b.seq);
  }

  /** The earliest deadline, or undefined with no timers. */
  nextDeadline(): number | undefined {
    let m: number | undefined;
    for (const t of this.timers) if (m === undefined || t.deadline < m) m = t.deadline;
    return m;
  }

  /** The timers in creation order (a copy). */
  list(): Timer[] {
    return this.timers.map((t) => ({ ...t, upsNames: [...t.upsNames], notifyTypes: [...t.notifyTypes], notifyMsgs: [...t.notifyMsgs] }));
  }
}

/**
 * `upssched -l` rows: NAME, TIMEOUT_ABS (epoch seconds), TIMEOUT_REL
 * (seconds left), NOTIFYTYPE, UPSNAME, NOTIFYMSG, TAB-separated.
 * `epochMs` is the wall-clock time matching `now`.
 */
export function formatTimerRows(timers: Timer[], now: number, epochMs: number): string[] {
  return timers.map((t) => {
    const env = timerEnv(t);
    const left = Math.max(0, Math.ceil((t.deadline - now) / 1000));
    const abs = Math.floor((epochMs + (t.deadline - now)) / 1000);
    return [t.name, String(abs), String(left), env.NOTIFYTYPE, env.UPSNAME, env.NOTIFYMSG].join('\t');
  });
}
