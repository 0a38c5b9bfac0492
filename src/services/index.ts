/** Services: what nut.conf MODE starts, the launcher for machines without systemd, the systemd units. */
export * from './mode.js';
export * from './units.js';
export { runService, status, start, stop, STATUS_RUNNING, STATUS_DEAD_PIDFILE, STATUS_NOT_RUNNING, type ServiceAction, type ServiceIo } from './control.js';
