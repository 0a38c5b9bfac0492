/**
 * PowerCOM (vendor 0x0d9f): Imperial, Vanguard, RPT, WOW, Black Knight,
 * Smart King (USB HID firmware). Variable set checked against the six
 * PowerCOM dumps in ../shared/ddl.
 */
import { beeperCommands, cmd, idsMatch, plainIdentify, statusRows, testCommands, v } from './common.js';
import type { HidInfoEntry, Subdriver, UsbId } from './types.js';

const PS = 'UPS.PowerSummary';

export const POWERCOM_TABLE: readonly HidInfoEntry[] = [
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick']),
  v('battery.charge.low', `${PS}.RemainingCapacityLimit`, ['semistatic']),
  v('battery.charge.warning', `${PS}.WarningCapacityLimit`, ['semistatic']),
  v('battery.runtime', `${PS}.RunTimeToEmpty`, ['quick']),
  v('battery.type', `${PS}.iDeviceChemistry`, ['static', 'stringid']),
  v('battery.date', 'UPS.Battery.ManufacturerDate', ['static'], { conv: 'date' }),
  v('battery.date', `${PS}.ManufacturerDate`, ['static'], { conv: 'date' }),
  v('ups.date', 'UPS.ManufacturerDate', ['static'], { conv: 'date' }),
  v('input.voltage', 'UPS.Input.Voltage', ['quick'], { format: '%.1f' }),
  v('input.voltage.nominal', 'UPS.Input.ConfigVoltage', ['static']),
  v('input.frequency', 'UPS.Input.Frequency', ['quick'], { format: '%.1f' }),
  v('output.voltage', 'UPS.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.voltage.nominal', 'UPS.Output.ConfigVoltage', ['static']),
  v('output.frequency', 'UPS.Output.Frequency', ['quick'], { format: '%.1f' }),
  v('ups.load', 'UPS.Output.PercentLoad', ['quick']),
  v('ups.load', `${PS}.PercentLoad`, ['quick']),
  v('ups.beeper.status', `${PS}.AudibleAlarmControl`, ['quick'], { conv: 'beeper' }),
  v('ups.test.result', 'UPS.Battery.Test', ['quick'], { conv: 'testResult' }),
  // STRING, 8 (upsrw of an RPT-600AP)
  v('ups.delay.shutdown', `${PS}.DelayBeforeShutdown`, ['absent', 'rw', 'string'], { length: 8, default: 'offdelay' }),
  v('ups.delay.start', `${PS}.DelayBeforeStartup`, ['absent', 'rw', 'string'], { length: 8, default: 'ondelay' }),
  v('ups.timer.shutdown', `${PS}.DelayBeforeShutdown`, ['quick']),
  v('ups.timer.start', `${PS}.DelayBeforeStartup`, ['quick']),
  ...statusRows([`${PS}.PresentStatus`]),
  ...statusRows(['UPS.Input.PresentStatus'], ['Boost', 'Buck', 'VoltageOutOfRange', 'FrequencyOutOfRange']),
  cmd('load.off.delay', `${PS}.DelayBeforeShutdown`, 'offdelay'),
  cmd('load.on.delay', `${PS}.DelayBeforeStartup`, 'ondelay'),
  cmd('shutdown.stop', `${PS}.DelayBeforeShutdown`, -1),
  ...testCommands('UPS.Battery.Test'),
  ...beeperCommands(`${PS}.AudibleAlarmControl`),
];

const PC = 'PowerCOM';
export const POWERCOM_IDS: readonly UsbId[] = [
  { vendorId: '0d9f', productId: '0001', vendor: PC, product: 'Vanguard, BNT-xxxAP (older USB HID firmware)' },
  { vendorId: '0d9f', productId: '0004', vendor: PC, product: 'Vanguard, BNT-xxxAP, Imperial IMD, RPT', checked: 'Powercom/Powercom__RPT-600AP__usbhid-ups__2.7.2__01.dev' },
  { vendorId: '0d9f', productId: '00a2', vendor: PC, product: 'Imperial IMP', checked: 'Powercom/Powercom__Imperial_IMP-525AP__usbhid-ups__2.6.5__01.dev' },
  { vendorId: '0d9f', productId: '00a3', vendor: PC, product: 'SKP Smart King Pro (all Smart series)' },
  { vendorId: '0d9f', productId: '00a4', vendor: PC, product: 'WOW', checked: 'Powercom/Powercom__WOW-850U__usbhid-ups__2.4.1__01.dev' },
  { vendorId: '0d9f', productId: '00a5', vendor: PC, product: 'VGD Vanguard' },
  { vendorId: '0d9f', productId: '00a6', vendor: PC, product: 'BNT Black Knight Pro' },
];

export const powercom: Subdriver = {
  name: 'PowerCOM HID',
  version: '0.7',
  driver: 'usbhid-ups',
  usbIds: POWERCOM_IDS,
  match: (vid, pid) => idsMatch(POWERCOM_IDS, vid, pid),
  table: POWERCOM_TABLE,
  usages: {},
  quirks: { offdelay: 20, ondelay: 30 },
  identify: plainIdentify,
};
