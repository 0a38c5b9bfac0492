/**
 * TLS figures for `npm run bench` (phase `tls`; alone:
 * `npm run bench -- --phases tls --out /tmp/tls.json`): real NUT 2.8.0's
 * upsd (Debian's NSS build) and Walnut's upsd, side by side in one run, with
 * the very same certificate material: one NSS database made with certutil
 * the way the how-to does (a CA, and a server certificate, RSA 2048, whose
 * nickname and CN are the server's address 127.0.0.1, SAN ip:127.0.0.1),
 * given to both upsd as `CERTPATH <db>` + `CERTIDENT "127.0.0.1" "<password>"`.
 * Servers on core 0, the load generator (bench/lib/tls-load.ts) on core 1.
 *
 * 1. Handshakes per second: C workers (1, 10), each connecting, sending
 *    STARTTLS, doing a full handshake (certificate checked against the CA and
 *    the IP SAN, no session resumption), one `GET VAR dummy ups.status`,
 *    reading the reply and closing, in a loop; cycles finished in the
 *    measured window per second; the server's CPU per connection.
 * 2. GET VAR over TLS: C long-lived TLS connections (1, 10) sending
 *    `GET VAR dummy ups.status` back to back (one outstanding each); and the
 *    same in plain text (tools/nut-load.mjs req) on the same servers in the
 *    same run, so the cost of TLS shows.
 *
 * Runs alternate NUT and Walnut; medians of `runs`. The load generator
 * offers only TLS_AES_128_GCM_SHA256 (what NUT's NSS picks by itself) so
 * both servers do the same cryptography. Loopback only; every load run is
 * bounded in time and count; only processes started here are stopped.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DEFAULT_DEV, REPO_ROOT, bestWalnutDrivers, startInstance, walnutUpsdAvailable, type DriverKind, type Instance, type UpsSpec } from './lib/instance.js';
import { runJsonTool, runLoad, median, toolArgs, type ReqResult } from './lib/load.js';
import { sleep } from './lib/proc.js';
import { makeNssDb } from '../test/support/certs.js';

export type Side = 'nut' | 'walnut';
type Fig = Partial<Record<Side, number | null>>;

/** Same shape as bench/run.ts's table rows. */
export interface TlsRow {
  section: string;
  figure: string;
  values: Fig;
  target?: string;
  met?: boolean | null;
  note?: string;
}

export interface TlsBenchOptions {
  sides: Side[];
  /** 'nut': a second real NUT in Walnut's slot (harness self-check) */
  walnutUpsd: 'walnut' | 'nut';
  walnutDrivers?: DriverKind;
  runs: number;
  quick: boolean;
  say: (s: string) => void;
}

interface Lat {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}
interface TlsCommon {
  conns: number;
  durationS: number;
  ok: number;
  errors: number;
  errorKinds: Record<string, number>;
  protocol: string | null;
  cipher: string | null;
  group: string | null;
  sampleAnswer: string | null;
  serverCpuS: Record<string, number | null>;
  serverSysS: Record<string, number | null>;
  serverCpuPct: Record<string, number | null>;
  loadGenCpuPct: number;
}
export interface HandshakeResult extends TlsCommon {
  started: number;
  connPerS: number;
  cycleMs: Lat;
  handshakeMs: Lat;
}
export interface TlsReqResult extends TlsCommon {
  connected: number;
  requests: number;
  reqPerS: number;
  latencyMs: Lat;
}

export interface TlsBenchResult {
  rows: TlsRow[];
  notes: string[];
  raw: Record<string, unknown>;
}

const TLS_LOAD = path.join(REPO_ROOT, 'bench/lib/tls-load.ts');
const CIPHER = 'TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256';
const LINE = 'GET VAR dummy ups.status';
const NSS_PASSWORD = 'walnut-bench';
const NICK = '127.0.0.1';

