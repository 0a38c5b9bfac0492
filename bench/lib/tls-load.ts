/**
 * TLS load generator for `npm run bench` (phase `tls`, bench/tls.ts): the
 * NUT link as a client with CERTVERIFY sees it. Every connection sends
 * `STARTTLS`, reads `OK STARTTLS`, then does the TLS handshake on the same
 * socket, checking the server's certificate against --ca and the name
 * --host (an IP: checked against the certificate's IP SAN). Plain Node.js
 * (node:net, node:tls), run as its own process pinned to the load core
 * (bench/tls.ts starts it with `node --import tsx`). Loopback only; bounded
 * in time (a hard limit, it exits by itself) and in count (--max).
 *
 * Mode "handshake": C workers, each in a loop: TCP connect, STARTTLS,
 * handshake (a full one every time: no session resumption), one request
 * line, its one-line answer, close. Counts the cycles finished within the
 * measured window (--duration s after --warmup s), at most --max in all.
 *
 *   node --import tsx bench/lib/tls-load.ts handshake --port P --ca CA.pem --conns 10 --duration 3
 *
 * Mode "req": C connections, each STARTTLS + handshake once, then request
 * lines back to back (one outstanding per connection) for --duration s after
 * --warmup s. The over-TLS twin of tools/nut-load.mjs's req mode.
 *
 *   node --import tsx bench/lib/tls-load.ts req --port P --ca CA.pem --conns 10 --duration 3
 *
 * Options: --host H (default 127.0.0.1), --port P, --conns C, --duration S,
 * --warmup S (default 1), --line "TEXT" (default GET VAR dummy ups.status),
 * --ca FILE (PEM CA the server's certificate must chain to), --ciphers
 * LIST (TLS 1.3 suites offered, node:tls syntax; default node's), --pid PID[,PID]
 * (server CPU from /proc/PID/stat over the measured window), --timeout S
 * (per step, default 5), --max N (handshake mode: connections in all,
 * default 200000), --json. Prints one report (JSON with --json).
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';

type Mode = 'handshake' | 'req';

interface Opt {
  host: string;
  port: number;
  conns: number;
  duration: number;
  warmup: number;
  line: string;
  ca: string;
  ciphers: string;
  pid: string;
  timeout: number;
  max: number;
  json: boolean;
}

function parse(argv: string[]): { mode: Mode; opt: Opt } {
  const args = [...argv];
  const m = args[0] && !args[0].startsWith('--') ? args.shift()! : 'handshake';
  if (m !== 'handshake' && m !== 'req') throw new Error(`mode must be handshake or req, not ${m}`);
  const opt: Opt = { host: '127.0.0.1', port: 3493, conns: 1, duration: 3, warmup: 1, line: 'GET VAR dummy ups.status', ca: '', ciphers: '', pid: '', timeout: 5, max: 200_000, json: false };
  for (let i = 0; i < args.length; i++) {
    const k = args[i]!.replace(/^--/, '');
    if (k === 'json') {
      opt.json = true;
      continue;
    }
    const v = args[++i];
    if (v === undefined) throw new Error(`--${k} needs a value`);
    switch (k) {
      case 'host':
      case 'line':
      case 'ca':
      case 'ciphers':
      case 'pid':
        opt[k] = v;
        break;
      case 'port':
      case 'conns':
      case 'duration':
      case 'warmup':
      case 'timeout':
      case 'max':
        opt[k] = Number(v);
        if (!Number.isFinite(opt[k])) throw new Error(`--${k}: not a number: ${v}`);
        break;
      default:
        throw new Error(`unknown option --${k}`);
    }
  }
  if (!opt.ca) throw new Error('--ca FILE is required (the CA the server certificate must chain to)');
  return { mode: m, opt };
}

const { mode, opt } = parse(process.argv.slice(2));
const caPem = fs.readFileSync(opt.ca, 'utf8');
const pids = opt.pid.split(',').filter(Boolean).map(Number);
const reqBuf = Buffer.from(opt.line + '\n', 'latin1');

// hard stop: never run past what was asked (+ slack)
const hardLimitS = opt.warmup + opt.duration + opt.timeout * 3 + 60;
setTimeout(() => {
  process.stderr.write('tls-load: hard time limit reached, exiting\n');
  process.exit(3);
}, hardLimitS * 1000).unref();

function statFields(pid: number): string[] | null {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}
/** utime+stime, and stime alone, seconds (USER_HZ = 100) */
function cpuOf(pid: number): { all: number; sys: number } | null {
  const f = statFields(pid);
  return f ? { all: (Number(f[11]) + Number(f[12])) / 100, sys: Number(f[12]) / 100 } : null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function pct(sorted: Float64Array, p: number): number | null {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return +sorted[i]!.toFixed(3);
}

const errKinds: Record<string, number> = {};
function countErr(e: unknown): void {
  const err = e as NodeJS.ErrnoException;
  const k = err?.code ?? err?.message ?? String(e);
  errKinds[k] = (errKinds[k] ?? 0) + 1;
}

/**
 * Connect, STARTTLS, handshake. Resolves the TLS socket (handshake done,
 * certificate verified) or rejects. `deadline` bounds the whole thing.
 */
function startTls(): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const raw = net.connect({ host: opt.host, port: opt.port });
    raw.setNoDelay(true);
    let done = false;
    let sec: tls.TLSSocket | null = null;
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      clearTimeout(t);
      raw.destroy();
      sec?.destroy();
      reject(e);
    };
    const t = setTimeout(() => fail(new Error('timeout')), opt.timeout * 1000);
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const i = buf.indexOf('\n');
      if (i < 0) return;
      raw.off('data', onData);
      const line = buf.slice(0, i);
      if (line !== 'OK STARTTLS' || buf.length > i + 1) {
        fail(new Error(`STARTTLS answered: ${line.slice(0, 60)}`));
        return;
      }
      // a full handshake every time (no session given), certificate checked against --ca and --host
      const o: tls.ConnectionOptions = { socket: raw, host: opt.host, ca: caPem, minVersion: 'TLSv1.2' };
      if (opt.ciphers) o.ciphers = opt.ciphers;
      sec = tls.connect(o);
      sec.setNoDelay(true);
      sec.once('error', fail);
      sec.once('secureConnect', () => {
        if (done) return;
        if (!sec!.authorized) {
          fail(new Error(`certificate not trusted: ${String(sec!.authorizationError)}`));
          return;
        }
        done = true;
        clearTimeout(t);
        sec!.off('error', fail);
        resolve(sec!);
      });
    };
    raw.on('data', onData);
    raw.once('error', fail);
    raw.once('close', () => fail(new Error('closed before the handshake')));
    raw.once('connect', () => raw.write('STARTTLS\n'));
  });
}

