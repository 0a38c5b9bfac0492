/** upsmon as a library: the pure state machine, notifications, the runtime and the privileged split. */
export * from './machine.js';
export { DEFAULT_NOTIFY_TEXT, DEFAULT_NOTIFY_FLAGS, formatNotify, notifyText, notifyFlags } from './notify.js';
export { Notifier } from './notifier.js';
export { Upsmon, type UpsmonOptions, type PrivilegedPort } from './runtime.js';
export { POWERDOWNFLAG_MAGIC, writePowerdownFlag, checkPowerdownFlag, clearPowerdownFlag, powerdown, runShell } from './powerdown.js';
export { startParent, childPort, monoPort, CHILD_ENV } from './split.js';
export { loadUpsmonConfig, type LoadedUpsmonConf } from './config.js';
