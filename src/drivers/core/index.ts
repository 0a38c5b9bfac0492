/** The driver core's public surface: what every Walnut driver builds on. */
export { DriverState, MAX_VALUE_LEN } from './dstate.js';
export type { ChangeListener } from './dstate.js';
export { DriverSocketServer, MAX_CLIENT_BACKLOG } from './socket-server.js';
export type { SocketRequestHandler } from './socket-server.js';
export { resolveSettings, findSection } from './config.js';
export type { DriverSettings, OptionDecl, FlagDecl, ResolveInput, Resolved, Setting } from './config.js';
export {
  DriverInstance,
  startDriver,
  settingsFor,
  STAT_HANDLED,
  STAT_UNKNOWN,
  STAT_INVALID,
  STAT_FAILED,
} from './driver.js';
export type { DriverContext, DriverHooks, DriverDefinition, DriverEnv, StartDriverOptions, DriverHandle } from './driver.js';
