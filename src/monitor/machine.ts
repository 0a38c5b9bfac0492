/**
 * upsmon's decision core as a pure state machine (nut-monitor-drivers.md
 * §1.4-§1.8): plain data plus functions. It is fed poll results, session
 * results (login / PRIMARY), NUMLOGINS counts and the time (`now` in ms from
 * an injected Clock), and answers with effects for the runtime to carry out:
 * notifications, log lines, "set FSD on upsd", "wait for the secondaries",
 * "final delay", "power down" (POWERDOWNFLAG + SHUTDOWNCMD) and "exit".
 *
 * The host moves one way only: running -> fsd (setting FSD on the UPSes it
 * is primary for) -> hostsync (waiting for secondaries to log out, at most
 * HOSTSYNC) -> finaldelay -> powerdown -> linger/done.
 *
 * Where NUT differs from this file on purpose, docs/compatibility.md (upsmon)
 * says why.
 */
import type { NotifyFlag, NotifyType, UpsmonConf } from '../config/types.js';
import { notifyFlags, notifyText } from './notify.js';

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'crit' | 'alert';

export type Effect =
  /** A notification (already formatted; `flags` empty = ignored, never emitted). */
  | { kind: 'notify'; type: NotifyType; ups: string; message: string; flags: NotifyFlag[] }
  | { kind: 'log'; level: LogLevel; message: string }
  /** A `wall` broadcast independent of NOTIFYFLAG (doshutdown always walls). */
  | { kind: 'wall'; message: string }
  /** Send `FSD <ups>` on this UPS's session, then call onFsdResult. */
  | { kind: 'setFsd'; index: number; system: string; ups: string }
  /** Poll GET NUMLOGINS on every primary UPS about every 250 ms, feeding onNumLogins. */
  | { kind: 'hostsync'; deadline: number }
  /** Sleep until `until`, then call onTick. */
  | { kind: 'finalDelay'; until: number }
  /** Ask the privileged part to write POWERDOWNFLAG and run SHUTDOWNCMD; then call onPowerdownDone. */
  | { kind: 'powerdown' }
  /** Stay connected (pinging NUMLOGINS every second) until `until` (undefined: forever), calling onTick. */
  | { kind: 'linger'; until: number | undefined }
  | { kind: 'exit'; code: number };

export type Phase = 'running' | 'fsd' | 'hostsync' | 'finaldelay' | 'powerdown' | 'linger' | 'done';

/** -1 unknown (suppresses the first event), 0 no, 1 yes: NUT's tri-state markers. */
export type Tri = -1 | 0 | 1;

export interface UpsRecord {
  system: string;
  ups: string;
  powerValue: number;
  role: 'primary' | 'secondary';
  // status flags
  ol: boolean;
  ob: boolean;
  lb: boolean;
  fsd: boolean;
  cal: boolean;
  off: boolean;
  bypass: boolean;
  eco: boolean;
  alarm: boolean;
  over: boolean;
  trim: boolean;
  boost: boolean;
  // markers
  commstate: Tri;
  linestate: Tri;
  offstate: Tri;
  bypassstate: Tri;
  ecostate: Tri;
  alarmstate: Tri;
  overstate: Tri;
  // times (ms); -Infinity = never
  lastpoll: number;
  lastnoncrit: number;
  lastrbwarn: number;
  lastncwarn: number;
  lastfsdnotify: number;
  offsince: number;
  oblbsince: number;
  oversince: number;
  /** Unclassified status tokens of the last poll, joined by spaces. */
  other: string;
  /** Last ALARM text notified, per UPS (NUT shares one buffer between UPSes). */
  alarmText: string | undefined;
  /** Consecutive failed polls (for POLLFAIL_LOG_THROTTLE_MAX). */
  failCount: number;
  /** What the session got from upsd, as last reported. */
  loggedIn: boolean | undefined;
  primaryGranted: boolean | undefined;
  /** Last criticality reason reported (to log changes once). */
  critical: string | undefined;
}