/** Sends the request line, resolves its one-line answer. */
function request(s: tls.TLSSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => finish(new Error('timeout')), opt.timeout * 1000);
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const i = buf.indexOf('\n');
      if (i >= 0) finish(null, buf.slice(0, i));
    };
    const onClose = () => finish(new Error('closed'));
    function finish(e: Error | null, line?: string) {
      clearTimeout(t);
      s.off('data', onData);
      s.off('error', onClose);
      s.off('close', onClose);
      if (e) reject(e);
      else resolve(line!);
    }
    s.on('data', onData);
    s.on('error', onClose);
    s.on('close', onClose);
    s.write(reqBuf);
  });
}

interface Window {
  measuring: boolean;
  stop: boolean;
}

async function measure(win: Window, body: () => Promise<void>): Promise<{ elapsedS: number; cpuS: Record<string, number | null>; sysS: Record<string, number | null>; loadGenCpuPct: number }> {
  const running = body();
  await sleep(opt.warmup * 1000);
  win.measuring = true;
  const c0 = Object.fromEntries(pids.map((p) => [p, cpuOf(p)]));
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(opt.duration * 1000);
  win.measuring = false;
  const elapsedS = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  const cpuS: Record<string, number | null> = {};
  const sysS: Record<string, number | null> = {};
  for (const p of pids) {
    const a = c0[p];
    const b = cpuOf(p);
    cpuS[p] = a && b ? +(b.all - a.all).toFixed(2) : null;
    sysS[p] = a && b ? +(b.sys - a.sys).toFixed(2) : null;
  }
  win.stop = true;
  await Promise.race([running, sleep(opt.timeout * 1000 + 500)]);
  return { elapsedS, cpuS, sysS, loadGenCpuPct: +((100 * (self.user + self.system)) / 1e6 / elapsedS).toFixed(1) };
}

async function runHandshake() {
  const win: Window = { measuring: false, stop: false };
  const lat = new Float64Array(Math.min(opt.max, 2_000_000));
  const hsLat = new Float64Array(lat.length);
  let nLat = 0;
  let started = 0;
  let ok = 0;
  let errors = 0;
  let protocol: string | null = null;
  let cipher: string | null = null;
  let group: string | null = null;
  let sample: string | null = null;
  async function worker() {
    while (!win.stop && started < opt.max) {
      started++;
      const t0 = performance.now();
      let s: tls.TLSSocket | undefined;
      try {
        s = await startTls();
        const t1 = performance.now();
        if (protocol === null) {
          protocol = s.getProtocol();
          cipher = s.getCipher().name;
          group = (s.getEphemeralKeyInfo() as { name?: string } | null)?.name ?? null;
        }
        const answer = await request(s);
        sample ??= answer;
        if (answer.startsWith('ERR')) throw new Error(answer);
        // counted when it finishes inside the measured window (as nut-load's req mode counts answers)
        if (win.measuring) {
          ok++;
          if (nLat < lat.length) {
            hsLat[nLat] = t1 - t0;
            lat[nLat++] = performance.now() - t0;
          }
        }
      } catch (e) {
        if (win.measuring) {
          errors++;
          countErr(e);
        }
        if (!win.stop) await sleep(20);
      } finally {
        s?.destroy();
      }
    }
  }
  const m = await measure(win, () => Promise.all(Array.from({ length: opt.conns }, worker)).then(() => undefined));
  const cyc = lat.slice(0, nLat).sort();
  const hs = hsLat.slice(0, nLat).sort();
  return {
    mode: 'handshake', port: opt.port, conns: opt.conns, line: opt.line, durationS: +m.elapsedS.toFixed(3),
    started, ok, errors, errorKinds: errKinds,
    connPerS: +(ok / m.elapsedS).toFixed(1),
    cycleMs: { p50: pct(cyc, 50), p90: pct(cyc, 90), p99: pct(cyc, 99), max: pct(cyc, 100) },
    handshakeMs: { p50: pct(hs, 50), p90: pct(hs, 90), p99: pct(hs, 99), max: pct(hs, 100) },
    protocol, cipher, group, sampleAnswer: sample,
    serverCpuS: m.cpuS, serverSysS: m.sysS,
    serverCpuPct: Object.fromEntries(Object.entries(m.cpuS).map(([p, s]) => [p, s === null ? null : +((100 * s) / m.elapsedS).toFixed(1)])),
    loadGenCpuPct: m.loadGenCpuPct,
  };
}

