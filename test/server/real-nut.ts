/**
 * Starts Debian's real NUT 2.8.0 binaries (dummy-ups, upsd) in a temp dir
 * for the conformance tests, and stops exactly the PIDs it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NUT_LIBEXEC } from '../support/peers.js';
import { tempDir } from '../support/tmp.js';
import { RawClient, waitFor } from './net-helpers.js';
import { USERS_TEXT } from './helpers.js';

export const DEV_TEXT = `ups.mfr: Dummy Manufacturer
ups.model: Dummy UPS
ups.serial: DUMMY0001
ups.status: OL
ups.load: 25
battery.charge: 100
battery.charge.low: 20
battery.runtime: 3600
battery.runtime.low: 120
battery.voltage: 13.5
battery.voltage.nominal: 12
input.voltage: 230.0
input.voltage.nominal: 230
output.voltage: 230.0
`;

export const UPS_CONF = '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n\tdesc = "real-nut reference dummy UPS"\n';

export interface NutDir {
  dir: string;
  etc: string;
  state: string;
  run: string;
  env: NodeJS.ProcessEnv;
  procs: ChildProcess[];
  logs: string[];
  cleanup(): Promise<void>;
}

/** A work dir with NUT's files; `port` goes into upsd.conf LISTEN. */
export function makeNutDir(prefix: string, port: number): NutDir {
  const { dir, cleanup } = tempDir(prefix);
  const etc = path.join(dir, 'etc');
  const state = path.join(dir, 'state');
  const run = path.join(dir, 'run');
  for (const d of [etc, state, run]) fs.mkdirSync(d, { mode: 0o770 });
  fs.writeFileSync(path.join(etc, 'ups.conf'), UPS_CONF);
  fs.writeFileSync(path.join(etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nMAXAGE 15\n`);
  fs.writeFileSync(path.join(etc, 'upsd.users'), USERS_TEXT, { mode: 0o640 });
  fs.writeFileSync(path.join(etc, 'dummy.dev'), DEV_TEXT);
  const env = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state, NUT_ALTPIDPATH: run };
  const nd: NutDir = {
    dir,
    etc,
    state,
    run,
    env,
    procs: [],
    logs: [],
    async cleanup() {
      // upsd first, then the driver (2.8.0 dummy-ups dislikes vanished clients)
      for (const p of [...nd.procs].reverse()) await stopProc(p);
      nd.procs.length = 0;
      cleanup();
    },
  };
  return nd;
}

function stopProc(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    const t = setTimeout(() => {
      p.kill('SIGKILL');
    }, 5000);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

function launch(nd: NutDir, bin: string, args: string[]): ChildProcess {
  const p = spawn(bin, args, { env: nd.env, stdio: ['ignore', 'ignore', 'pipe'] });
  const i = nd.logs.length;
  nd.logs.push('');
  p.stderr!.setEncoding('utf8');
  p.stderr!.on('data', (d: string) => {
    if (nd.logs[i]!.length < 100_000) nd.logs[i] += d;
  });
  nd.procs.push(p);
  return p;
}

/** Starts the real dummy-ups for [dummy] and waits for its socket. */
export async function startRealDriver(nd: NutDir): Promise<ChildProcess> {
  const p = launch(nd, path.join(NUT_LIBEXEC, 'dummy-ups'), ['-a', 'dummy', '-F', '-u', 'root']);
  await waitFor(() => fs.existsSync(path.join(nd.state, 'dummy-ups-dummy')), 10_000, 'dummy-ups socket');
  return p;
}

/** Starts the real upsd and waits until it serves real data (not WAIT). */
export async function startRealUpsd(nd: NutDir, port: number): Promise<ChildProcess> {
  const p = launch(nd, path.join(NUT_LIBEXEC, 'upsd'), ['-F', '-u', 'root']);
  await waitReady(port);
  return p;
}

export async function waitReady(port: number): Promise<void> {
  await waitFor(
    async () => {
      try {
        const c = await RawClient.connect(port, '127.0.0.1', 1000);
        try {
          const [l] = await c.ask('GET VAR dummy ups.status', 1, 1000);
          return l === 'VAR dummy ups.status "OL"';
        } finally {
          c.close();
        }
      } catch {
        return false;
      }
    },
    15_000,
    `upsd on port ${port} ready`,
  );
}
