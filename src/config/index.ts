/**
 * The config layer: one parser per NUT file, loading, checking, descriptions.
 *
 * - Parsers are pure: `parseX(text: string | Buffer, file)` → `{ value, issues }`
 *   and never throw. They read NUT's files with the shared lexer and follow NUT
 *   2.8.0's semantics (checked against the real binaries in
 *   test/config/real-nut.test.ts); every problem is a ConfigIssue with file,
 *   line, message and, where one is known, a suggestion ("did you mean X?").
 * - Severity: see issues.ts. Errors mean NUT refuses, garbles or misses a
 *   required piece; warnings mean NUT ignores the line or guesses.
 * - load.ts reads files (loadConfig(confPath, 'ups.conf')), checkPermissions;
 *   check.ts validates a whole folder with cross-file checks (walnut check);
 *   cmdvartab.ts gives the variable and command descriptions.
 */
export * from './types.js';
export { formatIssue, hasErrors, parseBool, parseIntStrict } from './issues.js';
export { editDistance, closest, didYouMean } from './suggest.js';
export { parseUpsConf } from './ups-conf.js';
export { parseUpsdConf, defaultUpsdConf, parsePort, UPSD_DEFAULTS } from './upsd-conf.js';
export { parseUpsdUsers } from './upsd-users.js';
export type { UpsdUsersParsed, UserLines } from './upsd-users.js';
export { parseNutConf } from './nut-conf.js';
export { parseUpsmonConf, defaultUpsmonConf, parseUpsName, UPSMON_DEFAULTS } from './upsmon-conf.js';
export { parseUpsschedConf } from './upssched-conf.js';
export { loadConfig, loadConfigFile, parseConfig, emptyConfig, checkPermissions, CONFIG_NAMES, SECRET_FILES } from './load.js';
export type { ConfigFiles, ConfigName, Loaded } from './load.js';
export { parseCmdvartab, loadDescriptions, DescriptionMap, BUNDLED_CMDVARTAB, SYSTEM_CMDVARTAB } from './cmdvartab.js';
export type { Descriptions, LoadedDescriptions } from './cmdvartab.js';
export { checkConfig, checkConfigDir } from './check.js';
export type { CheckResult } from './check.js';
