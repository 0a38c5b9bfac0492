/**
 * APC PowerNet-MIB UPS (`mibs=apcc`), OIDs under 1.3.6.1.4.1.318.1.1.1.
 * High-precision (tenths) OIDs are tried first, then the classic ones, as
 * real snmp-ups 2.8.0 does; status tokens and value maps are those it
 * publishes for each raw value (probed against the same agent), commands
 * write the same OID and value it writes.
 */
import type { MibMapping, MibVar } from '../mib.js';
import { SYSTEM_VARS } from './system.js';

const A = '1.3.6.1.4.1.318.1.1.1';
const E = '1.3.6.1.4.1.318.1.1';

/**
 * Three-phase units (Symmetra, Silcon): upsPhaseInputTable / upsPhaseOutputTable rows per
 * phase, under …9.2.3.1.<column>.1.1.<phase> and …9.3.3.1.<column>.1.1.<phase>.
 */
const PHASES = [
  ['L1', 'L1-L2'],
  ['L2', 'L2-L3'],
  ['L3', 'L3-L1'],
] as const;
function threePhase(): MibVar[] {
  const out: MibVar[] = [];
  const col = (side: 'input' | 'output', c: number, p: number) => `${A}.9.${side === 'input' ? 2 : 3}.3.1.${c}.1.1.${p}`;
  PHASES.forEach(([l, ll], i) => {
    const p = i + 1;
    out.push(
      { name: `input.${ll}.voltage`, oid: col('input', 3, p), kind: 'number' },
      { name: `input.${ll}.voltage.maximum`, oid: col('input', 4, p), kind: 'number' },
      { name: `input.${ll}.voltage.minimum`, oid: col('input', 5, p), kind: 'number' },
      { name: `input.${l}.current`, oid: col('input', 6, p), kind: 'number', scale: 0.1 },
      { name: `input.${l}.current.maximum`, oid: col('input', 7, p), kind: 'number', scale: 0.1 },
      { name: `input.${l}.current.minimum`, oid: col('input', 8, p), kind: 'number', scale: 0.1 },
      { name: `output.${ll}.voltage`, oid: col('output', 3, p), kind: 'number' },
      { name: `output.${l}.current`, oid: col('output', 4, p), kind: 'number', scale: 0.1 },
      { name: `output.${l}.current.maximum`, oid: col('output', 5, p), kind: 'number', scale: 0.1 },
      { name: `output.${l}.current.minimum`, oid: col('output', 6, p), kind: 'number', scale: 0.1 },
      { name: `output.${l}.power`, oid: col('output', 7, p), kind: 'number' },
      { name: `output.${l}.power.maximum`, oid: col('output', 8, p), kind: 'number' },
      { name: `output.${l}.power.minimum`, oid: col('output', 9, p), kind: 'number' },
      { name: `output.${l}.power.percent`, oid: col('output', 10, p), kind: 'number' },
      { name: `output.${l}.power.maximum.percent`, oid: col('output', 11, p), kind: 'number' },
      { name: `output.${l}.power.minimum.percent`, oid: col('output', 12, p), kind: 'number' },
    );
  });
  return out;
}

