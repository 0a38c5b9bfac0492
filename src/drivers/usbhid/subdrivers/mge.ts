/**
 * MGE UPS Systems / Eaton (vendor 0x0463) and the units built on the same
 * HID model: Dell (0x047c), HP (0x03f0:1fe5..), Phoenixtec-made PowerWalker
 * (0x06da:ffff, claimed here before the minimal Phoenixtec/Liebert table).
 *
 * Status comes from the power converter's inputs: Input.[1] used → online,
 * Input.[3] (battery) used → discharging, Input.[2]/[4] used → bypass
 * (automatic/manual), Input.[5] → ECO (a buzzword, not a status token);
 * PresentStatus.Good = 0 → OFF; Output.Overload.[1|2]…OverThreshold → OVER.
 * Cross-checked on the PowerWalker VI 2200 SH explore log (06da:ffff).
 */
import { beeperCommands, cmd, idsMatch, plainIdentify, st, statusRows, testCommands, v } from './common.js';
import type { HidInfoEntry, Subdriver, UsbId } from './types.js';

const PS = 'UPS.PowerSummary';
const PC = 'UPS.PowerConverter';
const BAT = 'UPS.BatterySystem.Battery';

function outlet(n: number, hid: number): HidInfoEntry[] {
  const p = `UPS.OutletSystem.Outlet.[${hid}]`;
  return [
    v(`outlet.${n}.desc`, `${p}.OutletID`, ['absent', 'rw', 'string'], { length: 20, default: `PowerShare Outlet ${n}` }),
    v(`outlet.${n}.id`, `${p}.OutletID`, ['static']),
    v(`outlet.${n}.switchable`, `${p}.PresentStatus.Switchable`, ['static'], { conv: 'yesno' }),
    v(`outlet.${n}.status`, `${p}.PresentStatus.SwitchOn/Off`, ['quick'], { conv: 'onOffStatus' }),
    v(`outlet.${n}.autoswitch.charge.low`, `${p}.RemainingCapacityLimit`, ['semistatic', 'rw', 'string'], { length: 10 }),
    v(`outlet.${n}.delay.shutdown`, `${p}.ShutdownTimer`, ['semistatic', 'rw', 'string'], { length: 10 }),
    v(`outlet.${n}.delay.start`, `${p}.StartupTimer`, ['semistatic', 'rw', 'string'], { length: 10 }),
    v(`outlet.${n}.timer.shutdown`, `${p}.DelayBeforeShutdown`, ['quick']),
    v(`outlet.${n}.timer.start`, `${p}.DelayBeforeStartup`, ['quick']),
    cmd(`outlet.${n}.load.off`, `${p}.DelayBeforeShutdown`, 0),
    cmd(`outlet.${n}.load.on`, `${p}.DelayBeforeStartup`, 0),
  ];
}

