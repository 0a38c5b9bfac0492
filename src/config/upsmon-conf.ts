/**
 * upsmon.conf (nut-monitor-drivers.md §1.2), every NUT 2.8 directive with
 * NUT's defaults. Keywords are case-sensitive except DEBUG_MIN. NUT logs an
 * unknown line and skips it (a warning here); numbers go through atoi, so
 * garbage becomes 0 (an error here); a MONITOR role word NUT does not know is
 * silently secondary (a warning here).
 */
import { lexText } from '../common/lexer.js';
import { DEFAULT_PORT } from '../common/paths.js';
import { IssueList, byLine, parseBool, toBytes } from './issues.js';
import { LATER_NOTIFY_TYPES, NOTIFY_FLAGS, NOTIFY_TYPES, UPSMON_DIRECTIVES } from './keys.js';
import { didYouMean } from './suggest.js';
import type { MonitorEntry, NotifyFlag, NotifyType, Parsed, UpsmonConf } from './types.js';
import { parsePort } from './upsd-conf.js';

export const UPSMON_DEFAULTS = {
  minSupplies: 1,
  pollFreq: 5,
  pollFreqAlert: 5,
  deadTime: 15,
  hostSync: 15,
  finalDelay: 5,
  noCommWarnTime: 300,
  rbWarnTime: 43200,
  offDuration: 30,
  overDuration: -1,
  oblbDuration: 0,
  alarmCritical: true,
  shutdownExit: 0,
  pollFailLogThrottleMax: -1,
} as const;

export function defaultUpsmonConf(): UpsmonConf {
  return {
    monitors: [],
    notifyMsg: {},
    notifyFlag: {},
    certHosts: [],
    certVerify: false,
    forceSsl: false,
    ...UPSMON_DEFAULTS,
  };
}

/**
 * `ups[@host[:port]]` as NUT's clients split it; `[v6addr]:port` for IPv6.
 * Returns a message instead when the name cannot be used.
 */
export function parseUpsName(system: string): { ups: string; host: string; port: number } | { error: string; suggestion?: string } {
  const at = system.indexOf('@');
  const ups = at < 0 ? system : system.slice(0, at);
  if (ups === '') return { error: `no UPS name in "${system}"`, suggestion: 'write ups@host[:port]' };
  if (at < 0) return { ups, host: 'localhost', port: DEFAULT_PORT };
  let rest = system.slice(at + 1);
  let host: string;
  let portStr: string | undefined;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) return { error: `unclosed [ in host of "${system}"`, suggestion: 'write ups@[::1]:3493' };
    host = rest.slice(1, end);
    rest = rest.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return { error: `unexpected "${rest}" after the host in "${system}"` };
      portStr = rest.slice(1);
    }
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0 && rest.indexOf(':', colon + 1) >= 0) {
      return { error: `IPv6 address in "${system}" must be written in brackets`, suggestion: `write ${ups}@[${rest}]` };
    }
    host = colon < 0 ? rest : rest.slice(0, colon);
    if (colon >= 0) portStr = rest.slice(colon + 1);
  }
  if (host === '') return { error: `no host after @ in "${system}"`, suggestion: `write ${ups}@localhost` };
  let port: number = DEFAULT_PORT;
  if (portStr !== undefined) {
    const p = parsePort(portStr);
    if (p === undefined) return { error: `bad port "${portStr}" in "${system}"`, suggestion: 'a port is a number from 1 to 65535 (NUT uses 3493)' };
    port = p;
  }
  return { ups, host, port };
}

type NumKey =
  | 'pollFreq'
  | 'pollFreqAlert'
  | 'deadTime'
  | 'hostSync'
  | 'finalDelay'
  | 'noCommWarnTime'
  | 'rbWarnTime'
  | 'offDuration'
  | 'overDuration'
  | 'oblbDuration'
  | 'pollFailLogThrottleMax';

