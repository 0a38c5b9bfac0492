/**
 * Belkin (vendor 0x050d) and the Belkin-model Liebert units (vendor 0x10af:
 * PowerSure PSA, PSP, PSI5, GXT3). Variable sets checked against the upsc
 * output of the Belkin and Liebert dumps in ../shared/ddl.
 */
import { beeperCommands, cmd, idsMatch, plainIdentify, st, statusRows, testCommands, v } from './common.js';
import type { HidInfoEntry, Subdriver, UsbId } from './types.js';

const PS = 'UPS.PowerSummary';

export const BELKIN_TABLE: readonly HidInfoEntry[] = [
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick']),
  v('battery.charge.low', `${PS}.RemainingCapacityLimit`, ['semistatic']),
  v('battery.charge.warning', `${PS}.WarningCapacityLimit`, ['semistatic']),
  v('battery.capacity', `${PS}.DesignCapacity`, ['static']),
  v('battery.runtime', `${PS}.RunTimeToEmpty`, ['quick']),
  v('battery.voltage', `${PS}.Voltage`, ['quick'], { format: '%.1f' }),
  v('battery.voltage', 'UPS.Battery.Voltage', ['quick'], { format: '%.1f' }),
  // "12.0" in the Liebert PSA/PSP dumps
  v('battery.voltage.nominal', `${PS}.ConfigVoltage`, ['static'], { format: '%.1f' }),
  v('battery.voltage.nominal', 'UPS.Battery.ConfigVoltage', ['static'], { format: '%.1f' }),
  v('battery.type', `${PS}.iDeviceChemistry`, ['static', 'stringid']),
  v('input.voltage', 'UPS.Input.Voltage', ['quick'], { format: '%.1f' }),
  v('input.voltage.nominal', 'UPS.Input.ConfigVoltage', ['static']),
  v('input.frequency', 'UPS.Input.Frequency', ['quick'], { format: '%.1f' }),
  v('input.frequency.nominal', 'UPS.Input.ConfigFrequency', ['static']),
  v('input.transfer.low', 'UPS.Input.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.Input.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('output.voltage', 'UPS.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.voltage.nominal', 'UPS.Output.ConfigVoltage', ['static']),
  v('output.frequency', 'UPS.Output.Frequency', ['quick'], { format: '%.1f' }),
  v('ups.load', 'UPS.Output.PercentLoad', ['quick']),
  v('ups.load', `${PS}.PercentLoad`, ['quick']),
  v('ups.power.nominal', 'UPS.Output.ConfigApparentPower', ['static']),
  v('ups.beeper.status', `${PS}.AudibleAlarmControl`, ['quick'], { conv: 'beeper' }),
  v('ups.test.result', 'UPS.Battery.Test', ['quick'], { conv: 'testResult' }),
  v('ups.delay.shutdown', `${PS}.DelayBeforeShutdown`, ['absent', 'rw', 'string'], { length: 10, default: 'offdelay' }),
  v('ups.delay.start', `${PS}.DelayBeforeStartup`, ['absent', 'rw', 'string'], { length: 10, default: 'ondelay' }),
  v('ups.timer.shutdown', `${PS}.DelayBeforeShutdown`, ['quick']),
  v('ups.timer.start', `${PS}.DelayBeforeStartup`, ['quick']),
  ...statusRows([`${PS}.PresentStatus`]),
  ...statusRows(['UPS.Input.PresentStatus'], ['Boost', 'Buck', 'VoltageOutOfRange', 'FrequencyOutOfRange']),
  st('UPS.Output.Overload', 'overload'),
  cmd('load.off.delay', `${PS}.DelayBeforeShutdown`, 'offdelay'),
  cmd('load.on.delay', `${PS}.DelayBeforeStartup`, 'ondelay'),
  cmd('shutdown.stop', `${PS}.DelayBeforeShutdown`, -1),
  ...testCommands('UPS.Battery.Test'),
  ...beeperCommands(`${PS}.AudibleAlarmControl`),
];

export const BELKIN_IDS: readonly UsbId[] = [
  { vendorId: '050d', productId: '0375', vendor: 'Belkin', product: 'F6H375-USB' },
  { vendorId: '050d', productId: '0551', vendor: 'Belkin', product: 'F6C550-AVR' },
  { vendorId: '050d', productId: '0750', vendor: 'Belkin', product: 'F6C1250-TW-RK' },
  { vendorId: '050d', productId: '0751', vendor: 'Belkin', product: 'Small Enterprise F6C1500-TW-RK', checked: 'Belkin/Belkin__Small_Enterprise_F6C1500-TW-RK__usbhid-ups__2.4.3__01.dev' },
  { vendorId: '050d', productId: '0900', vendor: 'Belkin', product: 'F6C900-UNV' },
  { vendorId: '050d', productId: '0910', vendor: 'Belkin', product: 'Universal UPS F6C100-UNV' },
  { vendorId: '050d', productId: '0912', vendor: 'Belkin', product: 'Universal UPS F6C120-UNV, F6C1200-UNV', checked: 'Belkin/Belkin__Universal_UPS_F6C1200-UNV__usbhid-ups__2.2.0__01.dev' },
  { vendorId: '050d', productId: '0980', vendor: 'Belkin', product: 'F6C800-UNV' },
  { vendorId: '050d', productId: '0f51', vendor: 'Belkin', product: 'Regulator PRO-USB' },
  { vendorId: '050d', productId: '1100', vendor: 'Belkin', product: 'F6C1100-UNV, F6C1200-UNV' },
  { vendorId: '10af', productId: '0001', vendor: 'Liebert', product: 'PowerSure PSA, PSP', checked: 'Liebert/Liebert__PSA__usbhid-ups__2.8.0__01.dev' },
  { vendorId: '10af', productId: '0002', vendor: 'Liebert', product: 'PowerSure PSI5', checked: 'Liebert/Liebert__PSI5__usbhid-ups__2.8.2.1__01.dev' },
  { vendorId: '10af', productId: '0004', vendor: 'Liebert', product: 'PowerSure PSI 1440' },
  { vendorId: '10af', productId: '0008', vendor: 'Liebert', product: 'GXT3', checked: 'Liebert/Liebert__GXT3__usbhid-ups__2.7.2.5__02.dev' },
];

export const belkin: Subdriver = {
  name: 'Belkin/Liebert HID',
  version: '0.18',
  driver: 'usbhid-ups',
  usbIds: BELKIN_IDS,
  match: (vid, pid) => idsMatch(BELKIN_IDS, vid, pid),
  table: BELKIN_TABLE,
  usages: {},
  quirks: { offdelay: 20, ondelay: 30 },
  identify: plainIdentify,
};
