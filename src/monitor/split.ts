/**
 * NUT's split mode in Node: the parent stays root and does nothing but wait
 * for the one request it serves (write POWERDOWNFLAG, run SHUTDOWNCMD); the
 * monitor runs in a child process of the same program that drops to
 * RUN_AS_USER. They talk over Node's IPC channel (a socketpair): the child
 * sends {t:'powerdown'}, the parent answers {t:'powerdown-done', error?}.
 * The child sees a dead parent as a closed channel (NOPARENT).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { powerdown, type PowerdownSettings } from './powerdown.js';
import type { PrivilegedPort } from './runtime.js';

/** Set in the child's environment. */
export const CHILD_ENV = 'WALNUT_UPSMON_CHILD';

interface Msg {
  t: string;
  error?: string;
}

export interface ParentOptions {
  /** The program to run as the child (node script path) and its arguments. */
  script: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The startup copies (a reload never changes them). */
  settings: PowerdownSettings;
  log: (msg: string) => void;
}

export interface ParentHandle {
  child: ChildProcess;
  /** Resolves with the exit code the parent should end with. */
  done: Promise<number>;
}

/** Starts the unprivileged monitor child and serves its powerdown request. */
export function startParent(o: ParentOptions): ParentHandle {
  const child = spawn(process.execPath, [...process.execArgv, o.script, ...o.args], {
    env: { ...(o.env ?? process.env), [CHILD_ENV]: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let poweredDown = false;
  child.on('message', (m: Msg) => {
    if (m?.t !== 'powerdown' || poweredDown) return;
    poweredDown = true;
    void powerdown(o.settings, o.log).then((error) => {
      try {
        child.send({ t: 'powerdown-done', ...(error ? { error } : {}) });
      } catch {
        /* the child is gone */
      }
    });
  });
  const done = new Promise<number>((resolve) => {
    child.once('error', (e) => {
      o.log(`can't start the monitor process: ${e.message}`);
      resolve(1);
    });
    child.once('exit', (code, sig) => {
      if (poweredDown) resolve(0);
      else resolve(sig ? 1 : (code ?? 1));
    });
  });
  return { child, done };
}

/** In the child: the privileged port over the IPC channel to the parent. */
export function childPort(): PrivilegedPort {
  const proc = process;
  return {
    parentAlive: () => proc.connected === true,
    powerdown: () =>
      new Promise((resolve) => {
        if (!proc.connected || !proc.send) {
          resolve('the privileged parent process is gone: cannot run SHUTDOWNCMD');
          return;
        }
        const onMsg = (m: Msg) => {
          if (m?.t !== 'powerdown-done') return;
          cleanup();
          resolve(m.error);
        };
        const onGone = () => {
          cleanup();
          resolve('the privileged parent process died before running SHUTDOWNCMD');
        };
        const cleanup = () => {
          proc.off('message', onMsg);
          proc.off('disconnect', onGone);
        };
        proc.on('message', onMsg);
        proc.once('disconnect', onGone);
        proc.send({ t: 'powerdown' });
      }),
  };
}

/** Mono mode (-p): the same process does the privileged act. */
export function monoPort(settings: PowerdownSettings, log: (msg: string) => void, env?: NodeJS.ProcessEnv): PrivilegedPort {
  return {
    parentAlive: () => true,
    powerdown: () => powerdown(settings, log, env),
  };
}
