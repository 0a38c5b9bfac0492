/**
 * Usage names, as NUT prints them in HID paths. The generic table covers the
 * Power Device page (0x84) and the Battery System page (0x85) of the USB HID
 * Power Device Class 1.0 spec, with NUT's spellings (iSerialNumber,
 * iDeviceChemistry, Rechargeable, SwitchOnOff). Vendor pages have their own
 * tables (vendor-usages.ts), used by the subdriver that knows them; a usage
 * found in no table prints as 8 hex digits (e.g. ff860060), an instance node
 * (0x00ff0000 | n) as [n].
 */
import type { UsageTable } from './types.js';

export const PAGE_POWER_DEVICE = 0x84;
export const PAGE_BATTERY_SYSTEM = 0x85;
export const PAGE_APC = 0xff86;
export const PAGE_CPS = 0xff01;
export const PAGE_MGE = 0xffff;
/** NUT's pseudo page for collection instance nodes ("[n]"). */
export const PAGE_INSTANCE = 0x00ff;

function page(p: number, names: Record<number, string>): [number, string][] {
  return Object.entries(names).map(([id, name]) => [((p << 16) | Number(id)) >>> 0, name]);
}

/** Power Device page 0x84. */
export const POWER_DEVICE_USAGES: Record<number, string> = {
  0x01: 'iName',
  0x02: 'PresentStatus',
  0x03: 'ChangedStatus',
  0x04: 'UPS',
  0x05: 'PowerSupply',
  0x10: 'BatterySystem',
  0x11: 'BatterySystemID',
  0x12: 'Battery',
  0x13: 'BatteryID',
  0x14: 'Charger',
  0x15: 'ChargerID',
  0x16: 'PowerConverter',
  0x17: 'PowerConverterID',
  0x18: 'OutletSystem',
  0x19: 'OutletSystemID',
  0x1a: 'Input',
  0x1b: 'InputID',
  0x1c: 'Output',
  0x1d: 'OutputID',
  0x1e: 'Flow',
  0x1f: 'FlowID',
  0x20: 'Outlet',
  0x21: 'OutletID',
  0x22: 'Gang',
  0x23: 'GangID',
  0x24: 'PowerSummary',
  0x25: 'PowerSummaryID',
  0x30: 'Voltage',
  0x31: 'Current',
  0x32: 'Frequency',
  0x33: 'ApparentPower',
  0x34: 'ActivePower',
  0x35: 'PercentLoad',
  0x36: 'Temperature',
  0x37: 'Humidity',
  0x38: 'BadCount',
  0x40: 'ConfigVoltage',
  0x41: 'ConfigCurrent',
  0x42: 'ConfigFrequency',
  0x43: 'ConfigApparentPower',
  0x44: 'ConfigActivePower',
  0x45: 'ConfigPercentLoad',
  0x46: 'ConfigTemperature',
  0x47: 'ConfigHumidity',
  0x50: 'SwitchOnControl',
  0x51: 'SwitchOffControl',
  0x52: 'ToggleControl',
  0x53: 'LowVoltageTransfer',
  0x54: 'HighVoltageTransfer',
  0x55: 'DelayBeforeReboot',
  0x56: 'DelayBeforeStartup',
  0x57: 'DelayBeforeShutdown',
  0x58: 'Test',
  0x59: 'ModuleReset',
  0x5a: 'AudibleAlarmControl',
  0x60: 'Present',
  0x61: 'Good',
  0x62: 'InternalFailure',
  0x63: 'VoltageOutOfRange',
  0x64: 'FrequencyOutOfRange',
  0x65: 'Overload',
  0x66: 'OverCharged',
  0x67: 'OverTemperature',
  0x68: 'ShutdownRequested',
  0x69: 'ShutdownImminent',
  0x6b: 'SwitchOnOff',
  0x6c: 'Switchable',
  0x6d: 'Used',
  0x6e: 'Boost',
  0x6f: 'Buck',
  0x70: 'Initialized',
  0x71: 'Tested',
  0x72: 'AwaitingPower',
  0x73: 'CommunicationLost',
  0xfd: 'iManufacturer',
  0xfe: 'iProduct',
  0xff: 'iSerialNumber',
};

