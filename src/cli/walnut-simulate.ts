/**
 * `walnut simulate KIND [--dev FILE] [--link PATH | --tty PATH] [-D] [...]`:
 * a simulated serial UPS, so a driver can be tried without hardware.
 *
 *   --link PATH  make a pty pair with socat; PATH is the driver's side
 *                (default: $TMPDIR/walnut-simulate-KIND). Point the
 *                driver's `port` at it.
 *   --tty PATH   serve on an existing tty instead (a real serial port, or
 *                one end of a pty pair made elsewhere).
 *   --dev FILE   the values to show, a NUT dump (.dev) as upsc prints it.
 *
 * Commands on stdin change the unit: `ob`, `ol`, `lb`, `nolb`, `fail`,
 * `nofail`, `set VAR VALUE`, `unset VAR`, `show`, `log`, `quit`.
 *
 * KINDs are a table (SIMULATORS): each entry parses its own options and
 * answers on the ByteLink it is given.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { createLogger, StderrSink, type Logger } from '../common/log.js';
import { SerialTransport, type ByteLink } from '../transports/serial.js';
import { startPtyPair, type PtyPair } from '../transports/pty.js';
import { serveDevice, type DeviceServer } from '../transports/device-server.js';
import { Q1Simulator, parseDevDump, parseExchanges } from '../drivers/nutdrv_qx/simulator.js';
import { ApcSmartSimulator, serveSimulator } from '../drivers/apcsmart/index.js';
import { systemClock } from '../common/clock.js';

export interface SimIo {
  out(s: string): void;
  err(s: string): void;
  /** Control lines (stdin by default); undefined = none. */
  input?: NodeJS.ReadableStream;
}

export interface SimContext {
  link: ByteLink;
  log: Logger;
  /** Option values by name (`--dev x` → dev: 'x'). */
  options: Map<string, string>;
}

export interface RunningSim {
  /** Handles one control line; returns the text to print. */
  control(words: string[]): string | undefined;
  stop(): Promise<void>;
}

export interface SimulatorKind {
  help: string;
  /** Extra `--name VALUE` options this kind takes (besides dev, link, tty). */
  options: Record<string, string>;
  start(ctx: SimContext): Promise<RunningSim>;
}

/** A built-in unit when no --dev is given (a 12 V line-interactive unit on mains). */
const DEFAULT_QX_DEV = `battery.voltage: 13.60
battery.voltage.nominal: 12.0
input.current.nominal: 3.0
input.frequency: 50.0
input.frequency.nominal: 50
input.voltage: 230.0
input.voltage.fault: 230.0
input.voltage.nominal: 230
output.voltage: 230.0
ups.beeper.status: enabled
ups.load: 15
ups.status: OL
ups.temperature: 25.0
ups.type: offline / line interactive
`;

function readText(file: string): string {
  return fs.readFileSync(file, 'latin1');
}

const qx: SimulatorKind = {
  help: 'Megatec Q1 UPS (nutdrv_qx, blazer_ser): Q1/QS/D, F, I and the instant commands',
  options: {
    packs: 'the battery field is the voltage of one of N packs/cells (default 1)',
    status: 'status query answered: Q1 (default), QS or D',
    novendor: '"yes": echo I instead of answering it',
    exchanges: 'a recorded exchanges file (shared/serial/megatec-q1.txt) ...',
    record: '... and the record (== N ==) whose replies are replayed verbatim',
  },
  async start(ctx) {
    const o = ctx.options;
    const vars = parseDevDump(o.has('dev') ? readText(o.get('dev')!) : DEFAULT_QX_DEV);
    let replies: Map<string, string[]> | undefined;
    if (o.has('exchanges')) {
      const blocks = parseExchanges(readText(o.get('exchanges')!));
      const want = o.get('record') ?? '1';
      const b = blocks.find((x) => x.id === want);
      if (!b) throw new Error(`no record == ${want} == in ${o.get('exchanges')} (have: ${blocks.map((x) => x.id).join(', ')})`);
      replies = new Map();
      for (const e of b.exchanges) if (e.responses.length) replies.set(e.request, [...(replies.get(e.request) ?? []), ...e.responses]);
    }
    const packs = o.has('packs') ? Number(o.get('packs')) : 1;
    if (!(packs > 0)) throw new Error(`--packs must be a positive number, not ${o.get('packs')}`);
    const sim = new Q1Simulator({
      vars,
      packs,
      statusCommand: o.get('status') ?? 'Q1',
      vendor: o.get('novendor') !== 'yes',
      ...(replies ? { replies } : {}),
    });
    const server: DeviceServer = serveDevice(ctx.link, { handle: (req) => sim.handle(req.toString('latin1')), log: ctx.log });
    return {
      control(w) {
        switch (w[0]) {
          case 'ob':
            sim.setOnBattery(true);
            return 'on battery';
          case 'ol':
            sim.setOnBattery(false);
            return 'on mains';
          case 'lb':
            sim.setLowBattery(true);
            return 'battery low';
          case 'nolb':
            sim.setLowBattery(false);
            return 'battery ok';
          case 'fail':
            sim.failed = true;
            return 'UPS failed bit set';
          case 'nofail':
            sim.failed = false;
            return 'UPS failed bit cleared';
          case 'set':
            if (w.length < 3) return 'usage: set VAR VALUE';
            sim.set(w[1]!, w.slice(2).join(' '));
            return `${w[1]} = ${w.slice(2).join(' ')}`;
          case 'unset':
            if (w.length < 2) return 'usage: unset VAR';
            sim.set(w[1]!, undefined);
            return `${w[1]} removed`;
          case 'show':
            return [sim.renderStatus(), sim.renderRatings(), sim.renderVendor()].map((s) => s.replace(/\r$/, '')).join('\n');
          case 'log':
            return sim.log
              .slice(-20)
              .map((e) => `${e.request} -> ${e.reply === undefined ? '(no reply)' : e.reply.replace(/\r$/, '')}`)
              .join('\n');
          default:
            return undefined;
        }
      },
      stop: () => server.stop(),
    };
  },
};

