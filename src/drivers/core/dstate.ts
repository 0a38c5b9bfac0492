/**
 * The driver side of NUT's state ("dstate"): a StateTable plus what a driver
 * core adds on top of it: IMMUTABLE override values, DATAOK/DATASTALE, the
 * `ups.status` token builder and the alarm builder, and a change feed that
 * the socket server broadcasts.
 *
 * Pure: no sockets, no timers. Every change is reported to the listener as a
 * FromDriver message (always sent escaped and quoted by the socket server).
 */
import { encodeValue } from '../../common/lexer.js';
import type { FromDriver } from '../../protocol/sock/messages.js';
import { FLAG_IMMUTABLE, FLAG_NUMBER, FLAG_RW, FLAG_STRING, StateTable, flagWords } from '../../state/table.js';
import { formatFromDriver } from '../../protocol/sock/messages.js';

/** NUT keeps at most 255 characters of a value (ST_MAX_VALUE_LEN 256). */
export const MAX_VALUE_LEN = 255;

const WIRE_FLAGS = FLAG_RW | FLAG_STRING | FLAG_NUMBER;

export type ChangeListener = (m: FromDriver) => void;

export class DriverState {
  readonly table = new StateTable();
  private stale = true;
  private listener: ChangeListener | undefined;
  /** Tokens collected between statusInit() and statusCommit(). */
  private statusTokens: string[] | null = null;
  private alarmParts: string[] | null = null;
  private alarmActive = false;
  /** ignorelb: LB from the device is dropped; the core computes it. */
  ignoreLb = false;

  /** Sets the one listener for changes (the socket server). */
  onChange(fn: ChangeListener | undefined): void {
    this.listener = fn;
  }

  private emit(m: FromDriver): void {
    this.listener?.(m);
  }

  get isStale(): boolean {
    return this.stale;
  }

  /** The driver got good data: broadcast DATAOK if it was stale. */
  dataOk(): void {
    if (!this.stale) return;
    this.stale = false;
    this.emit({ kind: 'dataok' });
  }

  /** The driver lost its device: broadcast DATASTALE if it was fresh. */
  dataStale(): void {
    if (this.stale) return;
    this.stale = true;
    this.emit({ kind: 'datastale' });
  }

  getInfo(name: string): string | undefined {
    return this.table.value(name);
  }

  isImmutable(name: string): boolean {
    const v = this.table.get(name);
    return !!v && (v.flags & FLAG_IMMUTABLE) !== 0;
  }

  /**
   * dstate_setinfo. Returns true when the value changed. An IMMUTABLE
   * (override.*) variable keeps its value; as in NUT, a change only in
   * letter case is ignored.
   */
  setInfo(name: string, value: string): boolean {
    if (value.length > MAX_VALUE_LEN) value = value.slice(0, MAX_VALUE_LEN);
    const cur = this.table.get(name);
    if (cur) {
      if (cur.flags & FLAG_IMMUTABLE) return false;
      if (cur.value.toLowerCase() === value.toLowerCase()) return false;
    }
    this.table.setInfo(name, value);
    this.emit({ kind: 'setinfo', name: this.table.get(name)!.name, value });
    return true;
  }

  /** Sets a value and marks it IMMUTABLE (override.<var>). */
  setOverride(name: string, value: string): void {
    if (value.length > MAX_VALUE_LEN) value = value.slice(0, MAX_VALUE_LEN);
    const cur = this.table.get(name);
    if (cur) cur.flags &= ~FLAG_IMMUTABLE;
    this.setInfo(name, value);
    const v = this.table.get(name)!;
    if (v.value !== value) {
      // case-only difference: force it
      this.table.setInfo(name, value);
    }
    this.table.setFlags(name, v.flags | FLAG_IMMUTABLE);
  }

  delInfo(name: string): boolean {
    const cur = this.table.get(name);
    if (!cur || cur.flags & FLAG_IMMUTABLE) return false;
    const real = cur.name;
    this.table.delInfo(name);
    this.emit({ kind: 'delinfo', name: real });
    return true;
  }

  /** Replaces the wire flags (RW, STRING, NUMBER) of an existing variable. */
  setFlags(name: string, flags: number): boolean {
    const cur = this.table.get(name);
    if (!cur || cur.flags & FLAG_IMMUTABLE) return false;
    const nf = flags & WIRE_FLAGS;
    if (!this.table.setFlags(name, nf)) return false;
    this.emit({ kind: 'setflags', name: cur.name, flags: nf });
    return true;
  }

  /** Adds flags to an existing variable (dstate_addflags). */
  addFlags(name: string, flags: number): boolean {
    const cur = this.table.get(name);
    if (!cur) return false;
    return this.setFlags(name, (cur.flags & WIRE_FLAGS) | flags);
  }

  setAux(name: string, aux: number): boolean {
    const cur = this.table.get(name);
    if (!cur || cur.flags & FLAG_IMMUTABLE) return false;
    if (!this.table.setAux(name, aux)) return false;
    this.emit({ kind: 'setaux', name: cur.name, aux });
    return true;
  }

  addEnum(name: string, value: string): boolean {
    const cur = this.table.get(name);
    if (!cur || !this.table.addEnum(name, value)) return false;
    this.emit({ kind: 'addenum', name: cur.name, value });
    return true;
  }