export interface MonitorState {
  conf: UpsmonConf;
  ups: UpsRecord[];
  phase: Phase;
  /** When the machine was created (NOCOMM and the secondary's HOSTSYNC count from here). */
  started: number;
  shutdownReason: string | undefined;
  fsdPending: number;
  hostsyncSince: number;
  hostsyncSeen: boolean;
  finalAt: number;
  lingerUntil: number | undefined;
  lastNoParent: number;
  /** A user or signal asked for FSD (-c fsd / SIGUSR1). */
  userFsd: boolean;
}

const S = 1000;
const NEVER = -Infinity;

function newRecord(m: UpsmonConf['monitors'][number], now: number): UpsRecord {
  return {
    system: m.system,
    ups: m.ups,
    powerValue: m.powerValue,
    role: m.role,
    ol: false,
    ob: false,
    lb: false,
    fsd: false,
    cal: false,
    off: false,
    bypass: false,
    eco: false,
    alarm: false,
    over: false,
    trim: false,
    boost: false,
    commstate: -1,
    linestate: -1,
    offstate: -1,
    bypassstate: -1,
    ecostate: -1,
    alarmstate: -1,
    overstate: -1,
    lastpoll: now,
    lastnoncrit: now,
    lastrbwarn: NEVER,
    lastncwarn: NEVER,
    lastfsdnotify: 0,
    offsince: 0,
    oblbsince: 0,
    oversince: 0,
    other: '',
    alarmText: undefined,
    failCount: 0,
    loggedIn: undefined,
    primaryGranted: undefined,
    critical: undefined,
  };
}

export function createMonitor(conf: UpsmonConf, now: number): MonitorState {
  return {
    conf,
    ups: conf.monitors.map((m) => newRecord(m, now)),
    phase: 'running',
    started: now,
    shutdownReason: undefined,
    fsdPending: 0,
    hostsyncSince: 0,
    hostsyncSeen: false,
    finalAt: 0,
    lingerUntil: undefined,
    lastNoParent: NEVER,
    userFsd: false,
  };
}

function notify(s: MonitorState, type: NotifyType, ups: string, extra?: string): Effect {
  return { kind: 'notify', type, ups, message: notifyText(s.conf, type, ups, extra), flags: notifyFlags(s.conf, type) };
}

function log(level: LogLevel, message: string): Effect {
  return { kind: 'log', level, message };
}

/** True while some UPS is in a state NUT polls fast for (OB, OFF, BYPASS, ALARM, OVER if OVERDURATION >= 0). */
export function inAlert(s: MonitorState): boolean {
  return s.ups.some((u) => u.ob || u.off || u.bypass || u.alarm || (u.over && s.conf.overDuration >= 0));
}

/**
 * Milliseconds to sleep before the next loop: POLLFREQALERT while any UPS is
 * in an alert state, else POLLFREQ (NUT restores POLLFREQ as soon as any UPS
 * reports OL, see compatibility.md); shorter when an OBLBDURATION timer ends sooner.
 */
export function pollInterval(s: MonitorState, now: number): number {
  let ms = (inAlert(s) ? s.conf.pollFreqAlert : s.conf.pollFreq) * S;
  if (s.conf.oblbDuration > 0) {
    for (const u of s.ups) {
      if (u.ob && u.lb && u.oblbsince > 0) {
        const left = u.oblbsince + s.conf.oblbDuration * S - now;
        if (left > 0) ms = Math.min(ms, left + 1);
      }
    }
  }
  return ms;
}

/* ---------------------------------------------------------------- polls */

export type PollResult =
  | { ok: true; status: string; /** ups.alarm when the status holds ALARM (undefined: not available) */ alarm?: string | undefined }
  | { ok: false; reason: string };

const KNOWN_IGNORED = new Set(['HB', 'CHRG', 'DISCHRG']);

type SimpleFlag = 'cal' | 'off' | 'bypass' | 'alarm' | 'over' | 'trim' | 'boost';
const CLEARABLE: Array<{ flag: SimpleFlag; token: string; not: NotifyType }> = [
  { flag: 'cal', token: 'CAL', not: 'NOTCAL' },
  { flag: 'off', token: 'OFF', not: 'NOTOFF' },
  { flag: 'bypass', token: 'BYPASS', not: 'NOTBYPASS' },
  { flag: 'alarm', token: 'ALARM', not: 'NOTALARM' },
  { flag: 'over', token: 'OVER', not: 'NOTOVER' },
  { flag: 'trim', token: 'TRIM', not: 'NOTTRIM' },
  { flag: 'boost', token: 'BOOST', not: 'NOTBOOST' },
];

