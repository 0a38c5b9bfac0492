/**
 * Helpers for driver tests that run real NUT 2.8.0's upsc and sweep .dev
 * files (work dirs and processes: test/support/real-nut.ts, proc.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execProgram, type Ran } from '../support/proc.js';

export type UpscResult = Ran;

/** NUT's upsc (output as latin1). */
export function upsc(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 10000): Promise<UpscResult> {
  return execProgram('upsc', args, env, timeoutMs, 'latin1');
}

/** Parses `upsc ups@host` output into name → value. */
export function parseUpsc(stdout: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 2));
  }
  return m;
}

/** Runs fn over items with at most `limit` at a time. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Every .dev file under a folder, sorted. */
export function devFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.dev')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}
