/**
 * Shared pieces of the TLS tests: Walnut's upsd (in-process, with an
 * in-process dummy-ups) configured with any upsd.conf lines, a byte relay
 * that records what crosses the wire, and raw STARTTLS helpers.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startUpsd } from '../../src/server/index.js';
import type { Upsd } from '../../src/server/index.js';
import { startDriver } from '../../src/drivers/core/index.js';
import type { DriverHandle } from '../../src/drivers/core/index.js';
import { dummyUps } from '../../src/drivers/dummy/index.js';
import { parseUpsConf } from '../../src/config/ups-conf.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { nutDir, USERS_TEXT, DUMMY_DEV } from '../support/real-nut.js';
import type { NutDir } from '../support/real-nut.js';

export interface WalnutServer {
  dir: NutDir;
  port: number;
  upsd: Upsd;
  driver: DriverHandle;
  log: MemorySink;
  stop(): Promise<void>;
}

/** Walnut's upsd on 127.0.0.1 (a free port) serving [dummy], with extra upsd.conf lines. */
export async function startWalnutServer(upsdConfLines: string[], opts: { tlsHandshakeTimeoutMs?: number } = {}): Promise<WalnutServer> {
  const dir = nutDir('walnut-tls-');
  const conf = '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n';
  fs.writeFileSync(path.join(dir.etc, 'ups.conf'), conf);
  fs.writeFileSync(path.join(dir.etc, 'dummy.dev'), DUMMY_DEV);
  fs.writeFileSync(path.join(dir.etc, 'upsd.users'), USERS_TEXT, { mode: 0o640 });
  fs.writeFileSync(path.join(dir.etc, 'upsd.conf'), `STATEPATH ${dir.state}\n${upsdConfLines.join('\n')}\n`, { mode: 0o640 });
  const file = path.join(dir.etc, 'ups.conf');
  const driver = await startDriver({ definition: dummyUps, upsName: 'dummy', conf: parseUpsConf(conf, file).value, confFile: file, statePath: dir.state, confPath: dir.etc });
  const log = new MemorySink();
  let upsd: Upsd;
  try {
    upsd = await startUpsd({
      confPath: dir.etc,
      statePath: dir.state,
      env: dir.env,
      logger: createLogger(log, 1),
      listen: [{ host: '127.0.0.1', port: 0 }],
      ...(opts.tlsHandshakeTimeoutMs !== undefined ? { tlsHandshakeTimeoutMs: opts.tlsHandshakeTimeoutMs } : {}),
    });
  } catch (e) {
    await driver.stop();
    dir.cleanup();
    throw e;
  }
  return {
    dir,
    port: upsd.addresses()[0]!.port,
    upsd,
    driver,
    log,
    async stop() {
      await upsd.stop();
      await driver.stop();
      dir.cleanup();
    },
  };
}

export interface Relay {
  port: number;
  /** Bytes client → server, per connection, in order. */
  upstream: Buffer[][];
  /** Bytes server → client. */
  downstream: Buffer[][];
  stop(): Promise<void>;
}

/** A TCP relay on 127.0.0.1 that forwards to `target` and records both directions (the wire, as a capture sees it). */
export function startRelay(targetPort: number): Promise<Relay> {
  const upstream: Buffer[][] = [];
  const downstream: Buffer[][] = [];
  const socks = new Set<net.Socket>();
  const server = net.createServer((c) => {
    const up: Buffer[] = [];
    const down: Buffer[] = [];
    upstream.push(up);
    downstream.push(down);
    const s = net.connect(targetPort, '127.0.0.1');
    socks.add(c);
    socks.add(s);
    c.on('data', (b) => {
      up.push(Buffer.from(b));
      s.write(b);
    });
    s.on('data', (b) => {
      down.push(Buffer.from(b));
      c.write(b);
    });
    const end = () => {
      c.destroy();
      s.destroy();
    };
    c.on('close', end);
    s.on('close', end);
    c.on('error', end);
    s.on('error', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        upstream,
        downstream,
        stop: () =>
          new Promise<void>((r) => {
            for (const s of socks) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Everything a client sent on one connection after its STARTTLS line. */
export function afterStartTls(chunks: Buffer[]): Buffer {
  const all = Buffer.concat(chunks);
  const i = all.indexOf('STARTTLS\n');
  return i < 0 ? Buffer.alloc(0) : all.subarray(i + 'STARTTLS\n'.length);
}