/** One poll of UPS `i` finished. */
export function onPoll(s: MonitorState, i: number, now: number, r: PollResult): Effect[] {
  const u = s.ups[i];
  if (!u || s.phase !== 'running') return [];
  if (r.ok) {
    const tokens = r.status.trim().split(/\s+/).filter((t) => t !== '');
    if (tokens.length === 0) return upsGone(s, u, now, 'empty ups.status');
    // upsd's placeholder while it has no data from the driver: no reading at all (DEADTIME keeps running)
    if (tokens.length === 1 && tokens[0]!.toUpperCase() === 'WAIT') return upsGone(s, u, now, 'upsd has no data from the driver yet (WAIT)');
    return goodPoll(s, u, now, tokens.map((t) => t.toUpperCase()), r.alarm);
  }
  return upsGone(s, u, now, r.reason);
}

function goodPoll(s: MonitorState, u: UpsRecord, now: number, tokens: string[], alarm: string | undefined): Effect[] {
  const fx: Effect[] = [];
  const c = s.conf;
  u.lastpoll = now;
  if (u.failCount > 0 && c.pollFailLogThrottleMax >= 0) fx.push(log('info', `Poll UPS [${u.system}] recovered after ${u.failCount} failed polls`));
  u.failCount = 0;
  if (u.commstate === 0) fx.push(notify(s, 'COMMOK', u.system));
  u.commstate = 1;

  const has = new Set(tokens);
  if (!has.has('LB')) u.lb = false;
  if (!has.has('FSD')) {
    u.fsd = false;
    u.lastfsdnotify = 0;
  }
  for (const k of CLEARABLE) {
    if (!has.has(k.token) && u[k.flag]) {
      u[k.flag] = false;
      fx.push(notify(s, k.not, u.system));
      if (k.flag === 'off') {
        u.offstate = 0;
        u.offsince = 0;
      } else if (k.flag === 'bypass') u.bypassstate = 0;
      else if (k.flag === 'alarm') {
        u.alarmstate = 0;
        u.alarmText = undefined;
      } else if (k.flag === 'over') {
        u.overstate = 0;
        u.oversince = 0;
      }
    }
  }
  if (!has.has('ECO') && u.eco) {
    u.eco = false;
    u.ecostate = 0;
    fx.push(log('notice', `UPS ${u.system}: no longer in ECO mode`));
  }

  const others: string[] = [];
  for (const t of tokens) {
    switch (t) {
      case 'OL':
        if (!u.ol) {
          if (u.linestate !== -1) fx.push(notify(s, 'ONLINE', u.system));
          u.linestate = 1;
          u.ol = true;
          u.ob = false;
        }
        break;
      case 'OB':
        if (!u.ob) {
          u.linestate = 0;
          fx.push(notify(s, 'ONBATT', u.system));
          u.ob = true;
          u.ol = false;
        }
        break;
      case 'LB':
        if (!u.lb) {
          fx.push(notify(s, 'LOWBATT', u.system));
          u.lb = true;
        }
        break;
      case 'RB':
        if (now - u.lastrbwarn > c.rbWarnTime * S) {
          fx.push(notify(s, 'REPLBATT', u.system));
          u.lastrbwarn = now;
        }
        break;
      case 'CAL':
        if (!u.cal) {
          u.cal = true;
          fx.push(notify(s, 'CAL', u.system));
        }
        break;
      case 'OFF':
        if (!u.off) {
          u.off = true;
          u.offsince = now;
          fx.push(notify(s, 'OFF', u.system));
          if (c.offDuration === 0) u.offstate = 1;
        } else if (c.offDuration > 0 && u.offstate !== 1 && now - u.offsince > c.offDuration * S) {
          u.offstate = 1;
          fx.push(log('warning', `UPS ${u.system} has been administratively OFF for more than OFFDURATION ${c.offDuration} s`));
        }
        break;
      case 'BYPASS':
        if (!u.bypass) {
          u.bypass = true;
          u.bypassstate = 1;
          fx.push(notify(s, 'BYPASS', u.system));
        }
        break;
      case 'ECO':
        if (!u.eco) {
          u.eco = true;
          u.ecostate = 1;
          fx.push(log('notice', `UPS ${u.system}: in ECO mode (as defined by vendor)`));
        }
        break;
      case 'ALARM': {
        const text = alarm !== undefined && alarm !== '' ? alarm : 'n/a';
        if (!u.alarm) {
          u.alarm = true;
          u.alarmstate = 1;
          u.alarmText = text;
          fx.push(notify(s, 'ALARM', u.system, text));
        } else if (text !== u.alarmText) {
          u.alarmText = text;
          fx.push(notify(s, 'ALARM', u.system, text));
        }
        break;
      }
      case 'OVER':
        if (!u.over) {
          u.over = true;
          u.oversince = now;
          u.overstate = 1;
          fx.push(notify(s, 'OVER', u.system));
        }
        break;
      case 'TRIM':
        if (!u.trim) {
          u.trim = true;
          fx.push(notify(s, 'TRIM', u.system));
        }
        break;
      case 'BOOST':
        if (!u.boost) {
          u.boost = true;
          fx.push(notify(s, 'BOOST', u.system));
        }
        break;
      case 'FSD':
        if (!u.lastfsdnotify) {
          fx.push(notify(s, 'FSD', u.system));
          u.lastfsdnotify = now;
        }
        u.fsd = true;
        break;
      default:
        if (!KNOWN_IGNORED.has(t) && !others.includes(t)) others.push(t);
    }
    if (!(u.ob && u.lb) || u.cal) u.lastnoncrit = now;
  }
  const joined = others.join(' ');
  if (joined !== u.other) {
    if (joined !== '') fx.push(notify(s, 'OTHER', u.system, joined));
    else fx.push(notify(s, 'NOTOTHER', u.system));
    u.other = joined;
  }
  return fx;
}

