/**
 * Phoenixtec/Liebert (vendor 0x06da, product 0xffff): PowerWalker VI, Ippon
 * Smart Power Pro II, Liebert PowerSure Personal XT and other Phoenixtec
 * ("PPC") OEM units.
 *
 * A deliberately small table: checked against the NUT explore logs and upsc
 * output of the same units in ../shared/ddl (PowerWalker VI 2200 SH, Ippon
 * Smart Power Pro II 1200), which publish only charge, runtime, battery type
 * and voltage (whole volts), load and the PowerSummary status bits: the
 * Input.[1].Voltage and Output.* paths these units have are NOT mapped by
 * this subdriver (the MGE HID subdriver, which claims 06da:ffff first, maps
 * them). Select this one with ups.conf `subdriver = "Phoenixtec/Liebert HID"`.
 */
import { idsMatch, plainIdentify, statusRows, v } from './common.js';
import type { HidInfoEntry, Subdriver, UsbId } from './types.js';

const PS = 'UPS.PowerSummary';

export const LIEBERT_TABLE: readonly HidInfoEntry[] = [
  v('battery.charge', `${PS}.RemainingCapacity`, ['quick']),
  v('battery.runtime', `${PS}.RunTimeToEmpty`, ['quick']),
  v('battery.type', `${PS}.iDeviceChemistry`, ['static', 'stringid']),
  // whole volts: 27.1 → "27", 27.5 → "28" in the dumps
  v('battery.voltage', `${PS}.Voltage`, ['quick'], { format: '%.0f' }),
  v('battery.voltage.nominal', `${PS}.ConfigVoltage`, ['static'], { format: '%.0f' }),
  v('ups.load', `${PS}.PercentLoad`, ['quick']),
  ...statusRows([`${PS}.PresentStatus`], [
    'ACPresent',
    'Discharging',
    'Charging',
    'BelowRemainingCapacityLimit',
    'ShutdownImminent',
    'Overload',
    'NeedReplacement',
    'BatteryPresent',
    'Good',
    'InternalFailure',
  ]),
];

export const LIEBERT_IDS: readonly UsbId[] = [
  {
    vendorId: '06da',
    productId: 'ffff',
    vendor: 'Phoenixtec (PowerWalker, Ippon, Liebert PowerSure, ...)',
    product: 'PowerWalker VI SH/SHL, Ippon Smart Power Pro II, Liebert PowerSure Personal XT',
    checked: 'PowerWalker/PowerWalker__VI_2200_SH__usbhid-ups__2.7.4__01.dev',
  },
];

export const liebert: Subdriver = {
  name: 'Phoenixtec/Liebert HID',
  version: '0.3',
  driver: 'usbhid-ups',
  usbIds: LIEBERT_IDS,
  match: (vid, pid) => idsMatch(LIEBERT_IDS, vid, pid),
  table: LIEBERT_TABLE,
  usages: {},
  quirks: {
    offdelay: 20,
    ondelay: 30,
    notes: ['06da:ffff is claimed by the MGE HID subdriver first; this minimal table is kept for subdriver = "Phoenixtec/Liebert HID"'],
  },
  identify: plainIdentify,
};
