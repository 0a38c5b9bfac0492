/** The config layer: one parser per NUT file, loading, checking, descriptions. */
export * from './types.js';
export { formatIssue, hasErrors } from './issues.js';
export { editDistance, closest, didYouMean } from './suggest.js';
export { parseUpsConf } from './ups-conf.js';
export { parseUpsdConf, defaultUpsdConf, parsePort, UPSD_DEFAULTS } from './upsd-conf.js';
export { parseUpsdUsers } from './upsd-users.js';
export { parseNutConf } from './nut-conf.js';
export { parseUpsmonConf, defaultUpsmonConf, parseUpsName, UPSMON_DEFAULTS } from './upsmon-conf.js';
export { parseUpsschedConf } from './upssched-conf.js';
export { loadConfig, loadConfigFile, parseConfig, emptyConfig, checkPermissions, CONFIG_NAMES, SECRET_FILES } from './load.js';
export type { ConfigFiles, ConfigName, Loaded } from './load.js';
export { parseCmdvartab, loadDescriptions, DescriptionMap, BUNDLED_CMDVARTAB, SYSTEM_CMDVARTAB } from './cmdvartab.js';
export type { Descriptions, LoadedDescriptions } from './cmdvartab.js';
export { checkConfig, checkConfigDir } from './check.js';
export type { CheckResult } from './check.js';