function upsGone(s: MonitorState, u: UpsRecord, now: number, reason: string): Effect[] {
  const fx: Effect[] = [];
  const c = s.conf;
  u.failCount++;
  const th = c.pollFailLogThrottleMax;
  if (th < 0 || u.failCount === 1 || (th > 0 && u.failCount % th === 0)) {
    fx.push(log('error', `Poll UPS [${u.system}] failed - ${reason}`));
  }
  if (u.commstate !== 0) {
    u.commstate = 0;
    fx.push(notify(s, 'COMMBAD', u.system));
  } else if (now - u.lastpoll >= c.noCommWarnTime * S && now - u.lastncwarn > c.noCommWarnTime * S) {
    fx.push(notify(s, 'NOCOMM', u.system));
    u.lastncwarn = now;
  }
  return fx;
}

/* ---------------------------------------------------------- criticality */

/** Why UPS `u` is critical now, or undefined. May update oblbsince (OBLBDURATION). */
export function criticalReason(s: MonitorState, u: UpsRecord, now: number): string | undefined {
  const c = s.conf;
  if (u.fsd) return `UPS [${u.system}]: forced shutdown (FSD) in progress`;
  if (u.commstate === 0) {
    if ((u.over || u.overstate === 1) && c.overDuration >= 0 && now - u.oversince >= c.overDuration * S) {
      return `UPS [${u.system}] was last known to be overloaded for longer than OVERDURATION and communication is lost`;
    }
    if ((u.alarm || u.alarmstate === 1) && c.alarmCritical) return `UPS [${u.system}] was last known to be in ALARM state and communication is lost`;
    if (u.cal) return `UPS [${u.system}] was last known to be calibrating and communication is lost`;
    if (u.bypass || u.bypassstate === 1) return `UPS [${u.system}] was last known to be on bypass and communication is lost`;
    if (u.offstate === 1 || (u.off && c.offDuration >= 0)) return `UPS [${u.system}] was last known to be administratively OFF and communication is lost`;
  }
  if (u.off && c.offDuration >= 0 && u.offstate === 1) return `UPS [${u.system}] is administratively OFF or asleep for longer than OFFDURATION`;
  if (!(u.ob && u.lb)) {
    u.oblbsince = 0;
    return undefined;
  }
  if (u.cal) return undefined;
  if (c.oblbDuration > 0) {
    if (!u.oblbsince) {
      u.oblbsince = now;
      return undefined;
    }
    if (now - u.oblbsince < c.oblbDuration * S) return undefined;
  }
  if (u.role === 'primary') return `UPS [${u.system}] is on battery and low (primary)`;
  if (now - u.lastnoncrit > c.hostSync * S) return `UPS [${u.system}] is on battery and low, and no FSD came within HOSTSYNC ${c.hostSync} s`;
  return undefined;
}

