/**
 * The UPS state table: variables with flags, aux (STRING max length), enums
 * and ranges, plus the instant command list. The driver core and upsd each
 * keep one, and the driver socket protocol keeps them in step.
 *
 * Names are looked up ignoring case and listed sorted ignoring case; the
 * spelling of the first SETINFO is kept. Values are stored decoded (raw).
 */

export const FLAG_RW = 1;
export const FLAG_STRING = 2;
export const FLAG_NUMBER = 4;
/** Driver side only (override.* values): never sent over the wire. */
export const FLAG_IMMUTABLE = 8;

export interface VarEntry {
  readonly name: string;
  value: string;
  flags: number;
  /** Maximum length of a STRING variable (0 = not set). */
  aux: number;
  enums: string[];
  ranges: Array<[number, number]>;
}

function cmpIgnoreCase(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export class StateTable {
  private readonly vars = new Map<string, VarEntry>();
  private readonly cmdMap = new Map<string, string>();
  private sortedVars: VarEntry[] | null = null;
  private sortedCmds: string[] | null = null;
  /** Increases on every change; lets readers cache what they render. */
  version = 0;

  get size(): number {
    return this.vars.size;
  }

  get(name: string): VarEntry | undefined {
    return this.vars.get(name.toLowerCase());
  }

  value(name: string): string | undefined {
    return this.vars.get(name.toLowerCase())?.value;
  }

  private touch(structural: boolean): void {
    this.version++;
    if (structural) this.sortedVars = null;
  }

  /** Creates or updates a variable. Returns true when something changed. */
  setInfo(name: string, value: string): boolean {
    const key = name.toLowerCase();
    const v = this.vars.get(key);
    if (v) {
      if (v.value === value) return false;
      v.value = value;
      this.touch(false);
      return true;
    }
    this.vars.set(key, { name, value, flags: 0, aux: 0, enums: [], ranges: [] });
    this.touch(true);
    return true;
  }

  delInfo(name: string): boolean {
    const ok = this.vars.delete(name.toLowerCase());
    if (ok) this.touch(true);
    return ok;
  }

  /** Replaces all flags of an existing variable. */
  setFlags(name: string, flags: number): boolean {
    const v = this.get(name);
    if (!v || v.flags === flags) return false;
    v.flags = flags;
    this.touch(false);
    return true;
  }

  setAux(name: string, aux: number): boolean {
    const v = this.get(name);
    if (!v || v.aux === aux) return false;
    v.aux = aux;
    this.touch(false);
    return true;
  }

  /** Appends an enum value; duplicates (exact) are ignored. */
  addEnum(name: string, value: string): boolean {
    const v = this.get(name);
    if (!v || v.enums.includes(value)) return false;
    v.enums.push(value);
    this.touch(false);
    return true;
  }

  /** Removes an enum value, matched ignoring case (as NUT does). */
  delEnum(name: string, value: string): boolean {
    const v = this.get(name);
    if (!v) return false;
    const lv = value.toLowerCase();
    const i = v.enums.findIndex((e) => e.toLowerCase() === lv);
    if (i < 0) return false;
    v.enums.splice(i, 1);
    this.touch(false);
    return true;
  }

  /**
   * Adds a range. As in NUT, a range whose min or max equals an existing
   * range's is taken as a duplicate; min > max is refused. Adding a range
   * also marks the variable NUMBER.
   */
  addRange(name: string, min: number, max: number): boolean {
    const v = this.get(name);
    if (!v || min > max) return false;
    if (v.ranges.some(([a, b]) => a === min || b === max)) return false;
    v.ranges.push([min, max]);
    this.touch(false);
    return true;
  }

  delRange(name: string, min: number, max: number): boolean {
    const v = this.get(name);
    if (!v) return false;
    const i = v.ranges.findIndex(([a, b]) => a === min || b === max);
    if (i < 0) return false;
    v.ranges.splice(i, 1);
    this.touch(false);
    return true;
  }

  addCmd(cmd: string): boolean {
    const key = cmd.toLowerCase();
    if (this.cmdMap.has(key)) return false;
    this.cmdMap.set(key, cmd);
    this.sortedCmds = null;
    this.version++;
    return true;
  }

  delCmd(cmd: string): boolean {
    const ok = this.cmdMap.delete(cmd.toLowerCase());
    if (ok) {
      this.sortedCmds = null;
      this.version++;
    }
    return ok;
  }

  /** Number of commands (without sorting them). */
  get cmdCount(): number {
    return this.cmdMap.size;
  }

  hasCmd(cmd: string): boolean {
    return this.cmdMap.has(cmd.toLowerCase());
  }

  /** The stored spelling of a command, if known. */
  cmd(cmd: string): string | undefined {
    return this.cmdMap.get(cmd.toLowerCase());
  }

  /** Variables sorted by name ignoring case. Do not mutate the array. */
  list(): readonly VarEntry[] {
    if (!this.sortedVars) this.sortedVars = [...this.vars.values()].sort((a, b) => cmpIgnoreCase(a.name, b.name));
    return this.sortedVars;
  }

  /** Commands sorted ignoring case. */
  cmds(): readonly string[] {
    if (!this.sortedCmds) this.sortedCmds = [...this.cmdMap.values()].sort(cmpIgnoreCase);
    return this.sortedCmds;
  }

  clear(): void {
    this.vars.clear();
    this.cmdMap.clear();
    this.sortedVars = null;
    this.sortedCmds = null;
    this.version++;
  }
}

/** Flag words as they appear in SETFLAGS (in NUT's fixed order). */
export function flagWords(flags: number): string[] {
  const w: string[] = [];
  if (flags & FLAG_RW) w.push('RW');
  if (flags & FLAG_STRING) w.push('STRING');
  if (flags & FLAG_NUMBER) w.push('NUMBER');
  return w;
}

/** Parses SETFLAGS words; unknown words are ignored (as upsd does). */
export function parseFlagWords(words: readonly string[]): number {
  let f = 0;
  for (const w of words) {
    const u = w.toUpperCase();
    if (u === 'RW') f |= FLAG_RW;
    else if (u === 'STRING') f |= FLAG_STRING;
    else if (u === 'NUMBER') f |= FLAG_NUMBER;
  }
  return f;
}
