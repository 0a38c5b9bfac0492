/** The drivers Walnut implements, by their NUT program name. */
import type { DriverDefinition } from './core/driver.js';
import { dummyUps } from './dummy/index.js';
import { nutdrvQx } from './nutdrv_qx/index.js';
import { snmpUps } from './snmp-ups/index.js';
import { apcsmart } from './apcsmart/index.js';
import { usbhidUps } from './usbhid/driver.js';

export const WALNUT_DRIVERS: ReadonlyMap<string, DriverDefinition> = new Map([
  [dummyUps.name, dummyUps],
  [nutdrvQx.name, nutdrvQx],
  [snmpUps.name, snmpUps],
  [apcsmart.name, apcsmart],
  [usbhidUps.name, usbhidUps],
]);

export function walnutDriver(name: string): DriverDefinition | undefined {
  return WALNUT_DRIVERS.get(name);
}
