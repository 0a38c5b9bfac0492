/**
 * upsmon test plumbing: a UPS served by Walnut (dummy-ups + upsd in this
 * process, status set directly on the driver) or by real NUT 2.8.0
 * (dummy-ups + upsd processes, status set by editing dummy.dev), and
 * Walnut's bin/upsmon run as a process with NOTIFYCMD/SHUTDOWNCMD scripts
 * that only write marker files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { startProc, stopProc, waitFor, type Proc } from '../support/proc.js';
import { nutDir, startRealDummy, startRealUpsd, writeDummyUps, writeUpsdConf, type NutDir } from '../support/real-nut.js';
import { tempDir } from '../support/tmp.js';
import { startDriver, type DriverHandle } from '../../src/drivers/core/index.js';
import { dummyUps } from '../../src/drivers/dummy/index.js';
import { parseUpsConf } from '../../src/config/index.js';
import { startUpsd, type Upsd } from '../../src/server/index.js';
import { silentLogger } from '../../src/common/log.js';
import { NutClient } from '../../src/clients/client.js';

export const UPSMON_BIN = path.join(REPO_ROOT, 'bin/upsmon');

export interface UpsHost {
  port: number;
  /** Walnut only: rewrite upsd.users and reload upsd. */
  setUsers?(text: string): Promise<void>;
  /** Walnut only: stop the driver (upsd then answers DRIVER-NOT-CONNECTED). */
  stopDriver?(): Promise<void>;
  /** dummy@127.0.0.1:port */
  system: string;
  setStatus(status: string): Promise<void>;
  status(): Promise<string>;
  numLogins(): Promise<number>;
  stop(): Promise<void>;
}

/** Walnut dummy-ups + Walnut upsd, in this process. */
export async function walnutUps(): Promise<UpsHost> {
  const d = nutDir('walnut-upsmon-w-');
  const port = await freePort();
  writeUpsdConf(d, port);
  writeDummyUps(d);
  const confText = fs.readFileSync(path.join(d.etc, 'ups.conf'), 'utf8');
  let driver: DriverHandle | undefined;
  let upsd: Upsd | undefined;
  try {
    driver = await startDriver({ definition: dummyUps, upsName: 'dummy', conf: parseUpsConf(confText, path.join(d.etc, 'ups.conf')).value, statePath: d.state, confPath: d.etc, env: d.env });
    upsd = await startUpsd({ confPath: d.etc, statePath: d.state, env: d.env, logger: silentLogger, listen: [{ host: '127.0.0.1', port }] });
  } catch (e) {
    await upsd?.stop();
    await driver?.stop();
    d.cleanup();
    throw e;
  }
  const h = hostApi(port, async (s) => {
    driver!.state.setInfo('ups.status', s);
  });
  await waitFor('Walnut upsd serves ups.status', async () => (await h.status().catch(() => 'WAIT')) !== 'WAIT', 10_000, 100);
  let driverStopped = false;
  return {
    ...h,
    async setUsers(text: string) {
      fs.writeFileSync(path.join(d.etc, 'upsd.users'), text);
      await upsd!.reload();
    },
    async stopDriver() {
      driverStopped = true;
      await driver!.stop();
    },
    async stop() {
      await upsd!.stop();
      if (!driverStopped) await driver!.stop();
      d.cleanup();
    },
  };
}

/** Real NUT 2.8.0 dummy-ups + upsd processes. */
export async function realUps(): Promise<UpsHost> {
  const d: NutDir = nutDir('walnut-upsmon-r-');
  const port = await freePort();
  writeUpsdConf(d, port);
  writeDummyUps(d);
  const procs: Proc[] = [];
  procs.push(startRealDummy(d, 'dummy'));
  await waitFor('real dummy-ups socket', () => fs.existsSync(path.join(d.state, 'dummy-ups-dummy')), 10_000, 50);
  procs.push(startRealUpsd(d));
  const dev = path.join(d.etc, 'dummy.dev');
  let bump = Math.floor(Date.now() / 1000);
  const h = hostApi(port, async (s) => {
    const text = fs.readFileSync(dev, 'utf8').replace(/^ups\.status: .*$/m, `ups.status: ${s}`);
    fs.writeFileSync(dev, text);
    // dummy-ups re-reads on a change of the whole-second mtime
    bump = Math.max(bump + 2, Math.floor(Date.now() / 1000) + 1);
    fs.utimesSync(dev, bump, bump);
    await waitFor(`real upsd serves ${s}`, async () => (await h.status().catch(() => '')).endsWith(s), 10_000, 100);
  });
  await waitFor('real upsd serves ups.status', async () => !['WAIT', ''].includes(await h.status().catch(() => '')), 15_000, 100);
  return {
    ...h,
    async stop() {
      for (const p of procs.reverse()) await stopProc(p);
      d.cleanup();
    },
  };
}

