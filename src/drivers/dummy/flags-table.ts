/**
 * The flags and STRING length dummy-ups gives a variable it reads from a
 * .dev/.seq file or a repeater upstream. Observed from Debian's dummy-ups
 * 2.8.0 (every variable name of the 574 DDL files and of cmdvartab fed to it,
 * its DUMPALL recorded): the names below get these flags; every other name
 * becomes RW STRING with a maximum length of 32.
 */
import { FLAG_RW, FLAG_STRING } from '../../state/table.js';

const RW = FLAG_RW;
const RW_STRING = FLAG_RW | FLAG_STRING;

const TABLE: ReadonlyArray<readonly [string, number, number]> = [
  ['ambient.humidity', RW, 0],
  ['ambient.humidity.alarm', RW, 0],
  ['ambient.humidity.high', RW, 0],
  ['ambient.humidity.low', RW, 0],
  ['ambient.temperature', RW, 0],
  ['ambient.temperature.alarm', RW, 0],
  ['ambient.temperature.high', RW, 0],
  ['ambient.temperature.low', RW, 0],
  ['battery.charge', RW, 0],
  ['battery.charge.low', RW, 0],
  ['battery.charge.restart', RW, 0],
  ['battery.current', RW, 0],
  ['battery.runtime', RW, 0],
  ['battery.runtime.low', RW, 0],
  ['battery.temperature', RW, 0],
  ['battery.voltage', RW, 0],
  ['battery.voltage.nominal', RW, 0],
  ['input.frequency', RW, 0],
  ['input.quality', RW_STRING, 6],
  ['input.sensitivity', RW_STRING, 1],
  ['input.transfer.boost.high', RW, 0],
  ['input.transfer.boost.low', RW, 0],
  ['input.transfer.high', RW, 0],
  ['input.transfer.low', RW, 0],
  ['input.transfer.reason', RW_STRING, 1],
  ['input.transfer.trim.high', RW, 0],
  ['input.transfer.trim.low', RW, 0],
  ['input.voltage', RW, 0],
  ['input.voltage.maximum', RW, 0],
  ['input.voltage.minimum', RW, 0],
  ['input.voltage.nominal', RW, 0],
  ['output.current', RW, 0],
  ['output.frequency', RW, 0],
  ['output.voltage', RW, 0],
  ['ups.date', RW_STRING, 16],
  ['ups.delay.reboot', RW, 0],
  ['ups.delay.shutdown', RW, 0],
  ['ups.delay.start', RW, 0],
  ['ups.firmware', RW_STRING, 16],
  ['ups.firmware.aux', RW_STRING, 16],
  ['ups.id', RW_STRING, 16],
  ['ups.load', RW, 0],
  ['ups.mfr.date', RW_STRING, 16],
  ['ups.temperature', RW, 0],
  ['ups.test.interval', RW, 0],
  ['ups.test.result', RW_STRING, 16],
  ['ups.time', RW_STRING, 16],
];

const BY_NAME = new Map(TABLE.map(([n, f, a]) => [n.toLowerCase(), { flags: f, aux: a }]));

/** The default for names not in the table. */
export const DEFAULT_VAR_INFO = { flags: RW_STRING, aux: 32 } as const;

/** Flags and aux for a variable name (matched ignoring case). */
export function dummyVarInfo(name: string): { flags: number; aux: number } {
  return BY_NAME.get(name.toLowerCase()) ?? DEFAULT_VAR_INFO;
}