const NUMERIC: Record<string, { key: NumKey; min: number; belowMin: 'ignore' | 'zero' | 'error' }> = {
  POLLFREQ: { key: 'pollFreq', min: 0, belowMin: 'ignore' },
  POLLFREQALERT: { key: 'pollFreqAlert', min: 0, belowMin: 'ignore' },
  DEADTIME: { key: 'deadTime', min: 0, belowMin: 'error' },
  HOSTSYNC: { key: 'hostSync', min: 0, belowMin: 'error' },
  FINALDELAY: { key: 'finalDelay', min: 0, belowMin: 'error' },
  NOCOMMWARNTIME: { key: 'noCommWarnTime', min: 0, belowMin: 'error' },
  RBWARNTIME: { key: 'rbWarnTime', min: 0, belowMin: 'error' },
  OFFDURATION: { key: 'offDuration', min: -Infinity, belowMin: 'error' },
  OVERDURATION: { key: 'overDuration', min: -Infinity, belowMin: 'error' },
  OBLBDURATION: { key: 'oblbDuration', min: 1, belowMin: 'zero' },
  POLLFAIL_LOG_THROTTLE_MAX: { key: 'pollFailLogThrottleMax', min: -1, belowMin: 'error' },
};

/** Minimum word count after the keyword. */
const MIN_ARGS: Record<string, number> = {
  MONITOR: 5,
  NOTIFYMSG: 2,
  NOTIFYFLAG: 2,
  CERTIDENT: 2,
  CERTHOST: 4,
};
/** Keywords whose single value is a command or text: more words mean a missing quote. */
const ONE_VALUE = new Set(['SHUTDOWNCMD', 'NOTIFYCMD', 'POWERDOWNFLAG', 'RUN_AS_USER', 'CERTPATH', 'CERTPIN']);

function isNotifyType(t: string): t is NotifyType {
  return (NOTIFY_TYPES as readonly string[]).includes(t);
}

