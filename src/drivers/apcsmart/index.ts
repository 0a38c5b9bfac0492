/** apcsmart: APC's smart protocol (driver, protocol tables, simulator). */
export { apcsmart, makeApcsmart, APCSMART_VERSION } from './driver.js';
export type { ApcsmartOptions, LinkFactory } from './driver.js';
export { ApcSmartSimulator } from './simulator.js';
export type { SimEvent, SimulatorOptions } from './simulator.js';
export { serveSimulator } from './simulator-port.js';
export type { SimulatorPort, SimulatorPortOptions } from './simulator-port.js';
export * as protocol from './protocol.js';