/**
 * The end of a polling loop (NUT's recalc): DEADTIME, criticality of each
 * UPS, and the MINSUPPLIES verdict; starts the shutdown when too few
 * supplies are healthy or FSD was asked for.
 */
export function recalc(s: MonitorState, now: number): Effect[] {
  if (s.phase !== 'running') return [];
  const fx: Effect[] = [];
  const c = s.conf;
  let sum = 0;
  for (const u of s.ups) {
    if (u.ob && !u.lb && now - u.lastpoll > c.deadTime * S) {
      u.lb = true; // silently: no LOWBATT
      fx.push(log('warning', `UPS [${u.system}] was last known to be on battery and is unreachable for more than DEADTIME ${c.deadTime} s: assuming low battery`));
    }
    const why = criticalReason(s, u, now);
    if (why !== u.critical) {
      if (why) fx.push(log('warning', why));
      u.critical = why;
    }
    if (!why) sum += u.powerValue;
  }
  if (sum < c.minSupplies) {
    fx.push(log('alert', `Too few UPS(es) are healthy: power value ${sum} < MINSUPPLIES ${c.minSupplies}`));
    fx.push(...forceShutdown(s, now, 'UPS power critical'));
  }
  return fx;
}

/* ------------------------------------------------------- loop, sessions */

/**
 * The end of a sleep between two loops. A sleep that lasted more than 5 s
 * longer than planned means the machine was suspended or the clock jumped:
 * the readings are stale, so the status flags are cleared and the polls
 * start over (as NUT does). Only the sleep counts, never a slow poll: a hung
 * upsd must not make upsmon forget that a UPS is on battery.
 */
export function onSlept(s: MonitorState, now: number, plannedMs: number, actualMs: number): Effect[] {
  if (s.phase !== 'running' || actualMs <= plannedMs + 5 * S) return [];
  const fx: Effect[] = [log('warning', `Time jumped ${Math.round(actualMs / S)} s during a ${Math.round(plannedMs / S)} s sleep (suspend or clock change): forgetting old UPS readings`)];
  for (const u of s.ups) {
    u.ol = u.ob = u.lb = u.fsd = u.cal = u.off = u.bypass = u.eco = u.alarm = u.over = u.trim = u.boost = false;
    u.lastpoll = now;
    u.lastnoncrit = now;
    u.oblbsince = 0;
  }
  return fx;
}

export interface SessionInfo {
  connected: boolean;
  loggedIn: boolean;
  /** PRIMARY/MASTER granted (primary role only). */
  primaryGranted: boolean;
  /** Why a step failed, e.g. "LOGIN: Access denied". */
  error?: string;
}

/**
 * The session to upsd was (re)established. Walnut says loudly what NUT
 * keeps quiet: a failed login leaves the UPS monitored without being
 * counted by the primary (NUMLOGINS), and a primary without the PRIMARY
 * right cannot set FSD for its secondaries.
 */
