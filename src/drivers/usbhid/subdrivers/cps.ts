/**
 * CyberPower Systems (vendor 0x0764; products 0x0501 consumer/AVR/PFC and
 * 0x0601 OR/PR rack units), also sold as Rocketfish and some PowerWalker
 * Basic VI units.
 *
 * The delays and the battery test sit in the Output collection; battery
 * type and manufacture "date" are USB strings (the dumps show
 * battery.mfr.date = "CPS", the iOEMInformation string). Delays count whole
 * minutes on the device (physical -60..). Variable set checked against the
 * upsc output of 39 CyberPower dumps in ../shared/ddl; paths against the
 * CST135UC2 (0764:0601) descriptor in ../shared/hid.
 */
import { beeperCommands, cmd, idsMatch, plainIdentify, st, statusRows, testCommands, v } from './common.js';
import type { FixableField, HidInfoEntry, Subdriver, UsbId } from './types.js';

const PS = 'UPS.PowerSummary';

export const CPS_TABLE: readonly HidInfoEntry[] = [
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick']),
  v('battery.charge.low', `${PS}.RemainingCapacityLimit`, ['semistatic', 'rw', 'string'], { length: 10 }),
  v('battery.charge.warning', `${PS}.WarningCapacityLimit`, ['semistatic']),
  v('battery.runtime', `${PS}.RunTimeToEmpty`, ['quick']),
  v('battery.runtime.low', `${PS}.RemainingTimeLimit`, ['semistatic', 'rw', 'string'], { length: 10 }),
  v('battery.type', `${PS}.iDeviceChemistry`, ['static', 'stringid']),
  v('battery.mfr.date', `${PS}.iOEMInformation`, ['static', 'stringid']),
  v('battery.voltage', `${PS}.Voltage`, ['quick'], { format: '%.1f' }),
  v('battery.voltage.nominal', `${PS}.ConfigVoltage`, ['static']),
  v('input.voltage', 'UPS.Input.Voltage', ['quick'], { format: '%.1f' }),
  v('input.voltage.nominal', 'UPS.Input.ConfigVoltage', ['static']),
  v('input.transfer.low', 'UPS.Output.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.low', 'UPS.Input.LowVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.Output.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  v('input.transfer.high', 'UPS.Input.HighVoltageTransfer', ['semistatic', 'rw', 'string'], { length: 10 }),
  // frequencies: newer CyberPower firmware (a 2.8.1 upsc of a 0764:0601 unit shows both)
  v('input.frequency', 'UPS.Input.Frequency', ['quick'], { format: '%.1f' }),
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
  st('UPS.Output.Buck', 'trim'),
  st('UPS.Input.PresentStatus.Boost', 'boost'),
  st('UPS.Input.PresentStatus.Buck', 'trim'),
  cmd('load.off.delay', 'UPS.Output.DelayBeforeShutdown', 'offdelay'),
  cmd('load.on.delay', 'UPS.Output.DelayBeforeStartup', 'ondelay'),
  cmd('shutdown.stop', 'UPS.Output.DelayBeforeShutdown', -1),
  ...testCommands('UPS.Output.Test'),
  ...beeperCommands(`${PS}.AudibleAlarmControl`),
];

export const CPS_IDS: readonly UsbId[] = [
  { vendorId: '0764', productId: '0005', vendor: 'CyberPower Systems', product: '900AVR / BC900D' },
  {
    vendorId: '0764',
    productId: '0501',
    vendor: 'CyberPower Systems (also Rocketfish)',
    product: 'CP/AVR/PFC LCD, BR, EC, LE, UT, VP, Value, DX, CST, BL series',
    checked: 'Cyber_Power_Systems/Cyber_Power_Systems__CP1500PFCLCD__usbhid-ups__2.7.4__01.dev',
  },
  {
    vendorId: '0764',
    productId: '0601',
    vendor: 'CyberPower Systems (also PowerWalker Basic VI)',
    product: 'OR / PR rack and tower series',
    checked: 'Cyber_Power_Systems/Cyber_Power_Systems__PR1500RT2U__usbhid-ups__2.7.4__01.dev',
  },
];

/** Input/Output voltage ranges copied from HighVoltageTransfer are reset to 0..511. */
function cpsFixReportDesc(fields: FixableField[], _vid: number, pid: number): number {
  if (pid !== 0x0501 && pid !== 0x0601) return 0;
  const hvt = fields.find((f) => /^UPS\.(Input|Output)\.HighVoltageTransfer$/.test(f.path));
  if (!hvt) return 0;
  let changed = 0;
  for (const f of fields) {
    if (f.path !== 'UPS.Input.Voltage' && f.path !== 'UPS.Output.Voltage') continue;
    if (f.logMin === hvt.logMin && f.logMax === hvt.logMax) {
      f.logMin = 0;
      f.logMax = 511;
      changed++;
    }
  }
  return changed;
}

export const cps: Subdriver = {
  name: 'CyberPower HID',
  version: '0.8',
  driver: 'usbhid-ups',
  usbIds: CPS_IDS,
  match: (vid, pid) => idsMatch(CPS_IDS, vid, pid),
  table: CPS_TABLE,
  usages: {},
  quirks: {
    offdelay: 60,
    ondelay: 120,
    pollfreq: 12,
    delayMultipleOf: 60,
    fixReportDesc: cpsFixReportDesc,
    adjustValue: (name, value, ctx) => {
      // 0501: some units report the battery voltage 1.5× too high
      if (name !== 'battery.voltage' || ctx.pid !== 0x0501) return value;
      const nominal = ctx.get('battery.voltage.nominal');
      return nominal !== undefined && nominal > 0 && value > nominal * 1.4 ? (value * 2) / 3 : value;
    },
    notes: [
      'input/output voltage ranges copied from HighVoltageTransfer are reset to 0..511',
      'product 0501: battery voltage × 2/3 when well above nominal',
      'delays are written rounded down to whole minutes; defaults offdelay 60, ondelay 120; pollfreq 12',
    ],
  },
  identify: plainIdentify,
};
