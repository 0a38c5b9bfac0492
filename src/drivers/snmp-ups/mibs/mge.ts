/**
 * MGE / Eaton MG-SNMP-UPS-MIB (`mibs=mge`), OIDs under 1.3.6.1.4.1.705.1, with
 * a few UPS-MIB objects (beeper, test result, timers, auto start, output
 * source). Variables, scaling, texts, status tokens and command SETs as real
 * snmp-ups 2.8.0 publishes and sends them against the same agent
 * (crosscheck.test.ts, sweep.test.ts). NUT offers the commands even when the
 * card lacks their objects; Walnut offers those whose object answers.
 */
import type { MibMapping } from '../mib.js';
import { SYSTEM_VARS } from './system.js';

const M = '1.3.6.1.4.1.705.1';
const U = '1.3.6.1.2.1.33.1';
const YES = 1;

export const MGE_MIB: MibMapping = {
  name: 'mge',
  version: '0.55',
  sysOids: ['1.3.6.1.4.1.705.1'],
  autoCheck: `${M}.1.1.0`,
  testOid: `${M}.1.1.0`,
  fixed: { 'ups.mfr': 'Eaton', 'outlet.desc': 'Main Outlet', 'outlet.id': '0', 'ups.delay.shutdown': '20', 'ups.delay.start': '30' },
  vars: [
    ...SYSTEM_VARS,
    { name: 'ups.model', oid: `${M}.1.1.0`, kind: 'string' },
    { name: 'ups.serial', oid: `${M}.1.7.0`, kind: 'string' },
    { name: 'ups.firmware', oid: `${M}.1.4.0`, kind: 'string' },
    { name: 'ups.firmware.aux', oid: `${M}.12.12.0`, kind: 'string' },
    { name: 'ups.load', oid: `${M}.7.2.1.4.1`, kind: 'number', quick: true },
    { name: 'ups.beeper.status', oid: `${U}.9.8.0`, kind: 'enum', map: { 1: 'disabled', 2: 'enabled', 3: 'muted' } },
    {
      name: 'ups.test.result',
      oid: `${U}.7.3.0`,
      kind: 'enum',
      map: { 1: 'done and passed', 2: 'done and warning', 3: 'done and error', 4: 'aborted', 5: 'in progress', 6: 'no test initiated' },
    },
    { name: 'ups.timer.shutdown', oid: `${U}.8.2.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'ups.timer.start', oid: `${U}.8.3.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'ups.timer.reboot', oid: `${U}.8.4.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'ups.start.auto', oid: `${U}.8.5.0`, kind: 'enum', map: { 1: 'yes', 2: 'no' }, unmappedRaw: true },
    { name: 'input.phases', oid: `${M}.6.1.0`, kind: 'number', default: '1' },
    { name: 'input.voltage', oid: `${M}.6.2.1.2.1`, kind: 'number', scale: 0.1, quick: true },
    { name: 'input.frequency', oid: `${M}.6.2.1.3.1`, kind: 'number', scale: 0.1 },
    { name: 'input.voltage.minimum', oid: `${M}.6.2.1.4.1`, kind: 'number', scale: 0.1 },
    { name: 'input.voltage.maximum', oid: `${M}.6.2.1.5.1`, kind: 'number', scale: 0.1 },
    { name: 'input.current', oid: `${M}.6.2.1.6.1`, kind: 'number', scale: 0.1 },
    {
      name: 'input.transfer.reason',
      oid: `${M}.6.4.0`,
      kind: 'enum',
      map: { 1: '', 2: 'input voltage out of range', 3: 'input frequency out of range', 4: 'utility off' },
    },
    { name: 'output.phases', oid: `${M}.7.1.0`, kind: 'number', default: '1' },
    { name: 'output.voltage', oid: `${M}.7.2.1.2.1`, kind: 'number', scale: 0.1 },
    { name: 'output.frequency', oid: `${M}.7.2.1.3.1`, kind: 'number', scale: 0.1 },
    { name: 'output.current', oid: `${M}.7.2.1.5.1`, kind: 'number', scale: 0.1 },
    { name: 'battery.charge', oid: `${M}.5.2.0`, kind: 'number', quick: true },
    { name: 'battery.runtime', oid: `${M}.5.1.0`, kind: 'number', quick: true },
    { name: 'battery.runtime.low', oid: `${M}.4.7.0`, kind: 'number' },
    { name: 'battery.charge.low', oid: `${M}.4.8.0`, kind: 'number' },
    { name: 'battery.voltage', oid: `${M}.5.5.0`, kind: 'number', scale: 0.1 },
    { name: 'ambient.temperature', oid: `${M}.8.1.0`, kind: 'number', scale: 0.1, decimals: 1 },
    { name: 'ambient.humidity', oid: `${M}.8.2.0`, kind: 'number', scale: 0.1 },
    { name: 'ambient.contacts.1.status', oid: `${M}.8.7.1.9.1`, kind: 'enum', map: { 1: 'closed', 2: 'opened' } },
    { name: 'ambient.contacts.2.status', oid: `${M}.8.7.1.10.1`, kind: 'enum', map: { 1: 'closed', 2: 'opened' } },
  ],
  // yes(1)/no(2) flags of the MGE MIB, then UPS-MIB upsOutputSource
  status: [
    { oid: `${M}.5.11.0`, map: { [YES]: 'RB' } },
    { oid: `${M}.5.14.0`, map: { [YES]: 'LB' } },
    { oid: `${M}.5.16.0`, map: { [YES]: 'LB' } },
    { oid: `${M}.7.3.0`, map: { [YES]: 'OB', 2: 'OL' } },
    { oid: `${M}.7.4.0`, map: { [YES]: 'BYPASS' } },
    { oid: `${M}.7.7.0`, map: { [YES]: 'OFF' } },
    { oid: `${M}.7.8.0`, map: { [YES]: 'BOOST' } },
    { oid: `${M}.7.10.0`, map: { [YES]: 'OVER' } },
    { oid: `${M}.7.12.0`, map: { [YES]: 'TRIM' } },
    { oid: `${U}.4.1.0`, map: { 2: 'OFF', 4: 'BYPASS', 5: 'OB', 6: 'BOOST', 7: 'TRIM' } },
  ],
  commands: [
    { cmd: 'test.battery.start', oid: `${M}.10.4.0`, type: 'integer', value: 2 },
    { cmd: 'beeper.disable', oid: `${U}.9.8.0`, type: 'integer', value: 1 },
    { cmd: 'beeper.enable', oid: `${U}.9.8.0`, type: 'integer', value: 2 },
    { cmd: 'beeper.mute', oid: `${U}.9.8.0`, type: 'integer', value: 3 },
    // UPS-MIB upsShutdownAfterDelay / upsStartupAfterDelay = 0: now (NUT 2.8.0 lists these but
    // sent no SET for them against the test agent)
    { cmd: 'load.off', oid: `${U}.8.2.0`, type: 'integer', value: 0 },
    { cmd: 'load.on', oid: `${U}.8.3.0`, type: 'integer', value: 0 },
    { cmd: 'load.off.delay', oid: `${U}.8.2.0`, type: 'integer', value: { option: 'offdelay', default: 20 } },
    { cmd: 'load.on.delay', oid: `${U}.8.3.0`, type: 'integer', value: { option: 'ondelay', default: 30 } },
  ],
};
