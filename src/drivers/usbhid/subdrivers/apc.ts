/**
 * APC (vendor 0x051d): Back-UPS, Back-UPS Pro/RS/XS/ES/CS, Smart-UPS (USB).
 *
 * Checked against the usbhid-ups explore logs and upsc output of the same
 * units in ../shared/ddl (Back-UPS CS 500 and BK650M2-CH, NUT 2.8.0): paths
 * directly under PowerSummary (older units) and under
 * PowerSummary.PresentStatus / Battery / Input (newer units) both map.
 */
import { beeperCommands, cmd, idsMatch, st, statusRows, testCommands, v } from './common.js';
import type { DeviceStrings, FixableField, HidInfoEntry, Subdriver, UsbId } from './types.js';

/** APC's vendor page 0xff86 usages. */
export const APC_USAGES: Readonly<Record<string, number>> = {
  APCGeneralCollection: 0xff860005,
  APCBattReplaceDate: 0xff860016,
  APCBattCapBeforeStartup: 0xff860019,
  APC_UPS_FirmwareRevision: 0xff860042,
  APCLineFailCause: 0xff860052,
  APCStatusFlag: 0xff860060,
  APCSensitivity: 0xff860061,
  APCPanelTest: 0xff860072,
  APCShutdownAfterDelay: 0xff860076,
  APC_USB_FirmwareRevision: 0xff860079,
  APCForceShutdown: 0xff86007c,
  APCDelayBeforeShutdown: 0xff86007d,
  APCDelayBeforeStartup: 0xff86007e,
};

const PS = 'UPS.PowerSummary';

export const APC_TABLE: readonly HidInfoEntry[] = [
  // battery
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick']),
  v('battery.charge', 'UPS.Battery.RemainingCapacity', ['quick']),
  v('battery.charge.low', `${PS}.RemainingCapacityLimit`, ['semistatic', 'rw', 'string'], { length: 10 }),
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
  // writable (upsrw of an ES 850G2, NUT 2.8.0: STRING, 10)
  v('battery.mfr.date', 'UPS.Battery.ManufacturerDate', ['static', 'rw', 'string'], { length: 10, conv: 'date' }),
  v('battery.mfr.date', `${PS}.ManufacturerDate`, ['static', 'rw', 'string'], { length: 10, conv: 'date' }),
  v('battery.date', 'UPS.Battery.APCBattReplaceDate', ['static'], { conv: 'apcDate' }),
  // input / output
  v('input.voltage', 'UPS.Input.Voltage', ['quick'], { format: '%.1f' }),
  v('input.voltage.nominal', 'UPS.Input.ConfigVoltage', ['static']),
  v('input.transfer.low', 'UPS.Input.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.Input.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.sensitivity', 'UPS.Input.APCSensitivity', ['semistatic', 'rw', 'string', 'enum'], { length: 10, conv: 'apcSensitivity' }),
  v('output.voltage', 'UPS.Output.Voltage', ['quick'], { format: '%.1f' }),
  v('output.voltage.nominal', 'UPS.Output.ConfigVoltage', ['static'], { format: '%.1f' }),
  v('output.frequency', 'UPS.Output.Frequency', ['quick'], { format: '%.1f' }),
  v('output.current', 'UPS.Output.Current', ['quick'], { format: '%.2f' }),
  // ups
  v('ups.load', 'UPS.PowerConverter.PercentLoad', ['quick']),
  // one decimal from the Output collection (Smart-UPS "5.8"), whole percent elsewhere (BK650M2 "5")
  v('ups.load', 'UPS.Output.PercentLoad', ['quick'], { format: '%.1f' }),
  v('ups.load', `${PS}.PercentLoad`, ['quick']),
  v('ups.realpower.nominal', 'UPS.PowerConverter.ConfigActivePower', ['static']),
  v('ups.realpower.nominal', 'UPS.Output.ConfigActivePower', ['static']),
  v('ups.power.nominal', 'UPS.Output.ConfigApparentPower', ['static']),
  v('ups.mfr.date', 'UPS.ManufacturerDate', ['static'], { conv: 'date' }),
  v('ups.mfr.date', `${PS}.ManufacturerDate`, ['static'], { conv: 'date' }),
  v('ups.test.result', 'UPS.Battery.Test', ['quick'], { conv: 'testResult' }),
  v('ups.beeper.status', `${PS}.AudibleAlarmControl`, ['quick'], { conv: 'beeper' }),
  v('ups.beeper.status', 'UPS.AudibleAlarmControl', ['quick'], { conv: 'beeper' }),
  v('ups.delay.shutdown', `${PS}.DelayBeforeShutdown`, ['absent', 'rw', 'string'], { length: 10, default: 'offdelay' }),
  v('ups.delay.start', `${PS}.DelayBeforeStartup`, ['absent', 'rw', 'string'], { length: 10, default: 'ondelay' }),
  v('ups.timer.shutdown', `${PS}.DelayBeforeShutdown`, ['quick']),
  v('ups.timer.start', `${PS}.DelayBeforeStartup`, ['quick']),
  v('ups.timer.reboot', `${PS}.DelayBeforeReboot`, ['quick']),
  v('ups.timer.reboot', 'UPS.APCGeneralCollection.APCForceShutdown', ['quick']),
  // status: PowerSummary.PresentStatus (newer units), PowerSummary directly (older units)
  ...statusRows([`${PS}.PresentStatus`, PS]),
  st('UPS.Input.PresentStatus.Boost', 'boost'),
  st('UPS.Input.PresentStatus.Buck', 'trim'),
  st('UPS.Output.Overload', 'overload'),
  // instant commands
  cmd('load.off.delay', `${PS}.DelayBeforeShutdown`, 'offdelay'),
  cmd('load.on.delay', `${PS}.DelayBeforeStartup`, 'ondelay'),
  cmd('shutdown.stop', `${PS}.DelayBeforeShutdown`, -1),
  cmd('shutdown.reboot', 'UPS.APCGeneralCollection.APCForceShutdown', 1),
  cmd('shutdown.reboot', `${PS}.DelayBeforeReboot`, 10),
  ...testCommands('UPS.Battery.Test'),
  cmd('test.panel.start', `${PS}.APCPanelTest`, 1),
  cmd('test.panel.stop', `${PS}.APCPanelTest`, 0),
  ...beeperCommands(`${PS}.AudibleAlarmControl`),
  ...beeperCommands('UPS.AudibleAlarmControl'),
];

