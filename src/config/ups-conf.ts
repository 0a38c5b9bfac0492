/**
 * ups.conf: `[name]` sections of `key = value` lines and one-word flags.
 * NUT's rules (nut-protocol.md §4.1): only the third word of `key = value` is
 * used; a one-word line is a flag; two-word lines are silently ignored; the UPS
 * name `default` is reserved; upsd refuses a second section whose name matches
 * an earlier one ignoring case; a section without driver or port is skipped.
 */
import { lexText } from '../common/lexer.js';
import { IssueList, byLine, parseIntStrict, toBytes } from './issues.js';
import {
  DRIVER_OPTIONS,
  KNOWN_DRIVERS,
  UPS_COMMON_FLAGS,
  UPS_COMMON_KEYS,
  UPS_GLOBAL_FLAGS,
  UPS_GLOBAL_KEYS,
  UPS_KEY_ALIASES,
  UPS_OBSOLETE_KEYS,
} from './keys.js';
import { closest, didYouMean } from './suggest.js';
import type { Parsed, UpsConf, UpsSection } from './types.js';

const ALL_DRIVER_KEYS = new Set<string>();
const ALL_DRIVER_FLAGS = new Set<string>();
for (const d of Object.values(DRIVER_OPTIONS)) {
  for (const k of d.keys) ALL_DRIVER_KEYS.add(k);
  for (const f of d.flags) ALL_DRIVER_FLAGS.add(f);
}
const COMMON_KEYS = new Set<string>(UPS_COMMON_KEYS);
const COMMON_FLAGS = new Set<string>(UPS_COMMON_FLAGS);
const GLOBAL_KEYS = new Set<string>(UPS_GLOBAL_KEYS);
const GLOBAL_FLAGS = new Set<string>(UPS_GLOBAL_FLAGS);

/** Keys whose values are never echoed in messages. */
const SECRET_KEY = /pass|secret|community|key/i;

/** Keys whose name NUT compares ignoring case. */
function canonicalKey(key: string): string {
  return key.toLowerCase() === 'statepath' ? 'statepath' : key;
}

interface SectionState {
  section: UpsSection;
  /** Lines of keys set, to report duplicates. */
  seen: Map<string, number>;
  unknown: Array<{ key: string; line: number; isFlag: boolean; value?: string }>;
  headerOk: boolean;
}

