/**
 * A driver's settings from its ups.conf section (plus globals and -x
 * overrides), checked against what the core and the driver declare.
 * Unlike NUT (which exits with status 0), an undeclared option is refused
 * with a message naming ups.conf FILE:LINE.
 */
import { closest } from '../../config/suggest.js';
import type { UpsConf, UpsSection } from '../../config/types.js';

export interface OptionDecl {
  name: string;
  help: string;
  /** Never published as driver.parameter.<name> (passwords, communities). */
  sensitive?: boolean;
}

export interface FlagDecl {
  name: string;
  help: string;
}

/** Keys the core handles (not published as driver.parameter.*). */
const CORE_KEYS_SILENT = new Set([
  'driver',
  'desc',
  'sdorder',
  'user',
  'group',
  'debug_min',
  'LIBUSB_DEBUG',
  'maxstartdelay',
  'maxretry',
  'retrydelay',
  'chroot',
  'driverpath',
  'statepath',
]);
/** Keys the core handles and publishes. */
const CORE_KEYS_PUBLISHED = new Set(['port', 'pollinterval', 'synchronous', 'sdcommands']);
const CORE_FLAGS = new Set(['nolock', 'ignorelb', 'allow_killpower']);

export interface Setting {
  key: string;
  value: string;
  /** Where it came from: "FILE:LINE" or "-x". */
  origin: string;
}

export interface DriverSettings {
  upsName: string;
  driver: string;
  port: string;
  pollIntervalSec: number;
  synchronous: string;
  user?: string;
  debugMin: number;
  /** Driver (and core-published) options, in order; later wins. */
  options: Map<string, string>;
  flags: Set<string>;
  overrides: Setting[];
  defaults: Setting[];
  /** driver.parameter.<key> values, in order. */
  published: Array<[string, string]>;
  sdorder: number;
  desc?: string;
}

export interface ResolveInput {
  upsName: string;
  driverName: string;
  options: readonly OptionDecl[];
  flags: readonly FlagDecl[];
  conf?: UpsConf;
  confFile?: string;
  /** -x key=value / -x flag, in order. */
  extra?: ReadonlyArray<{ key: string; value?: string }>;
  /** -i pollinterval */
  pollInterval?: number;
}

export type Resolved = { ok: true; settings: DriverSettings } | { ok: false; errors: string[] };

export function findSection(conf: UpsConf, name: string): UpsSection | undefined {
  return conf.ups.find((s) => s.name === name);
}

