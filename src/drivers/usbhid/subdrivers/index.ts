/**
 * The usbhid-ups subdrivers, in NUT's probing order, and the entry points the
 * driver runtime and `walnut hid explain` use.
 */
import { apc } from './apc.js';
import { belkin } from './belkin.js';
import { cps } from './cps.js';
import { generic } from './generic.js';
import { liebert } from './liebert.js';
import { mge } from './mge.js';
import { powercom } from './powercom.js';
import { arduino, delta, ever, idowell, legrand, openups, powervar, salicru } from './small.js';
import { tripplite } from './tripplite.js';
import type { Subdriver } from './types.js';

export type * from './types.js';
export { createHidMapper, canonicalPath, namedPath, statusFromBits, alarmsFromBits } from './mapper.js';
export { CONVERTERS, formatNumber, toFixedC, hidDate, apcDate } from './convert.js';
export { apc, belkin, cps, generic, liebert, mge, powercom, tripplite, arduino, delta, ever, idowell, legrand, openups, powervar, salicru };

/**
 * Vendor subdrivers in probing order (the first that matches wins); the
 * generic fallback is not in it. MGE comes before Phoenixtec/Liebert, so
 * 06da:ffff gets the MGE table (as NUT does since 2.7.4.1); the Liebert table
 * stays selectable by name.
 */
export const SUBDRIVERS: readonly Subdriver[] = [apc, arduino, belkin, cps, delta, ever, idowell, legrand, mge, liebert, openups, powercom, powervar, salicru, tripplite];

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