  delEnum(name: string, value: string): boolean {
    const cur = this.table.get(name);
    if (!cur || !this.table.delEnum(name, value)) return false;
    this.emit({ kind: 'delenum', name: cur.name, value });
    return true;
  }

  /** Adds a range; the variable also becomes NUMBER (as in NUT). */
  addRange(name: string, min: number, max: number): boolean {
    const cur = this.table.get(name);
    if (!cur || !this.table.addRange(name, min, max)) return false;
    this.emit({ kind: 'addrange', name: cur.name, min, max });
    if (!(cur.flags & FLAG_NUMBER)) this.addFlags(name, FLAG_NUMBER);
    return true;
  }

  delRange(name: string, min: number, max: number): boolean {
    const cur = this.table.get(name);
    if (!cur || !this.table.delRange(name, min, max)) return false;
    this.emit({ kind: 'delrange', name: cur.name, min, max });
    return true;
  }

  addCmd(cmd: string): boolean {
    if (!this.table.addCmd(cmd)) return false;
    this.emit({ kind: 'addcmd', cmd });
    return true;
  }

  delCmd(cmd: string): boolean {
    const real = this.table.cmd(cmd);
    if (real === undefined) return false;
    this.table.delCmd(cmd);
    this.emit({ kind: 'delcmd', cmd: real });
    return true;
  }

  /* ------------------------------------------------------------ status */

  /** status_init: start collecting `ups.status` tokens. */
  statusInit(): void {
    this.statusTokens = [];
  }

  /** status_set: add a token (duplicates are dropped). */
  statusSet(token: string): void {
    if (!this.statusTokens) this.statusTokens = [];
    if (this.ignoreLb && token === 'LB') return;
    if (token === '' || this.statusTokens.includes(token)) return;
    this.statusTokens.push(token);
  }

  /** status_commit: publish `ups.status` (ALARM first while an alarm is active). */
  statusCommit(): void {
    const toks = this.statusTokens ?? [];
    this.statusTokens = null;
    if (this.ignoreLb && !toks.includes('LB') && this.belowLowBattery()) toks.push('LB');
    let status = toks.join(' ');
    if (this.alarmActive && !toks.includes('ALARM')) status = status ? `ALARM ${status}` : 'ALARM';
    this.setInfo('ups.status', status);
  }

  /** The `ignorelb` rule: charge < charge.low or runtime < runtime.low. */
  private belowLowBattery(): boolean {
    const num = (n: string) => {
      const v = this.getInfo(n);
      return v === undefined || v === '' ? undefined : parseInt(v, 10);
    };
    const c = num('battery.charge');
    const cl = num('battery.charge.low');
    if (c !== undefined && cl !== undefined && c < cl) return true;
    const r = num('battery.runtime');
    const rl = num('battery.runtime.low');
    return r !== undefined && rl !== undefined && r < rl;
  }

  /* ------------------------------------------------------------ alarms */

  alarmInit(): void {
    this.alarmParts = [];
  }

  alarmSet(text: string): void {
    if (!this.alarmParts) this.alarmParts = [];
    this.alarmParts.push(`[${text}]`);
  }

  /**
   * alarm_commit: publish `ups.alarm` (or delete it) and remember whether
   * the next status commit must start with ALARM.
   */
  alarmCommit(): void {
    const parts = this.alarmParts ?? [];
    this.alarmParts = null;
    if (parts.length > 0) {
      this.alarmActive = true;
      this.setInfo('ups.alarm', parts.join(' '));
    } else {
      this.alarmActive = false;
      this.delInfo('ups.alarm');
    }
  }

  get hasAlarm(): boolean {
    return this.alarmActive;
  }

  /* -------------------------------------------------------------- dump */

  /** The DUMPALL reply, byte for byte (nut-protocol.md §3.4). */
  dumpAll(): string {
    const out: string[] = [];
    if (this.stale) out.push('DATASTALE\n');
    for (const v of this.table.list()) {
      out.push(formatFromDriver({ kind: 'setinfo', name: v.name, value: v.value }));
      for (const e of v.enums) out.push(formatFromDriver({ kind: 'addenum', name: v.name, value: e }));
      for (const [min, max] of v.ranges) out.push(formatFromDriver({ kind: 'addrange', name: v.name, min, max }));
      if (v.aux !== 0) out.push(`SETAUX ${v.name} ${v.aux}\n`);
      const wf = v.flags & WIRE_FLAGS;
      if (wf !== 0) out.push(`SETFLAGS ${v.name} ${flagWords(wf).join(' ')}\n`);
    }
    for (const c of this.table.cmds()) out.push(`ADDCMD ${c}\n`);
    if (!this.stale) out.push('DATAOK\n');
    out.push('DUMPDONE\n');
    return out.join('');
  }

  /** The reply to DUMPVALUE (2.8.3+): the variable as one SETINFO line. */
  dumpValue(name: string): string | undefined {
    const v = this.table.get(name);
    return v ? formatFromDriver({ kind: 'setinfo', name: v.name, value: v.value }) : undefined;
  }
}

/** NUT copies ups.mfr/model/serial to device.* in their escaped form. */
export function escapedCopy(value: string): string {
  return encodeValue(value);
}
