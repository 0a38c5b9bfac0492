/**
 * The usbhid-ups subdrivers, in NUT's probing order, and the entry points the
 * driver runtime and `walnut hid explain` use.
 */
import { apc } from './apc.js';
import { generic } from './generic.js';
import type { Subdriver } from './types.js';

export type * from './types.js';
export { createHidMapper, canonicalPath, namedPath, statusFromBits, alarmsFromBits } from './mapper.js';
export { CONVERTERS, formatNumber, toFixedC, hidDate, apcDate } from './convert.js';
export { apc, generic };

/** Vendor subdrivers in probing order (the first that matches wins); the generic fallback is not in it. */
export const SUBDRIVERS: readonly Subdriver[] = [apc];

/** Every subdriver including the generic fallback (for listings). */
export function allSubdrivers(): readonly Subdriver[] {
  return [...SUBDRIVERS, generic];
}

/**
 * The subdriver for a device: the first vendor table that claims it, else
 * the generic HID fallback. `name` forces one by name (ups.conf `subdriver`),
 * matched ignoring case against "APC HID", "APC", ...
 */
export function selectSubdriver(vid: number, pid: number, vendor?: string, product?: string, name?: string): Subdriver {
  if (name) {
    const want = name.toLowerCase();
    const byName = allSubdrivers().find((s) => s.name.toLowerCase() === want || s.name.toLowerCase().replace(/ hid$/, '') === want);
    if (byName) return byName;
  }
  return SUBDRIVERS.find((s) => s.match(vid, pid, vendor, product)) ?? generic;
}

/** The subdriver that claims vid:pid, or undefined when only the generic fallback would. */
export function findSubdriver(vid: number, pid: number, vendor?: string, product?: string): Subdriver | undefined {
  return SUBDRIVERS.find((s) => s.match(vid, pid, vendor, product));
}

/** "APC HID 0.100": the driver.version.data value. */
export function subdriverVersionData(s: Subdriver): string {
  return `${s.name} ${s.version}`;
}
