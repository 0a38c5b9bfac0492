/**
 * Bounded fuzz run against a live Walnut upsd (a child process fed by a
 * stand-in driver): 20k seeded random and mutated request lines, split at
 * random points. upsd must not crash, must answer every complete line
 * (counted with the same lexer rules), and its RSS must stay flat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StreamLexer, lexLine } from '../../src/common/lexer.js';
import { REPO_ROOT } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { RawClient, TestDriver, waitFor } from './net-helpers.js';
import { DUMMY_DUMP, USERS_TEXT } from './helpers.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CORPUS = [
  'VER', 'NETVER', 'PROTVER', 'HELP', 'STARTTLS', 'LIST UPS', 'LIST VAR dummy', 'LIST RW dummy', 'LIST CMD dummy',
  'LIST CLIENT dummy', 'LIST ENUM dummy ups.status', 'LIST RANGE dummy ups.load', 'GET VAR dummy ups.status',
  'GET TYPE dummy ups.mfr', 'GET DESC dummy ups.load', 'GET CMDDESC dummy load.off', 'GET UPSDESC dummy',
  'GET NUMLOGINS dummy', 'GET TRACKING', 'GET TRACKING 00000000-0000-0000-0000-000000000000', 'SET TRACKING ON',
  'SET TRACKING OFF', 'SET VAR dummy ups.load 30', 'SET VAR dummy ups.mfr "a \\"b\\" c"', 'INSTCMD dummy load.off',
  'INSTCMD dummy load.off 5', 'LOGIN dummy', 'PRIMARY dummy', 'MASTER dummy', 'FSD nosuch', 'USERNAME x', 'PASSWORD y',
  'GET VAR dummy server.info', 'GET VAR nosuch server.version', 'GET VAR dummy=ups.status', '', '# comment',
];
const SPECIAL = ['"', '\\', '#', '=', '\x00', '\xff', '\r', '\t', ' ', '\x7f', '\xc3\xa9', 'dummy', 'ups.status', 'VAR', 'LIST'];

function mutate(line: string, rnd: () => number): string {
  let s = line;
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const pos = Math.floor(rnd() * (s.length + 1));
    const r = rnd();
    if (r < 0.3) s = s.slice(0, pos) + SPECIAL[Math.floor(rnd() * SPECIAL.length)]! + s.slice(pos);
    else if (r < 0.45) s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(rnd() * 4));
    else if (r < 0.6) s = s.slice(0, pos) + String.fromCharCode(Math.floor(rnd() * 256)) + s.slice(pos);
    else if (r < 0.7) s = s.toLowerCase();
    else if (r < 0.8) s = s + ' ' + s;
    else if (r < 0.85) s = s + ' ' + 'W'.repeat(Math.floor(rnd() * 2000));
    else if (r < 0.9) s = s.split(' ').reverse().join(' ');
  }
  return s;
}

/** True when the line would close the session (LOGOUT with no argument). */
function isLogout(line: string): boolean {
  const w = lexLine(line);
  return !!w && w.length === 1 && w[0]!.toUpperCase() === 'LOGOUT';
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Counts reply units in a reply stream (a BEGIN LIST..END LIST block is one). */
function countUnits(lines: string[]): number {
  let n = 0;
  let inList = false;
  for (const l of lines) {
    if (inList) {
      if (l.startsWith('END LIST')) inList = false;
      continue;
    }
    n++;
    if (l.startsWith('BEGIN LIST')) inList = true;
  }
  return n;
}

test('fuzz: 20k random and mutated lines against a live upsd', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir('walnut-fuzz-');
  const port = await freePort();
  const etc = path.join(dir, 'etc');
  const state = path.join(dir, 'state');
  fs.mkdirSync(etc);
  fs.mkdirSync(state);
  fs.writeFileSync(path.join(etc, 'ups.conf'), '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n');
  fs.writeFileSync(path.join(etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\n`);
  fs.writeFileSync(path.join(etc, 'upsd.users'), USERS_TEXT);
  const driver = new TestDriver(path.join(state, 'dummy-ups-dummy'), DUMMY_DUMP + 'SETINFO ups.load "25"\nADDRANGE ups.load 0 100\n');
  await driver.start();
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/upsd'), '-F', '-u', 'root'], {
    env: { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state, NUT_ALTPIDPATH: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)));
  try {
    await waitFor(
      async () => {
        try {
          const c = await RawClient.connect(port, '127.0.0.1', 500);
          const [l] = await c.ask('GET VAR dummy ups.status', 1, 500);
          c.close();
          return l === 'VAR dummy ups.status "OL"';
        } catch {
          return false;
        }
      },
      15_000,
      'upsd ready',
    );
    const rnd = mulberry32(0x5eed);
    const CONNS = 4;
    const BATCHES = 10;
    const PER_BATCH = 500; // 4 × 10 × 500 = 20k lines
    let rssAfterWarmup = 0;
    const clients = await Promise.all(Array.from({ length: CONNS }, () => RawClient.connect(port)));
    for (const c of clients) {
      c.write('USERNAME admin\nPASSWORD adminpass\n');
      assert.deepEqual(await c.lines(2), ['OK', 'OK']);
    }
    let total = 0;
    for (let b = 0; b < BATCHES; b++) {
      await Promise.all(
        clients.map(async (c) => {
          let text = '';
          for (let i = 0; i < PER_BATCH; i++) {
            const base = CORPUS[Math.floor(rnd() * CORPUS.length)]!;
            let line = rnd() < 0.6 ? mutate(base, rnd) : base;
            line = line.replace(/\n/g, ' ');
            if (isLogout(line)) line = 'VER';
            text += line + '\n';
          }
          // how many replies the server owes: one per complete line or parse error
          let expected = 0;
          const lx = new StreamLexer(
            () => expected++,
            () => expected++,
            { emptyLines: true, droppedWords: true },
          );
          const bytes = Buffer.from(text, 'latin1');
          lx.push(bytes);
          let tail = Buffer.alloc(0);
          if (lx.inQuotes) {
            tail = Buffer.from('"\n', 'latin1');
            lx.push(tail);
          }
          const all = Buffer.concat([bytes, tail]);
          // random split points
          let off = 0;
          while (off < all.length) {
            const n = 1 + Math.floor(rnd() * 3000);
            c.write(all.subarray(off, off + n));
            off += n;
          }
          const got: string[] = [];
          while (countUnits(got) < expected || (got.length > 0 && got.at(-1)!.startsWith('BEGIN LIST')) || inOpenList(got)) {
            got.push(...(await c.lines(1, 10_000)));
          }
          assert.equal(countUnits(got), expected);
          total += expected;
        }),
      );
      if (b === 1) rssAfterWarmup = rssKiB(proc.pid!);
    }
    const rssEnd = rssKiB(proc.pid!);
    for (const c of clients) assert.ok(!c.closed);
    // still healthy
    const c = await RawClient.connect(port);
    assert.deepEqual(await c.ask('NETVER'), ['1.3']);
    c.close();
    for (const x of clients) x.close();
    assert.ok(total >= 19_000, `answered ${total}`);
    assert.equal(proc.exitCode, null, 'upsd still running');
    assert.ok(rssEnd < rssAfterWarmup + 40 * 1024, `RSS grew from ${rssAfterWarmup} to ${rssEnd} KiB`);
    assert.ok(!/internal error/.test(stderr), stderr.slice(0, 2000));
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    await driver.stop();
    cleanup();
  }
});

function inOpenList(lines: string[]): boolean {
  let open = false;
  for (const l of lines) {
    if (open) {
      if (l.startsWith('END LIST')) open = false;
    } else if (l.startsWith('BEGIN LIST')) open = true;
  }
  return open;
}
