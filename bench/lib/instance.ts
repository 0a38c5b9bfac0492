/**
 * A server under test: a NUT config dir (etc/ state/ run/ log/) under /tmp,
 * dummy-ups drivers and an upsd, all pinned to the server core. The same
 * config and .dev files are used for real NUT and for Walnut.
 *
 * kind 'nut':    /lib/nut/dummy-ups per UPS + /lib/nut/upsd -F
 * kind 'walnut': Walnut's drivers (bin/upsdrvctl, all in one process, or
 *                bin/dummy-ups per UPS) + bin/upsd -F, each its own process;
 *                when Walnut's drivers are missing, real dummy-ups feed
 *                Walnut's upsd (upsd only needs the driver sockets).
 *
 * The tests' private NUT (test/support/real-nut.ts, proc.ts) is not used for
 * the processes: the bench pins them to a CPU core, raises their open-file
 * limit, logs to files, drops to `nut` as root, runs many UPSes and Walnut's
 * bundles, and tracks daemonised drivers for memory figures.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startProcess, stopProcess, processTree, rssKiB, pssKiB, sleep, type Started } from './proc.js';
// the test suite's repo root, NUT location and dummy.dev (test/support); the rest differs: see startInstance
import { REPO_ROOT, NUT_LIBEXEC } from '../../test/support/peers.js';
import { DUMMY_DEV } from '../../test/support/real-nut.js';

export { REPO_ROOT, NUT_LIBEXEC };
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;
const NOFILE = 20_000;

export type Kind = 'nut' | 'walnut';
/** walnut-all-in-one: `upsdrvctl -S -F start`, drivers and upsd in one process */
export type DriverKind = 'nut' | 'walnut-upsdrvctl' | 'walnut-dummy-ups' | 'walnut-all-in-one';

export interface UpsSpec {
  name: string;
  dev: string;
}

export interface InstanceOpts {
  kind: Kind;
  /** Walnut only: 'bundle' (default) runs bin/* as shipped, which start from the fresh dist/ bundles; 'tsx' forces the TypeScript through tsx (WALNUT_NO_BUNDLE=1). */
  runtime?: 'tsx' | 'bundle';
  port: number;
  upses: UpsSpec[];
  /** which drivers feed upsd (default: NUT's for 'nut', best available Walnut's for 'walnut') */
  drivers?: DriverKind;
  label?: string;
  /** extra upsd.conf lines, appended as they are (the tls phase: CERTPATH, CERTIDENT) */
  upsdConf?: readonly string[];
}

export interface Instance {
  readonly kind: Kind;
  readonly label: string;
  readonly port: number;
  readonly dir: string;
  readonly drivers: DriverKind;
  readonly upsd: Started;
  readonly driverProcs: Started[];
  /** upsd and every driver process (descendants and PID files included) */
  serverPids(): number[];
  memory(): { rssKiB: number; pssKiB: number; processes: number };
  stop(): Promise<void>;
}

export const DEFAULT_DEV = `# written by bench/ (same as tools/real-nut.sh's default)\n${DUMMY_DEV}`;

/** A .dev whose UPS has `total` variables in LIST VAR (driver.* and device.* included, as dummy-ups adds them). */
export function bigDev(fileVars: number): string {
  const lines = DEFAULT_DEV.trimEnd().split('\n');
  let n = lines.filter((l) => !l.startsWith('#')).length;
  for (let i = 1; n < fileVars; i++, n++) lines.push(`experimental.bench.value${String(i).padStart(3, '0')}: ${(i * 1.5).toFixed(1)}`);
  return lines.join('\n') + '\n';
}

export function walnutHas(file: string): boolean {
  return fs.existsSync(path.join(REPO_ROOT, file));
}
export const walnutUpsdAvailable = () => walnutHas('src/cli/upsd.ts') && walnutHas('src/server/index.ts');
export function bestWalnutDrivers(): DriverKind {
  if (walnutHas('src/cli/upsdrvctl.ts') && walnutHas('src/cli/dummy-ups.ts')) return 'walnut-upsdrvctl';
  if (walnutHas('src/cli/dummy-ups.ts')) return 'walnut-dummy-ups';
  return 'nut';
}

const IS_ROOT = process.getuid?.() === 0;
function nutUserExists(): boolean {
  return spawnSync('getent', ['passwd', 'nut'], { stdio: 'ignore' }).status === 0;
}

