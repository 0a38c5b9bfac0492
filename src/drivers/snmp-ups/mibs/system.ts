/** SNMPv2-MIB system group variables every mapping publishes (as NUT 2.8.0 does). */
import type { MibVar } from '../mib.js';

export const SYSTEM_VARS: readonly MibVar[] = [
  { name: 'device.description', oid: '1.3.6.1.2.1.1.1.0', kind: 'string', rw: { type: 'string', len: 128 } },
  { name: 'device.contact', oid: '1.3.6.1.2.1.1.4.0', kind: 'string', rw: { type: 'string', len: 128 } },
  { name: 'device.location', oid: '1.3.6.1.2.1.1.6.0', kind: 'string', rw: { type: 'string', len: 128 } },
];

export const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
