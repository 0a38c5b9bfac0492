/** Shared bits of the apcsmart tests: .dev dumps as variable maps, a pty + simulator + driver + upsd stack. */
import fs from 'node:fs';
import path from 'node:path';
import { parseDataFile } from '../../../src/drivers/dummy/data-file.js';
import { ApcSmartSimulator, apcsmart, serveSimulator } from '../../../src/drivers/apcsmart/index.js';
import type { SimulatorPort } from '../../../src/drivers/apcsmart/index.js';
import { startDriver } from '../../../src/drivers/core/index.js';
import type { DriverHandle } from '../../../src/drivers/core/index.js';
import { parseUpsConf } from '../../../src/config/ups-conf.js';
import { startUpsd } from '../../../src/server/index.js';
import type { Upsd } from '../../../src/server/index.js';
import { systemClock } from '../../../src/common/clock.js';
import { createLogger, MemorySink } from '../../../src/common/log.js';
import { startTestPty } from '../../support/pty.js';
import type { TestPty } from '../../support/pty.js';
import { nutDir, USERS_TEXT } from '../../support/real-nut.js';
import type { NutDir } from '../../support/real-nut.js';
import { execProgram } from '../../support/proc.js';
import { REPO_ROOT, SHARED_DIR } from '../../support/peers.js';

/** A NUT dump's variables (the status line as ups.status). */
export function devVars(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const s of parseDataFile(text).steps) {
    if (s.kind === 'var') vars.set(s.name, s.value);
    else if (s.kind === 'status') vars.set('ups.status', s.tokens.join(' '));
  }
  return vars;
}

export function sharedDev(name: string): Map<string, string> {
  return devVars(fs.readFileSync(path.join(SHARED_DIR, 'ddl', 'APC', name), 'utf8'));
}

export interface Stack {
  dir: NutDir;
  pty: TestPty;
  port: SimulatorPort;
  driver: DriverHandle;
  upsd: Upsd | undefined;
  upsdPort: number;
  log: MemorySink;
  stop(): Promise<void>;
}

/** pty pair, simulator on side B, the Walnut driver on side A, and (unless told not to) Walnut's upsd. */
export async function startStack(vars: Map<string, string>, opts: { upsd?: boolean; pollinterval?: number; extra?: string } = {}): Promise<Stack> {
  const dir = nutDir('walnut-apcsmart-');
  const pty = await startTestPty('walnut-apcsmart-pty-');
  const sim = new ApcSmartSimulator({ vars, clock: systemClock });
  const port = serveSimulator(sim, pty.b);
  const conf = `[ups]\n\tdriver = apcsmart\n\tport = ${pty.a}\n\tpollinterval = ${opts.pollinterval ?? 1}\n${opts.extra ?? ''}`;
  fs.writeFileSync(path.join(dir.etc, 'ups.conf'), conf);
  fs.writeFileSync(path.join(dir.etc, 'upsd.users'), USERS_TEXT, { mode: 0o640 });
  fs.writeFileSync(path.join(dir.etc, 'upsd.conf'), `STATEPATH ${dir.state}\nMAXAGE 5\n`, { mode: 0o640 });
  const sink = new MemorySink();
  const log = createLogger(sink, 3);
  const file = path.join(dir.etc, 'ups.conf');
  const driver = await startDriver({ definition: apcsmart, upsName: 'ups', conf: parseUpsConf(conf, file).value, confFile: file, statePath: dir.state, log, clock: systemClock });
  let upsd: Upsd | undefined;
  let upsdPort = 0;
  if (opts.upsd !== false) {
    upsd = await startUpsd({ confPath: dir.etc, statePath: dir.state, env: dir.env, logger: createLogger(new MemorySink()), listen: [{ host: '127.0.0.1', port: 0 }] });
    upsdPort = upsd.addresses()[0]!.port;
  }
  return {
    dir,
    pty,
    port,
    driver,
    upsd,
    upsdPort,
    log: sink,
    async stop() {
      await upsd?.stop().catch(() => {});
      await driver.stop().catch(() => {});
      await port.stop().catch(() => {});
      await pty.cleanup().catch(() => {});
      dir.cleanup();
    },
  };
}

/** `upsc ups@127.0.0.1:PORT` with Walnut's upsc (bin/upsc) or NUT's (/usr/bin/upsc). */
export async function upsc(port: number, which: 'walnut' | 'nut' = 'walnut', variable?: string): Promise<{ code: number | null; vars: Map<string, string>; stdout: string; stderr: string }> {
  const prog = which === 'walnut' ? path.join(REPO_ROOT, 'bin/upsc') : '/usr/bin/upsc';
  const r = await execProgram(prog, [`ups@127.0.0.1:${port}`, ...(variable ? [variable] : [])]);
  const vars = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) vars.set(line.slice(0, i), line.slice(i + 2));
  }
  return { code: r.code, vars, stdout: r.stdout, stderr: r.stderr };
}