export function parseUpsConf(text: string | Buffer, file: string): Parsed<UpsConf> {
  const issues = new IssueList(file);
  const value: UpsConf = { globals: [], globalFlags: [], ups: [] };
  const { lines, errors } = lexText(toBytes(text));
  issues.lexErrors(errors);

  let cur: SectionState | undefined;
  /** Every section by its exact name (NUT merges a section written twice). */
  const byName = new Map<string, SectionState>();
  const all: SectionState[] = [];
  const globalSeen = new Map<string, number>();

  for (const { words, line } of lines) {
    const w0 = words[0]!;
    if (w0.startsWith('[')) {
      let name: string;
      let headerOk = true;
      if (words.length === 1 && w0.endsWith(']') && w0.length > 2) {
        name = w0.slice(1, -1);
      } else if (w0 === '[]' && words.length === 1) {
        issues.error(line, 'empty UPS name in section header', 'write [myups]');
        cur = undefined;
        continue;
      } else {
        // `[my ups]` or `[myups`: NUT does not see a section header here, so the
        // lines after it would land in the previous section
        const joined = words.join(' ');
        const guess = joined.replace(/^\[/, '').replace(/\]$/, '').trim().replace(/\s+/g, '_') || 'myups';
        if (!joined.endsWith(']')) {
          issues.error(line, `section header ${joined} has no closing ]`, `write [${guess}]`);
        } else {
          issues.error(line, `section header ${joined} has spaces; UPS names are one word`, `write [${guess}]`);
        }
        name = guess;
        headerOk = false;
      }
      if (!headerOk) {
        cur = { section: { name, line, sdorder: 0, options: [], flags: [] }, seen: new Map(), unknown: [], headerOk };
        continue;
      }
      const same = byName.get(name);
      if (same) {
        issues.warn(line, `section [${name}] appears again (first on line ${same.section.line}); NUT merges the two`, 'keep one section per UPS');
        cur = same;
        continue;
      }
      const section: UpsSection = { name, line, sdorder: 0, options: [], flags: [] };
      cur = { section, seen: new Map(), unknown: [], headerOk };
      byName.set(name, cur);
      all.push(cur);
      if (name.toLowerCase() === 'default') {
        issues.warn(line, `the UPS name "${name}" is reserved by NUT`, 'choose another name');
      }
      const clash = value.ups.findIndex((u) => u.name.toLowerCase() === name.toLowerCase());
      if (clash >= 0) {
        const old = value.ups[clash]!;
        issues.error(
          line,
          `UPS name "${name}" is already used by [${old.name}] on line ${old.line} (NUT compares UPS names ignoring case); NUT's upsd keeps only this later section and drops [${old.name}]`,
          'give each UPS a name that differs in more than case',
        );
        value.ups.splice(clash, 1);
      }
      value.ups.push(section);
      continue;
    }

    if (words.length === 1) {
      if (cur) flagInSection(cur, w0, line, issues);
      else {
        value.globalFlags.push({ name: w0, line });
        if (!GLOBAL_FLAGS.has(w0)) {
          const s = closest(w0, [...GLOBAL_FLAGS, ...GLOBAL_KEYS]);
          if (GLOBAL_KEYS.has(w0)) issues.warn(line, `global key ${w0} needs a value; NUT ignores it as a flag`, `write ${w0} = VALUE`);
          else issues.warn(line, `unknown global flag ${w0} (ignored)`, s ? `did you mean ${s}?` : undefined);
        }
      }
      continue;
    }

    if (words[1] !== '=' || words.length < 3) {
      const shown = SECRET_KEY.test(w0) ? `${w0} ...` : words.join(' ');
      const why = words[1] === '=' ? `"${w0} =" without a value is ignored by NUT` : `line "${shown}" is neither "key = value" nor a flag; NUT ignores it`;
      const sugg =
        words[1] === '=' ? `write ${w0} = "" for an empty value` : words.length === 2 ? `write ${w0} = ${SECRET_KEY.test(w0) ? 'VALUE' : words[1]}` : undefined;
      issues.warn(line, why, sugg);
      continue;
    }

    const key = canonicalKey(w0);
    const val = words[2]!;
    if (words.length > 3) {
      if (SECRET_KEY.test(key)) {
        issues.warn(line, `only the first word of the value of ${key} is used; NUT ignores the rest`, `quote the value: ${key} = "..."`);
      } else {
        issues.warn(
          line,
          `only the first word of the value is used: ${key} = ${val} (NUT ignores "${words.slice(3).join(' ')}")`,
          `quote the value: ${key} = "${words.slice(2).join(' ')}"`,
        );
      }
    }

    if (!cur) {
      value.globals.push({ key, value: val, line });
      globalKey(key, val, line, issues, globalSeen);
      continue;
    }
    if (!cur.headerOk) continue;
    keyInSection(cur, key, val, line, issues);
  }
  for (const st of all) checkSection(st, issues);

  if (value.ups.length === 0 && lines.length > 0) {
    // upsd exits at startup with no UPS (unless ALLOW_NO_DEVICE): checked across files in check.ts
  }
  return { value, issues: byLine(issues.items) };
}

function checkNumber(key: string, val: string, line: number, issues: IssueList, min: number, severity: 'error' | 'warning' = 'error'): number | undefined {
  const n = parseIntStrict(val);
  if (n === undefined || n < min) {
    issues.add(severity, line, `${key} must be a whole number${min > -Infinity ? ` >= ${min}` : ''}, not "${val}"`);
    return undefined;
  }
  return n;
}

