/**
 * The demo (`npm start`, `walnut demo`): runs one fast power-failure cycle
 * and exits; prints the events; Walnut's upsc (and NUT's, when installed)
 * answers against it while it runs; Ctrl-C stops it and removes its temp dir.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT, peerMissing } from '../support/peers.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(async () => {
  // a demo still running (a failed test) gets SIGTERM to clean up, then SIGKILL
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    c.kill('SIGTERM');
    const gone = await Promise.race([new Promise((r) => c.once('exit', () => r(true))), new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!gone) c.kill('SIGKILL');
  }
  for (const d of dirs) if (/\/walnut-demo-[^/]+$/.test(d)) fs.rmSync(d, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  out(): string;
  exited: Promise<number | null>;
  /** Resolves the first match of re in stdout (rejects after ms). */
  waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WALNUT_DEMO_FAST: '', WALNUT_DEMO_CYCLES: '' } });
  children.push(child);
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    out: () => out + (err ? `\n[stderr]\n${err}` : ''),
    exited,
    waitFor(re, ms) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${re} after ${ms} ms; output:\n${out}\n${err}`)), ms);
        const check = () => {
          const m = out.match(re);
          if (m) {
            clearTimeout(t);
            resolve(m);
          } else if (child.exitCode !== null) {
            clearTimeout(t);
            reject(new Error(`demo exited (${child.exitCode}) before ${re}; output:\n${out}\n${err}`));
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

function execText(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000 }, (e, stdout, stderr) => resolve({ code: e ? Number((e as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }));
  });
}

test('walnut demo --fast --cycles 1: power failure and return, upsc answers, then it exits and cleans up', { timeout: 90_000 }, async () => {
  const r = run([path.join(REPO_ROOT, 'bin/walnut'), 'demo', '--fast', '--cycles', '1']);
  const [, target] = await r.waitFor(/\bupsc (demo@127\.0\.0\.1:\d+)\s/, 30_000);
  const [, dir] = await r.waitFor(/Config and driver socket in (\S+) \(removed on exit\)/, 1000);
  dirs.push(dir!);
  assert.ok(fs.existsSync(dir!), 'temp dir exists while running');
  assert.match(r.out(), new RegExp(`\\./bin/upsc ${target!.replace(/\./g, '\\.')}`), 'prints the ./bin/upsc command for a clone');

  // Walnut's upsc against it
  const w = await execText(process.execPath, [path.join(REPO_ROOT, 'bin/upsc'), target!]);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /^ups\.status: (OL|OB)/m);
  assert.match(w.stdout, /^ups\.model: Demo UPS 1500$/m);
  assert.match(w.stdout, /^battery\.charge: \d+$/m);
  // and NUT's own upsc, when installed
  if (!peerMissing('nut')) {
    const n = await execText('upsc', [target!, 'ups.model']);
    assert.equal(n.code, 0, n.stderr);
    assert.equal(n.stdout.trim(), 'Demo UPS 1500');
  }

  const code = await within(r.exited, 60_000, 'demo exit after one cycle');
  const out = r.out();
  assert.equal(code, 0, out);
  const iFail = out.indexOf('POWER FAILURE');
  const iLow = out.indexOf('LOW BATTERY');
  const iBack = out.indexOf('POWER RESTORED');
  const iDone = out.indexOf('cycle 1 complete');
  assert.ok(iFail >= 0 && iLow > iFail && iBack > iLow && iDone > iBack, `events in order:\n${out}`);
  assert.match(out, /ups\.status "OB DISCHRG"/);
  assert.match(out, /ups\.status "OB DISCHRG LB"/);
  assert.match(out, /ups\.status "OL CHRG"/);
  // charge falls while on battery
  const charges = [...out.slice(iFail, iBack).matchAll(/charge (\d+) %/g)].map((m) => Number(m[1]));
  assert.ok(charges.length >= 2 && charges.every((c, i) => i === 0 || c < charges[i - 1]!), `charge falling on battery: ${charges.join(' ')}`);
  assert.ok(!fs.existsSync(dir!), 'temp dir removed');
});

test('npm start path (src/cli/demo.ts): Ctrl-C stops upsd and removes the temp dir', { timeout: 60_000 }, async () => {
  const r = run(['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/demo.ts'), '--fast']);
  const [, port] = await r.waitFor(/upsc demo@127\.0\.0\.1:(\d+)\s/, 30_000);
  const [, dir] = await r.waitFor(/Config and driver socket in (\S+) \(removed on exit\)/, 1000);
  dirs.push(dir!);
  await r.waitFor(/ups\.status "/, 15_000);
  r.child.kill('SIGINT');
  const code = await within(r.exited, 15_000, 'exit after SIGINT');
  assert.equal(code, 0, r.out());
  assert.match(r.out(), /SIGINT: stopping upsd/);
  assert.ok(!fs.existsSync(dir!), 'temp dir removed');
  // nothing listens on the port any more
  const refused = await new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: Number(port) });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
  assert.ok(refused, 'port closed after exit');
});
