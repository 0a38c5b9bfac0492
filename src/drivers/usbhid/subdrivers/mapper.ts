/**
 * The stateful side of a subdriver: decoded HID values in, NUT variables,
 * status tokens, alarms and HID writes out. Pure (no I/O, no clock); the
 * driver runtime owns the timing (e.g. the 125 ms pause in shutdown.return
 * is returned as HidWrite.delayMs).
 */
import { WalnutError } from '../../../common/errors.js';
import { CONVERTERS, formatNumber, isNumeric } from './convert.js';
import type {
  ApplyResult,
  CommandPlan,
  HidInfoEntry,
  HidMapper,
  HidWrite,
  MapperOptions,
  StatusBit,
  Subdriver,
} from './types.js';

/** Canonical form of a path: vendor usage names become 8-digit hex, hex is lower-cased. */
export function canonicalPath(path: string, usages: Readonly<Record<string, number>>): string {
  return path
    .split('.')
    .map((c) => {
      const code = usages[c];
      if (code !== undefined) return (code >>> 0).toString(16).padStart(8, '0');
      if (/^(0x)?[0-9a-fA-F]{8}$/.test(c)) return c.replace(/^0x/, '').toLowerCase();
      return c;
    })
    .join('.');
}

/** A path with vendor hex components replaced by the subdriver's names (for display). */
export function namedPath(path: string, usages: Readonly<Record<string, number>>): string {
  const byCode = new Map<number, string>();
  for (const [name, code] of Object.entries(usages)) if (!byCode.has(code >>> 0)) byCode.set(code >>> 0, name);
  return path
    .split('.')
    .map((c) => (/^[0-9a-fA-F]{8}$/.test(c) ? (byCode.get(parseInt(c, 16) >>> 0) ?? c) : c))
    .join('.');
}

const ALARM_TEXT: ReadonlyArray<[StatusBit, string]> = [
  ['replacebatt', 'Replace battery!'],
  ['shutdownimm', 'Shutdown imminent!'],
  ['fanfail', 'Fan failure!'],
  ['nobattery', 'No battery installed!'],
  ['battvoltlo', 'Battery voltage too low!'],
  ['battvolthi', 'Battery voltage too high!'],
  ['chargerfail', 'Battery charger fail!'],
  ['overheat', 'Temperature too high!'],
  ['commfault', 'Internal UPS fault!'],
  ['awaitingpower', 'Awaiting power!'],
  ['fusefault', 'Fuse fault!'],
];

/**
 * NUT's status rules (usbhid-ups ups_status_set), from the bits alone.
 * Exported so that tests and explain output can use them without a table.
 */
export function statusFromBits(
  bits: ReadonlySet<StatusBit>,
  opts: { onlinedischarge?: boolean; onlinedischargeCalibration?: boolean } = {},
): string {
  const t: string[] = [];
  const add = (tok: string): void => {
    if (!t.includes(tok)) t.push(tok);
  };
  if (bits.has('cal')) add('CAL');
  if (!bits.has('online')) add('OB');
  else if (bits.has('discharging')) {
    if (opts.onlinedischarge) add('OB');
    else if (opts.onlinedischargeCalibration) add('CAL');
    else add('OL');
  } else add('OL');
  if (bits.has('discharging') && !bits.has('depleted')) add('DISCHRG');
  if (bits.has('charging') && !bits.has('fullycharged')) add('CHRG');
  if (bits.has('lowbatt') || bits.has('timelimitexp') || bits.has('shutdownimm')) add('LB');
  if (bits.has('overload')) add('OVER');
  if (bits.has('replacebatt') || bits.has('nobattery')) add('RB');
  if (bits.has('trim')) add('TRIM');
  if (bits.has('boost')) add('BOOST');
  if (bits.has('bypassauto') || bits.has('bypassman')) add('BYPASS');
  if (bits.has('off')) add('OFF');
  return t.join(' ');
}

export function alarmsFromBits(bits: ReadonlySet<StatusBit>): string {
  return ALARM_TEXT.filter(([b]) => bits.has(b))
    .map(([, s]) => s)
    .join(' ');
}

function isVarEntry(e: HidInfoEntry): e is HidInfoEntry & { var: string } {
  return e.var !== undefined && !e.instcmd && !e.status;
}