function writeConfig(dir: string, port: number, upses: UpsSpec[], upsdConf: readonly string[] = []): void {
  const etc = path.join(dir, 'etc');
  for (const d of ['etc', 'state', 'run', 'log']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(etc, 'nut.conf'), 'MODE=standalone\n');
  let ups = '# written by bench/\n';
  for (const u of upses) {
    fs.writeFileSync(path.join(etc, `${u.name}.dev`), u.dev);
    ups += `[${u.name}]\n\tdriver = dummy-ups\n\tport = ${u.name}.dev\n\tdesc = "bench UPS ${u.name}"\n\n`;
  }
  fs.writeFileSync(path.join(etc, 'ups.conf'), ups);
  fs.writeFileSync(path.join(etc, 'upsd.conf'), `# written by bench/\nLISTEN 127.0.0.1 ${port}\nSTATEPATH ${dir}/state\nMAXAGE 15\n${upsdConf.map((l) => `${l}\n`).join('')}`);
  fs.writeFileSync(path.join(etc, 'upsd.users'), '# written by bench/\n[admin]\n\tpassword = adminpass\n\tactions = SET\n\tinstcmds = ALL\n');
  fs.chmodSync(dir, 0o750);
  for (const f of fs.readdirSync(etc)) fs.chmodSync(path.join(etc, f), 0o640);
  fs.chmodSync(etc, 0o750);
  fs.chmodSync(path.join(dir, 'state'), 0o770);
  fs.chmodSync(path.join(dir, 'run'), 0o770);
  if (IS_ROOT && nutUserExists()) {
    spawnSync('chown', ['-R', 'root:nut', dir]);
    spawnSync('chown', ['nut:nut', path.join(dir, 'state'), path.join(dir, 'run')]);
  }
}

/** Send one line, read until a line matching `end` (or one ERR line); resolves the lines. */
export function query(port: number, line: string, timeoutMs = 3000, end: RegExp = /.*/): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const lines: string[] = [];
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`timeout: ${line}`));
    }, timeoutMs);
    s.on('connect', () => s.write(line + '\n'));
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(l);
        if (end.test(l) || l.startsWith('ERR ')) {
          clearTimeout(t);
          s.end();
          resolve(lines);
          return;
        }
      }
    });
    s.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

async function waitReady(inst: { port: number; upsd: Started }, upses: UpsSpec[], timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  let last = '';
  for (const u of upses) {
    for (;;) {
      if (!inst.upsd.alive()) throw new Error(`upsd exited during start (${last})`);
      try {
        const [l] = await query(inst.port, `GET VAR ${u.name} ups.status`, 2000);
        last = l ?? '';
        if (l && l.startsWith('VAR ') && !/"WAIT"$/.test(l)) break;
      } catch (e) {
        last = (e as Error).message;
      }
      if (Date.now() - t0 > timeoutMs) throw new Error(`not ready after ${timeoutMs} ms: ${u.name}: ${last}`);
      await sleep(100);
    }
  }
}

async function waitSockets(dir: string, names: string[], procs: Started[], timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const missing = names.filter((n) => !fs.existsSync(path.join(dir, 'state', `dummy-ups-${n}`)));
    if (!missing.length) return;
    if (procs.length && procs.every((p) => !p.alive())) throw new Error(`drivers exited (see ${dir}/log)`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`driver sockets missing after ${timeoutMs} ms: ${missing.slice(0, 5).join(' ')}`);
    await sleep(100);
  }
}

const NODE = process.execPath;

