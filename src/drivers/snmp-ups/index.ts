/** snmp-ups: UPS cards over SNMP v1/v2c/v3, with data-driven MIB mappings. */
export { snmpUps, SNMP_UPS_VERSION, loadMappingFile } from './snmp-ups.js';
export { BUILTIN_MIBS, APCC_MIB, CYBERPOWER_MIB, IETF_MIB, MGE_MIB } from './mibs/index.js';
export type { MibMapping, MibVar, MibStatus, MibCommand, MibAlarms, VarKind, CmdValue } from './mib.js';
export { validateMapping } from './mib.js';
export * from './decode.js';