/** Why the TLS bench cannot run here (undefined when it can). */
export function tlsBenchMissing(): string | undefined {
  for (const t of ['certutil', 'pk12util']) {
    if (spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0) return `${t} missing (apt-get install libnss3-tools)`;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** Runs bench/lib/tls-load.ts pinned to the load core; its JSON report. Killed past `limitS`. */
function runTlsLoad<T>(mode: 'handshake' | 'req', args: Record<string, string | number>, limitS: number): Promise<T> {
  return runJsonTool<T>(`tls-load ${mode}`, ['--import', import.meta.resolve('tsx'), TLS_LOAD, mode, '--json', ...toolArgs(args)], limitS);
}

/** The how-to's NSS database, readable by the `nut` user the daemons drop to. */
function makeCerts(dir: string): { db: string; caFile: string } {
  const nss = makeNssDb(dir, { cn: NICK, nick: NICK, san: 'ip:127.0.0.1,dns:localhost', password: NSS_PASSWORD, caName: 'Walnut Bench CA', name: 'certdb' });
  if (process.getuid?.() === 0 && spawnSync('getent', ['passwd', 'nut'], { stdio: 'ignore' }).status === 0) {
    // as tools/real-nut.sh does: upsd opens the database after dropping to `nut`
    spawnSync('chown', ['-R', 'nut:nut', nss.db]);
    fs.chmodSync(nss.db, 0o700);
  }
  return { db: nss.db, caFile: nss.caFile };
}

interface Started {
  side: Side;
  label: string;
  inst: Instance;
}

const fmtMs = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(1));

export async function benchTls(o: TlsBenchOptions): Promise<TlsBenchResult> {
  const say = o.say;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-bench-tls-'));
  fs.chmodSync(dir, 0o755);
  const rows: TlsRow[] = [];
  const notes: string[] = [];
  const raw: Record<string, unknown> = {};
  const started: Started[] = [];
  try {
    const certs = makeCerts(dir);
    const upsdConf = [`CERTPATH ${certs.db}`, `CERTIDENT "${NICK}" "${NSS_PASSWORD}"`];
    const upses: UpsSpec[] = [{ name: 'dummy', dev: DEFAULT_DEV }];
    say(`tls: one NSS database (certutil, RSA 2048, nickname and CN ${NICK}) in ${certs.db}, used by both upsd`);
    for (const side of o.sides) {
      const port = await freePort();
      let label: string;
      let inst: Instance;
      if (side === 'nut') {
        label = 'NUT 2.8.0';
        inst = await startInstance({ kind: 'nut', port, upses, upsdConf });
      } else if (o.walnutUpsd === 'nut') {
        label = 'NUT (self-check in Walnut slot)';
        inst = await startInstance({ kind: 'nut', port, upses, upsdConf, label });
      } else if (walnutUpsdAvailable()) {
        const drivers = o.walnutDrivers ?? bestWalnutDrivers();
        label = `Walnut (drivers: ${drivers})`;
        inst = await startInstance({ kind: 'walnut', port, upses, upsdConf, drivers });
      } else {
        say("tls: Walnut's upsd is not there: measuring NUT only");
        continue;
      }
      say(`tls ${label}: upsd pid ${inst.upsd.pid} on 127.0.0.1:${port}, dir ${inst.dir}`);
      started.push({ side, label, inst });
    }
    if (!started.length) return { rows, notes, raw };

    // each server must really do TLS with that certificate before anything is measured
    for (const s of started) {
      const r = await runTlsLoad<HandshakeResult>('handshake', { port: s.inst.port, ca: certs.caFile, ciphers: CIPHER, conns: 1, warmup: 0, duration: 2, max: 1, timeout: 15 }, 60);
      if (r.ok !== 1 || !r.sampleAnswer?.startsWith('VAR dummy ups.status')) throw new Error(`${s.label}: no TLS session with the bench certificate: ${JSON.stringify(r.errorKinds)} (see ${s.inst.dir}/log)`);
      raw[`negotiated.${s.side}`] = { protocol: r.protocol, cipher: r.cipher, group: r.group };
      notes.push(`TLS: ${s.label} negotiated ${r.protocol} ${r.cipher}, key exchange ${r.group ?? '?'} (the load generator offers TLS 1.2-1.3, suites ${CIPHER} only; server certificate RSA 2048 from the NSS database).`);
    }

    const hsDur = o.quick ? 3 : 5;
    const reqDur = o.quick ? 2 : 3;
    const pidOf = (side: Side) => started.find((x) => x.side === side)!.inst.upsd.pid;
    const order = (run: number) => (run % 2 ? [...started].reverse() : started);
    const med = <R>(per: Partial<Record<Side, R[]>>, f: (r: R, side: Side) => number | null | undefined): Fig =>
      Object.fromEntries(Object.entries(per).map(([side, rs]) => [side, median((rs as R[]).map((r) => f(r, side as Side) ?? NaN))]));
    const cpuOf = (r: { serverCpuS: Record<string, number | null> }, side: Side) => r.serverCpuS[String(pidOf(side))] ?? null;
    const sysOf = (r: { serverSysS: Record<string, number | null> }, side: Side) => r.serverSysS[String(pidOf(side))] ?? null;

    // 1. handshakes per second
    for (const c of [1, 10]) {
      const per: Partial<Record<Side, HandshakeResult[]>> = {};
      for (let run = 0; run < o.runs; run++) {
        for (const s of order(run)) {
          const r = await runTlsLoad<HandshakeResult>('handshake', { port: s.inst.port, ca: certs.caFile, ciphers: CIPHER, conns: c, warmup: 1, duration: hsDur, max: 200_000, timeout: 15, pid: s.inst.upsd.pid }, hsDur + 90);
          (per[s.side] ??= []).push(r);
          say(`tls handshake c${c} ${s.label} run ${run + 1}: ${r.connPerS} conn/s (${r.ok} in ${r.durationS} s), handshake p50 ${fmtMs(r.handshakeMs.p50)} ms, cycle p50 ${fmtMs(r.cycleMs.p50)} p99 ${fmtMs(r.cycleMs.p99)} ms, upsd CPU ${r.serverCpuPct[String(s.inst.upsd.pid)]}%, load gen ${r.loadGenCpuPct}%, errors ${r.errors} ${r.errors ? JSON.stringify(r.errorKinds) : ''}`);
        }
      }
      raw[`handshake.c${c}`] = per;
      const sec = `TLS handshakes: connect, STARTTLS, full handshake, 1 GET VAR, close; ${c} client${c > 1 ? 's' : ''} at a time (${hsDur} s)`;
      rows.push({ section: sec, figure: 'connections/s', values: med(per, (r) => r.connPerS) });
      rows.push({ section: sec, figure: 'connect → handshake done, p50 ms', values: med(per, (r) => r.handshakeMs.p50) });
      rows.push({ section: sec, figure: 'whole connection p50 ms', values: med(per, (r) => r.cycleMs.p50) });
      rows.push({ section: sec, figure: 'whole connection p99 ms', values: med(per, (r) => r.cycleMs.p99) });
      rows.push({ section: sec, figure: 'server CPU ms/connection', values: med(per, (r, side) => { const s = cpuOf(r, side); return s === null || !r.ok ? null : (s * 1000) / r.ok; }) });
      rows.push({ section: sec, figure: 'server CPU %', values: med(per, (r, side) => r.serverCpuPct[String(pidOf(side))]) });
      rows.push({ section: sec, figure: 'load generator CPU %', values: med(per, (r) => r.loadGenCpuPct) });
      const errs = med(per, (r) => r.errors);
      if (Object.values(errs).some((e) => e)) rows.push({ section: sec, figure: 'errors (median)', values: errs });
    }

    // 2. GET VAR over TLS, and in plain text on the same servers
    for (const c of [1, 10]) {
      const perTls: Partial<Record<Side, TlsReqResult[]>> = {};
      const perPlain: Partial<Record<Side, ReqResult[]>> = {};
      for (let run = 0; run < o.runs; run++) {
        for (const s of order(run)) {
          const r = await runTlsLoad<TlsReqResult>('req', { port: s.inst.port, ca: certs.caFile, ciphers: CIPHER, conns: c, warmup: 1, duration: reqDur, timeout: 15, line: LINE, pid: s.inst.upsd.pid }, reqDur + c * 15 + 60);
          (perTls[s.side] ??= []).push(r);
          say(`tls req c${c} ${s.label} run ${run + 1}: ${r.reqPerS} req/s over TLS (${r.connected}/${c} connected), p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, upsd CPU ${r.serverCpuPct[String(s.inst.upsd.pid)]}%, load gen ${r.loadGenCpuPct}%, errors ${r.errors}`);
          const p = await runLoad<ReqResult>('req', { port: s.inst.port, conns: c, duration: reqDur, warmup: 1, line: LINE, pid: s.inst.upsd.pid, timeout: 5 }, reqDur + 60);
          (perPlain[s.side] ??= []).push(p);
          say(`plain req c${c} ${s.label} run ${run + 1}: ${p.reqPerS} req/s, p50 ${p.latencyMs.p50} ms, upsd CPU ${p.serverCpuPct[String(s.inst.upsd.pid)]}%, load gen ${p.loadGenCpuPct}%`);
        }
      }
      raw[`req.c${c}.tls`] = perTls;
      raw[`req.c${c}.plain`] = perPlain;
      const sec = `GET VAR over TLS, ${c} long-lived connection${c > 1 ? 's' : ''} (one request outstanding each, ${reqDur} s)`;
      const tlsRps = med(perTls, (r) => r.reqPerS);
      const plainRps = med(perPlain, (r) => r.reqPerS);
      const usPerReq = (s: number | null, n: number) => (s === null || !n ? null : (s * 1e6) / n);
      rows.push({ section: sec, figure: 'requests/s over TLS', values: tlsRps });
      rows.push({ section: sec, figure: 'requests/s plain text (same servers, same run)', values: plainRps });
      rows.push({ section: sec, figure: 'TLS / plain text', values: Object.fromEntries(Object.keys(tlsRps).map((k) => { const t = tlsRps[k as Side]; const p = plainRps[k as Side]; return [k, t && p ? t / p : null]; })) });
      rows.push({ section: sec, figure: 'latency p50 ms (TLS)', values: med(perTls, (r) => r.latencyMs.p50) });
      rows.push({ section: sec, figure: 'latency p99 ms (TLS)', values: med(perTls, (r) => r.latencyMs.p99) });
      rows.push({ section: sec, figure: 'server CPU µs/request (TLS)', values: med(perTls, (r, side) => usPerReq(cpuOf(r, side), r.requests)) });
      rows.push({ section: sec, figure: '  of which kernel (stime) µs', values: med(perTls, (r, side) => usPerReq(sysOf(r, side), r.requests)) });
      rows.push({ section: sec, figure: 'server CPU µs/request (plain text)', values: med(perPlain, (r, side) => usPerReq(cpuOf(r, side), r.requests)) });
      rows.push({ section: sec, figure: 'server CPU % (TLS)', values: med(perTls, (r, side) => r.serverCpuPct[String(pidOf(side))]) });
      rows.push({ section: sec, figure: 'load generator CPU % (TLS)', values: med(perTls, (r) => r.loadGenCpuPct) });
      const errs = med(perTls, (r) => r.errors);
      if (Object.values(errs).some((e) => e)) rows.push({ section: sec, figure: 'errors over TLS (median)', values: errs });
    }
    notes.push(
      "TLS handshakes: NUT 2.8.0's upsd runs the NSS handshake blocking inside its single-threaded main loop (every other client waits meanwhile), and on every STARTTLS looks its certificate and key up again in the NSS database (SQLite reads of cert9.db/key4.db, seen with strace): its handshakes are serialised whatever the number of clients. Walnut's upsd loads the certificate once at start and runs each handshake on its own socket in the event loop.",
    );
    notes.push('TLS connections/s = cycles (connect, STARTTLS, full handshake with certificate check, one GET VAR, close) finished in the measured window per second; server CPU ms/connection = upsd utime+stime over the window / those cycles.');
    return { rows, notes, raw };
  } finally {
    for (const s of started) await s.inst.stop();
    // give a sleeping load generator's sockets a moment before the database goes
    await sleep(100);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