export function resolveSettings(inp: ResolveInput): Resolved {
  const errors: string[] = [];
  const file = inp.confFile ?? 'ups.conf';
  const declOpts = new Map(inp.options.map((o) => [o.name, o]));
  const declFlags = new Set(inp.flags.map((f) => f.name));
  const s: DriverSettings = {
    upsName: inp.upsName,
    driver: inp.driverName,
    port: '',
    pollIntervalSec: 2,
    synchronous: 'auto',
    debugMin: 0,
    options: new Map(),
    flags: new Set(),
    overrides: [],
    defaults: [],
    published: [],
    sdorder: 0,
  };
  let portSeen = false;

  const applyKey = (key: string, value: string, origin: string, global: boolean) => {
    if (key.startsWith('override.') && !global) {
      s.overrides.push({ key: key.slice(9), value, origin });
      return;
    }
    if (key.startsWith('default.') && !global) {
      s.defaults.push({ key: key.slice(8), value, origin });
      return;
    }
    switch (key) {
      case 'driver':
        if (value !== inp.driverName) errors.push(`${origin}: [${inp.upsName}] is for driver ${value}, not ${inp.driverName}`);
        return;
      case 'port':
        s.port = value;
        portSeen = true;
        break;
      case 'pollinterval': {
        const n = /^\d+$/.test(value) ? parseInt(value, 10) : NaN;
        if (!(n > 0)) {
          errors.push(`${origin}: pollinterval must be a whole number of seconds above 0, not "${value}"`);
          return;
        }
        s.pollIntervalSec = n;
        break;
      }
      case 'synchronous':
        s.synchronous = value;
        break;
      case 'user':
        s.user = value;
        return;
      case 'debug_min':
        s.debugMin = parseInt(value, 10) || 0;
        return;
      case 'desc':
        s.desc = value;
        return;
      case 'sdorder':
        s.sdorder = parseInt(value, 10) || 0;
        return;
      default:
        if (CORE_KEYS_SILENT.has(key)) return;
        if (global) return; // upsdrvctl / other globals: not the driver's business
        if (!CORE_KEYS_PUBLISHED.has(key) && !declOpts.has(key)) {
          const near = closest(key, [...declOpts.keys(), ...CORE_KEYS_PUBLISHED, ...CORE_KEYS_SILENT]);
          const known = [...declOpts.keys()];
          errors.push(
            `${origin}: '${key}' is not a valid variable name for driver ${inp.driverName}` +
              (near ? ` (did you mean ${near}?)` : known.length ? ` (it knows: ${known.join(', ')})` : ' (it takes no extra options)'),
          );
          return;
        }
    }
    s.options.set(key, value);
    const decl = declOpts.get(key);
    if (!decl?.sensitive) {
      const i = s.published.findIndex(([k]) => k === key);
      if (i >= 0) s.published[i] = [key, value];
      else s.published.push([key, value]);
    }
  };

  const applyFlag = (name: string, origin: string, global: boolean) => {
    if (global) return;
    if (!CORE_FLAGS.has(name) && !declFlags.has(name)) {
      const near = closest(name, [...declFlags, ...CORE_FLAGS]);
      errors.push(
        `${origin}: '${name}' is not a valid flag for driver ${inp.driverName}` +
          (near ? ` (did you mean ${near}?)` : declOpts.has(name) ? ` (it needs a value: ${name} = VALUE)` : ''),
      );
      return;
    }
    s.flags.add(name);
  };

  if (inp.conf) {
    for (const g of inp.conf.globals) {
      if (g.key === 'pollinterval' || g.key === 'synchronous' || g.key === 'user' || g.key === 'debug_min') applyKey(g.key, g.value, `${file}:${g.line}`, false);
    }
    const sec = findSection(inp.conf, inp.upsName);
    if (!sec) {
      errors.push(`${file}: no [${inp.upsName}] section`);
    } else {
      // options and flags in file order
      const items: Array<{ line: number; key: string; value?: string }> = [
        ...sec.options.map((o) => ({ line: o.line, key: o.key, value: o.value })),
        ...sec.flags.map((f) => ({ line: f.line, key: f.name })),
      ].sort((a, b) => a.line - b.line);
      for (const it of items) {
        if (it.value === undefined) applyFlag(it.key, `${file}:${it.line}`, false);
        else applyKey(it.key, it.value, `${file}:${it.line}`, false);
      }
      if (sec.driver === undefined) errors.push(`${file}:${sec.line}: [${inp.upsName}] has no driver`);
    }
  }
  for (const x of inp.extra ?? []) {
    if (x.value === undefined) applyFlag(x.key, '-x', false);
    else applyKey(x.key, x.value, '-x', false);
  }
  if (inp.pollInterval !== undefined) applyKey('pollinterval', String(inp.pollInterval), '-i', false);
  if (!portSeen) errors.push(`${inp.conf ? `${file}: [${inp.upsName}]` : 'command line'}: no port (add port = ... to the section, or -x port=...)`);

  // NUT always publishes pollinterval and synchronous
  const pub = new Map(s.published);
  const ordered: Array<[string, string]> = [];
  for (const [k, v] of pub) if (k !== 'pollinterval' && k !== 'synchronous') ordered.push([k, v]);
  ordered.push(['pollinterval', String(s.pollIntervalSec)], ['synchronous', s.synchronous]);
  s.published = ordered;
  return errors.length ? { ok: false, errors } : { ok: true, settings: s };
}