async function runReq() {
  const win: Window = { measuring: false, stop: false };
  const lat = new Float64Array(4_000_000);
  let nLat = 0;
  let ok = 0;
  let errors = 0;
  let connected = 0;
  let protocol: string | null = null;
  let cipher: string | null = null;
  let group: string | null = null;
  let sample: string | null = null;
  const socks: tls.TLSSocket[] = [];
  // connect every connection first (sequentially: NUT handshakes one at a time anyway)
  for (let i = 0; i < opt.conns; i++) {
    try {
      const s = await startTls();
      socks.push(s);
      connected++;
      if (protocol === null) {
        protocol = s.getProtocol();
        cipher = s.getCipher().name;
        group = (s.getEphemeralKeyInfo() as { name?: string } | null)?.name ?? null;
      }
    } catch (e) {
      countErr(e);
    }
  }
  // callback driven, one request outstanding per connection
  function drive(s: tls.TLSSocket): Promise<void> {
    return new Promise((resolve) => {
      let sentAt = 0;
      let head = -1;
      let first = '';
      const send = () => {
        if (win.stop) {
          s.destroy();
          return;
        }
        sentAt = performance.now();
        s.write(reqBuf);
      };
      const timer = setInterval(() => {
        if (!win.stop && performance.now() - sentAt > opt.timeout * 1000) {
          if (win.measuring) {
            errors++;
            errKinds.timeout = (errKinds.timeout ?? 0) + 1;
          }
          s.destroy();
        }
      }, 500);
      s.on('data', (chunk: Buffer) => {
        if (sample === null) {
          first += chunk.toString('latin1');
          const i = first.indexOf('\n');
          if (i >= 0) sample = first.slice(0, i);
        }
        let pos = 0;
        for (;;) {
          if (head < 0 && pos < chunk.length) head = chunk[pos]!;
          const nl = chunk.indexOf(10, pos);
          if (nl < 0) break;
          pos = nl + 1;
          const isErr = head === 0x45; // 'E': ERR ...
          head = -1;
          if (win.measuring) {
            if (nLat < lat.length) lat[nLat++] = performance.now() - sentAt;
            if (isErr) {
              errors++;
              errKinds.ERR = (errKinds.ERR ?? 0) + 1;
            } else ok++;
          }
          send();
        }
      });
      s.on('error', (e) => {
        if (win.measuring) {
          errors++;
          countErr(e);
        }
      });
      s.on('close', () => {
        clearInterval(timer);
        resolve();
      });
      send();
    });
  }
  const m = await measure(win, () => Promise.all(socks.map(drive)).then(() => undefined));
  for (const s of socks) s.destroy();
  const sorted = lat.slice(0, nLat).sort();
  const requests = ok + errors;
  return {
    mode: 'req', port: opt.port, conns: opt.conns, connected, line: opt.line, durationS: +m.elapsedS.toFixed(3),
    requests, ok, errors, errorKinds: errKinds,
    reqPerS: +(requests / m.elapsedS).toFixed(1),
    latencyMs: { p50: pct(sorted, 50), p90: pct(sorted, 90), p99: pct(sorted, 99), max: pct(sorted, 100) },
    protocol, cipher, group, sampleAnswer: sample,
    serverCpuS: m.cpuS, serverSysS: m.sysS,
    serverCpuPct: Object.fromEntries(Object.entries(m.cpuS).map(([p, s]) => [p, s === null ? null : +((100 * s) / m.elapsedS).toFixed(1)])),
    loadGenCpuPct: m.loadGenCpuPct,
  };
}

const res = mode === 'handshake' ? await runHandshake() : await runReq();
if (opt.json) console.log(JSON.stringify(res));
else console.log(res);
process.exit(0);
