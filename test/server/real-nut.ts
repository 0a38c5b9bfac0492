/**
 * Starts Debian's real NUT 2.8.0 binaries (dummy-ups, upsd) in a temp dir
 * for the conformance tests, and stops exactly the PIDs it started
 * (test/support/real-nut.ts does the work).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { stopChild, waitFor } from '../support/proc.js';
import * as realNut from '../support/real-nut.js';
import { RawClient } from './net-helpers.js';

export { DUMMY_DEV as DEV_TEXT, DUMMY_UPS_CONF as UPS_CONF } from '../support/real-nut.js';

export interface NutDir extends Omit<realNut.NutDir, 'cleanup'> {
  /** Processes to stop at cleanup (upsd last in, first out). */
  procs: ChildProcess[];
  cleanup(): Promise<void>;
}

/** A work dir with tools/real-nut.sh's [dummy] UPS and users; `port` goes into upsd.conf LISTEN. */
export function makeNutDir(prefix: string, port: number): NutDir {
  const d = realNut.nutDir(prefix);
  realNut.writeDummyUps(d);
  realNut.writeUpsdConf(d, port);
  const nd: NutDir = {
    ...d,
    procs: [],
    async cleanup() {
      // upsd first, then the driver (2.8.0 dummy-ups dislikes vanished clients)
      for (const p of [...nd.procs].reverse()) await stopChild(p);
      nd.procs.length = 0;
      d.cleanup();
    },
  };
  return nd;
}

/** Starts the real dummy-ups for [dummy] and waits for its socket. */
export async function startRealDriver(nd: NutDir): Promise<ChildProcess> {
  const p = realNut.startRealDummy(nd, 'dummy');
  nd.procs.push(p.child);
  await waitFor('dummy-ups socket', () => fs.existsSync(realNut.driverSocket(nd, 'dummy')), 10_000, 25);
  return p.child;
}

/** Starts the real upsd and waits until it serves real data (not WAIT). */
export async function startRealUpsd(nd: NutDir, port: number): Promise<ChildProcess> {
  const p = realNut.startRealUpsd(nd);
  nd.procs.push(p.child);
  await waitReady(port);
  return p.child;
}

export async function waitReady(port: number): Promise<void> {
  await waitFor(
    `upsd on port ${port} ready`,
    async () => {
      try {
        const c = await RawClient.connect(port, '127.0.0.1', 1000);
        try {
          const [l] = await c.ask('GET VAR dummy ups.status', 1, 1000);
          return l === 'VAR dummy ups.status "OL"';
        } finally {
          c.close();
        }
      } catch {
        return false;
      }
    },
    15_000,
    25,
  );
}
