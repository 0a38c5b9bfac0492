/** The mappings snmp-ups knows, in `mibs=auto` order: vendors first, ietf last. */
import type { MibMapping } from '../mib.js';
import { APCC_MIB } from './apcc.js';
import { CYBERPOWER_MIB } from './cyberpower.js';
import { IETF_MIB } from './ietf.js';
import { MGE_MIB } from './mge.js';

export const BUILTIN_MIBS: readonly MibMapping[] = [APCC_MIB, CYBERPOWER_MIB, MGE_MIB, IETF_MIB];

export { APCC_MIB, CYBERPOWER_MIB, IETF_MIB, MGE_MIB };