function checkCommonValue(key: string, val: string, line: number, issues: IssueList): void {
  switch (key) {
    case 'pollinterval':
      checkNumber(key, val, line, issues, 1);
      break;
    case 'maxstartdelay':
    case 'maxretry':
    case 'retrydelay':
      checkNumber(key, val, line, issues, 0);
      break;
    case 'debug_min':
    case 'LIBUSB_DEBUG':
      checkNumber(key, val, line, issues, 0, 'warning');
      break;
    case 'synchronous': {
      const l = val.toLowerCase();
      if (l !== 'yes' && l !== 'no' && l !== 'auto') {
        issues.error(line, `synchronous must be yes, no or auto, not "${val}"`, didYouMean(val, ['yes', 'no', 'auto']));
      }
      break;
    }
  }
}

function globalKey(key: string, val: string, line: number, issues: IssueList, seen: Map<string, number>): void {
  if (!GLOBAL_KEYS.has(key)) {
    if (key.startsWith('[')) return;
    const s = didYouMean(key, [...GLOBAL_KEYS, ...GLOBAL_FLAGS]);
    if (COMMON_KEYS.has(key) || ALL_DRIVER_KEYS.has(key)) {
      issues.warn(line, `${key} is a per-UPS key but appears before the first [section]; it is ignored here`, 'move it into a [ups] section');
    } else {
      issues.warn(line, `unknown global key ${key} (ignored)`, s);
    }
    return;
  }
  const prev = seen.get(key);
  if (prev !== undefined) issues.warn(line, `${key} set again (first on line ${prev}); the last value wins`);
  seen.set(key, line);
  checkCommonValue(key, val, line, issues);
}

function driverOptions(st: SectionState) {
  return st.section.driver !== undefined ? DRIVER_OPTIONS[st.section.driver] : undefined;
}

function keyInSection(st: SectionState, key: string, val: string, line: number, issues: IssueList): void {
  const sec = st.section;
  sec.options.push({ key, value: val, line });
  const prev = st.seen.get(key);
  if (prev !== undefined && key !== 'driver' && key !== 'port') {
    issues.warn(line, `${key} set again in [${sec.name}] (first on line ${prev})`);
  }
  switch (key) {
    case 'driver':
      if (sec.driver !== undefined) {
        issues.error(line, `driver set twice in [${sec.name}] (first on line ${prev ?? sec.line})`, 'keep one driver line');
      } else {
        sec.driver = val;
        if (val === '') issues.error(line, `empty driver in [${sec.name}]`, 'write driver = usbhid-ups (or your driver)');
        else if (!(KNOWN_DRIVERS as readonly string[]).includes(val)) {
          const s = closest(val, KNOWN_DRIVERS, 2);
          if (s) issues.warn(line, `unknown driver "${val}"`, `did you mean ${s}?`);
        }
      }
      break;
    case 'port':
      if (sec.port !== undefined) issues.warn(line, `port set twice in [${sec.name}] (first on line ${prev ?? sec.line})`);
      else sec.port = val;
      break;
    case 'desc':
      sec.desc = val;
      break;
    case 'sdorder': {
      const n = checkNumber(key, val, line, issues, -1);
      if (n !== undefined) sec.sdorder = n;
      break;
    }
    default:
      if (COMMON_KEYS.has(key)) {
        checkCommonValue(key, val, line, issues);
        if (key === 'maxstartdelay' || key === 'maxretry' || key === 'retrydelay') {
          issues.warn(
            line,
            `per-UPS ${key}: NUT drivers before 2.8.3 exit with a fatal error on it (Walnut and upsdrvctl accept it)`,
            'set it globally (before the first section) if NUT 2.8.0 drivers may read this file',
          );
        }
      } else if (COMMON_FLAGS.has(key)) {
        flagAsKey(st, key, val, line, issues);
      } else if (/^(override|default)\.[A-Za-z0-9]/.test(key)) {
        /* value for a variable: fine */
      } else if (UPS_OBSOLETE_KEYS[key]) {
        issues.warn(line, UPS_OBSOLETE_KEYS[key]!);
      } else {
        // driver-specific: checked once the whole section (and so the driver) is known
        st.unknown.push({ key, line, isFlag: false, value: val });
      }
  }
  st.seen.set(key, line);
}

