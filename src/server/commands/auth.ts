/** USERNAME, PASSWORD, LOGIN, LOGOUT, PRIMARY/MASTER, FSD (NUT's netuser.c/netmisc.c behaviour). */
import type { Session } from '../session.js';
import { ERR, OK } from '../replies.js';

export function cmdUsername(s: Session, w: string[]): string {
  if (w.length !== 2) return ERR['INVALID-ARGUMENT'];
  if (s.username !== undefined) {
    s.core.log.info(`Client ${s.who} tried to set a username twice`);
    return ERR['ALREADY-SET-USERNAME'];
  }
  s.username = w[1]!;
  return OK;
}

export function cmdPassword(s: Session, w: string[]): string {
  if (w.length !== 2) return ERR['INVALID-ARGUMENT'];
  if (s.password !== undefined) {
    s.core.log.info(`Client ${s.who} tried to set a password twice`);
    return ERR['ALREADY-SET-PASSWORD'];
  }
  s.password = w[1]!;
  return OK;
}

/** Why credentials were refused, for the log (never the password itself). */
function denyReason(s: Session, action: string): string {
  const u = s.core.users.get(s.username ?? '');
  if (!u) return 'unknown user';
  if (u.password === undefined || u.password !== s.password) return 'wrong password';
  return `no ${action} permission`;
}

export function cmdLogin(s: Session, w: string[]): string {
  if (w.length !== 2) return ERR['INVALID-ARGUMENT'];
  if (s.loginUps) {
    s.core.log.info(`Client ${s.who} tried to login twice`);
    return ERR['ALREADY-LOGGED-IN'];
  }
  const ups = s.core.find(w[1]!);
  if (!ups) return ERR['UNKNOWN-UPS'];
  if (!s.core.checkAction(s.username, s.password, 'login')) {
    // beyond NUT: failed logins are logged (user and address, never the password)
    s.core.log.notice(`User ${s.who} failed to log into UPS [${ups.name}]: ${denyReason(s, 'login')}`);
    return ERR['ACCESS-DENIED'];
  }
  s.loginUps = ups;
  ups.clients.add(s);
  s.core.log.info(`User ${s.who} logged into UPS [${ups.name}]${s.tls ? ' (SSL)' : ''}`);
  return OK;
}

export function cmdLogout(s: Session, w: string[]): string {
  if (w.length !== 1) return ERR['INVALID-ARGUMENT'];
  const ups = s.loginUps;
  if (ups) {
    s.core.log.info(`User ${s.who} logged out from UPS [${ups.name}]`);
    ups.clients.delete(s);
    s.loginUps = undefined;
  }
  s.closing = true;
  return 'OK Goodbye\n';
}

/** PRIMARY and MASTER: the same check (action primary or master), different replies. */
export function cmdPrimary(s: Session, w: string[], word: 'PRIMARY' | 'MASTER'): string {
  if (w.length !== 2) return ERR['INVALID-ARGUMENT'];
  const ups = s.core.find(w[1]!);
  if (!ups) return ERR['UNKNOWN-UPS'];
  if (!s.core.checkAction(s.username, s.password, 'primary') && !s.core.checkAction(s.username, s.password, 'master')) {
    s.core.log.debug(1, `${word}: access denied for ${s.who} on UPS [${ups.name}]: ${denyReason(s, 'primary')}`);
    return ERR['ACCESS-DENIED'];
  }
  return `OK ${word}-GRANTED\n`;
}

/** FSD: sets the UPS's latch; no LOGIN needed, only the fsd action. */
export function cmdFsd(s: Session, w: string[]): string {
  if (w.length !== 2) return ERR['INVALID-ARGUMENT'];
  const ups = s.core.find(w[1]!);
  if (!ups) return ERR['UNKNOWN-UPS'];
  if (!s.core.checkAction(s.username, s.password, 'fsd')) {
    s.core.log.debug(1, `FSD: access denied for ${s.who} on UPS [${ups.name}]: ${denyReason(s, 'fsd')}`);
    return ERR['ACCESS-DENIED'];
  }
  s.core.log.info(`Client ${s.who} set FSD on UPS [${ups.name}]`);
  ups.fsd = true;
  return 'OK FSD-SET\n';
}
