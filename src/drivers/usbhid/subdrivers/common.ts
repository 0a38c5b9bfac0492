/**
 * Building blocks shared by the subdriver tables: row constructors, the
 * standard HID Power Device status rows and the generic command rows.
 */
import type { ConverterName, DeviceStrings, HidInfoEntry, HuFlag, StatusBit, UsbId } from './types.js';

export interface VarOpts {
  format?: string;
  conv?: ConverterName;
  length?: number;
  default?: string;
}

/** A variable row. */
export function v(name: string, path: string, flags: readonly HuFlag[] = [], opts: VarOpts = {}): HidInfoEntry {
  return { var: name, path, flags, ...opts };
}

/** A status (BOOL) row. */
export function st(path: string, bit: StatusBit, invert = false): HidInfoEntry {
  return { path, flags: ['quick'], status: invert ? { bit, invert } : { bit } };
}

/** An instant command row. */
export function cmd(name: string, path: string, value: number | 'offdelay' | 'ondelay' | 'arg'): HidInfoEntry {
  return { path, flags: [], instcmd: { name, value } };
}

/** The standard PresentStatus usages and the status bit each drives. */
export const STANDARD_STATUS: ReadonlyArray<[string, StatusBit, boolean]> = [
  ['ACPresent', 'online', false],
  ['Discharging', 'discharging', false],
  ['Charging', 'charging', false],
  ['BelowRemainingCapacityLimit', 'lowbatt', false],
  ['RemainingTimeLimitExpired', 'timelimitexp', false],
  ['ShutdownImminent', 'shutdownimm', false],
  ['Overload', 'overload', false],
  ['NeedReplacement', 'replacebatt', false],
  ['BatteryPresent', 'nobattery', true],
  ['FullyCharged', 'fullycharged', false],
  ['FullyDischarged', 'depleted', false],
  ['Boost', 'boost', false],
  ['Buck', 'trim', false],
  ['Good', 'off', true],
  ['InternalFailure', 'commfault', false],
  ['CommunicationLost', 'commfault', false],
  ['OverTemperature', 'overheat', false],
  ['AwaitingPower', 'awaitingpower', false],
  ['VoltageOutOfRange', 'vrange', false],
  ['VoltageNotRegulated', 'vrange', false],
  ['FrequencyOutOfRange', 'frange', false],
  ['Calibration', 'cal', false],
];

/** Status rows for every standard usage under each collection prefix. */
export function statusRows(prefixes: readonly string[], only?: readonly string[]): HidInfoEntry[] {
  const out: HidInfoEntry[] = [];
  for (const prefix of prefixes) {
    for (const [usage, bit, invert] of STANDARD_STATUS) {
      if (only && !only.includes(usage)) continue;
      out.push(st(`${prefix}.${usage}`, bit, invert));
    }
  }
  return out;
}

/**
 * Beeper commands on an AudibleAlarmControl path (1 disabled, 2 enabled, 3
 * muted), with the obsolete beeper.off / beeper.on NUT 2.8.0 still lists.
 */
export function beeperCommands(path: string): HidInfoEntry[] {
  return [
    cmd('beeper.disable', path, 1),
    cmd('beeper.enable', path, 2),
    cmd('beeper.mute', path, 3),
    cmd('beeper.off', path, 1),
    cmd('beeper.on', path, 2),
  ];
}

/** Battery test commands on a Test path (1 quick, 2 deep, 3 stop). */
export function testCommands(path: string): HidInfoEntry[] {
  return [cmd('test.battery.start.quick', path, 1), cmd('test.battery.start.deep', path, 2), cmd('test.battery.stop', path, 3)];
}

/** The delay rows most tables share (ups.delay.* defaults, timers, load.*.delay, shutdown.stop). */
export function delayRows(prefix = 'UPS.PowerSummary'): HidInfoEntry[] {
  return [
    v('ups.delay.shutdown', `${prefix}.DelayBeforeShutdown`, ['absent', 'rw', 'string'], { length: 10, default: 'offdelay' }),
    v('ups.delay.start', `${prefix}.DelayBeforeStartup`, ['absent', 'rw', 'string'], { length: 10, default: 'ondelay' }),
    v('ups.timer.shutdown', `${prefix}.DelayBeforeShutdown`, ['quick']),
    v('ups.timer.start', `${prefix}.DelayBeforeStartup`, ['quick']),
    v('ups.timer.reboot', `${prefix}.DelayBeforeReboot`, ['quick']),
    cmd('load.off.delay', `${prefix}.DelayBeforeShutdown`, 'offdelay'),
    cmd('load.on.delay', `${prefix}.DelayBeforeStartup`, 'ondelay'),
    cmd('shutdown.stop', `${prefix}.DelayBeforeShutdown`, -1),
    cmd('shutdown.reboot', `${prefix}.DelayBeforeReboot`, 10),
  ];
}

/**
 * ups.mfr / ups.model / ups.serial from the USB strings. Manufacturer and
 * product are kept as the device sends them (dumps show "ups.mfr: 1 " and
 * "ups.model:  850"); the serial number loses its trailing blanks (the
 * PowerWalker dump: "000000000   " on USB, "000000000" in upsc).
 */
export function plainIdentify(s: DeviceStrings): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (s.vendor !== undefined && s.vendor !== '') out.push(['ups.mfr', s.vendor]);
  if (s.product !== undefined && s.product !== '') out.push(['ups.model', s.product]);
  if (s.serial !== undefined) out.push(['ups.serial', s.serial.replace(/\s+$/, '')]);
  return out;
}

const hex4 = (n: number): string => (n & 0xffff).toString(16).padStart(4, '0');

/** Does one of the ids claim vid:pid ('*' products claim every product of the vendor)? */
export function idsMatch(ids: readonly UsbId[], vid: number, pid: number): boolean {
  const vs = hex4(vid);
  const ps = hex4(pid);
  return ids.some((id) => id.vendorId === vs && (id.productId === '*' || id.productId === ps));
}
