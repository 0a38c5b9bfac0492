/** Shared pieces of the snmp-ups tests: fixtures, upsc/upscmd/upsrw of real NUT, waits. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execProgram, waitFor, type Ran } from '../../support/proc.js';
import type { AgentVars } from '../../support/snmpd.js';
import { createLogger, MemorySink } from '../../../src/common/log.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const UPS_MIB = '1.3.6.1.2.1.33.1';
export const APC_UPS = '1.3.6.1.4.1.318.1.1.1';

export function fixture(name: string): AgentVars {
  return (JSON.parse(fs.readFileSync(path.join(HERE, 'fixtures', name), 'utf8')) as { vars: AgentVars }).vars;
}

export const quiet = () => createLogger(new MemorySink());

export function upsc(target: string, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return execProgram('upsc', [target], env, 10_000, 'latin1');
}

export function parseUpsc(stdout: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 2));
  }
  return m;
}

export async function upscVars(target: string): Promise<Map<string, string>> {
  const r = await upsc(target);
  if (r.code !== 0) throw new Error(`upsc ${target}: ${r.stderr.trim()}`);
  return parseUpsc(r.stdout);
}

/** Waits until `upsc target name` is `want` (or, with want = 'STALE', until upsc reports stale data). */
export async function waitUpsc(target: string, name: string, want: string, timeoutMs = 8000): Promise<void> {
  let last = '';
  try {
    await waitFor(
      `${target} ${name} = ${want}`,
      async () => {
        const r = await execProgram('upsc', [target, name], process.env, 5000, 'latin1');
        last = r.code === 0 ? r.stdout.trim() : r.stderr.trim();
        if (want === 'STALE') return /stale/i.test(last);
        return r.code === 0 && last === want;
      },
      timeoutMs,
      100,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last answer: ${last}`);
  }
}

export function upscmd(target: string, cmd: string, ...extra: string[]): Promise<Ran> {
  return execProgram('upscmd', ['-u', 'admin', '-p', 'adminpass', target, cmd, ...extra], process.env, 10_000);
}

export function upsrw(target: string, setting: string): Promise<Ran> {
  return execProgram('upsrw', ['-s', setting, '-u', 'admin', '-p', 'adminpass', '-w', target], process.env, 10_000);
}
