/**
 * The nutdrv_qx test bench: a socat pty pair, the Q1 simulator serving the
 * device side, Walnut's nutdrv_qx on the driver side (in-process, its
 * socket in a private state dir), and an upsd (Walnut's in-process, or the
 * real NUT 2.8.0 one) on a loopback port. Everything is stopped by cleanup().
 */
import fs from 'node:fs';
import path from 'node:path';
import { startDriver, type DriverHandle } from '../../../src/drivers/core/driver.js';
import { nutdrvQx } from '../../../src/drivers/nutdrv_qx/index.js';
import { Q1Simulator, parseDevDump } from '../../../src/drivers/nutdrv_qx/simulator.js';
import { parseUpsConf } from '../../../src/config/ups-conf.js';
import { SerialTransport } from '../../../src/transports/serial.js';
import { serveDevice, type DeviceServer } from '../../../src/transports/device-server.js';
import { startUpsd, type Upsd } from '../../../src/server/index.js';
import { createLogger, MemorySink } from '../../../src/common/log.js';
import { SHARED_DIR, NUT_LIBEXEC } from '../../support/peers.js';
import { freePort } from '../../support/ports.js';
import { startTestPty, type TestPty } from '../../support/pty.js';
import { nutDir, writeUpsdConf, startRealUpsd, type NutDir } from '../../support/real-nut.js';
import { execProgram, startProc, stopProc, waitFor, type Proc } from '../../support/proc.js';

export const DDL = path.join(SHARED_DIR, 'ddl');
export const IPPON_DEV = path.join(DDL, 'Ippon/Ippon__Back_Basic_850_Euro__blazer_usb__2.7.4__01.dev');
export const DIGITUS_DEV = path.join(DDL, 'Digitus/Digitus__DN-170076__nutdrv_qx__2.7.4__01.dev');
export const MEGATEC_TXT = path.join(SHARED_DIR, 'serial/megatec-q1.txt');

export interface Bench {
  dir: NutDir;
  pty: TestPty;
  sim: Q1Simulator;
  device: DeviceServer;
  driver: DriverHandle | undefined;
  upsd: Upsd | undefined;
  realUpsd: Proc | undefined;
  port: number;
  ups: string;
  /** Replaces the simulator's reply: a string is sent, null means silence, undefined lets the simulator answer. */
  override: ((request: string) => string | Uint8Array | null | undefined) | undefined;
  /** Walnut driver's log lines. */
  log: MemorySink;
  upsc(variable?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** upsc output as a map (throws on failure). */
  vars(): Promise<Map<string, string>>;
  cleanup(): Promise<void>;
}

export interface BenchOptions {
  dev: string;
  upsName: string;
  /** Section body lines after driver/port. */
  section?: string[];
  packs?: number;
  /** Recorded replies the simulator replays verbatim (request → replies, cycled). */
  replies?: Map<string, string[]>;
  /** 'walnut' (default), 'real', or 'none' (no upsd). */
  upsd?: 'walnut' | 'real' | 'none';
  /** Start the Walnut driver (default true). */
  driver?: boolean;
}

export function upscMap(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const v = /^([A-Za-z0-9_.-]+):(?: (.*))?$/.exec(line);
    if (v) m.set(v[1]!, v[2] ?? '');
  }
  return m;
}

export async function startBench(o: BenchOptions): Promise<Bench> {
  const dir = nutDir('walnut-qx-');
  const pty = await startTestPty();
  const sim = new Q1Simulator({
    vars: parseDevDump(fs.readFileSync(o.dev, 'latin1')),
    ...(o.packs ? { packs: o.packs } : {}),
    ...(o.replies ? { replies: o.replies } : {}),
  });
  let override: Bench['override'];
  const device = serveDevice(new SerialTransport({ path: pty.b, lock: false }), {
    handle: (req) => {
      const r = override?.(req.toString('latin1'));
      if (r === null) return undefined;
      return r ?? sim.handle(req.toString('latin1'));
    },
  });
  const port = await freePort();
  const confText = `[${o.upsName}]\n\tdriver = nutdrv_qx\n\tport = ${pty.a}\n${(o.section ?? []).map((l) => `\t${l}\n`).join('')}`;
  fs.writeFileSync(path.join(dir.etc, 'ups.conf'), confText);
  writeUpsdConf(dir, port);
  const sink = new MemorySink();
  const b: Bench = {
    dir,
    pty,
    sim,
    device,
    driver: undefined,
    upsd: undefined,
    realUpsd: undefined,
    port,
    ups: `${o.upsName}@127.0.0.1:${port}`,
    log: sink,
    get override() {
      return override;
    },
    set override(f) {
      override = f;
    },
    upsc: (v) => execProgram('upsc', v ? [b.ups, v] : [b.ups], process.env, 10_000),
    async vars() {
      const r = await b.upsc();
      if (r.code !== 0) throw new Error(`upsc failed: ${r.stderr}`);
      return upscMap(r.stdout);
    },
    async cleanup() {
      await b.upsd?.stop().catch(() => {});
      await stopProc(b.realUpsd);
      await b.driver?.stop().catch(() => {});
      await device.stop().catch(() => {});
      await pty.cleanup().catch(() => {});
      dir.cleanup();
    },
  };
  try {
    if (o.driver !== false) await startWalnutDriver(b, o.upsName);
    if (o.upsd === 'real') {
      b.realUpsd = startRealUpsd(dir);
      await waitFor('real upsd', async () => (await b.upsc('ups.status')).code === 0, 10_000, 100);
    } else if (o.upsd !== 'none') {
      b.upsd = await startUpsd({
        confPath: dir.etc,
        statePath: dir.state,
        listen: [{ host: '127.0.0.1', port }],
        logger: createLogger(new MemorySink()),
        env: {},
      });
      await waitFor('walnut upsd', async () => (await b.upsc('ups.status')).code === 0, 10_000, 100);
    }
  } catch (e) {
    await b.cleanup();
    throw e;
  }
  return b;
}

/** Starts Walnut's nutdrv_qx (in-process) for [upsName] of the bench's ups.conf. */
export async function startWalnutDriver(b: Bench, upsName: string): Promise<DriverHandle> {
  const confFile = path.join(b.dir.etc, 'ups.conf');
  b.driver = await startDriver({
    definition: nutdrvQx,
    upsName,
    conf: parseUpsConf(fs.readFileSync(confFile), confFile).value,
    confFile,
    statePath: b.dir.state,
    log: createLogger(b.log, 3),
    confPath: b.dir.etc,
    env: b.dir.env,
  });
  return b.driver;
}

/** Runs Debian's real nutdrv_qx on the bench's pty with `-d 1` (one dump, then exit): its variables. */
export async function realQxDump(b: Bench, upsName: string): Promise<Map<string, string>> {
  const p = startProc(path.join(NUT_LIBEXEC, 'nutdrv_qx'), ['-a', upsName, '-F', '-u', 'root', '-d', '1'], b.dir.env);
  const t = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  const code = await p.exited;
  clearTimeout(t);
  if (code !== 0) throw new Error(`real nutdrv_qx exited ${code}: ${p.log.join('')}`);
  return upscMap(p.log.join(''));
}

/**
 * Runs NUT's real upscmd as admin. wait: -w (waits for the driver's answer;
 * upscmd polls the tracking result once a second, so about 1 s per command).
 */
export function upscmd(b: Bench, cmd: string, value?: string, wait = true): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['-u', 'admin', '-p', 'adminpass', ...(wait ? ['-w', '-t', '5'] : []), b.ups, cmd];
  if (value !== undefined) args.push(value);
  return execProgram('upscmd', args, process.env, 15_000);
}
