/** The drivers Walnut implements, by their NUT program name. */
import type { DriverDefinition } from './core/driver.js';
import { dummyUps } from './dummy/index.js';

export const WALNUT_DRIVERS: ReadonlyMap<string, DriverDefinition> = new Map([[dummyUps.name, dummyUps]]);

export function walnutDriver(name: string): DriverDefinition | undefined {
  return WALNUT_DRIVERS.get(name);
}
