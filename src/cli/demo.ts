/**
 * `npm start` / `walnut demo`: Walnut's upsd on a free loopback port, fed by
 * Walnut's dummy-ups playing a .seq file in a loop: mains failure
 * (OL → OB DISCHRG, charge and runtime falling) → OB LB → mains back
 * (OL CHRG) → OL. What happens is read through the client library
 * (NutClient), as any NUT client would, and printed as it happens.
 *
 * No root, no hardware, nothing outside a temp folder (removed on exit).
 *
 *   walnut demo [--fast] [--cycles N] [--port P]
 *     --fast       1-second steps (default 4 s): a cycle takes ~15 s
 *     --cycles N   exit after N complete power-failure cycles (default: run until Ctrl-C)
 *     --port P     listen on 127.0.0.1:P (default: a free port)
 *   env: WALNUT_DEMO_FAST=1, WALNUT_DEMO_CYCLES=N (same as the flags)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getopt, count, last, UsageError } from './getopt.js';
import { systemClock } from '../common/clock.js';
import { createLogger, MemorySink, type Logger } from '../common/log.js';
import { startUpsd, type Upsd } from '../server/index.js';
import { startDriver, type DriverHandle } from '../drivers/core/driver.js';
import { dummyUps } from '../drivers/dummy/index.js';
import { parseUpsConf } from '../config/ups-conf.js';
import { NutClient } from '../clients/client.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const UPS = 'demo';

/** The simulated power failure, one step per TIMER. */
export function demoSequence(stepSeconds: number): string {
  const T = `TIMER ${stepSeconds}`;
  const step = (status: string, charge: number, runtime: number, inV: string, load = 32) =>
    [`ups.status: ${status}`, `battery.charge: ${charge}`, `battery.runtime: ${runtime}`, `input.voltage: ${inV}`, `ups.load: ${load}`, T].join('\n');
  return [
    '# Walnut demo: a mains failure, replayed by dummy-ups in a loop (dummy-loop mode)',
    'ups.mfr: Walnut',
    'ups.model: Demo UPS 1500',
    'ups.serial: WALNUT-DEMO-1',
    'device.type: ups',
    'battery.charge.low: 20',
    'battery.runtime.low: 300',
    'input.voltage.nominal: 230',
    'output.voltage: 230.0',
    step('OL', 100, 3000, '230.4'),
    '# mains failure',
    step('OB DISCHRG', 88, 2400, '0.0', 35),
    step('OB DISCHRG', 64, 1620, '0.0', 35),
    step('OB DISCHRG', 41, 960, '0.0', 35),
    step('OB DISCHRG', 27, 540, '0.0', 35),
    '# low battery',
    step('OB DISCHRG LB', 18, 240, '0.0', 35),
    '# mains back',
    step('OL CHRG', 30, 900, '229.8'),
    step('OL CHRG', 62, 1900, '230.1'),
    step('OL CHRG', 91, 2800, '230.2'),
    '',
  ].join('\n');
}

interface DemoOpts {
  fast: boolean;
  cycles: number;
  port: number;
}

