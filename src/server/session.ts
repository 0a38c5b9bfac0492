/**
 * One client connection's protocol state, without the socket: fed lines of
 * words (from the StreamLexer), it returns the reply text (one line or one
 * LIST block, LF-terminated). The edge (listen.ts) owns the socket and acts
 * on `closing` (LOGOUT) and `startTls` (a STARTTLS that was accepted).
 */
import type { UpsdCore } from './core.js';
import type { UpsClient, UpsEntry } from './ups.js';
import { ERR } from './replies.js';
import { cmdGet } from './commands/get.js';
import { cmdList } from './commands/list.js';
import { cmdSet } from './commands/set.js';
import { cmdInstcmd } from './commands/instcmd.js';
import { cmdFsd, cmdLogin, cmdLogout, cmdPassword, cmdPrimary, cmdUsername } from './commands/auth.js';
import { cmdHelp, cmdNetver, cmdStartTls, cmdVer } from './commands/misc.js';

export class Session implements UpsClient {
  username: string | undefined;
  password: string | undefined;
  /** The UPS this connection LOGIN'd to. */
  loginUps: UpsEntry | undefined;
  /** SET TRACKING ON|OFF, per connection. */
  tracking = false;
  /** The connection runs over TLS. */
  tls = false;
  /** LOGOUT was answered: the edge closes after sending the reply. */
  closing = false;
  /** STARTTLS was answered OK: the edge starts the handshake after sending the reply. */
  startTls = false;
  /** Time of the last request (idle disconnect). */
  lastHeard: number;
  /** Called to drop the connection (UPS removed by a reload). */
  onKick: (() => void) | undefined;

  private addrValue: string | undefined;

  constructor(
    readonly core: UpsdCore,
    /** The client's address as NUT prints it, or a function giving it (looked up on first use). */
    addr: string | (() => string),
  ) {
    this.lastHeard = core.clock.now();
    if (typeof addr === 'string') this.addrValue = addr;
    else this.addrFn = addr;
  }

  private addrFn: (() => string) | undefined;

  /** The client's address as NUT prints it (IPv4-mapped IPv6 shown as IPv4). */
  get addr(): string {
    if (this.addrValue === undefined) {
      this.addrValue = this.addrFn ? this.addrFn() : 'unknown';
      this.addrFn = undefined;
    }
    return this.addrValue;
  }

  /** `user@addr` as NUT's log lines print a client. */
  get who(): string {
    return `${this.username ?? ''}@${this.addr}`;
  }

  /** One request line (already split into words) → its reply. */
  handle(words: string[]): string {
    const n = words.length;
    if (n === 0) return ERR['UNKNOWN-COMMAND'];
    const cmd = words[0]!;
    switch (cmd.length <= 8 ? cmd.toUpperCase() : '') {
      case 'GET':
        return cmdGet(this, words);
      case 'LIST':
        return cmdList(this, words);
      case 'VER':
        return cmdVer(this, words);
      case 'NETVER':
      case 'PROTVER':
        return cmdNetver(this, words);
      case 'HELP':
        return cmdHelp(this, words);
      case 'STARTTLS':
        return cmdStartTls(this, words);
      case 'USERNAME':
        return cmdUsername(this, words);
      case 'PASSWORD':
        return cmdPassword(this, words);
      case 'LOGOUT':
        return cmdLogout(this, words);
      // the commands below need USERNAME and PASSWORD first (not checked for validity here)
      case 'LOGIN':
        return this.authFirst() ?? cmdLogin(this, words);
      case 'PRIMARY':
        return this.authFirst() ?? cmdPrimary(this, words, 'PRIMARY');
      case 'MASTER':
        return this.authFirst() ?? cmdPrimary(this, words, 'MASTER');
      case 'FSD':
        return this.authFirst() ?? cmdFsd(this, words);
      case 'SET':
        return this.authFirst() ?? cmdSet(this, words);
      case 'INSTCMD':
        return this.authFirst() ?? cmdInstcmd(this, words);
      default:
        return ERR['UNKNOWN-COMMAND'];
    }
  }

  /** NUT's FLAG_USER check: USERNAME-REQUIRED, then PASSWORD-REQUIRED. */
  private authFirst(): string | undefined {
    if (this.username === undefined) return ERR['USERNAME-REQUIRED'];
    if (this.password === undefined) return ERR['PASSWORD-REQUIRED'];
    return undefined;
  }

  /**
   * NUT's ups_available: the UPS, or the error line (UNKNOWN-UPS,
   * DRIVER-NOT-CONNECTED, DATA-STALE, in that order).
   */
  available(name: string): UpsEntry | string {
    const ups = this.core.find(name);
    if (!ups) return ERR['UNKNOWN-UPS'];
    if (!ups.connected) return ERR['DRIVER-NOT-CONNECTED'];
    if (ups.isStale(this.core.clock.now(), this.core.maxAgeMs)) return ERR['DATA-STALE'];
    return ups;
  }

  /** The connection is gone: forget the login (no log line, as NUT). */
  close(): void {
    if (this.loginUps) {
      this.loginUps.clients.delete(this);
      this.loginUps = undefined;
    }
  }

  /** Dropped by the server (its UPS was removed by a reload). */
  kick(): void {
    this.close();
    this.onKick?.();
  }
}
