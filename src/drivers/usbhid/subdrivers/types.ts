/**
 * usbhid-ups subdrivers: the data that turns HID paths into NUT variables,
 * status tokens and instant commands (NUT's hid_info_t tables, their lookup
 * conversions, the status rules and the per-vendor quirks).
 *
 * Everything here is plain data and pure functions. The driver runtime
 * (src/drivers/usbhid/driver*.ts) and `walnut hid explain` call:
 *   selectSubdriver(vid, pid, vendor, product)      → Subdriver (generic fallback)
 *   createHidMapper(subdriver, options)             → HidMapper (stateful)
 *     mapper.apply(path, value)                     → vars + status change
 *     mapper.statusTokens() / mapper.alarms()       → ups.status / ups.alarm
 *     mapper.commandWrites(cmd, arg)                → HID writes for an instant command
 *     mapper.setvarWrites(var, value)               → HID writes for upsrw
 *
 * Paths are NUT's dot-joined usage names ("UPS.PowerSummary.PresentStatus.ACPresent",
 * "[n]" instances, 8-digit lower-case hex for usages without a name). A
 * vendor usage may be written by name (APC "APCSensitivity") or as hex
 * ("ff860061"): the mapper canonicalises both through Subdriver.usages.
 */

/** NUT's HU_FLAG_* (how and when an entry is read) plus ST_FLAG_* (how it is published). */
export type HuFlag =
  /** read every pollinterval (HU_FLAG_QUICK_POLL) */
  | 'quick'
  /** read once at start (HU_FLAG_STATIC) */
  | 'static'
  /** read only occasionally (HU_FLAG_SEMI_STATIC) */
  | 'semistatic'
  /** not read from the device: publish `default` when the path exists (HU_FLAG_ABSENT) */
  | 'absent'
  /** the value is the index of a USB string descriptor (stringid conversion) */
  | 'stringid'
  /** publish as writable (ST_FLAG_RW) */
  | 'rw'
  /** published as a STRING variable (ST_FLAG_STRING, max length `length`) */
  | 'string'
  /** publish with the allowed values of its lookup as enums (HU_FLAG_ENUM) */
  | 'enum';

/** Internal status bits (NUT's STATUS(...) flags) that BOOL entries set or clear. */
export type StatusBit =
  | 'online'
  | 'discharging'
  | 'charging'
  | 'lowbatt'
  | 'timelimitexp'
  | 'shutdownimm'
  | 'overload'
  | 'replacebatt'
  | 'nobattery'
  | 'trim'
  | 'boost'
  | 'bypassauto'
  | 'bypassman'
  | 'off'
  | 'cal'
  | 'overheat'
  | 'commfault'
  | 'awaitingpower'
  | 'depleted'
  | 'fullycharged'
  | 'fanfail'
  | 'battvoltlo'
  | 'battvolthi'
  | 'chargerfail'
  | 'vrange'
  | 'frange'
  | 'fusefault'
  | 'failed'
  | 'eco';

/** How a BOOL entry drives a status bit: value != 0 sets the bit (or clears it when `invert`). */
export interface StatusRule {
  bit: StatusBit;
  /** true: value 0 sets the bit, non-zero clears it (e.g. PresentStatus.Good = 0 → OFF, BatteryPresent = 0 → no battery) */
  invert?: boolean;
}

/** Value used by an instant command write. */
export type CommandValue =
  | number
  /** the command argument, else ups.delay.shutdown (offdelay) */
  | 'offdelay'
  /** the command argument, else ups.delay.start (ondelay) */
  | 'ondelay'
  /** the command argument (required) */
  | 'arg';

/** One row of a subdriver table (NUT's hid_info_t). */
export interface HidInfoEntry {
  /** NUT variable name; undefined for status-only entries and for commands. */
  var?: string;
  /** HID path. */
  path: string;
  flags: readonly HuFlag[];
  /** Max length of a STRING variable (ST_FLAG_STRING aux). */
  length?: number;
  /** printf-style format of the published value: '%.0f' (default), '%.1f', '%.2f', '%d', '%s'. */
  format?: string;
  /** Name of a conversion in convert.ts (a NUT lookup table / function). */
  conv?: ConverterName;
  /** For 'absent' entries: the published value ('offdelay'/'ondelay' stand for the ups.conf values). */
  default?: string;
  /** Status entry: the status bit this path drives. */
  status?: StatusRule;
  /** Instant command entry: the command name and the value it writes to `path`. */
  instcmd?: { name: string; value: CommandValue };
}

