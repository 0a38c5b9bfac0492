/** dummy-ups: simulation (.dev/.seq) and repeater driver. */
export { dummyUps, selectMode, resolveDataPath, applyDummyVar, DUMMY_UPS_VERSION } from './dummy-ups.js';
export type { DummyMode } from './dummy-ups.js';
export { parseDataFile, MAX_DUMMY_VALUE } from './data-file.js';
export type { DataStep, ParsedData } from './data-file.js';
export { dummyVarInfo, DEFAULT_VAR_INFO } from './flags-table.js';
export { Repeater } from './repeater.js';
