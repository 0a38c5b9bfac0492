/** upssched as a library: the pure timer table and rule plan, the daemon core, the invocation. */
export * from './timers.js';
export * from './plan.js';
export * from './wire.js';
export { TimerDaemon, serveTimerDaemon, type ScriptRun, type TimerDaemonOptions } from './daemon.js';
export { runInvocation, listTimers, daemonRequest, runScriptSync, type InvocationOptions } from './client.js';