/** The conversions (NUT lookup tables and functions) a table may name. */
export type ConverterName =
  /** HID date (((year-1980)<<9)|(month<<5)|day) → YYYY/MM/DD */
  | 'date'
  /** APC battery replacement date (BCD-like hex 0xMMDDYY) → YYYY/MM/DD */
  | 'apcDate'
  /** AudibleAlarmControl 1/2/3 → disabled/enabled/muted */
  | 'beeper'
  /** Test result 1..7 → 'Done and passed' ... */
  | 'testResult'
  /** 0/1 → no/yes */
  | 'yesno'
  /** 0/1 → disabled/enabled */
  | 'onoff'
  /** 0/1 → off/on (outlet.n.status) */
  | 'onOffStatus'
  /** APC Input.APCSensitivity 0/1/2 → low/medium/high */
  | 'apcSensitivity'
  /** Temperature in Kelvin → °C */
  | 'kelvinToCelsius'
  /** seconds → minutes (whole) */
  | 'secondsToMinutes'
  /** minutes → seconds */
  | 'minutesToSeconds'
  /** MGE/Eaton ups.start.battery / .auto etc.: 0/1 → no/yes */
  | 'mgeYesNo'
  /** Eaton/MGE beeper (AudibleAlarmControl) incl. vendor value 0 → 'disabled' */
  | 'eatonBeeper'
  /** Eaton/MGE Input.[n].PresentStatus.* sensitivity 0/1/2 → normal/high/low */
  | 'eatonSensitivity'
  /** Eaton/MGE ECO mode 0/1/2 → normal/high efficiency/ESS */
  | 'eatonEcoMode'
  /** Tripp Lite 0x30 "nominal voltage" quirks: raw → volts (values below 50 are ×10) */
  | 'trippliteVoltage'
  /** CyberPower 0764:0501 battery voltage fix (× 2/3 when well above nominal) */
  | 'cpsBatteryVoltage'
  /** Liebert/Phoenixtec fixed-point values reported ×10 too large when above 100 */
  | 'liebertDivide10'
  /** Salicru / PowerCOM load in 0..100 */
  | 'percent'
  /** value / 10 */
  | 'divide10'
  /** value / 100 */
  | 'divide100'
  /** value / 1000 */
  | 'divide1000';

/** One USB id the subdriver claims, with what real dumps showed for it. */
export interface UsbId {
  /** 4 lower-case hex digits */
  vendorId: string;
  /** 4 lower-case hex digits, or '*' for every product of the vendor */
  productId: string;
  /** Brand name for the hardware list */
  vendor?: string;
  /** Known models / series sold under this id */
  product?: string;
  /** Where this id was checked against a real device dump (ddl file name), if it was. */
  checked?: string;
}

/** Descriptor field as the quirks see it (a subset of the HID parser's field). */
export interface FixableField {
  path: string;
  reportId?: number;
  logMin: number;
  logMax: number;
  phyMin?: number;
  phyMax?: number;
  unit?: number;
  unitExp?: number;
  /** The HID parser's spelling (src/drivers/usbhid/hid HidField). */
  physMin?: number;
  physMax?: number;
  unitExponent?: number;
}

/** Per-vendor behaviour switches and fix-ups. */
export interface SubdriverQuirks {
  /** Default ups.conf offdelay / ondelay (seconds) published as ups.delay.shutdown / ups.delay.start. */
  offdelay: number;
  ondelay: number;
  /** Default pollfreq (s) for the non-quick entries (NUT 30; CyberPower 12). */
  pollfreq?: number;
  /** Delays are written in whole minutes (CyberPower: round down to a multiple of 60). */
  delayMultipleOf?: number;
  /**
   * Descriptor fix-ups (NUT's fix_report_desc), applied to the parsed fields
   * unless ups.conf `disable_fix_report_desc` is set. Mutates and returns the
   * number of fields it changed.
   */
  fixReportDesc?: (fields: FixableField[], vid: number, pid: number) => number;
  /**
   * Value fix-up before formatting (e.g. CyberPower 0764:0501 battery voltage
   * × 2/3 when well above nominal). `get` reads a value already applied.
   */
  adjustValue?: (name: string, value: number, ctx: { vid?: number; pid?: number; get(name: string): number | undefined }) => number;
  /** Free-text notes for the hardware list and explain output. */
  notes?: string[];
}