/** A built-in Smart-UPS when no --dev is given (values of a real Smart-UPS 1500 dump). */
const DEFAULT_APC_DEV = `battery.alarm.threshold: 0
battery.charge: 100.0
battery.charge.restart: 00
battery.date: 09/06/05
battery.runtime: 3720
battery.runtime.low: 120
battery.voltage: 27.40
battery.voltage.nominal: 024
input.frequency: 50.00
input.quality: FF
input.sensitivity: H
input.transfer.high: 253
input.transfer.low: 208
input.transfer.reason: S
input.voltage: 236.1
input.voltage.maximum: 236.1
input.voltage.minimum: 233.2
output.voltage: 236.1
output.voltage.nominal: 230
ups.delay.shutdown: 090
ups.delay.start: 000
ups.firmware: 601.3.I
ups.id: UPS_IDEN
ups.load: 004.5
ups.mfr.date: 09/06/05
ups.model: Smart-UPS 1500
ups.serial: AS0537230534
ups.status: OL
ups.temperature: 031.0
ups.test.interval: 1209600
ups.test.result: NO
`;

const apcsmart: SimulatorKind = {
  help: 'APC Smart-UPS (apcsmart): the smart protocol, capability list, alerts, two-step shutdown commands',
  options: {},
  async start(ctx) {
    const o = ctx.options;
    const vars = parseDevDump(o.has('dev') ? readText(o.get('dev')!) : DEFAULT_APC_DEV);
    const sim = new ApcSmartSimulator({ vars, clock: systemClock });
    const port = serveSimulator(sim, ctx.link, { log: ctx.log });
    const status = (change: (s: Set<string>) => void) => {
      const s = new Set(sim.statusTokens);
      change(s);
      void port.setStatus([...s]);
      return `status ${[...s].join(' ')}`;
    };
    return {
      control(w) {
        switch (w[0]) {
          case 'ob':
            return status((s) => {
              s.delete('OL');
              s.add('OB');
            });
          case 'ol':
            return status((s) => {
              s.delete('OB');
              s.delete('LB');
              s.add('OL');
            });
          case 'lb':
            return status((s) => s.add('LB'));
          case 'nolb':
            return status((s) => s.delete('LB'));
          case 'set':
            if (w.length < 3) return 'usage: set VAR VALUE';
            try {
              sim.setVar(w[1]!, w.slice(2).join(' '));
            } catch (e) {
              return (e as Error).message;
            }
            return `${w[1]} = ${w.slice(2).join(' ')}`;
          case 'show':
            return `status ${sim.statusTokens.join(' ')}${sim.loadOff ? ' (load off)' : ''}`;
          case 'log':
            return sim.events
              .slice(-20)
              .map((e) => `${e.cmd}${e.action ? ` -> ${e.action}` : ''}`)
              .join('\n');
          default:
            return undefined;
        }
      },
      stop: () => port.stop(),
    };
  },
};