export const APCC_MIB: MibMapping = {
  name: 'apcc',
  version: '1.6',
  sysOids: ['1.3.6.1.4.1.318.1.3.2', '1.3.6.1.4.1.318.1.3.27'],
  autoCheck: `${A}.1.1.1.0`,
  testOid: `${A}.1.1.1.0`,
  fixed: { 'ups.mfr': 'APC' },
  vars: [
    ...SYSTEM_VARS,
    { name: 'ups.model', oid: `${A}.1.1.1.0`, kind: 'string' },
    { name: 'ups.serial', oid: `${A}.1.2.3.0`, kind: 'string' },
    { name: 'ups.mfr.date', oid: `${A}.1.2.2.0`, kind: 'string' },
    { name: 'input.voltage', oid: [`${A}.3.3.1.0`, `${A}.3.2.1.0`], kind: 'number', scale: [0.1, 1], quick: true },
    { name: 'input.voltage.maximum', oid: [`${A}.3.3.2.0`, `${A}.3.2.2.0`], kind: 'number', scale: [0.1, 1] },
    { name: 'input.voltage.minimum', oid: [`${A}.3.3.3.0`, `${A}.3.2.3.0`], kind: 'number', scale: [0.1, 1] },
    { name: 'input.phases', oid: `${A}.9.2.2.1.2.1`, kind: 'number' },
    { name: 'input.frequency', oid: [`${A}.9.2.2.1.4.1`, `${A}.3.3.4.0`, `${A}.3.2.4.0`], kind: 'number', scale: [0.1, 0.1, 1] },
    { name: 'input.transfer.low', oid: `${A}.5.2.3.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'input.transfer.high', oid: `${A}.5.2.2.0`, kind: 'number', rw: { type: 'number' } },
    {
      name: 'input.transfer.reason',
      oid: `${A}.3.2.5.0`,
      kind: 'enum',
      map: {
        1: 'noTransfer',
        2: 'highLineVoltage',
        3: 'brownout',
        4: 'blackout',
        5: 'smallMomentarySag',
        6: 'deepMomentarySag',
        7: 'smallMomentarySpike',
        8: 'largeMomentarySpike',
        9: 'selfTest',
        10: 'rateOfVoltageChange',
      },
    },
    { name: 'input.sensitivity', oid: `${A}.5.2.7.0`, kind: 'enum', map: { 1: 'auto', 2: 'low', 3: 'medium', 4: 'high' } },
    { name: 'ups.power', oid: `${A}.4.2.9.0`, kind: 'number' },
    { name: 'ups.realpower', oid: `${A}.4.2.8.0`, kind: 'number' },
    { name: 'ups.temperature', oid: [`${A}.2.3.2.0`, `${A}.2.2.2.0`], kind: 'number', scale: [0.1, 1] },
    { name: 'ups.load', oid: [`${A}.4.3.3.0`, `${A}.4.2.3.0`], kind: 'number', scale: [0.1, 1], quick: true },
    { name: 'ups.firmware', oid: `${A}.1.2.1.0`, kind: 'string' },
    { name: 'ups.delay.shutdown', oid: `${A}.5.2.10.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'ups.delay.start', oid: `${A}.5.2.9.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'battery.charge', oid: [`${A}.2.3.1.0`, `${A}.2.2.1.0`], kind: 'number', scale: [0.1, 1], quick: true },
    { name: 'battery.charge.restart', oid: `${A}.5.2.6.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'battery.runtime', oid: `${A}.2.2.3.0`, kind: 'number', quick: true },
    { name: 'battery.runtime.low', oid: `${A}.5.2.8.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'battery.voltage', oid: [`${A}.2.3.4.0`, `${A}.2.2.8.0`], kind: 'number', scale: [0.1, 1] },
    { name: 'battery.voltage.nominal', oid: `${A}.2.2.7.0`, kind: 'number' },
    { name: 'battery.current', oid: [`${A}.2.3.5.0`, `${A}.2.2.9.0`], kind: 'number', scale: [0.1, 1] },
    { name: 'battery.current.total', oid: `${A}.2.3.6.0`, kind: 'number', scale: 0.1 },
    { name: 'battery.packs', oid: `${A}.2.2.5.0`, kind: 'number' },
    { name: 'battery.packs.bad', oid: `${A}.2.2.6.0`, kind: 'number' },
    { name: 'battery.date', oid: `${A}.2.1.3.0`, kind: 'string', rw: { type: 'string', len: 8 } },
    { name: 'ups.id', oid: `${A}.1.1.2.0`, kind: 'string', rw: { type: 'string', len: 8 } },
    { name: 'ups.test.result', oid: `${A}.7.2.3.0`, kind: 'enum', map: { 1: 'Ok', 2: 'Failed', 3: 'InvalidTest', 4: 'TestInProgress' } },
    { name: 'ups.test.date', oid: `${A}.7.2.4.0`, kind: 'string' },
    { name: 'output.voltage', oid: [`${A}.4.3.1.0`, `${A}.4.2.1.0`], kind: 'number', scale: [0.1, 1], quick: true },
    { name: 'output.phases', oid: `${A}.9.3.2.1.2.1`, kind: 'number' },
    { name: 'output.frequency', oid: [`${A}.9.3.2.1.4.1`, `${A}.4.3.2.0`, `${A}.4.2.2.0`], kind: 'number', scale: [0.1, 0.1, 1] },
    { name: 'output.current', oid: [`${A}.4.3.4.0`, `${A}.4.2.4.0`], kind: 'number', scale: [0.1, 1] },
    { name: 'output.voltage.nominal', oid: `${A}.5.2.1.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'ambient.temperature', oid: `${E}.2.1.1.0`, kind: 'number' },
    { name: 'ambient.humidity', oid: `${E}.2.1.2.0`, kind: 'number' },
    { name: 'ambient.1.temperature.alarm.high', oid: `${E}.10.1.2.2.1.3.1`, kind: 'number' },
    { name: 'ambient.1.temperature.alarm.low', oid: `${E}.10.1.2.2.1.4.1`, kind: 'number' },
    { name: 'ambient.1.humidity.alarm.high', oid: `${E}.10.1.2.2.1.6.1`, kind: 'number' },
    { name: 'ambient.1.humidity.alarm.low', oid: `${E}.10.1.2.2.1.7.1`, kind: 'number' },
    ...threePhase(),
  ],
  status: [
    {
      // upsBasicOutputStatus
      oid: `${A}.4.1.1.0`,
      map: { 1: '', 2: 'OL', 3: 'OB', 4: 'OL BOOST', 5: 'OFF', 6: 'OFF', 7: 'OFF', 8: '', 9: 'BYPASS', 10: 'BYPASS', 11: 'OFF', 12: 'OL TRIM' },
    },
    // upsBasicBatteryStatus: batteryLow
    { oid: `${A}.2.1.1.0`, map: { 3: 'LB' } },
    // upsAdvTestCalibrationResults: inProgress
    { oid: `${A}.7.2.6.0`, map: { 3: 'CAL' } },
    // upsAdvBatteryReplaceIndicator: batteryNeedsReplacing
    { oid: `${A}.2.2.4.0`, map: { 2: 'RB' } },
  ],
  commands: [
    { cmd: 'load.off', oid: `${A}.6.2.1.0`, type: 'integer', value: 2 },
    { cmd: 'load.on', oid: `${A}.6.2.6.0`, type: 'integer', value: 2 },
    { cmd: 'shutdown.stayoff', oid: `${A}.6.2.1.0`, type: 'integer', value: 3 },
    { cmd: 'shutdown.return', oid: `${A}.6.1.1.0`, type: 'integer', value: 2 },
    { cmd: 'test.failure.start', oid: `${A}.6.2.4.0`, type: 'integer', value: 2 },
    { cmd: 'test.panel.start', oid: `${A}.6.2.5.0`, type: 'integer', value: 2 },
    { cmd: 'bypass.start', oid: `${A}.6.2.7.0`, type: 'integer', value: 2 },
    { cmd: 'bypass.stop', oid: `${A}.6.2.7.0`, type: 'integer', value: 3 },
    { cmd: 'test.battery.start', oid: `${A}.7.2.2.0`, type: 'integer', value: 2 },
    { cmd: 'calibrate.start', oid: `${A}.7.2.5.0`, type: 'integer', value: 2 },
    { cmd: 'calibrate.stop', oid: `${A}.7.2.5.0`, type: 'integer', value: 3 },
    // offered when the UPS reports input min/max (as NUT, which offers it without the control OID)
    { cmd: 'reset.input.minmax', oid: `${A}.9.1.1.0`, type: 'integer', value: 2, probe: [`${A}.3.3.3.0`, `${A}.3.2.3.0`] },
  ],
};