export function parseUpsmonConf(text: string | Buffer, file: string): Parsed<UpsmonConf> {
  const issues = new IssueList(file);
  const value = defaultUpsmonConf();
  const { lines, errors } = lexText(toBytes(text));
  issues.lexErrors(errors);
  const seen = new Map<string, number>();
  const flagLines: Partial<Record<NotifyType, number>> = {};
  let notifyCmdLine = 0;

  /** Reads an integer as NUT's atoi would, with issues for what NUT silently guesses. */
  const intArg = (kw: string, a: string, line: number): number | undefined => {
    const m = /^[+-]?\d+/.exec(a);
    if (!m) {
      issues.error(line, `${kw} needs a whole number, not "${a}"`, `write ${kw} ${defaultFor(kw)}`);
      return undefined;
    }
    const n = Number(m[0]);
    if (m[0] !== a) issues.warn(line, `${kw} "${a}": NUT reads only the leading number ${n}`, `write ${kw} ${n}`);
    return n;
  };

  for (const { words, line } of lines) {
    let kw = words[0]!;
    if (kw.toUpperCase() === 'DEBUG_MIN') kw = 'DEBUG_MIN';
    const args = words.slice(1);
    if (!(UPSMON_DIRECTIVES as readonly string[]).includes(kw)) {
      const s = didYouMean(kw, UPSMON_DIRECTIVES);
      issues.warn(line, `unknown directive ${kw}; upsmon logs it and skips the line`, s);
      continue;
    }
    if (args.length === 0) {
      issues.warn(line, `${kw} needs a value`, `write ${kw} ${defaultFor(kw)}`);
      continue;
    }
    const min = MIN_ARGS[kw];
    if (min !== undefined && args.length < min) {
      if (kw === 'MONITOR' && args.length === 4) {
        issues.error(
          line,
          'MONITOR in the old form without a user name: upsmon refuses to start',
          `write MONITOR ${args[0]} ${args[1]} USERNAME PASSWORD ${args[3]}`,
        );
      } else issues.warn(line, `${kw} needs ${min} values, got ${args.length}`, usageOf(kw));
      continue;
    }
    if (kw !== 'MONITOR' && kw !== 'NOTIFYFLAG' && kw !== 'NOTIFYMSG' && kw !== 'CERTHOST') {
      const p = seen.get(kw);
      if (p !== undefined) issues.warn(line, `${kw} set again (first on line ${p}); the last value wins`);
      seen.set(kw, line);
    }
    const a0 = args[0]!;
    if (ONE_VALUE.has(kw) && args.length > 1) {
      issues.error(line, `${kw} takes one value; NUT uses only "${a0}" and drops "${args.slice(1).join(' ')}"`, `quote it: ${kw} "${args.join(' ')}"`);
    }
    const num = NUMERIC[kw];
    if (num) {
      const n = intArg(kw, a0, line);
      if (n === undefined) continue;
      if (n < num.min) {
        if (num.belowMin === 'ignore') {
          issues.warn(line, `${kw} ${n} is ignored by NUT (negative); the default ${UPSMON_DEFAULTS[num.key]} stays`);
          continue;
        }
        if (num.belowMin === 'zero') {
          value[num.key] = 0;
          continue;
        }
        issues.error(line, `${kw} must be at least ${num.min}, not ${n}`);
        continue;
      }
      if (n === 0 && (kw === 'POLLFREQ' || kw === 'POLLFREQALERT')) {
        issues.warn(line, `${kw} 0 makes upsmon poll without any pause`, `write ${kw} ${UPSMON_DEFAULTS[num.key]}`);
      }
      value[num.key] = n;
      continue;
    }
    switch (kw) {
      case 'MONITOR':
        monitor(value, args, line, issues);
        break;
      case 'MINSUPPLIES': {
        const n = intArg(kw, a0, line);
        if (n === undefined) break;
        if (n < 0) issues.warn(line, `MINSUPPLIES ${n} is ignored by NUT`, 'use 0 for a monitor-only system');
        else value.minSupplies = n;
        break;
      }
      case 'SHUTDOWNCMD':
        value.shutdownCmd = a0;
        break;
      case 'POWERDOWNFLAG':
        value.powerDownFlag = a0;
        break;
      case 'NOTIFYCMD':
        value.notifyCmd = a0;
        notifyCmdLine = line;
        break;
      case 'NOTIFYMSG': {
        const t = notifyType(a0, line, issues, kw);
        if (args.length > 2) {
          issues.error(line, `NOTIFYMSG text must be one quoted word; NUT uses only "${args[1]}"`, `write NOTIFYMSG ${a0} "${args.slice(1).join(' ')}"`);
        }
        if (t) value.notifyMsg[t] = args[1]!;
        break;
      }
      case 'NOTIFYFLAG': {
        const t = notifyType(a0, line, issues, kw);
        if (args.length > 2) issues.warn(line, `NOTIFYFLAG: extra words ignored: ${args.slice(2).join(' ')}`, 'join flags with +, e.g. SYSLOG+WALL');
        const flags: NotifyFlag[] = [];
        let bad = false;
        for (const f of args[1]!.split('+')) {
          if ((NOTIFY_FLAGS as readonly string[]).includes(f)) {
            if (!flags.includes(f as NotifyFlag)) flags.push(f as NotifyFlag);
          } else {
            bad = true;
            issues.warn(line, `unknown notify flag "${f}" (flags are case-sensitive)`, didYouMean(f, NOTIFY_FLAGS) ?? `flags are ${NOTIFY_FLAGS.join(', ')}, joined with +`);
          }
        }
        if (t && !bad) {
          value.notifyFlag[t] = flags;
          flagLines[t] = line;
        }
        break;
      }
      case 'ALARMCRITICAL':
      case 'CERTVERIFY':
      case 'FORCESSL': {
        const b = parseBool(a0);
        if (b === undefined) {
          issues.error(line, `${kw} must be 0 or 1, not "${a0}"`);
          break;
        }
        if (kw === 'ALARMCRITICAL') value.alarmCritical = b;
        else if (kw === 'CERTVERIFY') value.certVerify = b;
        else value.forceSsl = b;
        break;
      }
      case 'SHUTDOWNEXIT': {
        const l = a0.toLowerCase();
        if (l === 'yes' || l === 'on' || l === 'true') value.shutdownExit = 0;
        else if (l === 'no' || l === 'off' || l === 'false') value.shutdownExit = -1;
        else if (/^\d+$/.test(a0)) value.shutdownExit = Number(a0);
        else {
          value.shutdownExit = 0;
          issues.warn(line, `SHUTDOWNEXIT "${a0}" is not yes, no or a number of seconds; NUT takes it as yes`, didYouMean(a0, ['yes', 'no']));
        }
        break;
      }
      case 'RUN_AS_USER':
        value.runAsUser = a0;
        break;
      case 'CERTPATH':
        value.certPath = a0;
        break;
      case 'CERTPIN':
        value.certPin = a0;
        break;
      case 'CERTIDENT':
        value.certIdent = { name: a0, password: args[1]! };
        break;
      case 'CERTHOST': {
        const verify = parseBool(args[2]!);
        const force = parseBool(args[3]!);
        if (verify === undefined || force === undefined) {
          issues.error(line, 'CERTHOST verify and force must be 0 or 1', 'write CERTHOST HOST "CERT NAME" 1 1');
          break;
        }
        value.certHosts.push({ host: a0, name: args[1]!, verify, force, line });
        break;
      }
      case 'DEBUG_MIN': {
        const n = intArg(kw, a0, line);
        if (n !== undefined) value.debugMin = n;
        break;
      }
    }
  }

  // whole-file checks, as upsmon does at startup
  const total = value.monitors.reduce((s, m) => s + m.powerValue, 0);
  if (total < value.minSupplies) {
    const what = value.monitors.length === 0 ? 'no MONITOR line' : `the MONITOR power values add up to ${total}`;
    issues.error(
      value.monitors.length === 0 ? 0 : value.monitors[0]!.line,
      `insufficient power configured: ${what}, MINSUPPLIES is ${value.minSupplies}; upsmon refuses to start`,
      value.monitors.length === 0 ? 'add MONITOR ups@host 1 USER PASSWORD primary (or MINSUPPLIES 0 to only watch)' : 'raise the power values or lower MINSUPPLIES',
    );
    issues.items[issues.items.length - 1]!.code = 'insufficient-power';
  }
  if (value.monitors.some((m) => m.powerValue > 0) && value.shutdownCmd === undefined) {
    issues.warn(0, 'no SHUTDOWNCMD: upsmon cannot shut this system down', 'add SHUTDOWNCMD "/sbin/shutdown -h +0"');
  }
  if (value.monitors.some((m) => m.role === 'primary') && value.powerDownFlag === undefined) {
    issues.warn(0, 'no POWERDOWNFLAG: the UPS will not be told to cut the power after the shutdown', 'add POWERDOWNFLAG /etc/killpower');
  }
  const execTypes = (Object.keys(value.notifyFlag) as NotifyType[]).filter((t) => value.notifyFlag[t]!.includes('EXEC'));
  if (execTypes.length > 0 && value.notifyCmd === undefined) {
    issues.warn(flagLines[execTypes[0]!] ?? 0, `NOTIFYFLAG ${execTypes[0]} has EXEC but there is no NOTIFYCMD`, 'add NOTIFYCMD "/path/to/script" (e.g. upssched)');
  }
  if (value.notifyCmd !== undefined && execTypes.length === 0) {
    issues.warn(notifyCmdLine, 'NOTIFYCMD is set but no NOTIFYFLAG has EXEC, so it never runs', 'add e.g. NOTIFYFLAG ONBATT SYSLOG+WALL+EXEC');
  }
  if (value.deadTime < value.pollFreq) {
    issues.warn(seen.get('DEADTIME') ?? 0, `DEADTIME ${value.deadTime} is shorter than POLLFREQ ${value.pollFreq}: a UPS may be declared dead between two polls`, `make DEADTIME at least ${value.pollFreq * 3}`);
  }
  return { value, issues: byLine(issues.items) };
}

