/**
 * How nutdrv_qx reaches the unit: a QxLink sends one request and returns
 * the raw reply. The serial link frames replies by CR over a ByteLink
 * (src/transports/serial.ts). USB-serial bridges frame the same requests
 * differently; the framings the reference documents are pure codecs here
 * (usb-framing.ts) for a USB link to use.
 *
 * Requests are serialised: an instant command never interleaves with a poll.
 */
import { TransportError } from '../../common/errors.js';
import type { ByteLink } from '../../transports/serial.js';
import { ReadTimeout, TERM_CR } from '../../transports/serial.js';

export interface QxLink {
  readonly name: string;
  /**
   * Sends `request` (CR included) and returns the reply up to and including
   * CR; '' when nothing came within timeoutMs; an unterminated partial reply
   * as is (the parser refuses it). Throws TransportError when the port is gone.
   */
  query(request: string, timeoutMs: number): Promise<string>;
  close(): Promise<void>;
}

export class SerialQxLink implements QxLink {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly port: ByteLink) {}

  get name(): string {
    return this.port.name;
  }

  query(request: string, timeoutMs: number): Promise<string> {
    const run = async () => {
      await this.port.flush();
      await this.port.write(request);
      try {
        const b = await this.port.readUntil(TERM_CR, { timeoutMs, maxLength: 512 });
        return b.toString('latin1');
      } catch (e) {
        if (e instanceof ReadTimeout) return e.partial.toString('latin1');
        if (e instanceof TransportError) throw e;
        throw new TransportError('io', (e as Error).message, { cause: e });
      }
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => {});
    return p;
  }

  close(): Promise<void> {
    return this.port.close();
  }
}
