/**
 * A socat pty pair for tests (src/transports/pty.ts): two linked ttys in a
 * temp dir, `a` for the driver, `b` for the simulated device. unplug() ends
 * socat by PID (the driver's port disappears), replug() brings the same link
 * names back; stop() in after()/finally. Call requirePeers(t, 'socat') first.
 */
import path from 'node:path';
import { startPtyPair, type PtyPair } from '../../src/transports/pty.js';
import { tempDir } from './tmp.js';

export type { PtyPair } from '../../src/transports/pty.js';

export interface TestPty extends PtyPair {
  /** The driver's side (link). */
  readonly a: string;
  /** The device's side (link). */
  readonly b: string;
  /** Stops socat and removes the temp dir. */
  cleanup(): Promise<void>;
}

export async function startTestPty(prefix = 'walnut-pty-'): Promise<TestPty> {
  const t = tempDir(prefix);
  const linkA = path.join(t.dir, 'ttyA');
  const linkB = path.join(t.dir, 'ttyB');
  let pair: PtyPair;
  try {
    pair = await startPtyPair({ linkA, linkB });
  } catch (e) {
    t.cleanup();
    throw e;
  }
  return Object.assign(Object.create(pair) as PtyPair, {
    a: linkA,
    b: linkB,
    async cleanup() {
      await pair.stop();
      t.cleanup();
    },
  }) as TestPty;
}
