/** LIST UPS/VAR/RW/CMD/CLIENT/ENUM/RANGE: BEGIN/END framing, errors instead of BEGIN. */
import type { Session } from '../session.js';
import type { UpsEntry } from '../ups.js';
import { ERR, enc, isStatusName } from '../replies.js';
import { FLAG_RW } from '../../state/table.js';

export function cmdList(s: Session, w: string[]): string {
  const n = w.length; // w[0] is LIST
  if (n < 2) return ERR['INVALID-ARGUMENT'];
  const sub = w[1]!.length <= 6 ? w[1]!.toUpperCase() : '';
  if (sub === 'UPS') return listUps(s);
  if (n < 3) return ERR['INVALID-ARGUMENT'];
  const upsName = w[2]!;
  switch (sub) {
    case 'VAR': {
      const ups = s.available(upsName);
      if (typeof ups === 'string') return ups;
      return ups.listVar(upsName, renderListVar);
    }
    case 'RW': {
      const ups = s.available(upsName);
      if (typeof ups === 'string') return ups;
      let out = `BEGIN LIST RW ${upsName}\n`;
      for (const v of ups.table.list()) {
        if (v.flags & FLAG_RW) out += `RW ${upsName} ${v.name} "${enc(v.value)}"\n`;
      }
      return out + `END LIST RW ${upsName}\n`;
    }
    case 'CMD': {
      const ups = s.available(upsName);
      if (typeof ups === 'string') return ups;
      let out = `BEGIN LIST CMD ${upsName}\n`;
      for (const c of ups.table.cmds()) out += `CMD ${upsName} ${c}\n`;
      return out + `END LIST CMD ${upsName}\n`;
    }
    case 'CLIENT': {
      // only UNKNOWN-UPS is checked: works with the driver down
      const ups = s.core.find(upsName);
      if (!ups) return ERR['UNKNOWN-UPS'];
      const rows: string[] = [];
      for (const c of ups.clients) rows.push(`CLIENT ${ups.name} ${c.addr}\n`);
      rows.reverse(); // newest connection first
      return `BEGIN LIST CLIENT ${upsName}\n${rows.join('')}END LIST CLIENT ${upsName}\n`;
    }
  }
  if (n < 4) return ERR['INVALID-ARGUMENT'];
  const name = w[3]!;
  switch (sub) {
    case 'ENUM': {
      const ups = s.available(upsName);
      if (typeof ups === 'string') return ups;
      const v = ups.table.get(name);
      if (!v) return ERR['VAR-NOT-SUPPORTED'];
      let out = `BEGIN LIST ENUM ${upsName} ${name}\n`;
      for (const e of v.enums) out += `ENUM ${upsName} ${name} "${enc(e)}"\n`;
      return out + `END LIST ENUM ${upsName} ${name}\n`;
    }
    case 'RANGE': {
      const ups = s.available(upsName);
      if (typeof ups === 'string') return ups;
      const v = ups.table.get(name);
      if (!v) return ERR['VAR-NOT-SUPPORTED'];
      let out = `BEGIN LIST RANGE ${upsName} ${name}\n`;
      for (const [a, b] of v.ranges) out += `RANGE ${upsName} ${name} "${a}" "${b}"\n`;
      return out + `END LIST RANGE ${upsName} ${name}\n`;
    }
    default:
      return ERR['INVALID-ARGUMENT'];
  }
}

function listUps(s: Session): string {
  let out = 'BEGIN LIST UPS\n';
  for (const u of s.core.upsList) out += `UPS ${u.name} "${u.desc !== undefined ? enc(u.desc) : 'Description unavailable'}"\n`;
  return out + 'END LIST UPS\n';
}

/** The LIST VAR block (cached per UPS by UpsEntry.listVar). */
export function renderListVar(ups: UpsEntry, sp: string): string {
  const parts: string[] = [`BEGIN LIST VAR ${sp}\n`];
  const pre = `VAR ${sp} `;
  for (const v of ups.table.list()) {
    const val = enc(v.value);
    parts.push(pre + v.name + (ups.fsd && isStatusName(v.name) ? ` "FSD ${val}"\n` : ` "${val}"\n`));
  }
  parts.push(`END LIST VAR ${sp}\n`);
  return parts.join('');
}
