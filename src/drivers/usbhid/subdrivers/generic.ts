/**
 * The generic fallback for HID Power Device units no vendor table claims:
 * only the standard usage pages 0x84 (Power Device) and 0x85 (Battery
 * System), in the collections the HID Power Device spec names.
 */
import { beeperCommands, delayRows, plainIdentify, statusRows, testCommands, v } from './common.js';
import type { HidInfoEntry, Subdriver } from './types.js';

const PS = 'UPS.PowerSummary';

export const GENERIC_TABLE: readonly HidInfoEntry[] = [
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick']),
  v('battery.charge', 'UPS.Battery.RemainingCapacity', ['quick']),
  v('battery.charge.low', `${PS}.RemainingCapacityLimit`, ['semistatic', 'rw', 'string'], { length: 10 }),
  v('battery.charge.low', 'UPS.Battery.RemainingCapacityLimit', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('battery.charge.warning', `${PS}.WarningCapacityLimit`, ['semistatic']),
  v('battery.runtime', `${PS}.RunTimeToEmpty`, ['quick']),
  v('battery.runtime', 'UPS.Battery.RunTimeToEmpty', ['quick']),
  v('battery.runtime.low', `${PS}.RemainingTimeLimit`, ['semistatic', 'rw', 'string'], { length: 10 }),
  v('battery.runtime.low', 'UPS.Battery.RemainingTimeLimit', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('battery.voltage', `${PS}.Voltage`, ['quick'], { format: '%.1f' }),
  v('battery.voltage', 'UPS.Battery.Voltage', ['quick'], { format: '%.1f' }),
  v('battery.voltage.nominal', `${PS}.ConfigVoltage`, ['static'], { format: '%.1f' }),
  v('battery.voltage.nominal', 'UPS.Battery.ConfigVoltage', ['static'], { format: '%.1f' }),
  v('battery.temperature', 'UPS.Battery.Temperature', [], { conv: 'kelvinToCelsius' }),
  v('battery.type', `${PS}.iDeviceChemistry`, ['static', 'stringid']),
  v('battery.mfr.date', 'UPS.Battery.ManufacturerDate', ['static'], { conv: 'date' }),
  v('battery.mfr.date', `${PS}.ManufacturerDate`, ['static'], { conv: 'date' }),
  v('input.voltage', 'UPS.Input.Voltage', ['quick'], { format: '%.1f' }),
  v('input.voltage', 'UPS.PowerConverter.Input.[1].Voltage', ['quick'], { format: '%.1f' }),
  v('input.voltage.nominal', 'UPS.Input.ConfigVoltage', ['static']),
  v('input.frequency', 'UPS.Input.Frequency', ['quick'], { format: '%.1f' }),
  v('input.frequency', 'UPS.PowerConverter.Input.[1].Frequency', ['quick'], { format: '%.1f' }),
  v('input.transfer.low', 'UPS.Input.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.Input.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('output.voltage', 'UPS.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.voltage', 'UPS.PowerConverter.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.voltage.nominal', 'UPS.Output.ConfigVoltage', ['static']),
  v('output.frequency', 'UPS.Output.Frequency', ['quick'], { format: '%.1f' }),
  v('output.frequency', 'UPS.PowerConverter.Output.Frequency', ['quick'], { format: '%.1f' }),
  v('output.current', 'UPS.Output.Current', ['quick'], { format: '%.2f' }),
  v('ups.load', `${PS}.PercentLoad`, ['quick']),
  v('ups.load', 'UPS.Output.PercentLoad', ['quick']),
  v('ups.load', 'UPS.PowerConverter.PercentLoad', ['quick']),
  v('ups.power.nominal', 'UPS.Output.ConfigApparentPower', ['static']),
  v('ups.realpower.nominal', 'UPS.Output.ConfigActivePower', ['static']),
  v('ups.temperature', 'UPS.PowerSummary.Temperature', [], { conv: 'kelvinToCelsius' }),
  v('ups.test.result', 'UPS.Battery.Test', ['quick'], { conv: 'testResult' }),
  v('ups.beeper.status', `${PS}.AudibleAlarmControl`, ['quick'], { conv: 'beeper' }),
  ...delayRows(PS),
  ...statusRows([`${PS}.PresentStatus`, PS, 'UPS.Battery.PresentStatus']),
  ...statusRows(['UPS.Input.PresentStatus', 'UPS.PowerConverter.Input.[1].PresentStatus'], ['Boost', 'Buck', 'VoltageOutOfRange', 'FrequencyOutOfRange']),
  ...statusRows(['UPS.Output.PresentStatus'], ['Overload', 'Boost', 'Buck']),
  ...testCommands('UPS.Battery.Test'),
  ...beeperCommands(`${PS}.AudibleAlarmControl`),
];

export const generic: Subdriver = {
  name: 'Generic HID',
  version: '0.1',
  driver: 'usbhid-ups',
  usbIds: [{ vendorId: '0483', productId: 'a113', vendor: 'STMicroelectronics-based HID UPS (unbranded)', product: 'listed in NUT 2.8.0 udev rules; no vendor table' }],
  match: () => true,
  table: GENERIC_TABLE,
  usages: {},
  quirks: {
    offdelay: 20,
    ondelay: 30,
    notes: ['fallback for HID Power Device units without a vendor table: standard usages (pages 0x84/0x85) only'],
  },
  identify: plainIdentify,
};
