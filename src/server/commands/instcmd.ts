/** INSTCMD <ups> <cmd> [<param>], with NUT's check order (netinstcmd.c behaviour). */
import type { Session } from '../session.js';
import { ERR, OK } from '../replies.js';
import { formatToDriver } from '../../protocol/sock/messages.js';

export function cmdInstcmd(s: Session, w: string[]): string {
  const n = w.length; // w[0] is INSTCMD
  if (n < 3) return ERR['INVALID-ARGUMENT'];
  const upsName = w[1]!;
  const cmd = w[2]!;
  // the parameter counts only with exactly 3 arguments; with 4+ it is dropped (as NUT)
  const param = n === 4 ? w[3]! : undefined;
  const ups = s.available(upsName);
  if (typeof ups === 'string') return ups;
  if (!ups.table.hasCmd(cmd)) return ERR['CMD-NOT-SUPPORTED'];
  if (!s.core.checkInstcmd(s.username, s.password, cmd)) {
    s.core.log.debug(1, `INSTCMD: access denied for ${s.who} on UPS [${ups.name}]`);
    return ERR['ACCESS-DENIED'];
  }
  const now = s.core.clock.now();
  const id = s.tracking ? s.core.tracking.create(now) : undefined;
  s.core.log.info(
    `Instant command: ${s.who} did ${cmd}${param !== undefined ? ` with value ${param}` : ''} on ${upsName} (tracking ID: ${id ?? 'disabled'})`,
  );
  const line = formatToDriver({ kind: 'instcmd', cmd, ...(param !== undefined ? { param } : {}), ...(id ? { tracking: id } : {}) });
  if (!ups.sender || !ups.sender(line)) {
    if (id) s.core.tracking.forget(id);
    return ERR['INSTCMD-FAILED'];
  }
  return id ? `OK TRACKING ${id}\n` : OK;
}
