/**
 * upsd.conf (nut-protocol.md §4.2): directives are case-sensitive except
 * DEBUG_MIN; NUT logs a bad line as "invalid directive" and skips it
 * (a warning here); values NUT would garble (a port it wraps) are errors.
 */
import { lexText } from '../common/lexer.js';
import { DEFAULT_PORT } from '../common/paths.js';
import { IssueList, byLine, parseBool, toBytes } from './issues.js';
import { UPSD_DIRECTIVES, UPSD_OBSOLETE } from './keys.js';
import { didYouMean } from './suggest.js';
import type { Parsed, UpsdConf } from './types.js';

export const UPSD_DEFAULTS = { maxAge: 15, trackingDelay: 3600 } as const;

export function defaultUpsdConf(): UpsdConf {
  return {
    listen: [],
    maxAge: UPSD_DEFAULTS.maxAge,
    trackingDelay: UPSD_DEFAULTS.trackingDelay,
    allowNoDevice: false,
    allowNotAllListeners: false,
    disableWeakSsl: false,
  };
}

/** A TCP port word: digits only, 1..65535. */
export function parsePort(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

const ARGS: Record<string, [number, number]> = {
  LISTEN: [1, 2],
  MAXAGE: [1, 1],
  TRACKINGDELAY: [1, 1],
  MAXCONN: [1, 1],
  STATEPATH: [1, 1],
  DATAPATH: [1, 1],
  ALLOW_NO_DEVICE: [1, 1],
  ALLOW_NOT_ALL_LISTENERS: [1, 1],
  CERTFILE: [1, 1],
  CERTPATH: [1, 1],
  CERTIDENT: [2, 2],
  CERTREQUEST: [1, 1],
  DISABLE_WEAK_SSL: [1, 1],
  DEBUG_MIN: [1, 1],
};

export function parseUpsdConf(text: string | Buffer, file: string): Parsed<UpsdConf> {
  const issues = new IssueList(file);
  const value = defaultUpsdConf();
  const { lines, errors } = lexText(toBytes(text));
  issues.lexErrors(errors);
  const seen = new Map<string, number>();

  for (const { words, line } of lines) {
    let kw = words[0]!;
    if (kw.toUpperCase() === 'DEBUG_MIN') kw = 'DEBUG_MIN';
    const args = words.slice(1);

    if ((UPSD_OBSOLETE as readonly string[]).includes(kw.toUpperCase())) {
      issues.warn(line, `${kw} is obsolete and ignored since NUT 2.4`, 'access is controlled by LISTEN addresses, a firewall and upsd.users');
      continue;
    }
    const range = ARGS[kw];
    if (!range) {
      const s = didYouMean(kw, UPSD_DIRECTIVES);
      issues.warn(line, `unknown directive ${kw}; NUT logs "invalid directive" and skips the line`, s);
      continue;
    }
    if (args.length < range[0]) {
      issues.warn(line, `${kw} needs ${range[0] === range[1] ? range[0] : `${range[0]} or ${range[1]}`} argument${range[1] > 1 ? 's' : ''}`, usage(kw));
      continue;
    }
    if (args.length > range[1] && kw !== 'LISTEN') {
      const extra = kw === 'CERTIDENT' ? `${args.length - range[1]} word(s)` : args.slice(range[1]).join(' ');
      issues.warn(line, `${kw}: extra words ignored: ${extra}`, 'quote a value that has spaces');
    }
    if (kw !== 'LISTEN') {
      const p = seen.get(kw);
      if (p !== undefined) issues.warn(line, `${kw} set again (first on line ${p}); the last value wins`);
      seen.set(kw, line);
    }
    const a0 = args[0]!;
    switch (kw) {
      case 'LISTEN': {
        if (args.length > 2) {
          issues.warn(line, `LISTEN takes an address and an optional port, not ${args.length} words`, usage(kw));
          break;
        }
        let port = DEFAULT_PORT;
        if (args[1] !== undefined) {
          const p = parsePort(args[1]);
          if (p === undefined) {
            issues.error(line, `bad port "${args[1]}" in LISTEN`, 'a port is a number from 1 to 65535 (NUT uses 3493)');
            break;
          }
          port = p;
        }
        if (/^\d+$/.test(a0) && args.length === 1) {
          issues.warn(line, `LISTEN ${a0}: the first word is the address, not the port`, `write LISTEN 127.0.0.1 ${a0} (or LISTEN * ${a0})`);
        }
        const dup = value.listen.find((l) => l.address === a0 && l.port === port);
        if (dup) issues.warn(line, `LISTEN ${a0} ${port} repeats line ${dup.line}`);
        else value.listen.push({ address: a0, port, line });
        break;
      }
      case 'MAXAGE':
      case 'TRACKINGDELAY':
      case 'MAXCONN':
      case 'DEBUG_MIN': {
        // NUT: the value must begin with a digit and is read with atoi
        const lead = /^\d+/.exec(a0);
        const n = lead ? Number(lead[0]) : undefined;
        if (n === undefined || !Number.isSafeInteger(n)) {
          issues.warn(line, `${kw} must be a whole number, not "${a0}"`, kw === 'MAXAGE' ? 'the default is MAXAGE 15 (seconds)' : undefined);
          break;
        }
        if (lead![0] !== a0) issues.warn(line, `${kw} "${a0}": NUT reads only the leading number ${n}`, `write ${kw} ${n}`);
        if (n === 0 && (kw === 'MAXAGE' || kw === 'MAXCONN')) {
          issues.error(line, `${kw} 0 ${kw === 'MAXAGE' ? 'makes every UPS stale at once' : 'allows no connection at all'}`, kw === 'MAXAGE' ? 'the default is MAXAGE 15 (seconds)' : 'remove MAXCONN to use the system limit');
          break;
        }
        if (kw === 'MAXAGE') value.maxAge = n;
        else if (kw === 'TRACKINGDELAY') value.trackingDelay = n;
        else if (kw === 'MAXCONN') value.maxConn = n;
        else value.debugMin = n;
        break;
      }
      case 'STATEPATH':
        value.statePath = a0;
        break;
      case 'DATAPATH':
        value.dataPath = a0;
        break;
      case 'ALLOW_NO_DEVICE':
      case 'ALLOW_NOT_ALL_LISTENERS':
      case 'DISABLE_WEAK_SSL': {
        const b = parseBool(a0);
        if (b === undefined) {
          issues.warn(line, `${kw} must be true/yes/on/1 or false/no/off/0, not "${a0}"`);
          break;
        }
        if (kw === 'ALLOW_NO_DEVICE') value.allowNoDevice = b;
        else if (kw === 'ALLOW_NOT_ALL_LISTENERS') value.allowNotAllListeners = b;
        else value.disableWeakSsl = b;
        break;
      }
      case 'CERTFILE':
        value.certFile = a0;
        break;
      case 'CERTPATH':
        value.certPath = a0;
        break;
      case 'CERTIDENT':
        value.certIdent = { name: a0, password: args[1]! };
        break;
      case 'CERTREQUEST': {
        const m: Record<string, 0 | 1 | 2> = { '0': 0, '1': 1, '2': 2, NO: 0, REQUEST: 1, REQUIRE: 2 };
        const r = m[a0.toUpperCase()];
        if (r === undefined) {
          issues.warn(line, `CERTREQUEST must be 0, 1, 2, NO, REQUEST or REQUIRE, not "${a0}"`, didYouMean(a0, ['NO', 'REQUEST', 'REQUIRE']));
          break;
        }
        value.certRequest = r;
        break;
      }
    }
  }
  return { value, issues: byLine(issues.items) };
}

function usage(kw: string): string | undefined {
  switch (kw) {
    case 'LISTEN':
      return 'write LISTEN ADDRESS [PORT], e.g. LISTEN 127.0.0.1 3493';
    case 'CERTIDENT':
      return 'write CERTIDENT "certificate name" "database password"';
    default:
      return `write ${kw} VALUE`;
  }
}
