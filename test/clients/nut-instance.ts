/**
 * A real NUT 2.8.0 instance (dummy-ups + upsd) for the client tests, through
 * tools/real-nut.sh, plus ways to run NUT's real client binaries and
 * Walnut's (in-process) side by side.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { waitFor as pollUntil } from '../support/proc.js';
import { tempDir } from '../support/tmp.js';
import { NutClient } from '../../src/clients/client.js';
import { runCaptured } from '../../src/clients/io.js';
import type { CliResult } from '../../src/clients/io.js';
import { run as upscRun } from '../../src/cli/upsc.js';
import { run as upscmdRun } from '../../src/cli/upscmd.js';
import { run as upsrwRun } from '../../src/cli/upsrw.js';

const SCRIPT = path.join(REPO_ROOT, 'tools/real-nut.sh');

function sh(args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(SCRIPT, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`real-nut.sh ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export interface NutInstance {
  port: number;
  dir: string;
  /** ups@127.0.0.1:port */
  ups: string;
  statePath: string;
  driverSocket: string;
  driverPid(): number | undefined;
  stop(): Promise<void>;
}

/** Starts dummy-ups + upsd on a free loopback port (about 2 s). */
export async function startRealNut(extra: string[] = []): Promise<NutInstance> {
  const { dir, cleanup } = tempDir('walnut-clients-');
  const port = await freePort();
  await sh(['start', String(port), dir, ...extra]);
  const pidsFile = path.join(dir, 'pids');
  return {
    port,
    dir,
    ups: `dummy@127.0.0.1:${port}`,
    statePath: path.join(dir, 'state'),
    driverSocket: path.join(dir, 'state', 'dummy-ups-dummy'),
    driverPid() {
      for (const line of fs.readFileSync(pidsFile, 'utf8').split('\n')) {
        const [name, pid] = line.split(' ');
        if (name === 'driver' && pid) return Number(pid);
      }
      return undefined;
    },
    async stop() {
      try {
        await sh(['stop', dir]);
      } finally {
        cleanup();
      }
    },
  };
}

/** Runs one of NUT's real client binaries, stdin at end of input (/dev/null). */
export function runReal(prog: 'upsc' | 'upscmd' | 'upsrw', args: string[], input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(`/usr/bin/${prog}`, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('latin1').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('latin1').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal) reject(new Error(`${prog} ${args.join(' ')} killed by ${signal}`));
      // Walnut does not print NSS's notice
      else resolve({ stdout, stderr: stderr.replace(/^Init SSL without certificate database\n/m, ''), exitCode: code ?? -1 });
    });
    child.stdin.on('error', () => {}); // the program may exit without reading
    child.stdin.end(input);
  });
}

const WALNUT = { upsc: upscRun, upscmd: upscmdRun, upsrw: upsrwRun } as const;

/** Runs Walnut's client in-process; `input` lines answer its prompts. */
export function runWalnut(prog: 'upsc' | 'upscmd' | 'upsrw', args: string[], input: string[] = []): Promise<CliResult> {
  return runCaptured(WALNUT[prog], args, { input, userName: os.userInfo().username, timeoutMs: 15_000 });
}

/** Waits until `probe` resolves true (polling every 200 ms; a rejection counts as false) or throws after timeoutMs. */
export function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  return pollUntil(what, () => probe().catch(() => false), timeoutMs, 200);
}

/** The ERR code (or 'OK') a GET VAR ups.status gets right now. */
export async function statusCode(host: string, port: number, ups = 'dummy'): Promise<string> {
  const c = await NutClient.connect(host, port, { timeoutMs: 5000 });
  try {
    const v = await c.get(ups, 'ups.status');
    return v === 'WAIT' ? 'WAIT' : 'OK';
  } catch (err) {
    return (err as { code?: string }).code ?? 'ERROR';
  } finally {
    c.close();
  }
}

type Prog = 'upsc' | 'upscmd' | 'upsrw';

/** Deliberate stderr differences (see the report): NUT prints argv[0] / a wrong program name. */
function normalizeRealStderr(prog: Prog, args: string[], stderr: string): string {
  let s = stderr.replace(/^\/usr\/bin\/(ups\w+): /gm, '$1: ');
  if (prog === 'upsc' && args.includes('-V')) s = s.replace('Network UPS Tools upscmd', 'Network UPS Tools upsc');
  return s;
}

/** Runs both and checks stdout + exit code are identical and every NUT stderr line is kept. */
export async function same(prog: Prog, args: string[], opts: { input?: string[]; stdout?: RegExp | string; exitCode?: number; extraStderr?: boolean } = {}): Promise<CliResult> {
  const input = opts.input ?? [];
  const real = await runReal(prog, args, input.map((l) => l + '\n').join(''));
  const walnut = await runWalnut(prog, args, input);
  const label = `${prog} ${args.join(' ')}`;
  assert.equal(walnut.stdout, real.stdout, `stdout of ${label}\nreal stderr: ${real.stderr}\nwalnut stderr: ${walnut.stderr}`);
  assert.equal(walnut.exitCode, real.exitCode, `exit code of ${label}\nreal stderr: ${real.stderr}\nwalnut stderr: ${walnut.stderr}`);
  const realErr = normalizeRealStderr(prog, args, real.stderr);
  if (opts.extraStderr) {
    // Walnut may say more where NUT is silent or cryptic, but keeps NUT's lines in order
    const have = walnut.stderr.split('\n');
    let i = 0;
    for (const line of realErr.split('\n').filter((l) => l !== '')) {
      while (i < have.length && have[i] !== line) i++;
      assert.ok(i < have.length, `stderr of ${label} lacks NUT's line ${JSON.stringify(line)}: ${walnut.stderr}`);
    }
  } else {
    assert.equal(walnut.stderr, realErr, `stderr of ${label}`);
  }
  if (opts.stdout !== undefined) {
    if (typeof opts.stdout === 'string') assert.equal(real.stdout, opts.stdout, `expected stdout of ${label}`);
    else assert.match(real.stdout, opts.stdout, `expected stdout of ${label}`);
  }
  if (opts.exitCode !== undefined) assert.equal(real.exitCode, opts.exitCode, `expected exit code of ${label}`);
  return real;
}

