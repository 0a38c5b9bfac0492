/**
 * upslog against real servers: one real NUT 2.8.0 dummy-ups feeding both a
 * real NUT upsd and Walnut's upsd; Walnut's upslog compared with NUT's
 * /usr/bin/upslog on the same format, several UPSes (-m), SIGHUP log
 * reopening, the background mode (PID file), and an unreachable server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { REPO_ROOT, peerMissing, REQUIRE_PEERS, requirePeers } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { nutDir, writeUpsdConf, writeDummyUps, startRealUpsd, startRealDummy, driverSocket, type NutDir } from '../support/real-nut.js';
import { startProc, stopProc, stopChild, waitFor, execProgram, type Proc } from '../support/proc.js';
import { readPidFile, isAlive } from '../../src/common/daemon.js';
import { systemClock } from '../../src/common/clock.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { NutClient } from '../../src/clients/client.js';
import { Upslog } from '../../src/clients/upslog.js';

const UPSLOG = path.join(REPO_ROOT, 'bin/upslog');
const REAL_UPSLOG = '/usr/bin/upslog';

let d: NutDir | undefined;
let w: NutDir | undefined;
let nutPort = 0;
let walPort = 0;
const procs: Proc[] = [];

async function serving(port: number): Promise<void> {
  await waitFor(`upsd on ${port}`, async () => {
    let c: NutClient | undefined;
    try {
      c = await NutClient.connect('127.0.0.1', port, { timeoutMs: 1000 });
      return (await c.get('dummy', 'ups.status')) === 'OL';
    } catch {
      return false;
    } finally {
      c?.close();
    }
  }, 20_000, 100);
}

before(async () => {
  if (peerMissing('nut') && !REQUIRE_PEERS) return;
  d = nutDir('walnut-upslog-');
  nutPort = await freePort();
  writeUpsdConf(d, nutPort);
  writeDummyUps(d);
  procs.push(startRealDummy(d, 'dummy'));
  await waitFor('driver socket', () => fs.existsSync(driverSocket(d!, 'dummy')), 15_000);
  procs.push(startRealUpsd(d));
  // Walnut's upsd reads the same driver socket, on its own port
  w = nutDir('walnut-upslog-w-');
  walPort = await freePort();
  writeUpsdConf(w, walPort);
  fs.writeFileSync(path.join(w.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${walPort}\nSTATEPATH ${d.state}\n`);
  writeDummyUps(w);
  procs.push(startProc(process.execPath, [path.join(REPO_ROOT, 'bin/upsd'), '-F', '-u', 'root'], { ...w.env, NUT_STATEPATH: d.state, WALNUT_SYSLOG: 'off' }));
  try {
    await Promise.all([serving(nutPort), serving(walPort)]);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${procs.map((p) => p.log.join('')).join('\n---\n')}`);
  }
});

after(async () => {
  for (const p of procs) await stopProc(p);
  d?.cleanup();
  w?.cleanup();
});

/** Runs real upslog until it has logged one line, then stops it; returns its stdout lines. */
async function realUpslogFirstLines(args: string[]): Promise<string[]> {
  const child = spawn(REAL_UPSLOG, args, { env: d!.env, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('latin1')));
  try {
    await waitFor('real upslog line', () => out.split('\n').length >= 4, 15_000);
  } finally {
    await stopChild(child);
  }
  return out.split('\n');
}

const FORMAT = '%UPSHOST% %VAR ups.status% [%VAR battery.charge%] %VAR ups.load% %VAR input.voltage% %VAR bogus.var% %VAR nodot% %FOO% %% %HOST% x%';

test('Walnut upslog prints what NUT 2.8.0 upslog prints, on real NUT upsd and on Walnut upsd', async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const nutUps = `dummy@127.0.0.1:${nutPort}`;
  const real = await realUpslogFirstLines(['-s', nutUps, '-l', '-', '-i', '5', '-f', FORMAT]);
  const wal = await execProgram(process.execPath, [UPSLOG, '-s', nutUps, '-l', '-', '-i', '5', '-d', '1', '-f', FORMAT], d!.env, 30_000);
  assert.equal(wal.code, 0, wal.stderr);
  const walLines = wal.stdout.split('\n');
  // banner, "logging status of ... to - (5s intervals)", the first record
  assert.deepEqual(walLines.slice(0, 3), real.slice(0, 3));
  assert.equal(real[2], `${nutUps} OL [100] 25 230.0 NA INVALID INVALID % ${os.hostname()} xINVALID`);
  // the same record through Walnut's upsd (only %UPSHOST% differs)
  const walUps = `dummy@127.0.0.1:${walPort}`;
  const viaWalnut = await execProgram(process.execPath, [UPSLOG, '-s', walUps, '-l', '-', '-i', '5', '-d', '1', '-f', FORMAT], d!.env, 30_000);
  assert.equal(viaWalnut.stdout.split('\n')[2], real[2]!.replace(nutUps, walUps));
  // the default format: the same values (the time aside)
  const realDef = await realUpslogFirstLines(['-s', nutUps, '-l', '-', '-i', '5']);
  const strip = (l: string) => l.replace(/^\d{8} \d{6} /, 'T ');
  assert.match(realDef[2]!, /^\d{8} \d{6} 100 230\.0 25 \[OL\] NA NA$/);
  const u = new Upslog({ targets: [{ ups: nutUps, logFile: '-' }], intervalSec: 5, format: '%TIME @Y@m@d @H@M@S% %VAR battery.charge% %VAR input.voltage% %VAR ups.load% [%VAR ups.status%] %VAR ups.temperature% %VAR input.frequency%', maxUpdates: 1, clock: systemClock, hostname: 'h', pid: 1, logger: createLogger(new MemorySink()), stdout: (s) => out.push(s) });
  const out: string[] = [];
  await u.start();
  await u.done;
  assert.equal(strip(out.join('').trimEnd()), strip(realDef[2]!));
});