function flagInSection(st: SectionState, name: string, line: number, issues: IssueList): void {
  const sec = st.section;
  sec.flags.push({ name, line });
  if (!st.headerOk) return;
  if (COMMON_FLAGS.has(name)) return;
  if (COMMON_KEYS.has(name)) {
    issues.warn(line, `${name} needs a value; alone on a line it is taken as a flag and sets nothing`, `write ${name} = VALUE`);
    return;
  }
  st.unknown.push({ key: name, line, isFlag: true });
}

const FALSY = new Set(['no', 'false', 'off', '0', 'disabled', 'disable']);

/**
 * A flag written as `flag = value`: NUT's drivers enable it whatever the value
 * (seen with dummy-ups 2.8.0: `nolock = no` gives driver.flag.nolock enabled).
 */
function flagAsKey(st: SectionState, key: string, val: string, line: number, issues: IssueList): void {
  // a flag, not an option: consumers see it in `flags` only
  const i = st.section.options.findIndex((o) => o.line === line && o.key === key);
  if (i >= 0) st.section.options.splice(i, 1);
  st.section.flags.push({ name: key, line });
  if (FALSY.has(val.toLowerCase())) {
    issues.error(line, `${key} is a flag: "${key} = ${val}" turns it ON (NUT ignores the value)`, `remove the line to leave ${key} off`);
  }
}

function checkSection(st: SectionState, issues: IssueList): void {
  const sec = st.section;
  const opts = driverOptions(st);
  const typoOf = new Map<string, { key: string; line: number }>();
  for (const u of st.unknown) {
    const isFlag = u.isFlag;
    if (opts) {
      if (isFlag && opts.flags.includes(u.key)) continue;
      if (!isFlag && opts.keys.includes(u.key)) continue;
      if (isFlag && opts.keys.includes(u.key)) {
        issues.warn(u.line, `${u.key} is a ${sec.driver} option that needs a value`, `write ${u.key} = VALUE`);
        continue;
      }
      if (!isFlag && opts.flags.includes(u.key)) {
        flagAsKey(st, u.key, u.value ?? '', u.line, issues);
        continue;
      }
    } else if (sec.driver !== undefined && (isFlag ? ALL_DRIVER_FLAGS.has(u.key) : ALL_DRIVER_KEYS.has(u.key))) {
      continue; // a driver Walnut has no table for: accept the well-known options
    }
    const alias = UPS_KEY_ALIASES[u.key.toLowerCase()];
    const common = isFlag ? [...COMMON_FLAGS] : [...COMMON_KEYS];
    const own = opts ? (isFlag ? opts.flags : opts.keys) : [];
    const near = closest(u.key, common) ?? closest(u.key, own);
    const what = isFlag ? 'flag' : 'key';
    const drv = sec.driver ? ` by driver ${sec.driver}` : '';
    const consequence = 'NUT drivers exit on options they do not declare; upsd ignores it';
    if (alias && !isFlag) {
      issues.warn(u.line, `unknown ${what} ${u.key} in [${sec.name}]; ${consequence}`, `did you mean ${alias}?`);
      typoOf.set(alias, u);
    } else if (near) {
      issues.warn(u.line, `unknown ${what} ${u.key} in [${sec.name}]; ${consequence}`, `did you mean ${near}?`);
      typoOf.set(near, u);
    } else if (opts) {
      issues.warn(u.line, `${what} ${u.key} in [${sec.name}] is not known${drv}; ${consequence}`);
    } else {
      issues.warn(u.line, `${what} ${u.key} in [${sec.name}] is not a common key; it must be an option of the driver`);
    }
  }
  for (const req of ['driver', 'port'] as const) {
    if (sec[req] !== undefined) continue;
    const t = typoOf.get(req);
    const msg = `UPS [${sec.name}] has no ${req}; upsd skips it${req === 'driver' ? ' and no driver can start for it' : ''}`;
    if (t) issues.error(sec.line, msg, `line ${t.line} has "${t.key}": did you mean ${req}?`);
    else issues.error(sec.line, msg, req === 'driver' ? 'add driver = NAME (e.g. usbhid-ups)' : 'add port = auto (USB) or the device path');
  }
}