export const MGE_TABLE: readonly HidInfoEntry[] = [
  // battery
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick']),
  // STRING lengths as the upsrw listing of an Eaton 5SC 2200i RT shows them
  v('battery.charge.low', `${PS}.RemainingCapacityLimit`, ['semistatic', 'rw', 'string'], { length: 5 }),
  v('battery.charge.warning', `${PS}.WarningCapacityLimit`, ['semistatic']),
  v('battery.charge.restart', `${PS}.RestartLevel`, ['semistatic', 'rw', 'string'], { length: 3 }),
  v('battery.capacity', `${BAT}.DesignCapacity`, ['static'], { format: '%.2f' }),
  v('battery.runtime', `${PS}.RunTimeToEmpty`, ['quick']),
  v('battery.runtime.low', `${BAT}.RemainingTimeLimit`, ['semistatic', 'rw', 'string'], { length: 10 }),
  v('battery.runtime.low', `${PS}.RemainingTimeLimit`, ['semistatic', 'rw', 'string'], { length: 10 }),
  v('battery.voltage', `${BAT}.Voltage`, ['quick'], { format: '%.1f' }),
  v('battery.voltage', `${PS}.Voltage`, ['quick'], { format: '%.1f' }),
  v('battery.voltage.nominal', `${BAT}.ConfigVoltage`, ['static']),
  v('battery.voltage.nominal', `${PS}.ConfigVoltage`, ['static']),
  v('battery.temperature', `${BAT}.Temperature`, ['quick'], { conv: 'kelvinToCelsius' }),
  v('battery.type', `${PS}.iDeviceChemistry`, ['static', 'stringid']),
  v('battery.protection', `${BAT}.DeepDischargeProtection`, ['semistatic', 'rw', 'string', 'enum'], { length: 5, conv: 'yesno' }),
  v('battery.energysave', `${PC}.Input.[3].EnergySaving`, ['semistatic', 'rw', 'string', 'enum'], { length: 5, conv: 'yesno' }),
  // input
  v('input.voltage', `${PC}.Input.[1].Voltage`, ['quick'], { format: '%.1f' }),
  v('input.frequency', `${PC}.Input.[1].Frequency`, ['quick'], { format: '%.1f' }),
  v('input.current', `${PC}.Input.[1].Current`, ['quick'], { format: '%.2f' }),
  v('input.voltage.nominal', 'UPS.Flow.[1].ConfigVoltage', ['static']),
  v('input.frequency.nominal', 'UPS.Flow.[1].ConfigFrequency', ['static']),
  v('input.bypass.voltage', `${PC}.Input.[2].Voltage`, ['quick'], { format: '%.1f' }),
  v('input.bypass.frequency', `${PC}.Input.[2].Frequency`, ['quick'], { format: '%.1f' }),
  v('input.bypass.current', `${PC}.Input.[2].Current`, ['quick'], { format: '%.2f' }),
  v('input.bypass.frequency.nominal', 'UPS.Flow.[2].ConfigFrequency', ['static']),
  v('input.transfer.low', `${PC}.Output.LowVoltageTransfer`, ['semistatic', 'rw', 'string'], { length: 5 }),
  v('input.transfer.high', `${PC}.Output.HighVoltageTransfer`, ['semistatic', 'rw', 'string'], { length: 5 }),
  v('input.transfer.boost.low', `${PC}.Output.LowVoltageBoostTransfer`, ['semistatic', 'rw', 'string'], { length: 5 }),
  v('input.transfer.trim.high', `${PC}.Output.HighVoltageBuckTransfer`, ['semistatic', 'rw', 'string'], { length: 5 }),
  // output
  v('output.voltage', `${PC}.Output.Voltage`, ['quick'], { format: '%.1f' }),
  v('output.voltage', 'UPS.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.frequency', `${PC}.Output.Frequency`, ['quick'], { format: '%.1f' }),
  v('output.frequency', 'UPS.Output.Frequency', ['quick'], { format: '%.1f' }),
  v('output.current', `${PC}.Output.Current`, ['quick'], { format: '%.2f' }),
  v('output.voltage.nominal', 'UPS.Flow.[4].ConfigVoltage', ['static']),
  v('output.frequency.nominal', 'UPS.Flow.[4].ConfigFrequency', ['static']),
  v('output.current.nominal', 'UPS.Flow.[4].ConfigCurrent', ['static'], { format: '%.2f' }),
  v('output.powerfactor', `${PC}.Output.PowerFactor`, ['quick'], { format: '%.2f' }),
  // ups
  v('ups.load', `${PS}.PercentLoad`, ['quick']),
  v('ups.load', `${PC}.Output.PercentLoad`, ['quick']),
  v('ups.power', `${PC}.Output.ApparentPower`, ['quick']),
  v('ups.realpower', `${PC}.Output.ActivePower`, ['quick']),
  v('ups.power.nominal', 'UPS.Flow.[4].ConfigApparentPower', ['static']),
  v('ups.realpower.nominal', 'UPS.Flow.[4].ConfigActivePower', ['static']),
  v('ups.temperature', `${PS}.Temperature`, ['quick'], { conv: 'kelvinToCelsius' }),
  v('ups.beeper.status', `${PS}.AudibleAlarmControl`, ['quick'], { conv: 'beeper' }),
  v('ups.test.result', `${BAT}.Test`, ['quick'], { conv: 'testResult' }),
  v('ups.test.interval', `${BAT}.TestPeriod`, ['semistatic', 'rw', 'string'], { length: 8 }),
  v('ups.start.auto', `${PC}.Input.[1].AutomaticRestart`, ['semistatic', 'rw', 'string', 'enum'], { length: 5, conv: 'yesno' }),
  v('ups.start.battery', `${PC}.Input.[3].StartOnBattery`, ['semistatic', 'rw', 'string', 'enum'], { length: 5, conv: 'yesno' }),
  v('ups.start.reboot', `${PC}.Output.ForcedReboot`, ['semistatic', 'rw', 'string', 'enum'], { length: 5, conv: 'yesno' }),
  v('ups.delay.shutdown', `${PS}.DelayBeforeShutdown`, ['absent', 'rw', 'string'], { length: 10, default: 'offdelay' }),
  v('ups.delay.start', `${PS}.DelayBeforeStartup`, ['absent', 'rw', 'string'], { length: 10, default: 'ondelay' }),
  v('ups.timer.shutdown', `${PS}.DelayBeforeShutdown`, ['quick']),
  v('ups.timer.start', `${PS}.DelayBeforeStartup`, ['quick']),
  v('ups.timer.reboot', `${PS}.DelayBeforeReboot`, ['quick']),
  // the main (unswitched) outlet
  v('outlet.id', 'UPS.OutletSystem.Outlet.[1].OutletID', ['static']),
  v('outlet.desc', 'UPS.OutletSystem.Outlet.[1].OutletID', ['absent', 'rw', 'string'], { length: 20, default: 'Main Outlet' }),
  v('outlet.switchable', 'UPS.OutletSystem.Outlet.[1].PresentStatus.Switchable', ['static'], { conv: 'yesno' }),
  ...outlet(1, 2),
  ...outlet(2, 3),
  // status
  ...statusRows([`${PS}.PresentStatus`]),
  st(`${PC}.Input.[1].PresentStatus.Used`, 'online'),
  st(`${PC}.Input.[3].PresentStatus.Used`, 'discharging'),
  st(`${PC}.Input.[2].PresentStatus.Used`, 'bypassauto'),
  st(`${PC}.Input.[4].PresentStatus.Used`, 'bypassman'),
  st(`${PC}.Input.[5].PresentStatus.Used`, 'eco'),
  ...statusRows([`${PC}.Input.[1].PresentStatus`], ['Boost', 'Buck', 'VoltageOutOfRange', 'FrequencyOutOfRange']),
  st(`${PC}.Output.Overload.[1].PresentStatus.OverThreshold`, 'overload'),
  st(`${PC}.Output.Overload.[2].PresentStatus.OverThreshold`, 'overload'),
  st(`${BAT}.PresentStatus.Present`, 'nobattery', true),
  st(`${BAT}.Charger.PresentStatus.InternalFailure`, 'chargerfail'),
  st(`${BAT}.PresentStatus.VoltageTooLow`, 'battvoltlo'),
  st(`${BAT}.PresentStatus.VoltageTooHigh`, 'battvolthi'),
  st('UPS.PowerConverter.PresentStatus.FanFailure', 'fanfail'),
  st('UPS.PowerConverter.PresentStatus.OverTemperature', 'overheat'),
  // commands
  cmd('load.off.delay', `${PS}.DelayBeforeShutdown`, 'offdelay'),
  cmd('load.on.delay', `${PS}.DelayBeforeStartup`, 'ondelay'),
  cmd('shutdown.stop', `${PS}.DelayBeforeShutdown`, -1),
  cmd('shutdown.reboot', `${PS}.DelayBeforeReboot`, 10),
  ...testCommands(`${BAT}.Test`),
  ...beeperCommands(`${PS}.AudibleAlarmControl`),
];