/** Battery System page 0x85. */
export const BATTERY_SYSTEM_USAGES: Record<number, string> = {
  0x01: 'SMBBatteryMode',
  0x02: 'SMBBatteryStatus',
  0x03: 'SMBAlarmWarning',
  0x04: 'SMBChargerMode',
  0x05: 'SMBChargerStatus',
  0x06: 'SMBChargerSpecInfo',
  0x07: 'SMBSelectorState',
  0x08: 'SMBSelectorPresets',
  0x09: 'SMBSelectorInfo',
  0x10: 'OptionalMfgFunction1',
  0x11: 'OptionalMfgFunction2',
  0x12: 'OptionalMfgFunction3',
  0x13: 'OptionalMfgFunction4',
  0x14: 'OptionalMfgFunction5',
  0x15: 'ConnectionToSMBus',
  0x16: 'OutputConnection',
  0x17: 'ChargerConnection',
  0x18: 'BatteryInsertion',
  0x19: 'Usenext',
  0x1a: 'OKToUse',
  0x1b: 'BatterySupported',
  0x1c: 'SelectorRevision',
  0x1d: 'ChargingIndicator',
  0x28: 'ManufacturerAccess',
  0x29: 'RemainingCapacityLimit',
  0x2a: 'RemainingTimeLimit',
  0x2b: 'AtRate',
  0x2c: 'CapacityMode',
  0x2d: 'BroadcastToCharger',
  0x2e: 'PrimaryBattery',
  0x2f: 'ChargeController',
  0x40: 'TerminateCharge',
  0x41: 'TerminateDischarge',
  0x42: 'BelowRemainingCapacityLimit',
  0x43: 'RemainingTimeLimitExpired',
  0x44: 'Charging',
  0x45: 'Discharging',
  0x46: 'FullyCharged',
  0x47: 'FullyDischarged',
  0x48: 'ConditioningFlag',
  0x49: 'AtRateOK',
  0x4a: 'SMBErrorCode',
  0x4b: 'NeedReplacement',
  0x60: 'AtRateTimeToFull',
  0x61: 'AtRateTimeToEmpty',
  0x62: 'AverageCurrent',
  0x63: 'Maxerror',
  0x64: 'RelativeStateOfCharge',
  0x65: 'AbsoluteStateOfCharge',
  0x66: 'RemainingCapacity',
  0x67: 'FullChargeCapacity',
  0x68: 'RunTimeToEmpty',
  0x69: 'AverageTimeToEmpty',
  0x6a: 'AverageTimeToFull',
  0x6b: 'CycleCount',
  0x80: 'BattPackModelLevel',
  0x81: 'InternalChargeController',
  0x82: 'PrimaryBatterySupport',
  0x83: 'DesignCapacity',
  0x84: 'SpecificationInfo',
  0x85: 'ManufacturerDate',
  0x86: 'SerialNumber',
  0x87: 'iManufacturerName',
  0x88: 'iDevicename',
  0x89: 'iDeviceChemistry',
  0x8a: 'ManufacturerData',
  0x8b: 'Rechargeable',
  0x8c: 'WarningCapacityLimit',
  0x8d: 'CapacityGranularity1',
  0x8e: 'CapacityGranularity2',
  0x8f: 'iOEMInformation',
  0xc0: 'InhibitCharge',
  0xc1: 'EnablePolling',
  0xc2: 'ResetToZero',
  0xd0: 'ACPresent',
  0xd1: 'BatteryPresent',
  0xd2: 'PowerFail',
  0xd3: 'AlarmInhibited',
  0xd4: 'ThermistorUnderRange',
  0xd5: 'ThermistorHot',
  0xd6: 'ThermistorCold',
  0xd7: 'ThermistorOverRange',
  0xd8: 'VoltageOutOfRange',
  0xd9: 'CurrentOutOfRange',
  0xda: 'CurrentNotRegulated',
  0xdb: 'VoltageNotRegulated',
  0xdc: 'MasterMode',
  0xf0: 'ChargerSelectorSupport',
  0xf1: 'ChargerSpec',
  0xf2: 'Level2',
  0xf3: 'Level3',
};

/** The generic table (what NUT's explore mode knows): pages 0x84 and 0x85 only. */
export const GENERIC_USAGES: UsageTable = new Map([...page(PAGE_POWER_DEVICE, POWER_DEVICE_USAGES), ...page(PAGE_BATTERY_SYSTEM, BATTERY_SYSTEM_USAGES)]);

/** Build a table for one page from id → name. */
export function usagePage(p: number, names: Record<number, string>): UsageTable {
  return new Map(page(p, names));
}

/** Several tables into one; later tables win on the same usage. */
export function mergeUsageTables(...tables: UsageTable[]): UsageTable {
  const m = new Map<number, string>();
  for (const t of tables) for (const [k, v] of t) m.set(k, v);
  return m;
}

export function hex8(usage: number): string {
  return (usage >>> 0).toString(16).padStart(8, '0');
}

/** One path node's name: table name, "[n]" for an instance node, or 8 hex digits. */
export function usageName(usage: number, table: UsageTable = GENERIC_USAGES): string {
  const u = usage >>> 0;
  if (u >>> 16 === PAGE_INSTANCE) return `[${u & 0xffff}]`;
  return table.get(u) ?? hex8(u);
}

/** A numeric path → NUT's dotted string. */
export function pathToString(usagePath: readonly number[], table: UsageTable = GENERIC_USAGES): string {
  return usagePath.map((u) => usageName(u, table)).join('.');
}

/**
 * A dotted path → numbers (names from the table, "[n]", or 8 hex digits);
 * undefined when a component is unknown.
 */
export function stringToPath(path: string, table: UsageTable = GENERIC_USAGES): number[] | undefined {
  const reverse = new Map<string, number>();
  for (const [u, n] of table) if (!reverse.has(n)) reverse.set(n, u);
  const out: number[] = [];
  for (const part of path.split('.')) {
    const inst = /^\[(\d+)\]$/.exec(part);
    if (inst) {
      out.push(((PAGE_INSTANCE << 16) | Number(inst[1])) >>> 0);
      continue;
    }
    const u = reverse.get(part);
    if (u !== undefined) {
      out.push(u);
      continue;
    }
    if (/^[0-9a-fA-F]{8}$/.test(part)) {
      out.push(parseInt(part, 16) >>> 0);
      continue;
    }
    return undefined;
  }
  return out;
}

/** Name of a usage page, for explain output. */
export function pageName(p: number): string {
  switch (p) {
    case 0x01:
      return 'Generic Desktop';
    case PAGE_POWER_DEVICE:
      return 'Power Device';
    case PAGE_BATTERY_SYSTEM:
      return 'Battery System';
    case PAGE_APC:
      return 'APC vendor';
    case PAGE_CPS:
      return 'vendor 0xff01 (CyberPower)';
    case PAGE_MGE:
      return 'vendor 0xffff (MGE/Eaton)';
    default:
      return p >= 0xff00 ? `vendor 0x${p.toString(16)}` : `page 0x${p.toString(16)}`;
  }
}
