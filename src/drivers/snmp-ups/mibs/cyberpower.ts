/**
 * CyberPower CPS-MIB UPS (`mibs=cyberpower`), OIDs under 1.3.6.1.4.1.3808.1.1.1
 * (laid out like APC's PowerNet). Variables and scaling as real snmp-ups
 * 2.8.0 publishes them against the same agent (crosscheck.test.ts), status
 * tokens for battery low / calibration / replace battery likewise.
 * Differences from NUT 2.8.0: upsBaseOutputStatus gives OL/OB/BOOST/OFF
 * (2.8.0 maps none of its values, so it shows no OL/OB at all; the 2.7.2
 * dump in ../shared/ddl shows OL), the commands write 2 (3: stop) by
 * themselves (2.8.0 refuses them without an explicit value), and there is no
 * shutdown.stayoff (2.8.0 sends it to upsAdvanceControlTurnOnUPS).
 */
import type { MibMapping } from '../mib.js';
import { SYSTEM_VARS } from './system.js';

const C = '1.3.6.1.4.1.3808.1.1.1';

export const CYBERPOWER_MIB: MibMapping = {
  name: 'cyberpower',
  version: '0.51',
  sysOids: ['1.3.6.1.4.1.3808.1.1.1'],
  autoCheck: `${C}.1.1.1.0`,
  testOid: `${C}.1.1.1.0`,
  fixed: { 'ups.mfr': 'CYBERPOWER', 'ups.delay.reboot': '0' },
  vars: [
    ...SYSTEM_VARS,
    { name: 'ups.model', oid: `${C}.1.1.1.0`, kind: 'string' },
    { name: 'ups.serial', oid: `${C}.1.2.3.0`, kind: 'string' },
    { name: 'ups.firmware', oid: `${C}.1.2.1.0`, kind: 'string' },
    { name: 'ups.mfr.date', oid: `${C}.1.2.2.0`, kind: 'string' },
    { name: 'ups.load', oid: `${C}.4.2.3.0`, kind: 'number', quick: true },
    { name: 'battery.runtime', oid: `${C}.2.2.4.0`, kind: 'number', quick: true },
    { name: 'battery.runtime.elapsed', oid: `${C}.2.1.2.0`, kind: 'number' },
    { name: 'battery.voltage', oid: [`${C}.2.2.2.0`, '1.3.6.1.2.1.33.1.2.5.0'], kind: 'number', scale: 0.1 },
    { name: 'battery.voltage.nominal', oid: `${C}.2.2.8.0`, kind: 'number' },
    { name: 'battery.current', oid: [`${C}.2.2.7.0`, `${C}.4.2.4.0`], kind: 'number', scale: 0.1 },
    { name: 'battery.charge', oid: `${C}.2.2.1.0`, kind: 'number', quick: true },
    { name: 'battery.temperature', oid: `${C}.2.2.3.0`, kind: 'number' },
    { name: 'input.voltage', oid: `${C}.3.2.1.0`, kind: 'number', scale: 0.1, quick: true },
    { name: 'input.frequency', oid: `${C}.3.2.4.0`, kind: 'number', scale: 0.1 },
    { name: 'output.voltage', oid: `${C}.4.2.1.0`, kind: 'number', scale: 0.1 },
    { name: 'output.frequency', oid: `${C}.4.2.2.0`, kind: 'number', scale: 0.1 },
    { name: 'output.current', oid: `${C}.4.2.4.0`, kind: 'number', scale: 0.1 },
    { name: 'ups.delay.start', oid: `${C}.5.2.9.0`, kind: 'number', rw: { type: 'number' } },
    { name: 'ups.delay.shutdown', oid: `${C}.5.2.11.0`, kind: 'number', rw: { type: 'number' } },
  ],
  status: [
    // upsBaseOutputStatus: unknown(1) onLine(2) onBattery(3) onBoost(4) onSleep(5) off(6) rebooting(7)
    { oid: `${C}.4.1.1.0`, map: { 1: '', 2: 'OL', 3: 'OB', 4: 'OL BOOST', 5: 'OFF', 6: 'OFF', 7: '' } },
    { oid: `${C}.2.1.1.0`, map: { 3: 'LB' } },
    { oid: `${C}.7.2.7.0`, map: { 3: 'CAL' } },
    { oid: `${C}.2.2.5.0`, map: { 2: 'RB' } },
  ],
  commands: [
    { cmd: 'load.off', oid: `${C}.6.2.1.0`, type: 'integer', value: 2 },
    { cmd: 'load.on', oid: `${C}.6.2.6.0`, type: 'integer', value: 2 },
    { cmd: 'shutdown.return', oid: `${C}.6.2.3.0`, type: 'integer', value: 2 },
    { cmd: 'test.failure.start', oid: `${C}.6.2.4.0`, type: 'integer', value: 2 },
    { cmd: 'test.battery.start', oid: `${C}.7.2.2.0`, type: 'integer', value: 2 },
    // upsAdvanceTestIndicators (.5), upsAdvanceTestRuntimeCalibration (.6; results in .7)
    { cmd: 'test.panel.start', oid: `${C}.7.2.5.0`, type: 'integer', value: 2 },
    { cmd: 'calibrate.start', oid: `${C}.7.2.6.0`, type: 'integer', value: 2, probe: [`${C}.7.2.6.0`, `${C}.7.2.7.0`] },
    { cmd: 'calibrate.stop', oid: `${C}.7.2.6.0`, type: 'integer', value: 3, probe: [`${C}.7.2.6.0`, `${C}.7.2.7.0`] },
  ],
};