export const APC_IDS: readonly UsbId[] = [
  { vendorId: '051d', productId: '0000', vendor: 'APC', product: 'Smart-UPS (network management card AP9584 USB)', checked: 'APC/APC__AP9584__usbhid-ups__2.6.4__01.dev' },
  {
    vendorId: '051d',
    productId: '0002',
    vendor: 'APC',
    product: 'Back-UPS (CS, ES, RS, XS, BK, BVK), Back-UPS Pro, Smart-UPS (USB)',
    checked: 'APC/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev',
  },
  { vendorId: '051d', productId: '0003', vendor: 'APC', product: 'Smart-UPS (SMT, SMX, SC, C, X)', checked: 'APC/APC__Smart-UPS_750__usbhid-ups__2.8.0__01.dev' },
];

/** "Back-UPS 500 FW: 6.5.I USB FW: c1 " → model, ups.firmware, ups.firmware.aux. */
export function apcIdentify(s: DeviceStrings): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (s.vendor !== undefined && s.vendor !== '') out.push(['ups.mfr', s.vendor]);
  if (s.product !== undefined) {
    let model = s.product;
    let fw: string | undefined;
    let aux: string | undefined;
    const i = model.indexOf(' FW:');
    if (i >= 0) {
      fw = model.slice(i + 4);
      model = model.slice(0, i);
      const j = fw.indexOf(' USB FW:');
      if (j >= 0) {
        aux = fw.slice(j + 8);
        fw = fw.slice(0, j);
      }
    }
    if (model.trim()) out.push(['ups.model', model.trim()]);
    if (fw !== undefined) out.push(['ups.firmware', fw]);
    if (aux !== undefined) out.push(['ups.firmware.aux', aux]);
  }
  if (s.serial !== undefined) out.push(['ups.serial', s.serial.replace(/\s+$/, '')]);
  return out;
}

/**
 * Product 0x0002: when Input.HighVoltageTransfer can exceed Input.Voltage's
 * logical maximum, the voltage would clamp; widen it to 0..2×HVT max.
 */
function apcFixReportDesc(fields: FixableField[], _vid: number, pid: number): number {
  if (pid !== 0x0002) return 0;
  const hvt = fields.find((f) => f.path === 'UPS.Input.HighVoltageTransfer');
  if (!hvt) return 0;
  let changed = 0;
  for (const f of fields) {
    if (f.path !== 'UPS.Input.Voltage') continue;
    if (hvt.logMax > f.logMax) {
      f.logMin = 0;
      f.logMax = hvt.logMax * 2;
      changed++;
    }
  }
  return changed;
}

export const apc: Subdriver = {
  name: 'APC HID',
  version: '0.100',
  driver: 'usbhid-ups',
  usbIds: APC_IDS,
  match: (vid, pid) => idsMatch(APC_IDS, vid, pid),
  table: APC_TABLE,
  usages: APC_USAGES,
  quirks: {
    offdelay: 20,
    ondelay: 30,
    fixReportDesc: apcFixReportDesc,
    notes: [
      'ups.model is cut at " FW:"; the rest becomes ups.firmware and ups.firmware.aux',
      'product 0002: Input.Voltage widened to 0..2×HighVoltageTransfer max when the descriptor clamps it',
      'OL+DISCHRG (e.g. BK650M2) stays OL unless onlinedischarge is set',
    ],
  },
  identify: apcIdentify,
};