function monitor(value: UpsmonConf, args: string[], line: number, issues: IssueList): void {
  const [system, pvs, user, password, roleWord] = args as [string, string, string, string, string];
  if (args.length > 5) issues.warn(line, `MONITOR: extra words ignored: ${args.slice(5).join(' ')}`);
  const name = parseUpsName(system);
  if ('error' in name) {
    issues.error(line, `MONITOR: ${name.error}`, name.suggestion);
    return;
  }
  let pv = Number(/^\d+/.exec(pvs)?.[0] ?? '0'); // NUT reads it with atoi: garbage is 0 (monitoring only)
  if (!/^\d+$/.test(pvs)) {
    issues.error(line, `MONITOR ${system}: power value must be a whole number >= 0, not "${pvs}"; NUT takes ${pv}`, 'usually 1 (0 = monitor without shutting down for it)');
  }
  if (!Number.isSafeInteger(pv)) pv = 0;
  const r = roleWord.toLowerCase();
  let role: 'primary' | 'secondary';
  if (r === 'primary' || r === 'master') role = 'primary';
  else {
    role = 'secondary';
    if (r !== 'secondary' && r !== 'slave') {
      const s = didYouMean(roleWord, ['primary', 'secondary', 'master', 'slave'], 3);
      issues.warn(line, `MONITOR ${system}: unknown role "${roleWord}"; NUT silently takes it as secondary`, s ?? 'use primary or secondary');
    }
  }
  const dup = value.monitors.find((m) => m.system === system);
  if (dup) {
    issues.warn(line, `MONITOR ${system} repeats line ${dup.line}; upsmon ignores this one`);
    return;
  }
  const entry: MonitorEntry = { system, ups: name.ups, host: name.host, port: name.port, powerValue: pv, user, password, role, line };
  value.monitors.push(entry);
}

