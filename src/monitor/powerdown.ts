/**
 * The privileged acts of upsmon, and nothing else: write POWERDOWNFLAG with
 * NUT's magic text and run SHUTDOWNCMD. In split mode only the root parent
 * calls these (src/monitor/split.ts); in mono mode (-p) the monitor does.
 */
import fs from 'node:fs';
import { spawn } from 'node:child_process';

/** POWERDOWNFLAG's content: exactly this, no newline (NUT). */
export const POWERDOWNFLAG_MAGIC = 'upsmon-shutdown-file';

export function writePowerdownFlag(file: string): void {
  fs.writeFileSync(file, POWERDOWNFLAG_MAGIC, { mode: 0o644 });
}

/** upsmon -K: the flag exists and its first line starts with the magic text. */
export function checkPowerdownFlag(file: string): boolean {
  try {
    const first = fs.readFileSync(file, 'latin1').split('\n')[0] ?? '';
    return first.startsWith(POWERDOWNFLAG_MAGIC);
  } catch {
    return false;
  }
}

/**
 * At startup: remove a flag left by the last shutdown. A file with other
 * content is not ours: it stays, and POWERDOWNFLAG is disabled for the run.
 */
export function clearPowerdownFlag(file: string): 'absent' | 'removed' | 'foreign' | 'error' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : 'error';
  }
  if (!(text.split('\n')[0] ?? '').startsWith(POWERDOWNFLAG_MAGIC)) return 'foreign';
  try {
    fs.unlinkSync(file);
    return 'removed';
  } catch {
    return 'error';
  }
}

/** Runs a command line through /bin/sh -c and waits for it: its exit code (or -1, with the error). */
export function runShell(cmd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; error?: string }> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn('/bin/sh', ['-c', cmd], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (e) {
      resolve({ code: -1, error: (e as Error).message });
      return;
    }
    child.once('error', (e) => resolve({ code: -1, error: e.message }));
    child.once('exit', (code, sig) => resolve(sig ? { code: -1, error: `killed by ${sig}` } : { code: code ?? -1 }));
  });
}

export interface PowerdownSettings {
  powerDownFlag?: string | undefined;
  shutdownCmd?: string | undefined;
}

/**
 * The privileged act: POWERDOWNFLAG (if configured, for any role, as NUT),
 * then SHUTDOWNCMD. Resolves with an error text, or undefined when all went well.
 */
export async function powerdown(p: PowerdownSettings, log: (msg: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const errors: string[] = [];
  if (p.powerDownFlag) {
    try {
      writePowerdownFlag(p.powerDownFlag);
    } catch (e) {
      errors.push(`can't write POWERDOWNFLAG ${p.powerDownFlag}: ${(e as Error).message}`);
    }
  }
  if (p.shutdownCmd) {
    const r = await runShell(p.shutdownCmd, env);
    if (r.code !== 0) errors.push(`SHUTDOWNCMD "${p.shutdownCmd}" ${r.error ?? `exited with ${r.code}`}`);
  } else {
    errors.push('no SHUTDOWNCMD configured: this system is NOT shutting down');
  }
  for (const e of errors) log(e);
  return errors.length ? errors.join('; ') : undefined;
}
