/**
 * The smaller vendor subdrivers: Delta, Salicru, Legrand, OpenUPS (Mini-Box),
 * iDowell, Ever, Arduino HID (Leonardo/Micro "HID Power Device" sketches).
 * Variable sets and formats follow the upsc output of the dumps in
 * ../shared/ddl where one exists (Delta UPS302R2000B0BA: one decimal for
 * charge and load; Legrand Keor PDU 800: whole volts and hertz; Salicru SPS
 * Home 850: CyberPower-like Output delays in minutes, physical -60).
 */
import { beeperCommands, cmd, delayRows, idsMatch, plainIdentify, st, statusRows, testCommands, v } from './common.js';
import { GENERIC_TABLE } from './generic.js';
import type { HidInfoEntry, Subdriver, UsbId } from './types.js';

const PS = 'UPS.PowerSummary';

function make(name: string, version: string, ids: readonly UsbId[], table: readonly HidInfoEntry[], quirks: Partial<Subdriver['quirks']> = {}): Subdriver {
  return {
    name,
    version,
    driver: 'usbhid-ups',
    usbIds: ids,
    match: (vid, pid) => idsMatch(ids, vid, pid),
    table,
    usages: {},
    quirks: { offdelay: 20, ondelay: 30, ...quirks },
    identify: plainIdentify,
  };
}

const batteryRows = (voltFormat = '%.1f', nominalFormat = '%.0f'): HidInfoEntry[] => [
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick']),
  v('battery.charge.low', `${PS}.RemainingCapacityLimit`, ['semistatic', 'rw', 'string'], { length: 10 }),
  v('battery.charge.warning', `${PS}.WarningCapacityLimit`, ['semistatic']),
  v('battery.runtime', `${PS}.RunTimeToEmpty`, ['quick']),
  v('battery.runtime.low', `${PS}.RemainingTimeLimit`, ['semistatic']),
  v('battery.voltage', `${PS}.Voltage`, ['quick'], { format: voltFormat }),
  v('battery.voltage.nominal', `${PS}.ConfigVoltage`, ['static'], { format: nominalFormat }),
  v('battery.type', `${PS}.iDeviceChemistry`, ['static', 'stringid']),
];

