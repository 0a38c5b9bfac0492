/**
 * NUT's driver socket protocol (STATEPATH/<driver>-<ups>), both directions,
 * as data. The driver is the server; upsd and tools connect to it.
 * Lines are lexed with the shared lexer; values always go out quoted and
 * encoded (a C driver sends raw values in broadcasts: a Walnut one never does).
 */
import { quote, encodeValue } from '../../common/lexer.js';
import { flagWords, parseFlagWords } from '../../state/table.js';

/** What upsd (or a tool) sends to a driver. */
export type ToDriver =
  | { kind: 'dumpall' }
  | { kind: 'ping' }
  | { kind: 'set'; name: string; value: string; tracking?: string }
  | { kind: 'instcmd'; cmd: string; param?: string; tracking?: string }
  | { kind: 'nobroadcast' }
  | { kind: 'broadcast'; on: boolean }
  | { kind: 'getpid' }
  | { kind: 'dumpvalue'; name: string }
  | { kind: 'dumpstatus' }
  | { kind: 'logout' };

/** What a driver sends to upsd. */
export type FromDriver =
  | { kind: 'pong' }
  | { kind: 'dumpdone' }
  | { kind: 'dataok' }
  | { kind: 'datastale' }
  | { kind: 'addcmd'; cmd: string }
  | { kind: 'delcmd'; cmd: string }
  | { kind: 'setinfo'; name: string; value: string }
  | { kind: 'delinfo'; name: string }
  | { kind: 'setflags'; name: string; flags: number }
  | { kind: 'addenum'; name: string; value: string }
  | { kind: 'delenum'; name: string; value: string }
  | { kind: 'setaux'; name: string; aux: number }
  | { kind: 'addrange'; name: string; min: number; max: number }
  | { kind: 'delrange'; name: string; min: number; max: number }
  | { kind: 'tracking'; id: string; status: number }
  | { kind: 'pid'; pid: number }
  | { kind: 'goodbye' };

/** C's atoi: leading whitespace, optional sign, digits; anything else stops. */
export function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = parseInt(m[1]!, 10);
  return Number.isFinite(n) ? Math.max(-2147483648, Math.min(2147483647, n)) : 0;
}

/** C's strtol for base 10, as NUT uses it for SETAUX. */
export const strtol = atoi;

function assertNever(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}

export function formatToDriver(m: ToDriver): string {
  switch (m.kind) {
    case 'dumpall':
      return 'DUMPALL\n';
    case 'ping':
      return 'PING\n';
    case 'set':
      return `SET ${m.name} ${quote(m.value)}${m.tracking ? ` TRACKING ${m.tracking}` : ''}\n`;
    case 'instcmd':
      // NUT sends the parameter encoded but unquoted; we quote it, so a
      // parameter with spaces stays one word (see docs/compatibility.md).
      return `INSTCMD ${m.cmd}${m.param !== undefined ? ` ${quote(m.param)}` : ''}${m.tracking ? ` TRACKING ${m.tracking}` : ''}\n`;
    case 'nobroadcast':
      return 'NOBROADCAST\n';
    case 'broadcast':
      return `BROADCAST ${m.on ? 1 : 0}\n`;
    case 'getpid':
      return 'GETPID\n';
    case 'dumpvalue':
      return `DUMPVALUE ${m.name}\n`;
    case 'dumpstatus':
      return 'DUMPSTATUS\n';
    case 'logout':
      return 'LOGOUT\n';
    default:
      return assertNever(m);
  }
}

/**
 * Parses a line a driver received, with a C driver's argument rules.
 * Returns undefined for an unknown or malformed line (the driver logs it).
 */
export function parseToDriver(words: readonly string[]): ToDriver | undefined {
  const cmd = words[0]?.toUpperCase();
  const n = words.length;
  switch (cmd) {
    case 'DUMPALL':
      return { kind: 'dumpall' };
    case 'PING':
      return { kind: 'ping' };
    case 'NOBROADCAST':
      return { kind: 'nobroadcast' };
    case 'BROADCAST':
      return { kind: 'broadcast', on: n < 2 ? true : atoi(words[1]!) > 0 };
    case 'GETPID':
      return { kind: 'getpid' };
    case 'DUMPSTATUS':
      return { kind: 'dumpstatus' };
    case 'DUMPVALUE':
      return n >= 2 ? { kind: 'dumpvalue', name: words[1]! } : undefined;
    case 'LOGOUT':
      return { kind: 'logout' };
    case 'SET':
      if (n < 3) return undefined;
      if (n >= 5) {
        if (words[3]!.toUpperCase() !== 'TRACKING') return undefined;
        return { kind: 'set', name: words[1]!, value: words[2]!, tracking: words[4]! };
      }
      return { kind: 'set', name: words[1]!, value: words[2]! };
    case 'INSTCMD':
      if (n === 2) return { kind: 'instcmd', cmd: words[1]! };
      if (n === 3) return { kind: 'instcmd', cmd: words[1]!, param: words[2]! };
      if (n === 4 && words[2]!.toUpperCase() === 'TRACKING') return { kind: 'instcmd', cmd: words[1]!, tracking: words[3]! };
      if (n === 5 && words[3]!.toUpperCase() === 'TRACKING')
        return { kind: 'instcmd', cmd: words[1]!, param: words[2]!, tracking: words[4]! };
      return undefined;
    default:
      return undefined;
  }
}

