/** GET TRACKING/NUMLOGINS/UPSDESC/VAR/TYPE/DESC/CMDDESC, with NUT's staged argument checks. */
import type { Session } from '../session.js';
import { ERR, enc, isStatusName } from '../replies.js';
import { FLAG_RW, FLAG_STRING, type StateTable } from '../../state/table.js';
import { NUT_VERSION } from '../../common/version.js';
import { VER_TEXT } from './misc.js';

export function cmdGet(s: Session, w: string[]): string {
  const n = w.length; // w[0] is GET
  if (n < 2) return ERR['INVALID-ARGUMENT'];
  const sub = w[1]!.length <= 9 ? w[1]!.toUpperCase() : '';
  if (sub === 'TRACKING') {
    if (n === 2) return s.tracking ? 'ON\n' : 'OFF\n';
    if (!s.tracking) return ERR['FEATURE-NOT-CONFIGURED'];
    const st = s.core.tracking.status(w[2]!);
    return (st ?? 'ERR UNKNOWN') + '\n';
  }
  if (n < 3) return ERR['INVALID-ARGUMENT'];
  const upsName = w[2]!;
  if (sub === 'NUMLOGINS') {
    const ups = s.available(upsName);
    if (typeof ups === 'string') return ups;
    return `NUMLOGINS ${upsName} ${ups.numLogins}\n`;
  }
  if (sub === 'UPSDESC') {
    const ups = s.core.find(upsName);
    if (!ups) return ERR['UNKNOWN-UPS'];
    return `UPSDESC ${upsName} "${ups.desc !== undefined ? enc(ups.desc) : 'Unavailable'}"\n`;
  }
  if (n < 4) return ERR['INVALID-ARGUMENT'];
  const name = w[3]!;
  switch (sub) {
    case 'VAR':
      return getVar(s, upsName, name);
    case 'TYPE':
      return getType(s, upsName, name);
    case 'DESC': {
      const ups = s.available(upsName);
      if (typeof ups === 'string') return ups;
      // 2.8.1+: an `upstream.` prefix is stripped for the lookup
      const key = name.length > 9 && name.slice(0, 9).toLowerCase() === 'upstream.' ? name.slice(9) : name;
      return `DESC ${upsName} ${name} "${s.core.descriptions.varDesc(key) ?? 'Description unavailable'}"\n`;
    }
    case 'CMDDESC': {
      const ups = s.available(upsName);
      if (typeof ups === 'string') return ups;
      return `CMDDESC ${upsName} ${name} "${s.core.descriptions.cmdDesc(name) ?? 'Description unavailable'}"\n`;
    }
    default:
      return ERR['INVALID-ARGUMENT'];
  }
}

function getVar(s: Session, upsName: string, name: string): string {
  // server.* is answered without looking at the UPS name at all
  if (name.length >= 7 && (name.charCodeAt(0) | 0x20) === 0x73 && name.slice(0, 7).toLowerCase() === 'server.') {
    const l = name.toLowerCase();
    // the reply carries the canonical (lower-case) name, not the client's spelling
    if (l === 'server.info') return `VAR ${upsName} server.info "${enc(VER_TEXT)}"\n`;
    if (l === 'server.version') return `VAR ${upsName} server.version "${NUT_VERSION}"\n`;
    return ERR['VAR-NOT-SUPPORTED'];
  }
  const ups = s.available(upsName);
  if (typeof ups === 'string') return ups;
  const table = ups.table;
  let cache = varReplies.get(table);
  if (cache === undefined || cache.version !== table.version || cache.fsd !== ups.fsd || cache.replies.size >= VAR_REPLY_CACHE_MAX) {
    cache = { version: table.version, fsd: ups.fsd, replies: new Map() };
    varReplies.set(table, cache);
  }
  const hit = cache.replies.get(name);
  if (hit !== undefined && hit.upsName === upsName) return hit.reply;
  const v = table.get(name);
  if (!v) return ERR['VAR-NOT-SUPPORTED'];
  const val = enc(v.value);
  const reply = ups.fsd && isStatusName(name) ? `VAR ${upsName} ${name} "FSD ${val}"\n` : `VAR ${upsName} ${name} "${val}"\n`;
  cache.replies.set(name, { upsName, reply });
  return reply;
}

/**
 * Rendered GET VAR replies per state table, keyed by the variable name as the
 * client spelled it (the reply echoes the client's spelling of both names).
 * Valid while the table's version and the UPS's FSD latch are unchanged; a
 * new table (a new dump) starts an empty cache. Bounded: full means cleared.
 */
const varReplies = new WeakMap<StateTable, { version: number; fsd: boolean; replies: Map<string, { upsName: string; reply: string }> }>();
const VAR_REPLY_CACHE_MAX = 1024;

function getType(s: Session, upsName: string, name: string): string {
  const ups = s.available(upsName);
  if (typeof ups === 'string') return ups;
  const v = ups.table.get(name);
  if (!v) return ERR['VAR-NOT-SUPPORTED'];
  let out = `TYPE ${upsName} ${name}`;
  if (v.flags & FLAG_RW) out += ' RW';
  if (v.enums.length > 0) out += ' ENUM';
  if (v.ranges.length > 0) out += ' RANGE';
  out += v.flags & FLAG_STRING ? ` STRING:${v.aux}` : ' NUMBER';
  return out + '\n';
}
