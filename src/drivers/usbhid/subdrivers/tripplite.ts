/**
 * Tripp Lite (vendor 0x09ae, every product) and the Tripp Lite-made HP
 * units (0x03f0:1f06/1f08/1f0a/1fe0). Variable set checked against the
 * upsc output of the 30 Tripp Lite and HP dumps in ../shared/ddl.
 */
import { beeperCommands, cmd, idsMatch, plainIdentify, st, statusRows, testCommands, v } from './common.js';
import type { HidInfoEntry, Subdriver, UsbId } from './types.js';

const PS = 'UPS.PowerSummary';

export const TRIPPLITE_TABLE: readonly HidInfoEntry[] = [
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick']),
  v('battery.charge.low', `${PS}.RemainingCapacityLimit`, ['semistatic', 'rw', 'string'], { length: 10 }),
  v('battery.charge.warning', `${PS}.WarningCapacityLimit`, ['semistatic']),
  v('battery.runtime', `${PS}.RunTimeToEmpty`, ['quick']),
  v('battery.voltage', `${PS}.Voltage`, ['quick'], { format: '%.1f' }),
  v('battery.voltage', 'UPS.BatterySystem.Voltage', ['quick'], { format: '%.1f' }),
  v('battery.voltage.nominal', `${PS}.ConfigVoltage`, ['static']),
  v('battery.voltage.nominal', 'UPS.BatterySystem.ConfigVoltage', ['static']),
  v('battery.temperature', 'UPS.BatterySystem.Temperature', ['quick'], { conv: 'kelvinToCelsius' }),
  v('battery.type', `${PS}.iDeviceChemistry`, ['static', 'stringid']),
  v('input.voltage', 'UPS.Input.Voltage', ['quick'], { format: '%.1f' }),
  v('input.voltage.nominal', 'UPS.Input.ConfigVoltage', ['static']),
  v('input.frequency', 'UPS.Input.Frequency', ['quick'], { format: '%.1f' }),
  v('input.transfer.low', 'UPS.PowerConverter.Output.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.low', 'UPS.Input.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.PowerConverter.Output.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.Input.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('output.voltage', 'UPS.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.voltage.nominal', 'UPS.Output.ConfigVoltage', ['static']),
  v('output.frequency', 'UPS.Output.Frequency', ['quick'], { format: '%.1f' }),
  v('output.frequency.nominal', 'UPS.Output.ConfigFrequency', ['static']),
  v('output.current', 'UPS.Output.Current', ['quick'], { format: '%.2f' }),
  v('ups.load', 'UPS.Output.PercentLoad', ['quick']),
  v('ups.load', `${PS}.PercentLoad`, ['quick']),
  v('ups.power', 'UPS.Output.ApparentPower', ['quick']),
  v('ups.power.nominal', 'UPS.Flow.ConfigApparentPower', ['static']),
  v('ups.power.nominal', `${PS}.ConfigApparentPower`, ['static']),
  v('ups.beeper.status', `${PS}.AudibleAlarmControl`, ['quick'], { conv: 'beeper' }),
  v('ups.test.result', 'UPS.BatterySystem.Test', ['quick'], { conv: 'testResult' }),
  v('ups.test.result', 'UPS.Battery.Test', ['quick'], { conv: 'testResult' }),
  v('ups.delay.shutdown', `${PS}.DelayBeforeShutdown`, ['absent', 'rw', 'string'], { length: 10, default: 'offdelay' }),
  v('ups.delay.start', `${PS}.DelayBeforeStartup`, ['absent', 'rw', 'string'], { length: 10, default: 'ondelay' }),
  v('ups.timer.shutdown', `${PS}.DelayBeforeShutdown`, ['quick']),
  v('ups.timer.start', `${PS}.DelayBeforeStartup`, ['quick']),
  v('ups.timer.reboot', `${PS}.DelayBeforeReboot`, ['quick']),
  ...statusRows([`${PS}.PresentStatus`]),
  ...statusRows(['UPS.PowerConverter.Input.PresentStatus', 'UPS.Input.PresentStatus'], ['Boost', 'Buck', 'VoltageOutOfRange', 'FrequencyOutOfRange']),
  st('UPS.Output.Overload', 'overload'),
  cmd('load.off.delay', `${PS}.DelayBeforeShutdown`, 'offdelay'),
  cmd('load.on.delay', `${PS}.DelayBeforeStartup`, 'ondelay'),
  cmd('shutdown.stop', `${PS}.DelayBeforeShutdown`, -1),
  cmd('shutdown.reboot', `${PS}.DelayBeforeReboot`, 10),
  ...testCommands('UPS.BatterySystem.Test'),
  ...testCommands('UPS.Battery.Test'),
  ...beeperCommands(`${PS}.AudibleAlarmControl`),
];

const TL = 'Tripp Lite';
export const TRIPPLITE_IDS: readonly UsbId[] = [
  { vendorId: '09ae', productId: '*', vendor: TL, product: 'every Tripp Lite HID unit (OMNI, SMART, SU, ECO, AVR, G, SMC)', checked: 'Tripp_Lite/Tripp_Lite__SMC15002URM__usbhid-ups__2.7.4__01.dev' },
  { vendorId: '09ae', productId: '1007', vendor: TL, product: 'AVR750U, OMNIVS1000', checked: 'Tripp_Lite/Tripp_Lite__OMNIVS1000__usbhid-ups__2.4.3__01.dev' },
  { vendorId: '09ae', productId: '1008', vendor: TL, product: 'ECO350UPS', checked: 'Tripp_Lite/Tripp_Lite__ECO350UPS__usbhid-ups__2.6.3__01.dev' },
  { vendorId: '09ae', productId: '1009', vendor: TL, product: 'OMNIVS1000', checked: 'Tripp_Lite/Tripp_Lite__OMNIVS1000__usbhid-ups__2.4.1__01.dev' },
  { vendorId: '09ae', productId: '2005', vendor: TL, product: 'OMNI1000LCD', checked: 'Tripp_Lite/Tripp_Lite__OMNI1000LCD__usbhid-ups__2.1.0__02.dev' },
  { vendorId: '09ae', productId: '2007', vendor: TL, product: 'SMART1000LCD', checked: 'Tripp_Lite/Tripp_Lite__SMART1000LCD__usbhid-ups__2.6.3__02.dev' },
  { vendorId: '09ae', productId: '2009', vendor: TL, product: 'SMART1000LCD', checked: 'Tripp_Lite/Tripp_Lite__SMART1000LCD__usbhid-ups__2.4.3__01.dev' },
  { vendorId: '09ae', productId: '2010', vendor: TL, product: 'G1010USB, Smart550USB', checked: 'Tripp_Lite/Tripp_Lite__Smart550USB__usbhid-ups__2.7.4__01.dev' },
  { vendorId: '09ae', productId: '2011', vendor: TL, product: 'ECO850LCD', checked: 'Tripp_Lite/Tripp_Lite__ECO850LCD__usbhid-ups__2.6.3__01.dev' },
  { vendorId: '09ae', productId: '2012', vendor: TL, product: 'UPS', checked: 'Tripp_Lite/Tripp_Lite__UPS__usbhid-ups__2.6.5__01.dev' },
  { vendorId: '09ae', productId: '3010', vendor: TL, product: 'SMART750SLT', checked: 'Tripp_Lite/Tripp_Lite__SMART750SLT__usbhid-ups__2.6.3__01.dev' },
  { vendorId: '09ae', productId: '3012', vendor: TL, product: 'SMART1500SLT', checked: 'Tripp_Lite/Tripp_Lite__SMART1500SLT__usbhid-ups__2.3.0__01.dev' },
  { vendorId: '09ae', productId: '3015', vendor: TL, product: 'SMC15002URM', checked: 'Tripp_Lite/Tripp_Lite__SMC15002URM__usbhid-ups__2.7.4__01.dev' },
  { vendorId: '09ae', productId: '3016', vendor: TL, product: 'SMART1300LCDT, SMART1500LCDT', checked: 'Tripp_Lite/Tripp_Lite__SMART1300LCDT__usbhid-ups__2.6.4__01.dev' },
  { vendorId: '09ae', productId: '4002', vendor: TL, product: 'SU6000RT4U', checked: 'Tripp_Lite/Tripp_Lite__SU6000RT4U__usbhid-ups__2.1.0__01.dev' },
  { vendorId: '09ae', productId: '4003', vendor: TL, product: 'SU1500RTXL2UA', checked: 'Tripp_Lite/Tripp_Lite__SU1500RTXL2UA__usbhid-ups__2.2.1__02.dev' },
  { vendorId: '09ae', productId: '4004', vendor: TL, product: 'SU1000RTXL2UA, SU1000XLA, SU1500RTXLCD2U', checked: 'Tripp_Lite/Tripp_Lite__SU1000XLA__usbhid-ups__2.4.3__01.dev' },
  { vendorId: '03f0', productId: '1f06', vendor: 'HP', product: 'T750 G2 (Tripp Lite-made)', checked: 'HP/HP__T750__usbhid-ups__2.4.1__01.dev' },
  { vendorId: '03f0', productId: '1f08', vendor: 'HP', product: 'T1500 G3 / T1000 INTL (Tripp Lite-made)', checked: 'HP/HP__T1000_INTL__usbhid-ups__2.4.3__01.dev' },
  { vendorId: '03f0', productId: '1f0a', vendor: 'HP', product: 'R/T 2200 G2 (Tripp Lite-made)', checked: 'HP/HP__RT2200_G2__usbhid-ups__2.3.0__01.dev' },
  { vendorId: '03f0', productId: '1fe0', vendor: 'HP', product: 'R1500 G3 (Tripp Lite-made)', checked: 'HP/HP__R1500_G3_INT__usbhid-ups__2.6.4__01.dev' },
];

export const tripplite: Subdriver = {
  name: 'TrippLite HID',
  version: '0.85',
  driver: 'usbhid-ups',
  usbIds: TRIPPLITE_IDS,
  match: (vid, pid) => idsMatch(TRIPPLITE_IDS, vid, pid),
  table: TRIPPLITE_TABLE,
  usages: {},
  quirks: { offdelay: 20, ondelay: 30, notes: ['claims every product of vendor 09ae'] },
  identify: plainIdentify,
};
