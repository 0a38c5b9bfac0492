/** nutdrv_qx: Megatec Q1 family serial UPS driver, its protocol codecs and the Q1 simulator. */
export { nutdrvQx, createQxDriver, NUTDRV_QX_VERSION } from './driver.js';
export * from './protocol.js';
export * from './battery.js';
export { SerialQxLink } from './link.js';
export type { QxLink } from './link.js';
export { Q1Simulator, parseDevDump, parseExchanges } from './simulator.js';
export type { RecordedBlock, Q1SimOptions, SimEvent } from './simulator.js';
export { armacReassemble, stringDescriptorSetup, STRING_DESCRIPTOR_INDEX } from './usb-framing.js';
