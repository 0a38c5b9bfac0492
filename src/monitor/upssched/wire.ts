/**
 * The lines between upssched invocations and the timer daemon on PIPEFN
 * (parseconf-quoted words, one request per line, answered `OK` or `ERR ...`):
 *   START name secs notifytype upsname notifymsg
 *   START-SHARED name secs notifytype upsname notifymsg
 *   CANCEL name [cmd [notifytype upsname notifymsg]]
 *   CANCEL-MATCHED name [upsname [notifytype]]
 *   LIST-TIMERS          (rows, then OK)
 */
import { lexLine, quote } from '../../common/lexer.js';

export type DaemonRequest =
  | { cmd: 'START' | 'START-SHARED'; name: string; secs: number; notifyType: string; upsName: string; notifyMsg: string }
  | { cmd: 'CANCEL'; name: string; script?: string; notifyType?: string; upsName?: string; notifyMsg?: string }
  | { cmd: 'CANCEL-MATCHED'; name: string; upsName?: string; notifyType?: string }
  | { cmd: 'LIST-TIMERS' };

export function formatRequest(r: DaemonRequest): string {
  const w: string[] = [r.cmd];
  switch (r.cmd) {
    case 'START':
    case 'START-SHARED':
      w.push(r.name, String(r.secs), r.notifyType, r.upsName, r.notifyMsg);
      break;
    case 'CANCEL':
      w.push(r.name);
      if (r.script !== undefined) {
        w.push(r.script);
        if (r.notifyType !== undefined) w.push(r.notifyType, r.upsName ?? '', r.notifyMsg ?? '');
      }
      break;
    case 'CANCEL-MATCHED':
      w.push(r.name);
      if (r.upsName !== undefined) w.push(r.upsName);
      if (r.notifyType !== undefined) w.push(r.notifyType);
      break;
    case 'LIST-TIMERS':
      break;
  }
  return w.map((x, i) => (i === 0 ? x : quote(x.replace(/[\r\n]+/g, ' ')))).join(' ') + '\n';
}

/**
 * Parses one request line, given as bytes in a latin1 string (the lexer works
 * on bytes and, like NUT's, drops bytes above 0x7f; each word is then
 * decoded as UTF-8). A string result is the
 * error text for `ERR`.
 */
export function parseRequest(line: string): DaemonRequest | string {
  const lexed = lexLine(line);
  if (!lexed || !lexed.length) return 'EMPTY';
  const w = lexed.map((x) => Buffer.from(x, 'latin1').toString('utf8'));
  const cmd = w[0]!.toUpperCase();
  switch (cmd) {
    case 'START':
    case 'START-SHARED': {
      if (w.length < 3) return 'INVALID-ARGUMENT';
      const secs = Number(w[2]);
      if (!/^\d+$/.test(w[2]!) || !Number.isSafeInteger(secs)) return 'INVALID-ARGUMENT';
      return { cmd, name: w[1]!, secs, notifyType: w[3] ?? '', upsName: w[4] ?? '', notifyMsg: w[5] ?? '' };
    }
    case 'CANCEL': {
      if (w.length < 2) return 'INVALID-ARGUMENT';
      const r: DaemonRequest = { cmd, name: w[1]! };
      if (w[2] !== undefined && w[2] !== '') r.script = w[2];
      if (w[3] !== undefined) {
        r.notifyType = w[3];
        r.upsName = w[4] ?? '';
        r.notifyMsg = w[5] ?? '';
      }
      return r;
    }
    case 'CANCEL-MATCHED': {
      if (w.length < 2) return 'INVALID-ARGUMENT';
      const r: DaemonRequest = { cmd, name: w[1]! };
      if (w[2] !== undefined) r.upsName = w[2];
      if (w[3] !== undefined) r.notifyType = w[3];
      return r;
    }
    case 'LIST-TIMERS':
      return { cmd };
    default:
      return 'UNKNOWN-COMMAND';
  }
}