/** Builds the dist/ bundles bin/* start from (npm run build), so the bench measures what is shipped. */
export function buildBundles(): void {
  const r = spawnSync(NODE, [path.join(REPO_ROOT, 'scripts/build.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed: ${r.stderr || r.error?.message}`);
}
/** Extra node flags for Walnut's upsd, e.g. WALNUT_BENCH_UPSD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" */
const UPSD_NODE_ARGS = (process.env.WALNUT_BENCH_UPSD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

const liveDirs = new Set<string>();
/** Removes every instance folder and bundle still there (exit, Ctrl-C). Synchronous. */
export function removeAllDirs(): void {
  for (const d of liveDirs) fs.rmSync(d, { recursive: true, force: true });
  liveDirs.clear();
}

export async function startInstance(o: InstanceOpts): Promise<Instance> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `walnut-bench-${o.kind}-`));
  liveDirs.add(dir);
  fs.chmodSync(dir, 0o755);
  writeConfig(dir, o.port, o.upses, o.upsdConf);
  const env: NodeJS.ProcessEnv = { ...process.env, NUT_CONFPATH: path.join(dir, 'etc'), NUT_STATEPATH: path.join(dir, 'state'), NUT_ALTPIDPATH: path.join(dir, 'run') };
  if (o.kind === 'walnut' && o.runtime === 'tsx') env.WALNUT_NO_BUNDLE = '1';
  const userArgs = IS_ROOT && nutUserExists() ? ['-u', 'nut'] : [];
  const drivers: DriverKind = o.drivers ?? (o.kind === 'nut' ? 'nut' : bestWalnutDrivers());
  const prog = (name: 'upsd' | 'upsdrvctl' | 'dummy-ups') => path.join(REPO_ROOT, 'bin', name);
  const driverProcs: Started[] = [];
  const log = (n: string) => path.join(dir, 'log', `${n}.log`);
  const names = o.upses.map((u) => u.name);
  let upsd: Started | undefined;
  const stop = async () => {
    if (upsd) await stopProcess(upsd);
    await Promise.all(driverProcs.map((p) => stopProcess(p)));
    fs.rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  };
  try {
    if (drivers === 'nut') {
      for (const n of names) {
        driverProcs.push(startProcess({ name: `dummy-ups-${n}`, cmd: path.join(NUT_LIBEXEC, 'dummy-ups'), args: ['-a', n, '-F', ...userArgs], env, core: SERVER_CORE, logFile: log('drivers') }));
      }
    } else if (drivers === 'walnut-dummy-ups') {
      for (const n of names) {
        driverProcs.push(startProcess({ name: `walnut-dummy-ups-${n}`, cmd: NODE, args: [prog('dummy-ups'), '-a', n, '-F', ...userArgs], env, core: SERVER_CORE, logFile: log('drivers') }));
      }
    } else if (drivers === 'walnut-all-in-one') {
      // Walnut's upsdrvctl -S: upsd runs in the drivers' process too
      upsd = startProcess({ name: 'walnut-upsdrvctl-S', cmd: NODE, args: [...UPSD_NODE_ARGS, prog('upsdrvctl'), ...userArgs, '-S', '-F', 'start'], env, core: SERVER_CORE, nofile: NOFILE, logFile: log('upsdrvctl-upsd') });
    } else {
      // NUT's upsdrvctl -F: drivers stay in the foreground (Walnut runs them all in this one process)
      driverProcs.push(startProcess({ name: 'walnut-upsdrvctl', cmd: NODE, args: [prog('upsdrvctl'), ...userArgs, '-F', 'start'], env, core: SERVER_CORE, logFile: log('drivers') }));
    }
    await waitSockets(dir, names, upsd ? [upsd] : driverProcs, 30_000 + 200 * names.length);
    upsd ??=
      o.kind === 'nut'
        ? startProcess({ name: 'upsd', cmd: path.join(NUT_LIBEXEC, 'upsd'), args: ['-F', ...userArgs], env, core: SERVER_CORE, nofile: NOFILE, logFile: log('upsd') })
        : startProcess({ name: 'walnut-upsd', cmd: NODE, args: [...UPSD_NODE_ARGS, prog('upsd'), '-F', ...userArgs], env, core: SERVER_CORE, nofile: NOFILE, logFile: log('upsd') });
    const up = upsd;
    await waitReady({ port: o.port, upsd: up }, o.upses, 30_000 + 200 * names.length);
  } catch (e) {
    const logs = fs.existsSync(path.join(dir, 'log')) ? fs.readdirSync(path.join(dir, 'log')).map((f) => `--- ${f}\n` + fs.readFileSync(path.join(dir, 'log', f), 'utf8').slice(-2000)).join('\n') : '';
    await stop();
    throw new Error(`${o.kind} instance did not start: ${(e as Error).message}\n${logs}`);
  }
  const theUpsd = upsd;
  const serverPids = () => {
    const set = new Set<number>();
    for (const p of [theUpsd, ...driverProcs]) if (p.alive()) for (const q of processTree(p.pid)) set.add(q);
    // drivers that put themselves in the background: their PID files
    for (const f of fs.existsSync(path.join(dir, 'run')) ? fs.readdirSync(path.join(dir, 'run')) : []) {
      if (!f.endsWith('.pid')) continue;
      const pid = Number(fs.readFileSync(path.join(dir, 'run', f), 'utf8').trim());
      if (pid > 0 && fs.existsSync(`/proc/${pid}`)) set.add(pid);
    }
    return [...set];
  };
  return {
    kind: o.kind,
    label: o.label ?? (o.kind === 'nut' ? 'NUT 2.8.0' : 'Walnut'),
    port: o.port,
    dir,
    drivers,
    upsd: theUpsd,
    driverProcs,
    serverPids,
    memory() {
      let rss = 0;
      let pss = 0;
      const pids = serverPids();
      for (const p of pids) {
        rss += rssKiB(p) ?? 0;
        pss += pssKiB(p) ?? 0;
      }
      return { rssKiB: rss, pssKiB: pss, processes: pids.length };
    },
    stop,
  };
}
