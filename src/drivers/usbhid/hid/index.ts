/**
 * USB HID (HID 1.11) for usbhid-ups: report descriptor parser, NUT path
 * naming, value decoding/encoding, usage tables, recorded-report readers,
 * printer and explain mode. Everything here is pure (no I/O).
 */
export * from './types.js';
export { readItems, encodeItem, encodeItems, itemName, signedData } from './items.js';
export { parseDescriptor, renameFields, encodeDescriptor, fieldsOfReport, findField, mainFlags, unitExponentOf, type ParseOptions } from './parser.js';
export {
  decodeField,
  decodeLogical,
  encodeField,
  rawToLogical,
  logicalToPhysical,
  physicalToLogical,
  logicalToValue,
  valueToLogical,
  effectiveExponent,
  impliedWidth,
  extractBits,
  insertBits,
  fieldBitStart,
  newReport,
  formatValue,
  scale,
  UNIT_VOLT,
  UNIT_WATT,
  type DecodeOptions,
} from './decode.js';
export {
  GENERIC_USAGES,
  POWER_DEVICE_USAGES,
  BATTERY_SYSTEM_USAGES,
  PAGE_POWER_DEVICE,
  PAGE_BATTERY_SYSTEM,
  PAGE_APC,
  PAGE_CPS,
  PAGE_MGE,
  PAGE_INSTANCE,
  usageName,
  usagePage,
  mergeUsageTables,
  pathToString,
  stringToPath,
  pageName,
  hex8,
} from './usages.js';
export { readRecordedReports, parseHexText, readDescriptorData, type RecordedReport, type RecordedReports, type RecordedEntry, type RecordedPath } from './recorded.js';
export { printDescriptor, printItems, assembleDescriptor, unitName, mainFlagWords, collectionKindName, type PrintOptions } from './print.js';
export {
  explainDescriptor,
  formatExplanation,
  formatNutPaths,
  usageTableFromNames,
  STATUS_TOKENS,
  type ExplainMapper,
  type ExplainOptions,
  type ExplainRow,
  type ExplainStatus,
  type Explanation,
} from './explain.js';
export { MGE_LOGGED_USAGES, usageTableOf } from './vendor-usages.js';