function notifyType(word: string, line: number, issues: IssueList, kw: string): NotifyType | undefined {
  const t = word.toUpperCase();
  if (isNotifyType(t)) return t;
  if ((LATER_NOTIFY_TYPES as readonly string[]).includes(t)) {
    issues.warn(line, `${kw} ${word}: this type comes from a later NUT release and is never raised here`);
    return undefined;
  }
  issues.warn(line, `${kw}: unknown notify type "${word}"`, didYouMean(word, NOTIFY_TYPES) ?? `types are ${NOTIFY_TYPES.slice(0, 10).join(', ')}, …`);
  return undefined;
}

function defaultFor(kw: string): string {
  switch (kw) {
    case 'MINSUPPLIES':
      return '1';
    case 'DEBUG_MIN':
      return '0';
    default: {
      const n = NUMERIC[kw];
      return n ? String(UPSMON_DEFAULTS[n.key]) : 'VALUE';
    }
  }
}

function usageOf(kw: string): string {
  switch (kw) {
    case 'MONITOR':
      return 'write MONITOR ups@host[:port] POWERVALUE USER PASSWORD primary|secondary';
    case 'NOTIFYMSG':
      return 'write NOTIFYMSG TYPE "message with %s for the UPS"';
    case 'NOTIFYFLAG':
      return 'write NOTIFYFLAG TYPE SYSLOG+WALL+EXEC';
    case 'CERTIDENT':
      return 'write CERTIDENT "cert name" "db password"';
    case 'CERTHOST':
      return 'write CERTHOST HOST "cert name" VERIFY(0|1) FORCESSL(0|1)';
    default:
      return `write ${kw} VALUE`;
  }
}
