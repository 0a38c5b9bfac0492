/** SET VAR and SET TRACKING, with NUT's check order (netset.c behaviour). */
import type { Session } from '../session.js';
import { ERR, OK } from '../replies.js';
import { FLAG_RW, FLAG_STRING } from '../../state/table.js';
import { atoi, formatToDriver } from '../../protocol/sock/messages.js';

export function cmdSet(s: Session, w: string[]): string {
  const n = w.length; // w[0] is SET
  if (n < 3) return ERR['INVALID-ARGUMENT'];
  const sub = w[1]!.length <= 8 ? w[1]!.toUpperCase() : '';
  if (sub === 'TRACKING') {
    const v = w[2]!.toUpperCase();
    if (v === 'ON') s.tracking = true;
    else if (v === 'OFF') s.tracking = false;
    else return ERR['INVALID-ARGUMENT'];
    return OK;
  }
  if (sub !== 'VAR' || n < 5) return ERR['INVALID-ARGUMENT'];
  const upsName = w[2]!;
  const name = w[3]!;
  const value = w[4]!; // extra words are ignored
  const ups = s.available(upsName);
  if (typeof ups === 'string') return ups;
  if (!s.core.checkAction(s.username, s.password, 'set')) {
    s.core.log.debug(1, `SET: access denied for ${s.who} on UPS [${ups.name}]`);
    return ERR['ACCESS-DENIED'];
  }
  const v = ups.table.get(name);
  if (!v) return ERR['VAR-NOT-SUPPORTED'];
  if (!(v.flags & FLAG_RW)) return ERR['READONLY'];
  if (v.flags & FLAG_STRING) {
    if (v.aux < 1) return ERR['SET-FAILED'];
    if (value.length > v.aux) return ERR['TOO-LONG'];
  }
  // enum values are stored decoded and compared decoded (NUT compares its
  // escaped copy with the decoded value, so `"`, `\` and `#` never match)
  if (v.enums.length > 0 && !v.enums.includes(value)) return ERR['INVALID-VALUE'];
  if (v.ranges.length > 0) {
    const x = atoi(value);
    if (!v.ranges.some(([a, b]) => x >= a && x <= b)) return ERR['INVALID-VALUE'];
  }
  const now = s.core.clock.now();
  const id = s.tracking ? s.core.tracking.create(now) : undefined;
  s.core.log.info(`Set variable: ${s.who} set ${name} on ${upsName} to ${value} (tracking ID: ${id ?? 'disabled'})`);
  const line = formatToDriver(id ? { kind: 'set', name, value, tracking: id } : { kind: 'set', name, value });
  if (!ups.sender || !ups.sender(line)) {
    if (id) s.core.tracking.forget(id);
    return ERR['SET-FAILED'];
  }
  return id ? `OK TRACKING ${id}\n` : OK;
}