function parse(argv: string[], env: NodeJS.ProcessEnv): DemoOpts | string {
  let p;
  try {
    p = getopt(argv.map((a) => (a === '--fast' ? '-f' : a === '--cycles' ? '-n' : a === '--port' ? '-p' : a === '--help' ? '-h' : a)), 'fn:p:h');
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  if (count(p, 'h')) return '';
  const cycles = Number(last(p, 'n') ?? env.WALNUT_DEMO_CYCLES ?? 0);
  const port = Number(last(p, 'p') ?? 0);
  if (!Number.isInteger(cycles) || cycles < 0) return `--cycles wants a whole number, not ${last(p, 'n') ?? env.WALNUT_DEMO_CYCLES}`;
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `--port wants a port number, not ${last(p, 'p')}`;
  return { fast: count(p, 'f') > 0 || env.WALNUT_DEMO_FAST === '1', cycles, port };
}

const USAGE = `usage: walnut demo [--fast] [--cycles N] [--port P]   (npm start -- [options])
Runs Walnut's upsd with a simulated UPS that goes through a mains failure, in a loop.
  --fast       1-second steps instead of 4
  --cycles N   stop after N complete cycles (default: until Ctrl-C)
  --port P     listen on 127.0.0.1:P (default: any free port)
`;

function fmtRuntime(s: string | undefined): string {
  const n = Number(s);
  if (!Number.isFinite(n)) return s ?? '?';
  return `${Math.floor(n / 60)} min ${String(n % 60).padStart(2, '0')} s`;
}

function describe(status: string): string {
  const t = new Set(status.split(/\s+/));
  if (t.has('OB') && t.has('LB')) return 'LOW BATTERY: on battery and almost empty (upsmon would shut the system down now)';
  if (t.has('OB')) return 'POWER FAILURE: mains lost, running on battery';
  if (t.has('OL') && t.has('CHRG')) return 'POWER RESTORED: back on mains, battery charging';
  if (t.has('OL')) return 'on mains, battery full';
  return `status ${status}`;
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const o = parse(argv, process.env);
  if (typeof o === 'string') {
    if (o) process.stderr.write(`walnut demo: ${o}\n`);
    (o ? process.stderr : process.stdout).write(USAGE);
    return o ? 1 : 0;
  }
  const step = o.fast ? 1 : 4;
  const t0 = systemClock.now();
  const say = (s: string) => {
    const dt = ((systemClock.now() - t0) / 1000).toFixed(1).padStart(6);
    out(`[${dt} s] ${s}\n`);
  };

  // 1. a NUT config folder of our own
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-demo-'));
  const etc = path.join(dir, 'etc');
  const state = path.join(dir, 'state');
  for (const d of [etc, state]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(etc, 'nut.conf'), 'MODE=standalone\n');
  fs.writeFileSync(path.join(etc, 'demo.seq'), demoSequence(step));
  const upsConfText = `# written by walnut demo\n[${UPS}]\n\tdriver = dummy-ups\n\tport = demo.seq\n\tpollinterval = 1\n\tdesc = "Walnut demo UPS (simulated mains failure)"\n`;
  fs.writeFileSync(path.join(etc, 'ups.conf'), upsConfText);
  fs.writeFileSync(path.join(etc, 'upsd.conf'), `# written by walnut demo (the port is given on the command line)\nSTATEPATH ${state}\nMAXAGE 15\n`);
  fs.writeFileSync(path.join(etc, 'upsd.users'), '# written by walnut demo: no users\n');

  // daemons' own messages are kept, and shown only if something fails
  const logs = new MemorySink();
  const log: Logger = createLogger(logs);
  let driver: DriverHandle | undefined;
  let upsd: Upsd | undefined;
  let client: NutClient | undefined;
  let cancelPoll: (() => void) | undefined;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((r) => (finish = r));
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    cancelPoll?.();
    client?.close();
    await upsd?.stop().catch(() => {});
    await driver?.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (sig !== 'SIGHUP') out(`\n`);
    say(`${sig}: stopping upsd and the driver, removing ${dir}`);
    finish(0);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  // output closed (e.g. `walnut demo | head`): stop quietly and clean up
  const onOutError = () => {
    if (!cleaned) finish(0);
  };
  process.stdout.on('error', onOutError);
  // a crash must not leave the temp folder behind
  const onExitSync = () => {
    if (!cleaned) fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExitSync);

  try {
    // 2. Walnut's dummy-ups (in this process, serving its NUT driver socket), then upsd
    const confFile = path.join(etc, 'ups.conf');
    const conf = parseUpsConf(upsConfText, confFile).value;
    driver = await startDriver({ definition: dummyUps, upsName: UPS, conf, confFile, statePath: state, confPath: etc, log, env: { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state } });
    upsd = await startUpsd({ confPath: etc, statePath: state, listen: [{ host: '127.0.0.1', port: o.port }], logger: log, env: { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state } });
    const bound = upsd.addresses().find((a) => a.host === '127.0.0.1') ?? upsd.addresses()[0];
    if (!bound) throw new Error('upsd bound no address');
    const port = bound.port;
    const target = `${UPS}@127.0.0.1:${port}`;
    const rel = path.relative(process.cwd(), path.join(REPO_ROOT, 'bin/upsc'));
    const upscPath = rel.startsWith('.') || path.isAbsolute(rel) ? rel : `./${rel}`;
    const cmds: Array<[string, string]> = [
      [`upsc ${target}`, "NUT's upsc, if NUT is installed"],
      [`${upscPath} ${target}`, "Walnut's upsc, from this clone"],
      [`${upscPath} ${target} ups.status`, 'one variable'],
    ];
    const w = Math.max(...cmds.map(([c]) => c.length));
    out(
      [
        `Walnut demo: upsd on 127.0.0.1:${port}, simulated UPS "${UPS}" (dummy-ups playing ${path.join(etc, 'demo.seq')})`,
        `Config and driver socket in ${dir} (removed on exit).`,
        '',
        'In another terminal, ask it like any NUT server:',
        ...cmds.map(([c, why]) => `  ${c.padEnd(w)}   # ${why}`),
        '',
        `The UPS loses mains, runs down to low battery, then mains come back (${step} s steps${o.cycles ? `, ${o.cycles} cycle${o.cycles > 1 ? 's' : ''}` : ', until Ctrl-C'}).`,
        '',
      ].join('\n'),
    );

    // 3. watch it through the client library, as upsmon would (it polls)
    client = await NutClient.connect('127.0.0.1', port, { timeoutMs: 5000 });
    const c = client;
    let lastStatus: string | undefined;
    let lastCharge: string | undefined;
    let onBattery = false;
    let cycles = 0;
    let polling = false;
    const poll = async () => {
      if (polling || cleaned) return;
      polling = true;
      try {
        const vars = new Map((await c.listVar(UPS)).map((v) => [v.name, v.value]));
        const status = vars.get('ups.status') ?? '';
        if (status === 'WAIT' || status === '') return;
        const charge = vars.get('battery.charge');
        const detail = `charge ${charge ?? '?'} %, runtime ${fmtRuntime(vars.get('battery.runtime'))}, input ${vars.get('input.voltage') ?? '?'} V, load ${vars.get('ups.load') ?? '?'} %`;
        if (status !== lastStatus) {
          say(`ups.status ${JSON.stringify(status)}: ${describe(status)}  (${detail})`);
          const ob = status.split(/\s+/).includes('OB');
          if (ob) onBattery = true;
          else if (onBattery && status.split(/\s+/).includes('OL') && !status.split(/\s+/).includes('CHRG')) {
            onBattery = false;
            cycles++;
            say(`cycle ${cycles} complete: mains failure ridden through`);
            if (o.cycles && cycles >= o.cycles) finish(0);
          }
        } else if (charge !== lastCharge) {
          say(`             ${detail}`);
        }
        lastStatus = status;
        lastCharge = charge;
      } catch (e) {
        say(`query failed: ${(e as Error).message}`);
        if (!c.isOpen) finish(1);
      } finally {
        polling = false;
      }
    };
    const loop = () => {
      void poll().finally(() => {
        if (!cleaned) cancelPoll = systemClock.setTimer(o.fast ? 250 : 500, loop);
      });
    };
    loop();
    const code = await finished;
    await cleanup();
    say('stopped; temp folder removed');
    return code;
  } catch (e) {
    process.stderr.write(`walnut demo: ${(e as Error).message}\n`);
    if (logs.lines.length) process.stderr.write(`${logs.text()}\n`);
    await cleanup();
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGHUP', onSignal);
    process.stdout.removeListener('error', onOutError);
    process.stdout.on('error', () => {}); // late writes to a closed pipe are not worth a crash
    process.removeListener('exit', onExitSync);
  }
}

// `npm start` runs this file directly
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`walnut demo: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
