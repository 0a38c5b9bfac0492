/**
 * Battery estimates for units that report only a voltage (pure):
 * the number of packs behind a per-cell/per-pack reading (as blazer_ser
 * guesses it), the voltage limits (104/120 and 130/120 of nominal), the
 * charge interpolated between them, and a runtime from `runtimecal`
 * (two runtime/load points), `idleload` and `chargetime`.
 */
import { cFixed } from './protocol.js';

/** Pack counts tried, largest first (a per-cell reading of a 24-cell string is × 24). */
const PACKS = [120, 100, 80, 60, 48, 36, 30, 24, 18, 12, 8, 6, 4, 3, 2, 1, 0.5];

/**
 * How many packs the reading stands for: the first count that brings it
 * within 80-120 % of the nominal voltage. Undefined when none does.
 */
export function guessPacks(reading: number, nominal: number): number | undefined {
  if (!(reading > 0) || !(nominal > 0)) return undefined;
  for (const p of PACKS) {
    const v = p * reading;
    if (v > 1.2 * nominal) continue;
    if (v < 0.8 * nominal) return undefined;
    return p;
  }
  return undefined;
}

/** battery.voltage.low / .high guessed from the nominal voltage. */
export function guessLimits(nominal: number): { low: number; high: number } {
  return { low: (104 / 120) * nominal, high: (130 / 120) * nominal };
}

/** Charge in percent from the voltage, clamped to 0-100. */
export function chargeFromVoltage(v: number, low: number, high: number): number {
  if (!(high > low)) return v >= high ? 100 : 0;
  const c = (100 * (v - low)) / (high - low);
  return Math.min(100, Math.max(0, c));
}

export interface RuntimeCal {
  /** Runtime t1 (s) at load l1 (%), and t2 at l2; l1 > l2. */
  t1: number;
  l1: number;
  t2: number;
  l2: number;
}

/** Parses `runtimecal = t1,l1,t2,l2`. */
export function parseRuntimeCal(text: string): { ok: true; cal: RuntimeCal } | { ok: false; reason: string } {
  const parts = text.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length !== 4 || nums.some((n) => !Number.isFinite(n) || n <= 0)) {
    return { ok: false, reason: `runtimecal must be four positive numbers "runtime1,load1,runtime2,load2", not "${text}"` };
  }
  const [t1, l1, t2, l2] = nums as [number, number, number, number];
  if (!(l1 > l2)) return { ok: false, reason: `runtimecal: the first load (${l1}) must be higher than the second (${l2})` };
  if (!(t2 > t1)) return { ok: false, reason: `runtimecal: the runtime at the lower load (${t2}) must be longer than at the higher load (${t1})` };
  return { ok: true, cal: { t1, l1, t2, l2 } };
}

/**
 * Runtime of a full battery at `load` %: the two calibration points fit
 * runtime = t1 × (l1 / load)^k (Peukert-like); loads below idleload count
 * as idleload.
 */
export function fullRuntime(cal: RuntimeCal, load: number, idleload: number): number {
  const k = Math.log(cal.t2 / cal.t1) / Math.log(cal.l1 / cal.l2);
  const l = Math.max(load, idleload, 0.1);
  return cal.t1 * Math.pow(cal.l1 / l, k);
}

export interface BatteryModel {
  packs: number;
  low: number;
  high: number;
  cal: RuntimeCal | undefined;
  idleload: number;
  /** Seconds a flat battery takes to charge fully. */
  chargetime: number;
}

/**
 * Stateful charge estimate (the state is plain data): the voltage-based
 * charge, except that while charging it rises no faster than 100 % per
 * chargetime (a charger lifts the voltage well before the battery is full).
 */
export interface ChargeState {
  charge: number | undefined;
  at: number | undefined;
}

export function nextCharge(m: BatteryModel, st: ChargeState, voltage: number, onBattery: boolean, nowMs: number): ChargeState {
  const measured = chargeFromVoltage(voltage, m.low, m.high);
  if (st.charge === undefined || st.at === undefined || onBattery || measured <= st.charge) return { charge: measured, at: nowMs };
  const dt = Math.max(0, (nowMs - st.at) / 1000);
  const maxRise = m.chargetime > 0 ? (100 * dt) / m.chargetime : 100;
  return { charge: Math.min(measured, st.charge + maxRise), at: nowMs };
}

export function fmt2(x: number): string {
  return cFixed(x, 2);
}

export function fmt0(x: number): string {
  return cFixed(x, 0);
}