export function createHidMapper(sd: Subdriver, options: MapperOptions = {}): HidMapper {
  // apply() runs for every field of every report: remember canonical forms (bounded)
  const canonCache = new Map<string, string>();
  const canon = (p: string): string => {
    let c = canonCache.get(p);
    if (c === undefined) {
      c = canonicalPath(p, sd.usages);
      if (canonCache.size < 4096) canonCache.set(p, c);
    }
    return c;
  };
  const present = options.paths ? new Set([...options.paths].map(canon)) : undefined;
  const has = (e: HidInfoEntry): boolean => !present || present.has(canon(e.path));
  let offdelay = options.offdelay ?? sd.quirks.offdelay;
  let ondelay = options.ondelay ?? sd.quirks.ondelay;

  const byPath = new Map<string, HidInfoEntry[]>();
  const order = new Map<HidInfoEntry, number>();
  sd.table.forEach((e, i) => {
    order.set(e, i);
    const k = canon(e.path);
    const list = byPath.get(k);
    if (list) list.push(e);
    else byPath.set(k, [e]);
  });

  // Duplicate NUT names: the first entry whose path the device has wins
  const winner = new Map<string, HidInfoEntry>();
  for (const e of sd.table) {
    if (!isVarEntry(e)) continue;
    if (winner.has(e.var)) continue;
    if (present && !present.has(canon(e.path))) continue;
    winner.set(e.var, e);
  }
  // Without the descriptor's path list: the best (earliest) entry seen so far wins
  const bestSeen = new Map<string, number>();

  const bits = new Set<StatusBit>();
  const cmdEntries = sd.table.filter((e) => e.instcmd && has(e));
  const cmdByName = new Map<string, HidInfoEntry>();
  for (const e of cmdEntries) if (!cmdByName.has(e.instcmd!.name)) cmdByName.set(e.instcmd!.name, e);

  const numeric = new Map<string, number>();
  const ctx = {
    ...(options.vid !== undefined ? { vid: options.vid } : {}),
    ...(options.pid !== undefined ? { pid: options.pid } : {}),
    get: (name: string) => numeric.get(name),
  };

  function render(e: HidInfoEntry, raw: number): string | undefined {
    let value = raw;
    if (e.var && sd.quirks.adjustValue) value = sd.quirks.adjustValue(e.var, raw, ctx);
    if (e.var) numeric.set(e.var, value);
    if (e.flags.includes('stringid')) {
      // as the device sends it (a 2.8.1 dump shows "battery.mfr.date: 1 ")
      return options.strings?.(Math.trunc(value));
    }
    if (e.conv) {
      const c = CONVERTERS[e.conv];
      if (c.numeric && e.format) return formatNumber(e.format, c.numeric(value));
      return c.toNut(value);
    }
    return formatNumber(e.format ?? '%.0f', value);
  }

  function resolveDelay(which: 'offdelay' | 'ondelay' | 'arg', arg: string | undefined, cmd: string): number {
    if (arg !== undefined && arg !== '') {
      if (!isNumeric(arg)) throw new WalnutError('INVALID-ARGUMENT', `${cmd}: '${arg}' is not a number`);
      return Number(arg);
    }
    if (which === 'arg') throw new WalnutError('INVALID-ARGUMENT', `${cmd} needs a value`);
    return which === 'offdelay' ? offdelay : ondelay;
  }

  function roundDelay(v: number): number {
    const m = sd.quirks.delayMultipleOf;
    if (!m || v <= 0) return v;
    return v - (v % m);
  }

  function directCommand(name: string, arg: string | undefined): HidWrite | undefined {
    const e = cmdByName.get(name);
    if (!e) return undefined;
    const v = e.instcmd!.value;
    const value = typeof v === 'number' ? v : roundDelay(resolveDelay(v, arg, name));
    return { path: e.path, value };
  }

  const mapper: HidMapper = {
    subdriver: sd,

    initialVars() {
      const out: Array<[string, string]> = [];
      const seen = new Set<string>();
      for (const e of sd.table) {
        if (!e.flags.includes('absent') || !e.var || seen.has(e.var) || !has(e)) continue;
        seen.add(e.var);
        let v = e.default ?? '';
        if (v === 'offdelay') v = String(offdelay);
        else if (v === 'ondelay') v = String(ondelay);
        out.push([e.var, v]);
      }
      return out;
    },

    commands() {
      const names = new Set(cmdByName.keys());
      // as NUT 2.8.0 lists them (APC ES 850G2: load.off.delay alone gives load.off, not shutdown.stayoff)
      if (names.has('load.off.delay')) {
        names.add('load.off');
        if (names.has('load.on.delay')) {
          names.add('load.on');
          names.add('shutdown.return');
          names.add('shutdown.stayoff');
        }
      }
      return [...names].sort();
    },

    writable() {
      const out: ReturnType<HidMapper['writable']> = [];
      const seen = new Set<string>();
      for (const e of sd.table) {
        if (!isVarEntry(e) || !e.flags.includes('rw') || seen.has(e.var)) continue;
        if (!e.flags.includes('absent') && winner.get(e.var) !== e) continue;
        if (e.flags.includes('absent') && !has(e)) continue;
        seen.add(e.var);
        const enums = e.conv ? CONVERTERS[e.conv].values : undefined;
        out.push({
          var: e.var,
          path: e.path,
          string: e.flags.includes('string'),
          ...(e.length !== undefined ? { length: e.length } : {}),
          ...(enums && e.flags.includes('enum') ? { enums: [...enums] } : {}),
        });
      }
      return out;
    },

    entriesFor(path) {
      return byPath.get(canon(path)) ?? [];
    },

    apply(path, value) {
      const entries = byPath.get(canon(path)) ?? [];
      const vars: Array<[string, string]> = [];
      let statusChanged = false;
      for (const e of entries) {
        if (e.status) {
          const on = e.status.invert ? value === 0 : value !== 0;
          const had = bits.has(e.status.bit);
          if (on && !had) bits.add(e.status.bit);
          else if (!on && had) bits.delete(e.status.bit);
          if (on !== had) statusChanged = true;
          continue;
        }
        if (!isVarEntry(e) || e.flags.includes('absent')) continue;
        if (present) {
          if (winner.get(e.var) !== e) continue;
        } else {
          const idx = order.get(e)!;
          const best = bestSeen.get(e.var);
          if (best !== undefined && best < idx) continue;
          bestSeen.set(e.var, idx);
        }
        const text = render(e, value);
        if (text !== undefined) vars.push([e.var, text]);
      }
      return { vars, statusChanged, entries } satisfies ApplyResult;
    },

    statusBits() {
      return bits;
    },

    statusTokens() {
      return statusFromBits(bits, {
        ...(options.onlinedischarge !== undefined ? { onlinedischarge: options.onlinedischarge } : {}),
        ...(options.onlinedischargeCalibration !== undefined ? { onlinedischargeCalibration: options.onlinedischargeCalibration } : {}),
      });
    },

    alarms() {
      return alarmsFromBits(bits);
    },

    transferReason() {
      if (bits.has('vrange')) return 'input voltage out of range';
      if (bits.has('frange')) return 'input frequency out of range';
      return undefined;
    },

    commandWrites(cmd, arg) {
      const direct = directCommand(cmd, arg);
      if (direct && cmd !== 'shutdown.return' && cmd !== 'shutdown.stayoff') return { writes: [direct] };
      const offEntry = cmdByName.get('load.off.delay');
      const onEntry = cmdByName.get('load.on.delay');
      switch (cmd) {
        case 'load.off':
          if (offEntry) return { writes: [directCommand('load.off.delay', '0')!] };
          break;
        case 'load.on':
          if (onEntry && offEntry) return { writes: [directCommand('load.on.delay', '0')!] };
          break;
        case 'shutdown.return':
        case 'shutdown.stayoff': {
          if (direct) return { writes: [direct] };
          if (!offEntry || !onEntry) break;
          const plan: CommandPlan = { writes: [] };
          const autoStart = winner.get('ups.start.auto') ?? sd.table.find((e) => e.var === 'ups.start.auto' && e.flags.includes('rw') && has(e));
          if (autoStart && cmd === 'shutdown.return') {
            plan.writes.push({ path: autoStart.path, value: 1 });
            plan.vars = [['ups.start.auto', 'yes']];
          }
          const on = cmd === 'shutdown.stayoff' ? -1 : roundDelay(ondelay);
          plan.writes.push({ path: onEntry.path, value: on });
          plan.writes.push({ path: offEntry.path, value: roundDelay(offdelay), delayMs: 125 });
          return plan;
        }
        default:
          break;
      }
      throw new WalnutError('CMD-NOT-SUPPORTED', `instant command ${cmd} is not supported by this device (${sd.name})`);
    },

    setvarWrites(name, value) {
      const absentRw = sd.table.find((e) => e.var === name && e.flags.includes('absent') && e.flags.includes('rw') && has(e));
      if (absentRw) {
        // state-only variables: the delays the commands use, or a label (outlet.desc)
        const isDelay = absentRw.default === 'offdelay' || absentRw.default === 'ondelay';
        if (isDelay && !isNumeric(value)) throw new WalnutError('INVALID-VALUE', `${name}: '${value}' is not a number`);
        if (absentRw.length !== undefined && value.length > absentRw.length) throw new WalnutError('INVALID-VALUE', `${name}: longer than ${absentRw.length} characters`);
        if (absentRw.default === 'offdelay') offdelay = Number(value);
        else if (absentRw.default === 'ondelay') ondelay = Number(value);
        return [];
      }
      const e = winner.get(name);
      if (!e || !e.flags.includes('rw')) throw new WalnutError('VAR-NOT-SUPPORTED', `${name} is not writable on this device (${sd.name})`);
      let v: number | undefined;
      if (e.conv) {
        const c = CONVERTERS[e.conv];
        v = c.fromNut ? c.fromNut(value) : undefined;
        if (v === undefined && !c.fromNut && isNumeric(value)) v = Number(value);
      } else if (isNumeric(value)) v = Number(value);
      if (v === undefined) throw new WalnutError('INVALID-VALUE', `${name}: '${value}' is not a valid value`);
      return [{ path: e.path, value: v }];
    },
  };
  return mapper;
}