// Delta (05dd): online units; charge and load with one decimal
export const DELTA_TABLE: readonly HidInfoEntry[] = [
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick'], { format: '%.1f' }),
  v('battery.capacity', 'UPS.BatterySystem.Battery.DesignCapacity', ['static']),
  v('battery.charge.low', `${PS}.RemainingCapacityLimit`, ['semistatic', 'rw', 'string'], { length: 5 }),
  v('battery.charge.warning', `${PS}.WarningCapacityLimit`, ['semistatic']),
  v('battery.runtime', `${PS}.RunTimeToEmpty`, ['quick']),
  v('battery.temperature', 'UPS.BatterySystem.Battery.Temperature', ['quick'], { conv: 'kelvinToCelsius' }),
  v('battery.voltage', 'UPS.BatterySystem.Battery.Voltage', ['quick'], { format: '%.1f' }),
  v('battery.voltage', `${PS}.Voltage`, ['quick'], { format: '%.1f' }),
  v('battery.voltage.nominal', 'UPS.BatterySystem.Battery.ConfigVoltage', ['static']),
  v('battery.voltage.nominal', `${PS}.ConfigVoltage`, ['static']),
  v('input.voltage', 'UPS.PowerConverter.Input.[1].Voltage', ['quick'], { format: '%.1f' }),
  v('input.frequency', 'UPS.PowerConverter.Input.[1].Frequency', ['quick'], { format: '%.1f' }),
  v('input.transfer.low', 'UPS.PowerConverter.Output.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.PowerConverter.Output.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('output.voltage', 'UPS.PowerConverter.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.frequency', 'UPS.PowerConverter.Output.Frequency', ['quick'], { format: '%.1f' }),
  v('output.current', 'UPS.PowerConverter.Output.Current', ['quick'], { format: '%.1f' }),
  v('output.voltage.nominal', 'UPS.Flow.[4].ConfigVoltage', ['static']),
  v('output.frequency.nominal', 'UPS.Flow.[4].ConfigFrequency', ['static']),
  v('ups.load', `${PS}.PercentLoad`, ['quick'], { format: '%.1f' }),
  v('ups.realpower', 'UPS.PowerConverter.Output.ActivePower', ['quick'], { format: '%.1f' }),
  v('ups.power.nominal', 'UPS.Flow.[4].ConfigApparentPower', ['static']),
  v('ups.beeper.status', `${PS}.AudibleAlarmControl`, ['quick'], { conv: 'beeper' }),
  v('ups.start.auto', 'UPS.PowerConverter.Input.[1].AutomaticRestart', ['semistatic', 'rw', 'string', 'enum'], { length: 3, conv: 'yesno' }),
  ...delayRows(PS),
  ...statusRows([`${PS}.PresentStatus`]),
  st('UPS.PowerConverter.Input.[1].PresentStatus.Used', 'online'),
  st('UPS.PowerConverter.Input.[3].PresentStatus.Used', 'discharging'),
  st('UPS.PowerConverter.Input.[2].PresentStatus.Used', 'bypassauto'),
  ...testCommands('UPS.BatterySystem.Battery.Test'),
  ...beeperCommands(`${PS}.AudibleAlarmControl`),
];

export const delta = make(
  'Delta UPS HID',
  '0.6',
  [
    { vendorId: '05dd', productId: '041b', vendor: 'Delta Electronics', product: 'Amplon R series, single phase 1/2/3 kVA (e.g. UPS302R2000B0BA)', checked: 'Delta/DELTA__UPS302R2000B0BA__usbhid-ups__2.7.4-1-gb34f2434__01.dev' },
    { vendorId: '05dd', productId: 'a011', vendor: 'Delta Electronics / Minuteman', product: 'Enterprise Plus E1500RM2U' },
  ],
  DELTA_TABLE,
);

// Salicru (2e66): CyberPower-style Output collection, delays in minutes
export const SALICRU_TABLE: readonly HidInfoEntry[] = [
  ...batteryRows(),
  v('battery.mfr.date', `${PS}.iOEMInformation`, ['static', 'stringid']),
  v('input.voltage', 'UPS.Input.Voltage', ['quick'], { format: '%.1f' }),
  v('input.voltage.nominal', 'UPS.Input.ConfigVoltage', ['static']),
  v('input.frequency', 'UPS.Input.Frequency', ['quick'], { format: '%.1f' }),
  v('input.transfer.low', 'UPS.Output.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.low', 'UPS.Input.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.Output.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.Input.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('output.voltage', 'UPS.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.frequency', 'UPS.Output.Frequency', ['quick'], { format: '%.1f' }),
  v('ups.load', 'UPS.Output.PercentLoad', ['quick']),
  v('ups.realpower.nominal', 'UPS.Output.ConfigActivePower', ['static']),
  v('ups.beeper.status', `${PS}.AudibleAlarmControl`, ['quick'], { conv: 'beeper' }),
  v('ups.test.result', 'UPS.Output.Test', ['quick'], { conv: 'testResult' }),
  v('ups.delay.shutdown', 'UPS.Output.DelayBeforeShutdown', ['absent', 'rw', 'string'], { length: 10, default: 'offdelay' }),
  v('ups.delay.start', 'UPS.Output.DelayBeforeStartup', ['absent', 'rw', 'string'], { length: 10, default: 'ondelay' }),
  v('ups.timer.shutdown', 'UPS.Output.DelayBeforeShutdown', ['quick']),
  v('ups.timer.start', 'UPS.Output.DelayBeforeStartup', ['quick']),
  ...statusRows([`${PS}.PresentStatus`]),
  st('UPS.Output.Overload', 'overload'),
  st('UPS.Output.Boost', 'boost'),
  cmd('load.off.delay', 'UPS.Output.DelayBeforeShutdown', 'offdelay'),
  cmd('load.on.delay', 'UPS.Output.DelayBeforeStartup', 'ondelay'),
  cmd('shutdown.stop', 'UPS.Output.DelayBeforeShutdown', -1),
  ...testCommands('UPS.Output.Test'),
  ...beeperCommands(`${PS}.AudibleAlarmControl`),
];

export const salicru = make(
  'Salicru HID',
  '0.3',
  [
    { vendorId: '2e66', productId: '0201', vendor: 'Salicru', product: 'SLC Twin Pro2 (up to 3 kVA)' },
    { vendorId: '2e66', productId: '0202', vendor: 'Salicru', product: 'SLC Twin Pro2 (up to 3 kVA)' },
    { vendorId: '2e66', productId: '0203', vendor: 'Salicru', product: 'SLC Twin Pro2 (up to 3 kVA)' },
    { vendorId: '2e66', productId: '0300', vendor: 'Salicru', product: 'SPS Home / SPS Soho+', checked: 'Salicru/Salicru__SPS_Home_850__usbhid_ups__2.7.4.1__01.dev' },
  ],
  SALICRU_TABLE,
  { delayMultipleOf: 60 },
);

// Legrand (1cb0): Keor; whole volts and hertz
export const LEGRAND_TABLE: readonly HidInfoEntry[] = [
  ...batteryRows('%.1f', '%.1f'),
  v('input.voltage', 'UPS.Input.Voltage', ['quick']),
  v('input.voltage.nominal', 'UPS.Input.ConfigVoltage', ['static']),
  v('input.transfer.low', 'UPS.Input.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.Input.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('output.voltage', 'UPS.Output.Voltage', ['quick']),
  v('output.frequency', 'UPS.Output.Frequency', ['quick']),
  v('ups.load', 'UPS.Output.PercentLoad', ['quick']),
  v('ups.realpower.nominal', 'UPS.Output.ConfigActivePower', ['static']),
  ...delayRows(PS),
  ...statusRows([`${PS}.PresentStatus`]),
  st('UPS.Output.Overload', 'overload'),
  st('UPS.Output.Boost', 'boost'),
];

export const legrand = make(
  'Legrand HID',
  '0.3',
  [
    { vendorId: '1cb0', productId: '0032', vendor: 'Legrand', product: 'Keor SP' },
    { vendorId: '1cb0', productId: '0038', vendor: 'Legrand', product: 'Keor PDU 800', checked: 'Legrand/Legrand__Keor_PDU_800__usbhid-ups__2.7.4.1__01.dev' },
  ],
  LEGRAND_TABLE,
);

// OpenUPS (Mini-Box, 04d8:d004/d005): DC-DC UPS with Li-ion packs
export const OPENUPS_TABLE: readonly HidInfoEntry[] = [
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick']),
  v('battery.charge.low', `${PS}.RemainingCapacityLimit`, ['semistatic']),
  v('battery.charge.warning', `${PS}.WarningCapacityLimit`, ['semistatic']),
  v('battery.capacity', `${PS}.DesignCapacity`, ['static']),
  v('battery.runtime', `${PS}.RunTimeToEmpty`, ['quick']),
  v('battery.voltage', `${PS}.Voltage`, ['quick'], { format: '%.2f' }),
  v('battery.current', `${PS}.Current`, ['quick'], { format: '%.3f' }),
  v('battery.temperature', 'UPS.PowerSummary.Temperature', ['quick'], { conv: 'kelvinToCelsius', format: '%.2f' }),
  v('battery.type', `${PS}.iDeviceChemistry`, ['static', 'stringid']),
  v('battery.mfr.date', `${PS}.iOEMInformation`, ['static', 'stringid']),
  v('input.voltage', 'UPS.PowerConverter.Input.Voltage', ['quick'], { format: '%.2f' }),
  v('input.current', 'UPS.PowerConverter.Input.Current', ['quick'], { format: '%.3f' }),
  v('output.voltage', 'UPS.PowerConverter.Output.Voltage', ['quick'], { format: '%.2f' }),
  v('output.current', 'UPS.PowerConverter.Output.Current', ['quick'], { format: '%.3f' }),
  ...statusRows([`${PS}.PresentStatus`]),
];

export const openups = make(
  'openUPS HID',
  '0.4',
  [
    { vendorId: '04d8', productId: 'd004', vendor: 'Mini-Box.com', product: 'OPEN-UPS', checked: 'Mini-Box.com/Mini-Box.Com__OPEN-UPS__usbhid-ups__2.6.5__01.dev' },
    { vendorId: '04d8', productId: 'd005', vendor: 'Mini-Box.com', product: 'OpenUPS2', checked: 'Mini-Box.com/Mini-Box.Com__OpenUPS2__usbhid-ups__2.7.2__02.dev' },
  ],
  OPENUPS_TABLE,
);

// iDowell (075d:0300)
export const IDOWELL_TABLE: readonly HidInfoEntry[] = [
  ...batteryRows(),
  v('input.transfer.low', 'UPS.Input.LowVoltageTransfer', ['semistatic']),
  v('input.transfer.high', 'UPS.Input.HighVoltageTransfer', ['semistatic']),
  v('output.voltage', 'UPS.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.voltage.nominal', 'UPS.Output.ConfigVoltage', ['static']),
  v('output.frequency.nominal', 'UPS.Output.ConfigFrequency', ['static']),
  v('ups.load', 'UPS.Output.PercentLoad', ['quick']),
  v('ups.power.nominal', 'UPS.Output.ConfigApparentPower', ['static']),
  ...delayRows(PS),
  ...statusRows([`${PS}.PresentStatus`]),
  st('UPS.Output.Overload', 'overload'),
];

export const idowell = make(
  'iDowell HID',
  '0.1',
  [{ vendorId: '075d', productId: '0300', vendor: 'iDowell', product: 'iBox', checked: 'iDowell/iDowell__iBox__usbhid-ups__2.6.5__01.dev' }],
  IDOWELL_TABLE,
);

// Ever (2e51): Sinline, Eco Pro and other Polish Ever units (no dump available)
export const EVER_TABLE: readonly HidInfoEntry[] = [
  ...batteryRows(),
  v('input.voltage', 'UPS.PowerConverter.Input.[1].Voltage', ['quick'], { format: '%.1f' }),
  v('input.frequency', 'UPS.PowerConverter.Input.[1].Frequency', ['quick'], { format: '%.1f' }),
  v('output.voltage', 'UPS.PowerConverter.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.frequency', 'UPS.PowerConverter.Output.Frequency', ['quick'], { format: '%.1f' }),
  v('ups.load', `${PS}.PercentLoad`, ['quick']),
  v('ups.beeper.status', `${PS}.AudibleAlarmControl`, ['quick'], { conv: 'beeper' }),
  ...delayRows(PS),
  ...statusRows([`${PS}.PresentStatus`]),
  ...statusRows(['UPS.PowerConverter.Input.[1].PresentStatus'], ['Boost', 'Buck']),
  ...beeperCommands(`${PS}.AudibleAlarmControl`),
];

export const ever = make(
  'EVER HID',
  '0.1',
  [
    { vendorId: '2e51', productId: '0000', vendor: 'Ever', product: 'Sinline, Eco Pro (USB HID)' },
    { vendorId: '2e51', productId: 'ffff', vendor: 'Ever', product: 'Sinline, Eco Pro (USB HID)' },
  ],
  EVER_TABLE,
);

// AMETEK Powervar UPM (4234:0002): standard usages
export const powervar = make(
  'Powervar HID',
  '0.2',
  [{ vendorId: '4234', productId: '0002', vendor: 'AMETEK Powervar', product: 'UPM series' }],
  GENERIC_TABLE,
);

// Arduino HID Power Device sketches (Leonardo / Micro)
export const ARDUINO_TABLE: readonly HidInfoEntry[] = [
  ...batteryRows(),
  v('battery.mfr.date', `${PS}.ManufacturerDate`, ['static'], { conv: 'date' }),
  v('ups.load', `${PS}.PercentLoad`, ['quick']),
  ...delayRows(PS),
  ...statusRows([`${PS}.PresentStatus`]),
];

export const arduino = make(
  'Arduino HID',
  '0.2',
  [
    { vendorId: '2341', productId: '0036', vendor: 'Arduino', product: 'Leonardo, Leonardo ETH, Pro Micro (HID Power Device sketch)' },
    { vendorId: '2341', productId: '8036', vendor: 'Arduino', product: 'Leonardo, Leonardo ETH, Pro Micro (HID Power Device sketch)' },
    { vendorId: '2a03', productId: '0036', vendor: 'Arduino (arduino.org)', product: 'Leonardo, Leonardo ETH, Pro Micro (HID Power Device sketch)' },
    { vendorId: '2a03', productId: '0040', vendor: 'Arduino (arduino.org)', product: 'Leonardo, Leonardo ETH, Pro Micro (HID Power Device sketch)' },
    { vendorId: '2a03', productId: '8036', vendor: 'Arduino (arduino.org)', product: 'Leonardo, Leonardo ETH, Pro Micro (HID Power Device sketch)' },
    { vendorId: '2a03', productId: '8040', vendor: 'Arduino (arduino.org)', product: 'Leonardo, Leonardo ETH, Pro Micro (HID Power Device sketch)' },
  ],
  ARDUINO_TABLE,
);