function hostApi(port: number, set: (s: string) => Promise<void>) {
  const ask = async <T>(fn: (c: NutClient) => Promise<T>): Promise<T> => {
    const c = await NutClient.connect('127.0.0.1', port, { timeoutMs: 3000 });
    try {
      return await fn(c);
    } finally {
      c.close();
    }
  };
  return {
    port,
    system: `dummy@127.0.0.1:${port}`,
    setStatus: set,
    status: () => ask((c) => c.get('dummy', 'ups.status')),
    numLogins: () => ask((c) => c.getNumLogins('dummy')),
  };
}

export interface MonHost {
  dir: string;
  conf: string;
  proc: Proc | undefined;
  env: NodeJS.ProcessEnv;
  notifyLog: string;
  shutdownMarker: string;
  killpower: string;
  /** NOTIFYCMD lines: [time, type, upsname|unset, message]. */
  notes(): Array<{ t: number; type: string; ups: string; uid: number; msg: string }>;
  /** uids SHUTDOWNCMD ran as. */
  shutdownUids(): number[];
  shutdowns(): number[];
  start(args?: string[]): Proc;
  stop(): Promise<void>;
}

/** A Walnut upsmon host: its own dir, config, scripts, PID path. */
export function monHost(name: string, monitorLines: string[], extra: string[] = []): MonHost {
  const t = tempDir(`walnut-upsmon-${name}-`);
  const dir = t.dir;
  const notifyLog = path.join(dir, 'notify.log');
  const shutdownMarker = path.join(dir, 'shutdown.marker');
  const killpower = path.join(dir, 'killpower');
  fs.writeFileSync(path.join(dir, 'notify.sh'), `#!/bin/sh\necho "$(date +%s.%N)|$NOTIFYTYPE|\${UPSNAME-unset}|$(id -u)|$1" >> ${notifyLog}\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'shutdown.sh'), `#!/bin/sh\necho "$(date +%s.%N) SHUTDOWNCMD ran uid=$(id -u)" >> ${shutdownMarker}\n`, { mode: 0o755 });
  const types = ['ONLINE', 'ONBATT', 'LOWBATT', 'FSD', 'COMMOK', 'COMMBAD', 'SHUTDOWN', 'REPLBATT', 'NOCOMM', 'NOPARENT'];
  const conf = path.join(dir, 'upsmon.conf');
  fs.writeFileSync(
    conf,
    [
      ...monitorLines,
      `SHUTDOWNCMD "${path.join(dir, 'shutdown.sh')}"`,
      `NOTIFYCMD "${path.join(dir, 'notify.sh')}"`,
      `POWERDOWNFLAG ${killpower}`,
      'POLLFREQ 1',
      'POLLFREQALERT 1',
      'HOSTSYNC 10',
      'DEADTIME 5',
      'FINALDELAY 1',
      ...types.map((ty) => `NOTIFYFLAG ${ty} SYSLOG+EXEC`),
      ...extra,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, NUT_CONFPATH: dir, NUT_ALTPIDPATH: dir, NUT_STATEPATH: dir };
  const h: MonHost = {
    dir,
    conf,
    proc: undefined,
    env,
    notifyLog,
    shutdownMarker,
    killpower,
    notes() {
      if (!fs.existsSync(notifyLog)) return [];
      return fs
        .readFileSync(notifyLog, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [t, type, ups, uid, ...msg] = l.split('|');
          return { t: Number(t), type: type!, ups: ups!, uid: Number(uid), msg: msg.join('|') };
        });
    },
    shutdownUids() {
      if (!fs.existsSync(shutdownMarker)) return [];
      return [...fs.readFileSync(shutdownMarker, 'utf8').matchAll(/uid=(\d+)/g)].map((m) => Number(m[1]));
    },
    shutdowns() {
      if (!fs.existsSync(shutdownMarker)) return [];
      return fs
        .readFileSync(shutdownMarker, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => Number(l.split(' ')[0]));
    },
    start(args = ['-F', '-u', 'root']) {
      h.proc = startProc(process.execPath, [UPSMON_BIN, ...args], env);
      return h.proc;
    },
    async stop() {
      await stopProc(h.proc);
      t.cleanup();
    },
  };
  return h;
}

export function hasNote(h: MonHost, type: string): boolean {
  return h.notes().some((n) => n.type === type);
}

export function procLog(p: Proc | undefined): string {
  return p ? p.log.join('') : '';
}
