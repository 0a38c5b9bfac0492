/**
 * RFC 1628 UPS-MIB (`mibs=ietf`), OIDs under 1.3.6.1.2.1.33.1.
 * Variables, scaling, value maps and status tokens as real snmp-ups 2.8.0
 * publishes them (checked side by side against the same agent in
 * test/drivers/snmp-ups/crosscheck.test.ts). Commands follow the RFC
 * (upsTestId is set to a test OID; NUT 2.8.0 writes INTEGER 0 there).
 */
import type { MibMapping } from '../mib.js';
import { SYSTEM_VARS } from './system.js';

const U = '1.3.6.1.2.1.33.1';
const TESTS = `${U}.7.7`;

export const IETF_MIB: MibMapping = {
  name: 'ietf',
  version: '1.54',
  sysOids: ['1.3.6.1.2.1.33'],
  autoCheck: `${U}.1.1.0`,
  testOid: `${U}.1.2.0`,
  vars: [
    ...SYSTEM_VARS,
    { name: 'ups.mfr', oid: `${U}.1.1.0`, kind: 'string' },
    { name: 'ups.model', oid: `${U}.1.2.0`, kind: 'string' },
    { name: 'ups.firmware', oid: `${U}.1.3.0`, kind: 'string' },
    { name: 'ups.firmware.aux', oid: `${U}.1.4.0`, kind: 'string' },
    { name: 'battery.runtime', oid: `${U}.2.3.0`, kind: 'number', scale: 60, quick: true },
    { name: 'battery.charge', oid: `${U}.2.4.0`, kind: 'number', quick: true },
    { name: 'battery.voltage', oid: `${U}.2.5.0`, kind: 'number', scale: 0.1 },
    { name: 'battery.current', oid: `${U}.2.6.0`, kind: 'number', scale: 0.1 },
    { name: 'battery.temperature', oid: `${U}.2.7.0`, kind: 'number' },
    { name: 'input.phases', oid: `${U}.3.2.0`, kind: 'number', default: '1' },
    { name: 'input.frequency', oid: `${U}.3.3.1.2.1`, kind: 'number', scale: 0.1 },
    { name: 'input.voltage', oid: `${U}.3.3.1.3.1`, kind: 'number', quick: true },
    { name: 'input.current', oid: `${U}.3.3.1.4.1`, kind: 'number', scale: 0.1 },
    { name: 'input.realpower', oid: `${U}.3.3.1.5.1`, kind: 'number' },
    { name: 'output.frequency', oid: `${U}.4.2.0`, kind: 'number', scale: 0.1 },
    { name: 'output.phases', oid: `${U}.4.3.0`, kind: 'number', default: '1' },
    { name: 'output.voltage', oid: `${U}.4.4.1.2.1`, kind: 'number' },
    { name: 'output.current', oid: `${U}.4.4.1.3.1`, kind: 'number', scale: 0.1 },
    { name: 'output.realpower', oid: `${U}.4.4.1.4.1`, kind: 'number' },
    { name: 'ups.load', oid: `${U}.4.4.1.5.1`, kind: 'number', quick: true },
    { name: 'input.bypass.phases', oid: `${U}.5.2.0`, kind: 'number', default: '1' },
    { name: 'input.bypass.frequency', oid: `${U}.5.1.0`, kind: 'number', scale: 0.1 },
    { name: 'input.bypass.voltage', oid: `${U}.5.3.1.2.1`, kind: 'number' },
    { name: 'input.bypass.L1-N.voltage', oid: `${U}.5.3.1.2.1`, kind: 'number' },
    { name: 'input.bypass.current', oid: `${U}.5.3.1.3.1`, kind: 'number', scale: 0.1 },
    { name: 'input.bypass.L1.current', oid: `${U}.5.3.1.3.1`, kind: 'number', scale: 0.1 },
    { name: 'input.bypass.realpower', oid: `${U}.5.3.1.4.1`, kind: 'number' },
    { name: 'input.bypass.L1.realpower', oid: `${U}.5.3.1.4.1`, kind: 'number' },
    {
      name: 'ups.test.result',
      oid: `${U}.7.3.0`,
      kind: 'enum',
      map: { 1: 'done and passed', 2: 'done and warning', 3: 'done and error', 4: 'aborted', 5: 'in progress', 6: 'no test initiated' },
    },
    { name: 'ups.timer.shutdown', oid: `${U}.8.2.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'ups.timer.start', oid: `${U}.8.3.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'ups.timer.reboot', oid: `${U}.8.4.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'ups.start.auto', oid: `${U}.8.5.0`, kind: 'enum', map: { 1: 'yes', 2: 'no' } },
    { name: 'input.voltage.nominal', oid: `${U}.9.1.0`, kind: 'number' },
    { name: 'input.frequency.nominal', oid: `${U}.9.2.0`, kind: 'number', scale: 0.1 },
    { name: 'output.voltage.nominal', oid: `${U}.9.3.0`, kind: 'number' },
    { name: 'output.frequency.nominal', oid: `${U}.9.4.0`, kind: 'number', scale: 0.1 },
    { name: 'output.power.nominal', oid: `${U}.9.5.0`, kind: 'number' },
    { name: 'output.realpower.nominal', oid: `${U}.9.6.0`, kind: 'number' },
    { name: 'battery.runtime.low', oid: `${U}.9.7.0`, kind: 'number', scale: 60, rw: { type: 'number' } },
    { name: 'ups.beeper.status', oid: `${U}.9.8.0`, kind: 'enum', map: { 1: 'disabled', 2: 'enabled', 3: 'muted' } },
    { name: 'input.transfer.low', oid: `${U}.9.9.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'input.transfer.high', oid: `${U}.9.10.0`, kind: 'number', rw: { type: 'number' } },
  ],
  // token order as NUT's: battery status, output source, test in progress
  status: [
    { oid: `${U}.2.1.0`, map: { 1: '', 2: '', 3: 'LB', 4: 'LB' } },
    { oid: `${U}.4.1.0`, map: { 1: '', 2: 'OFF', 3: 'OL', 4: 'OL BYPASS', 5: 'OB', 6: 'OL BOOST', 7: 'OL TRIM' } },
    // upsTestId: an OID (…7.7.N) or, from some cards, its last arc as an integer
    { oid: `${U}.7.1.0`, map: { 3: 'TEST', 4: 'TEST', 5: 'CAL' } },
  ],
  alarms: {
    // upsAlarmDescr column: each row holds a well-known alarm OID (…6.3.N)
    walk: `${U}.6.2.1.2`,
    map: {
      1: { status: 'RB', alarm: 'Battery bad!' },
      3: { status: 'LB' },
      5: { alarm: 'Temperature bad!' },
      8: { status: 'OVER' },
      18: { alarm: 'General fault!' },
    },
  },
  commands: [
    { cmd: 'test.battery.stop', oid: `${U}.7.1.0`, type: 'oid', value: `${TESTS}.2` },
    { cmd: 'test.battery.start', oid: `${U}.7.1.0`, type: 'oid', value: `${TESTS}.3` },
    { cmd: 'test.battery.start.quick', oid: `${U}.7.1.0`, type: 'oid', value: `${TESTS}.4` },
    { cmd: 'test.battery.start.deep', oid: `${U}.7.1.0`, type: 'oid', value: `${TESTS}.5` },
    { cmd: 'load.off', oid: `${U}.8.2.0`, type: 'integer', value: 0 },
    { cmd: 'load.on', oid: `${U}.8.3.0`, type: 'integer', value: 0 },
    { cmd: 'load.off.delay', oid: `${U}.8.2.0`, type: 'integer', value: { option: 'offdelay', default: 20 } },
    { cmd: 'load.on.delay', oid: `${U}.8.3.0`, type: 'integer', value: { option: 'ondelay', default: 30 } },
    { cmd: 'shutdown.reboot', oid: `${U}.8.4.0`, type: 'integer', value: { option: 'ondelay', default: 30 } },
    { cmd: 'beeper.disable', oid: `${U}.9.8.0`, type: 'integer', value: 1 },
    { cmd: 'beeper.enable', oid: `${U}.9.8.0`, type: 'integer', value: 2 },
    { cmd: 'beeper.mute', oid: `${U}.9.8.0`, type: 'integer', value: 3 },
  ],
};
