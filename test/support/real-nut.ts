/**
 * A private real NUT 2.8.0 for tests: a work dir with etc/ state/ run/
 * (NUT_CONFPATH, NUT_STATEPATH, NUT_ALTPIDPATH point there), the configs
 * tools/real-nut.sh writes, and Debian's dummy-ups and upsd started in the
 * foreground, each recorded and ended by PID (test/support/proc.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { NUT_LIBEXEC } from './peers.js';
import { startProc, type Proc } from './proc.js';
import { tempDir } from './tmp.js';

/** tools/real-nut.sh's upsd.users. */
export const USERS_TEXT = `
[admin]
	password = adminpass
	actions = SET
	actions = FSD
	instcmds = ALL
[monpri]
	password = pripass
	upsmon primary
[monsec]
	password = secpass
	upsmon secondary
[viewer]
	password = viewpass
`;

/** tools/real-nut.sh's default dummy.dev. */
export const DUMMY_DEV = `ups.mfr: Dummy Manufacturer
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

/** tools/real-nut.sh's ups.conf: [dummy] on dummy.dev. */
export const DUMMY_UPS_CONF = '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n\tdesc = "real-nut reference dummy UPS"\n';

export interface NutDir {
  dir: string;
  etc: string;
  state: string;
  run: string;
  /** process.env plus NUT_CONFPATH / NUT_STATEPATH / NUT_ALTPIDPATH into this dir. */
  env: NodeJS.ProcessEnv;
  /** Removes the dir (stop its processes first). */
  cleanup(): void;
}

/** A fresh work dir with empty etc/ state/ run/. */
export function nutDir(prefix = 'walnut-nut-'): NutDir {
  const t = tempDir(prefix);
  const etc = path.join(t.dir, 'etc');
  const state = path.join(t.dir, 'state');
  const run = path.join(t.dir, 'run');
  for (const d of [etc, state, run]) fs.mkdirSync(d, { recursive: true, mode: 0o770 });
  const env = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state, NUT_ALTPIDPATH: run };
  return { dir: t.dir, etc, state, run, env, cleanup: t.cleanup };
}

/** upsd.conf (LISTEN 127.0.0.1 port, STATEPATH, MAXAGE) and tools/real-nut.sh's upsd.users. */
export function writeUpsdConf(d: NutDir, port: number, maxAge = 15): void {
  fs.writeFileSync(path.join(d.etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${d.state}\nMAXAGE ${maxAge}\n`, { mode: 0o640 });
  fs.writeFileSync(path.join(d.etc, 'upsd.users'), USERS_TEXT, { mode: 0o640 });
}

/** tools/real-nut.sh's [dummy] UPS: ups.conf and its dummy.dev. */
export function writeDummyUps(d: NutDir, dev = DUMMY_DEV): void {
  fs.writeFileSync(path.join(d.etc, 'ups.conf'), DUMMY_UPS_CONF);
  fs.writeFileSync(path.join(d.etc, 'dummy.dev'), dev);
}

/** Where upsd finds the driver socket of `ups`. */
export function driverSocket(d: NutDir, ups: string): string {
  return path.join(d.state, `dummy-ups-${ups}`);
}

/** Debian's upsd, in the foreground, as root (it would drop to `nut` otherwise). */
export function startRealUpsd(d: NutDir): Proc {
  return startProc(path.join(NUT_LIBEXEC, 'upsd'), ['-F', '-u', 'root'], d.env);
}

/** Debian's dummy-ups for [ups], in the foreground. */
export function startRealDummy(d: NutDir, ups: string): Proc {
  return startProc(path.join(NUT_LIBEXEC, 'dummy-ups'), ['-a', ups, '-F', '-u', 'root'], d.env);
}