export function formatFromDriver(m: FromDriver): string {
  switch (m.kind) {
    case 'pong':
      return 'PONG\n';
    case 'dumpdone':
      return 'DUMPDONE\n';
    case 'dataok':
      return 'DATAOK\n';
    case 'datastale':
      return 'DATASTALE\n';
    case 'addcmd':
      return `ADDCMD ${m.cmd}\n`;
    case 'delcmd':
      return `DELCMD ${m.cmd}\n`;
    case 'setinfo':
      return `SETINFO ${m.name} ${quote(m.value)}\n`;
    case 'delinfo':
      return `DELINFO ${m.name}\n`;
    case 'setflags':
      return `SETFLAGS ${m.name}${flagWords(m.flags).map((w) => ' ' + w).join('')}\n`;
    case 'addenum':
      return `ADDENUM ${m.name} ${quote(m.value)}\n`;
    case 'delenum':
      return `DELENUM ${m.name} ${quote(m.value)}\n`;
    case 'setaux':
      return `SETAUX ${m.name} ${m.aux}\n`;
    case 'addrange':
      return `ADDRANGE ${m.name} ${m.min} ${m.max}\n`;
    case 'delrange':
      return `DELRANGE ${m.name} ${m.min} ${m.max}\n`;
    case 'tracking':
      return `TRACKING ${m.id} ${m.status}\n`;
    case 'pid':
      return `PID ${m.pid}\n`;
    case 'goodbye':
      return 'OK Goodbye\n';
    default:
      return assertNever(m);
  }
}

/**
 * Parses a line upsd received from a driver, with upsd's rules: command words
 * ignore case, too few arguments or an unknown word give undefined (ignored),
 * extra arguments are ignored.
 */
export function parseFromDriver(words: readonly string[]): FromDriver | undefined {
  const cmd = words[0]?.toUpperCase();
  const n = words.length;
  switch (cmd) {
    case 'PONG':
      return { kind: 'pong' };
    case 'DUMPDONE':
      return { kind: 'dumpdone' };
    case 'DATAOK':
      return { kind: 'dataok' };
    case 'DATASTALE':
      return { kind: 'datastale' };
    case 'ADDCMD':
      return n >= 2 ? { kind: 'addcmd', cmd: words[1]! } : undefined;
    case 'DELCMD':
      return n >= 2 ? { kind: 'delcmd', cmd: words[1]! } : undefined;
    case 'DELINFO':
      return n >= 2 ? { kind: 'delinfo', name: words[1]! } : undefined;
    case 'SETINFO':
      return n >= 3 ? { kind: 'setinfo', name: words[1]!, value: words[2]! } : undefined;
    case 'SETFLAGS':
      return n >= 3 ? { kind: 'setflags', name: words[1]!, flags: parseFlagWords(words.slice(2)) } : undefined;
    case 'ADDENUM':
      return n >= 3 ? { kind: 'addenum', name: words[1]!, value: words[2]! } : undefined;
    case 'DELENUM':
      return n >= 3 ? { kind: 'delenum', name: words[1]!, value: words[2]! } : undefined;
    case 'SETAUX':
      return n >= 3 ? { kind: 'setaux', name: words[1]!, aux: strtol(words[2]!) } : undefined;
    case 'TRACKING':
      return n >= 3 ? { kind: 'tracking', id: words[1]!, status: atoi(words[2]!) } : undefined;
    case 'ADDRANGE':
      return n >= 4 ? { kind: 'addrange', name: words[1]!, min: atoi(words[2]!), max: atoi(words[3]!) } : undefined;
    case 'DELRANGE':
      return n >= 4 ? { kind: 'delrange', name: words[1]!, min: atoi(words[2]!), max: atoi(words[3]!) } : undefined;
    case 'PID':
      return n >= 2 ? { kind: 'pid', pid: atoi(words[1]!) } : undefined;
    default:
      return undefined;
  }
}

export { encodeValue };
