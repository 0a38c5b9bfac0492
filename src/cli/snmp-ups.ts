/** `snmp-ups`: UPS network cards over SNMP v1/v2c/v3 (NUT's drivers/snmp-ups). */
import { snmpUps } from '../drivers/snmp-ups/index.js';
import { runDriverProgram } from './driver-main.js';

export async function main(argv: string[]): Promise<number> {
  return runDriverProgram(snmpUps, argv);
}
