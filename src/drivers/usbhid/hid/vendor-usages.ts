/**
 * Vendor-page usage names that real usbhid-ups logs show ("hid_lookup_usage:
 * NAME -> CODE" lines of published -DDDDD logs), for subdrivers and explain
 * output. Only names seen in such logs are here; every other vendor usage
 * prints as 8 hex digits, as NUT's explore mode does. APC's 0xff86 names live
 * with the APC subdriver (src/drivers/usbhid/subdrivers/apc.ts APC_USAGES).
 *
 * Sources (NUT issue threads with -DDDDD logs):
 * - networkupstools/nut#2380 (Eaton 5SC): LCMSystem, LCMAlarm, TimerExpired
 * - networkupstools/nut#1270 (PowerWalker VI 1200 SHL, MGE-style tables): OverThreshold
 */
import type { UsageTable } from './types.js';

/** MGE/Eaton vendor page 0xffff (also used by PowerWalker/Phoenixtec units). */
export const MGE_LOGGED_USAGES: Readonly<Record<string, number>> = {
  LCMSystem: 0xffff0018,
  LCMAlarm: 0xffff001a,
  OverThreshold: 0xffff007e,
  TimerExpired: 0xffff0093,
};

/** Record name → code as a UsageTable (code → name). */
export function usageTableOf(names: Readonly<Record<string, number>>): UsageTable {
  return new Map(Object.entries(names).map(([n, u]) => [u >>> 0, n]));
}