export function onSession(s: MonitorState, i: number, _now: number, info: SessionInfo): Effect[] {
  const u = s.ups[i];
  if (!u || !info.connected) return [];
  const fx: Effect[] = [];
  if (info.loggedIn !== u.loggedIn) {
    if (!info.loggedIn) {
      fx.push(
        log(
          'alert',
          `Login on UPS [${u.system}] failed${info.error ? ` (${info.error})` : ''}: monitoring it anyway, but upsd does not count this host ` +
            `(NUMLOGINS), so a primary will not wait for it before cutting the power - check the MONITOR user/password and upsd.users`,
        ),
      );
    } else if (u.loggedIn === false) fx.push(log('notice', `Logged in to UPS [${u.system}]`));
    u.loggedIn = info.loggedIn;
  }
  if (u.role === 'primary' && info.loggedIn) {
    if (info.primaryGranted !== u.primaryGranted) {
      if (!info.primaryGranted) {
        fx.push(
          log(
            'alert',
            `UPS [${u.system}]: upsd refused the primary role${info.error ? ` (${info.error})` : ''}: this host cannot set FSD, ` +
              `so secondaries will not be told to shut down - give the user "upsmon primary" in upsd.users`,
          ),
        );
      }
      u.primaryGranted = info.primaryGranted;
    }
  }
  return fx;
}

/** The privileged parent is gone (split mode): NOPARENT at most every 120 s. */
export function onParentGone(s: MonitorState, now: number): Effect[] {
  if (now - s.lastNoParent < 120 * S) return [];
  s.lastNoParent = now;
  return [log('alert', 'Parent died - shutdown impossible'), notify(s, 'NOPARENT', '')];
}

/* ------------------------------------------------------------- shutdown */

/** FSD asked by the user (-c fsd, SIGUSR1): handled at the next loop, or now. */
export function requestFsd(s: MonitorState, now: number): Effect[] {
  if (s.phase !== 'running') return [];
  s.userFsd = true;
  return [log('alert', 'Signal: forced shutdown requested (upsmon -c fsd)'), ...forceShutdown(s, now, 'forced shutdown requested')];
}

/** NUT's forceshutdown(): FSD on every UPS this host is primary for, then wait for secondaries, or shut down now. */
export function forceShutdown(s: MonitorState, now: number, reason: string): Effect[] {
  if (s.phase !== 'running') return [];
  s.shutdownReason = reason;
  const fx: Effect[] = [log('crit', `Forced shutdown: ${reason}`)];
  const primaries = s.ups.map((u, index) => ({ u, index })).filter((x) => x.u.role === 'primary');
  if (primaries.length === 0) return fx.concat(doShutdown(s, now));
  s.phase = 'fsd';
  s.fsdPending = primaries.length;
  for (const { u, index } of primaries) fx.push({ kind: 'setFsd', index, system: u.system, ups: u.ups });
  return fx;
}

/** The reply to one `FSD <ups>`. */
export function onFsdResult(s: MonitorState, i: number, now: number, ok: boolean, error?: string): Effect[] {
  const u = s.ups[i];
  if (!u || s.phase !== 'fsd') return [];
  const fx: Effect[] = [];
  if (ok) {
    if (!u.lastfsdnotify) {
      fx.push(notify(s, 'FSD', u.system));
      u.lastfsdnotify = now;
    }
  } else {
    fx.push(log('error', `FSD set on UPS ${u.system} failed: ${error ?? 'unknown error'}`));
  }
  s.fsdPending--;
  if (s.fsdPending <= 0) {
    s.phase = 'hostsync';
    s.hostsyncSince = now;
    s.hostsyncSeen = false;
    fx.push({ kind: 'hostsync', deadline: now + s.conf.hostSync * S });
  }
  return fx;
}

/**
 * One round of GET NUMLOGINS over the primary UPSes: the highest count
 * (0 when every query failed). 1 = only this host is left.
 */
export function onNumLogins(s: MonitorState, now: number, max: number): Effect[] {
  if (s.phase !== 'hostsync') return [];
  if (max <= 1) {
    return [log('info', `All secondaries logged out after ${((now - s.hostsyncSince) / S).toFixed(1)} s`), ...doShutdown(s, now)];
  }
  if (now - s.hostsyncSince > s.conf.hostSync * S) {
    return [log('warning', 'Host sync timer expired, forcing shutdown'), ...doShutdown(s, now)];
  }
  if (!s.hostsyncSeen) {
    s.hostsyncSeen = true;
    return [log('notice', `Shutdown initiated; primary system is waiting for ${max - 1} secondaries to log out or time out (HOSTSYNC ${s.conf.hostSync} s)`)];
  }
  return [];
}