test('several UPSes with -m (NUT upsd and Walnut upsd), -N prefix, SIGHUP reopens a rotated log, SIGUSR1 logs at once', async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const dir = path.join(d!.dir, 'multi');
  fs.mkdirSync(dir);
  const a = path.join(dir, 'a.log');
  const b = path.join(dir, 'b.log');
  const p = startProc(process.execPath, [UPSLOG, '-F', '-N', '-u', 'root', '-i', '60', '-f', '%VAR ups.status% %VAR ups.load%', '-m', `dummy@127.0.0.1:${nutPort},${a}`, '-m', `dummy@127.0.0.1:${walPort},${b}`], { ...d!.env, WALNUT_SYSLOG: 'off' });
  const lines = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
  try {
    await waitFor('first records', () => lines(a).length === 1 && lines(b).length === 1, 20_000);
    assert.deepEqual(lines(a), [`dummy@127.0.0.1:${nutPort}\tOL 25`]);
    assert.deepEqual(lines(b), [`dummy@127.0.0.1:${walPort}\tOL 25`]);
    assert.match(p.log.join(''), new RegExp(`logging status of dummy@127\\.0\\.0\\.1:${nutPort} to ${a} \\(60s intervals\\)`));
    // rotate a.log away, SIGHUP: the next record goes to a fresh a.log
    fs.renameSync(a, `${a}.1`);
    p.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    p.child.kill('SIGUSR1');
    await waitFor('record after SIGUSR1', () => lines(a).length === 1 && lines(b).length === 2, 10_000).catch((e: Error) => {
      throw new Error(`${e.message}: a=${JSON.stringify(lines(a))} a.1=${JSON.stringify(lines(`${a}.1`))} b=${JSON.stringify(lines(b))} log=${p.log.join('')}`);
    });
    assert.equal(lines(`${a}.1`).length, 1, 'the rotated file got nothing more');
  } finally {
    await stopProc(p);
  }
  assert.equal(await p.exited, 0);
});

test('in the background (a log file, no -F) upslog returns, keeps its PID file and stops on SIGTERM', async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const file = path.join(d!.dir, 'bg.log');
  const r = await execProgram(process.execPath, [UPSLOG, '-s', `dummy@127.0.0.1:${walPort}`, '-l', file, '-i', '1', '-p', 'upslog-test', '-u', 'root', '-f', '%VAR ups.status%'], { ...d!.env, WALNUT_SYSLOG: 'off' }, 30_000);
  assert.equal(r.code, 0, r.stderr);
  const pidFile = path.join(d!.run, 'upslog-test.pid');
  const pid = readPidFile(pidFile);
  assert.ok(pid && isAlive(pid), 'background copy running');
  try {
    await waitFor('two records', () => fs.existsSync(file) && fs.readFileSync(file, 'utf8') === 'OL\nOL\n', 10_000);
  } finally {
    process.kill(pid, 'SIGTERM');
    await waitFor('background upslog gone', () => !isAlive(pid), 10_000);
  }
  assert.ok(!fs.existsSync(pidFile), 'PID file removed');
});

test('-m *@host logs every UPS of that server (one line each, %UPSHOST% naming it)', async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const out: string[] = [];
  const u = new Upslog({ targets: [{ ups: `*@127.0.0.1:${walPort}`, logFile: '-' }], intervalSec: 60, format: '%UPSHOST%%t%VAR ups.status%', maxUpdates: 1, clock: systemClock, hostname: 'h', pid: 1, logger: createLogger(new MemorySink()), stdout: (s) => out.push(s) });
  await u.start();
  await u.done;
  assert.deepEqual(u.list(), [[`dummy@127.0.0.1:${walPort}`, '-']]);
  assert.deepEqual(out, [`dummy@127.0.0.1:${walPort}\tOL\n`]);
});

test('an unreachable server: NUT\'s warning, NA values, and the next poll reconnects', async () => {
  const port = await freePort();
  const mem = new MemorySink();
  const out: string[] = [];
  const u = new Upslog({ targets: [{ ups: `dummy@127.0.0.1:${port}`, logFile: '-' }], intervalSec: 1, format: '%VAR ups.status% %VAR ups.load%', maxUpdates: 2, clock: systemClock, hostname: 'h', pid: 1, logger: createLogger(mem), stdout: (s) => out.push(s) });
  await u.start();
  await u.done;
  assert.deepEqual(out, ['NA NA\n', 'NA NA\n']);
  assert.equal(mem.text(), 'Warning: initial connect failed: Connection failure: Connection refused');
});

test('bad command lines: no UPS, no log file, bad -m', async () => {
  const env = { ...process.env, WALNUT_SYSLOG: 'off' };
  const noLog = await execProgram(process.execPath, [UPSLOG, '-s', 'ups@localhost'], env);
  assert.equal(noLog.code, 1);
  assert.match(noLog.stderr, /No filename defined for logging - use -l <file>/);
  const badM = await execProgram(process.execPath, [UPSLOG, '-m', 'ups@localhost'], env);
  assert.equal(badM.code, 1);
  assert.match(badM.stderr, /invalid -m argument/);
});
