/** VER, NETVER/PROTVER, HELP, STARTTLS. */
import type { Session } from '../session.js';
import { ERR } from '../replies.js';
import { NET_PROTOCOL_VERSION, NUT_URL, NUT_VERSION } from '../../common/version.js';

export const VER_TEXT = `Network UPS Tools upsd ${NUT_VERSION} - ${NUT_URL}`;
const VER_LINE = VER_TEXT + '\n';
const NETVER_LINE = NET_PROTOCOL_VERSION + '\n';
/** NUT 2.8.0's HELP text (it leaves out NETVER, PROTVER, PRIMARY, MASTER and FSD). */
const HELP_LINE = 'Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS\n';

export function cmdVer(_s: Session, w: string[]): string {
  return w.length !== 1 ? ERR['INVALID-ARGUMENT'] : VER_LINE;
}

export function cmdNetver(_s: Session, w: string[]): string {
  return w.length !== 1 ? ERR['INVALID-ARGUMENT'] : NETVER_LINE;
}

export function cmdHelp(_s: Session, w: string[]): string {
  return w.length !== 1 ? ERR['INVALID-ARGUMENT'] : HELP_LINE;
}

/**
 * STARTTLS (extra words are accepted, as NUT does). Without a certificate:
 * FEATURE-NOT-CONFIGURED. With one, `OK STARTTLS` and the edge upgrades the
 * socket right after sending it.
 */
export function cmdStartTls(s: Session, _w: string[]): string {
  if (s.tls) return ERR['ALREADY-SSL-MODE'];
  if (!s.core.tlsAvailable) return ERR['FEATURE-NOT-CONFIGURED'];
  s.startTls = true;
  return 'OK STARTTLS\n';
}