/** The simulators by KIND. Another kind: add an entry (its own file may hold the model). */
export const SIMULATORS: Record<string, SimulatorKind> = { qx, apcsmart };

function usage(): string {
  const lines = ['usage: walnut simulate KIND [--dev FILE] [--link PATH | --tty PATH] [-D] [--OPTION VALUE ...]', '', 'Kinds:'];
  for (const [k, s] of Object.entries(SIMULATORS)) {
    lines.push(`  ${k.padEnd(10)} ${s.help}`);
    for (const [o, h] of Object.entries(s.options)) lines.push(`      --${o.padEnd(10)} ${h}`);
  }
  lines.push('', 'Control lines on stdin: ob, ol, lb, nolb, fail, nofail, set VAR VALUE, unset VAR, show, log, quit');
  return lines.join('\n') + '\n';
}

const defaultIo: SimIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), input: process.stdin };

export interface SimulateHandle {
  port: string;
  pty: PtyPair | undefined;
  running: RunningSim;
  stop(): Promise<void>;
}

/** Starts a simulator as a library (the CLI below, and tests). */
export async function startSimulation(kindName: string, options: Map<string, string>, log: Logger): Promise<SimulateHandle> {
  const kind = SIMULATORS[kindName];
  if (!kind) throw new Error(`unknown simulator '${kindName}' (have: ${Object.keys(SIMULATORS).join(', ')})`);
  let pty: PtyPair | undefined;
  let devicePath: string;
  let port: string;
  let tmp: string | undefined;
  if (options.has('tty')) {
    devicePath = options.get('tty')!;
    port = '(the other end of ' + devicePath + ')';
  } else {
    port = path.resolve(options.get('link') ?? path.join(os.tmpdir(), `walnut-simulate-${kindName}`));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-sim-'));
    devicePath = path.join(tmp, 'device');
    fs.rmSync(port, { force: true });
    pty = await startPtyPair({ linkA: port, linkB: devicePath });
  }
  const link = new SerialTransport({ path: devicePath, lock: false }, { log, logName: 'simulator' });
  let running: RunningSim;
  try {
    running = await kind.start({ link, log, options });
  } catch (e) {
    await pty?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    pty,
    running,
    async stop() {
      await running.stop();
      await pty?.stop();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export async function main(argv: string[], io: SimIo = defaultIo): Promise<number> {
  const [kindName, ...rest] = argv;
  if (!kindName || kindName === '-h' || kindName === '--help') {
    io.out(usage());
    return kindName ? 0 : 1;
  }
  const kind = SIMULATORS[kindName];
  if (!kind) {
    io.err(`walnut simulate: unknown kind '${kindName}'\n\n${usage()}`);
    return 1;
  }
  const options = new Map<string, string>();
  let debug = 0;
  const known = new Set(['dev', 'link', 'tty', ...Object.keys(kind.options)]);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (/^-D+$/.test(a)) {
      debug += a.length - 1;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m || !known.has(m[1]!)) {
      io.err(`walnut simulate ${kindName}: unknown option '${a}'\n\n${usage()}`);
      return 1;
    }
    const v = m[2] ?? rest[++i];
    if (v === undefined) {
      io.err(`walnut simulate ${kindName}: --${m[1]} needs a value\n`);
      return 1;
    }
    options.set(m[1]!, v);
  }
  if (options.has('link') && options.has('tty')) {
    io.err('walnut simulate: use --link or --tty, not both\n');
    return 1;
  }
  const log = createLogger(new StderrSink(), debug);
  let h: SimulateHandle;
  try {
    h = await startSimulation(kindName, options, log);
  } catch (e) {
    io.err(`walnut simulate ${kindName}: ${(e as Error).message}\n`);
    return 1;
  }
  io.out(`simulated ${kindName} UPS ready; driver port: ${h.port}\n`);
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, finish);
      rl?.close();
      // an open stdin would keep the process alive after quit
      if (io.input && 'destroy' in io.input && typeof io.input.destroy === 'function') (io.input as NodeJS.ReadStream).destroy();
      void h.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, finish);
    const rl = io.input ? readline.createInterface({ input: io.input }) : undefined;
    rl?.on('line', (line) => {
      const w = line.trim().split(/\s+/).filter(Boolean);
      if (!w.length) return;
      if (w[0] === 'quit' || w[0] === 'exit') return finish();
      const r = h.running.control(w);
      io.out((r ?? `unknown control '${w[0]}' (ob, ol, lb, nolb, fail, nofail, set, unset, show, log, quit)`) + '\n');
    });
    // stdin closing (EOF) does not stop a simulator started in the background
  });
}