function doShutdown(s: MonitorState, now: number): Effect[] {
  s.phase = 'finaldelay';
  s.finalAt = now + s.conf.finalDelay * S;
  const msg = 'Executing automatic power-fail shutdown';
  return [log('crit', msg), { kind: 'wall', message: msg }, notify(s, 'SHUTDOWN', ''), { kind: 'finalDelay', until: s.finalAt }];
}

/** Time passes during the shutdown: HOSTSYNC expiry, end of FINALDELAY, end of lingering. */
export function onTick(s: MonitorState, now: number): Effect[] {
  switch (s.phase) {
    case 'hostsync':
      if (now - s.hostsyncSince > s.conf.hostSync * S) return [log('warning', 'Host sync timer expired, forcing shutdown'), ...doShutdown(s, now)];
      return [];
    case 'finaldelay':
      if (now >= s.finalAt) {
        s.phase = 'powerdown';
        return [{ kind: 'powerdown' }];
      }
      return [];
    case 'linger':
      if (s.lingerUntil !== undefined && now >= s.lingerUntil) {
        s.phase = 'done';
        return [{ kind: 'exit', code: 0 }];
      }
      return [];
    default:
      return [];
  }
}

/** POWERDOWNFLAG written and SHUTDOWNCMD run (or failed): exit per SHUTDOWNEXIT. */
export function onPowerdownDone(s: MonitorState, now: number, error?: string): Effect[] {
  if (s.phase !== 'powerdown') return [];
  const fx: Effect[] = [];
  if (error) fx.push(log('alert', `Shutdown command failed: ${error}`));
  const ex = s.conf.shutdownExit;
  if (ex === 0) {
    s.phase = 'done';
    fx.push({ kind: 'exit', code: 0 });
  } else {
    s.phase = 'linger';
    s.lingerUntil = ex < 0 ? undefined : now + ex * S;
    fx.push({ kind: 'linger', until: s.lingerUntil });
  }
  return fx;
}

/* --------------------------------------------------------------- reload */

/**
 * A new configuration (SIGHUP): UPSes still listed keep their state (new
 * power value and role applied), new ones start fresh, gone ones are
 * dropped. Returns the indexes map old->new so the runtime can keep
 * sessions, and whether a session must reconnect (role became primary,
 * credentials changed).
 */
export function applyReload(s: MonitorState, conf: UpsmonConf, now: number): { effects: Effect[]; keep: Map<number, number>; reconnect: Set<number> } {
  const fx: Effect[] = [];
  const keep = new Map<number, number>();
  const reconnect = new Set<number>();
  const old = s.ups;
  const oldConf = s.conf;
  const next: UpsRecord[] = [];
  conf.monitors.forEach((m, ni) => {
    const oi = old.findIndex((u) => u.system === m.system);
    if (oi < 0) {
      next.push(newRecord(m, now));
      fx.push(log('info', `Reload: monitoring new UPS ${m.system}`));
      return;
    }
    const u = old[oi]!;
    const om = oldConf.monitors.find((x) => x.system === m.system);
    if (u.role !== m.role) {
      fx.push(log('notice', `Reload: UPS ${m.system} is now ${m.role}`));
      if (m.role === 'primary') reconnect.add(ni);
      u.primaryGranted = undefined;
    }
    if (om && (om.user !== m.user || om.password !== m.password) && u.loggedIn !== true) reconnect.add(ni);
    u.role = m.role;
    u.powerValue = m.powerValue;
    u.ups = m.ups;
    keep.set(oi, ni);
    next.push(u);
  });
  for (let oi = 0; oi < old.length; oi++) if (!keep.has(oi)) fx.push(log('info', `Reload: no longer monitoring UPS ${old[oi]!.system}`));
  s.ups = next;
  s.conf = conf;
  return { effects: fx, keep, reconnect };
}

/** The sum of the configured power values. */
export function totalPower(conf: Pick<UpsmonConf, 'monitors'>): number {
  return conf.monitors.reduce((a, m) => a + m.powerValue, 0);
}