/** Identification strings the USB device descriptor provides. */
export interface DeviceStrings {
  vendor?: string;
  product?: string;
  serial?: string;
}

export interface Subdriver {
  /** NUT's subdriver name, e.g. "APC HID" (published as driver.version.data with version) */
  name: string;
  version: string;
  /** Driver name for the hardware list (always usbhid-ups here). */
  driver: 'usbhid-ups';
  usbIds: readonly UsbId[];
  /** true when this subdriver claims the device (ids, and for some vendors the strings). */
  match(vid: number, pid: number, vendorStr?: string, productStr?: string): boolean;
  /** The path → variable/status/command table, in priority order. */
  table: readonly HidInfoEntry[];
  /** Vendor usage names → usage code (e.g. APCSensitivity → 0xff860061). */
  usages: Readonly<Record<string, number>>;
  quirks: SubdriverQuirks;
  /**
   * ups.mfr / ups.model / ups.serial (and vendor extras such as APC's
   * ups.firmware) from the USB strings, as the subdriver formats them.
   */
  identify(strings: DeviceStrings): Array<[string, string]>;
}

/** A HID write: set `path` to `value` (physical units, the HID layer encodes). */
export interface HidWrite {
  path: string;
  value: number;
  /** Wait this long (ms) before the write (NUT pauses 125 ms between the on and off delays). */
  delayMs?: number;
}

export interface ApplyResult {
  /** Variables to publish, already formatted. */
  vars: Array<[string, string]>;
  /** true when this path changed a status bit. */
  statusChanged: boolean;
  /** The table entries that used this path (for explain output). */
  entries: HidInfoEntry[];
}

export interface MapperOptions {
  /**
   * The paths the device's descriptor has. With it, duplicate NUT names
   * resolve to the first existing path and 'absent' entries publish their
   * defaults only when their path exists. Without it, every entry is live.
   */
  paths?: Iterable<string>;
  /** ups.conf offdelay / ondelay (defaults: the subdriver's quirks). */
  offdelay?: number;
  ondelay?: number;
  /** USB string descriptor lookup for 'stringid' entries. */
  strings?: (index: number) => string | undefined;
  /** The device's USB ids (for value quirks). */
  vid?: number;
  pid?: number;
  /** ups.conf onlinedischarge (OL+DISCHRG → OB) and onlinedischarge_calibration (→ CAL). */
  onlinedischarge?: boolean;
  onlinedischargeCalibration?: boolean;
}

export interface CommandPlan {
  writes: HidWrite[];
  /** Variables the command also sets in the state table (e.g. ups.start.auto). */
  vars?: Array<[string, string]>;
}

export interface HidMapper {
  readonly subdriver: Subdriver;
  /** Variables published without reading the device ('absent' defaults). */
  initialVars(): Array<[string, string]>;
  /** The instant commands the device supports (names, sorted). */
  commands(): string[];
  /** Writable variables (rw entries whose path exists) with their enums when known. */
  writable(): Array<{ var: string; path: string; string: boolean; length?: number; enums?: string[] }>;
  /** Entries that read `path` (variable, status and command entries). */
  entriesFor(path: string): HidInfoEntry[];
  /** Feed one decoded value. */
  apply(path: string, value: number): ApplyResult;
  /** The current status bits. */
  statusBits(): ReadonlySet<StatusBit>;
  /** ups.status tokens from the bits, in NUT's order ("OL CHRG", "OB DISCHRG LB", ...). */
  statusTokens(): string;
  /** ups.alarm texts from the bits ("Replace battery!", ...), space-joined; '' when none. */
  alarms(): string;
  /** input.transfer.reason from the vrange/frange bits, or undefined. */
  transferReason(): string | undefined;
  /** The writes an instant command makes; throws WalnutError('CMD-NOT-SUPPORTED' / 'INVALID-ARGUMENT'). */
  commandWrites(cmd: string, arg?: string): CommandPlan;
  /** The writes for `upsrw var value`; throws WalnutError('VAR-NOT-SUPPORTED' / 'INVALID-VALUE'). */
  setvarWrites(name: string, value: string): HidWrite[];
}