export const MGE_IDS: readonly UsbId[] = [
  { vendorId: '0463', productId: '0001', vendor: 'Eaton / MGE Office Protection Systems', product: 'Evolution, Pulsar M, Comet (USB, older firmware)' },
  {
    vendorId: '0463',
    productId: 'ffff',
    vendor: 'Eaton / MGE Office Protection Systems',
    product: 'Ellipse, Protection Station, Evolution, Pulsar, 3S, 5E, 5S, 5SC, 5P, 5PX, 9SX, Powerware 5130/9130',
    checked: 'Eaton/Eaton__5SC_2200i_RT__usbhid-ups__2.7.4__01.dev',
  },
  { vendorId: '047c', productId: 'ffff', vendor: 'Dell', product: 'Dell UPS Rack/Tower (Eaton-made)', checked: 'Dell/Dell__UPS_RackTower_2700W_HV__usbhid-ups__2.7.4__01.dev' },
  { vendorId: '03f0', productId: '1fe5', vendor: 'HP', product: 'HP T/R/RT series (Eaton-made, e.g. RT3000)', checked: 'HP/HP__RT3000__usbhid-ups__2.6.3__01.dev' },
  { vendorId: '03f0', productId: '1fe6', vendor: 'HP', product: 'HP R/T series (Eaton-made)' },
  { vendorId: '03f0', productId: '1fe7', vendor: 'HP', product: 'HP R/T series (Eaton-made)' },
  { vendorId: '03f0', productId: '1fe8', vendor: 'HP', product: 'HP R/T series (Eaton-made)' },
  { vendorId: '04b3', productId: '0001', vendor: 'IBM', product: '6000 VA LCD 4U Rack UPS; 5396-1Kx (Eaton-made)' },
  { vendorId: '0592', productId: '0004', vendor: 'Powerware', product: 'PW 9140' },
  { vendorId: '2b2d', productId: 'ffff', vendor: 'AEG Power Solutions', product: 'PROTECT B / PROTECT NAS' },
  {
    vendorId: '06da',
    productId: 'ffff',
    vendor: 'Phoenixtec (PowerWalker, Ippon, ...)',
    product: 'PowerWalker VI SH/SHL, Ippon Smart Power Pro II',
    checked: 'PowerWalker/PowerWalker__VI_650_SH__usbhid-ups__2.7.4.1__01.dev',
  },
];

export const mge: Subdriver = {
  name: 'MGE HID',
  version: '1.46',
  driver: 'usbhid-ups',
  usbIds: MGE_IDS,
  match: (vid, pid) => idsMatch(MGE_IDS, vid, pid),
  table: MGE_TABLE,
  usages: {},
  quirks: {
    offdelay: 20,
    ondelay: 30,
    notes: [
      'online / on battery from PowerConverter.Input.[1|3].PresentStatus.Used; bypass from Input.[2] (auto) and Input.[4] (manual); ECO from Input.[5]',
      'PresentStatus.Good = 0 gives OFF; Output.Overload.[1|2] OverThreshold gives OVER',
    ],
  },
  identify: plainIdentify,
};
