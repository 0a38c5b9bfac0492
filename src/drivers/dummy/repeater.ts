/**
 * dummy-ups repeater mode (`port = ups@host[:port]`): every update runs
 * `LIST VAR <ups>` on the upstream upsd and mirrors it (driver.* rows are
 * skipped; variables that vanish upstream are kept, as NUT does).
 *
 * Unlike NUT, the data is marked stale (DATASTALE) as soon as the upstream
 * connection drops or a LIST fails (e.g. ERR DATA-STALE upstream), and fresh
 * again once a LIST succeeds.
 */
import { WalnutError } from '../../common/errors.js';
import { negotiateTls } from '../../clients/tls.js';
import { NutClient, splitName } from '../../clients/client.js';
import type { UpsAddress } from '../../clients/client.js';
import type { DriverContext } from '../core/driver.js';

export class Repeater {
  private client: NutClient | undefined;
  private connecting: Promise<NutClient> | undefined;
  readonly upstream: UpsAddress;
  private closed = false;
  private lastError = '';

  constructor(
    private readonly ctx: DriverContext,
    port: string,
    private readonly apply: (name: string, value: string) => void,
  ) {
    try {
      this.upstream = splitName(port);
    } catch (e) {
      throw new WalnutError('DRIVER_CONFIG', `Fatal error: repeater port ${port}: ${(e as Error).message}`);
    }
  }

  private get timeoutMs(): number {
    return Math.max(2000, this.ctx.settings.pollIntervalSec * 1000);
  }

  private async connect(): Promise<NutClient> {
    if (this.client?.isOpen) return this.client;
    this.connecting ??= NutClient.connect(this.upstream.host, this.upstream.port, { timeoutMs: this.timeoutMs, clock: this.ctx.clock })
      .then(async (c) => {
        // as NUT's repeater: TLS first when the upstream offers it, else plain text (warned once)
        const t = await negotiateTls(c, this.upstream.host, this.upstream.port, {}, this.ctx.log);
        if (t.secure) this.ctx.log.debug(1, `dummy-ups [${this.ctx.ups}]: ${this.where()}: TLS (${t.protocol ?? '?'}), certificate ${t.fingerprint ?? '?'}`);
        if (this.closed) {
          c.close();
          throw new Error('driver stopped');
        }
        this.client = c;
        c.onClose((err) => {
          if (this.client === c) this.client = undefined;
          // the upstream went away: our data is no longer current
          if (err && !this.closed) this.lost(`upstream connection lost: ${err.message}`);
        });
        return c;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private lost(why: string): void {
    if (why !== this.lastError) this.ctx.log.warn(`dummy-ups [${this.ctx.ups}]: ${this.where()}: ${why}`);
    this.lastError = why;
    this.ctx.state.dataStale();
  }

  private where(): string {
    return `${this.upstream.ups}@${this.upstream.host}:${this.upstream.port}`;
  }

  /** First contact: fatal unless repeater_disable_strict_start. */
  async init(lenient: boolean): Promise<void> {
    try {
      await this.poll();
    } catch (e) {
      if (!lenient) {
        throw new WalnutError('DRIVER_INIT', `Fatal error: repeater: can't read ${this.where()}: ${(e as Error).message}`);
      }
      this.lost((e as Error).message);
    }
  }

  private async poll(): Promise<void> {
    const c = await this.connect();
    let rows;
    try {
      rows = await c.listVar(this.upstream.ups);
    } catch (e) {
      // reconnect on the next update (NUT does the same, but stays "fresh")
      c.close();
      if (this.client === c) this.client = undefined;
      throw e;
    }
    for (const r of rows) {
      if (r.name.startsWith('driver.')) continue;
      this.apply(r.name, r.value);
    }
  }

  async update(): Promise<void> {
    if (this.closed) return;
    try {
      await this.poll();
      if (this.lastError) this.ctx.log.info(`dummy-ups [${this.ctx.ups}]: ${this.where()}: upstream is back`);
      this.lastError = '';
      this.ctx.state.dataOk();
    } catch (e) {
      this.lost((e as Error).message);
    }
  }

  close(): void {
    this.closed = true;
    this.client?.close();
    this.client = undefined;
  }
}
