/**
 * A scripted driver for tests: serves NUT's driver socket protocol on a Unix
 * socket (STATEPATH/<driver>-<ups>) from a fixed variable table, so a real
 * upsd can publish what dummy-ups cannot (ENUM and RANGE variables, STRING
 * lengths, commands with descriptions). SET updates the value and reports
 * tracking status 0; INSTCMD reports `instcmdStatus` (default 0).
 */
import fs from 'node:fs';
import net from 'node:net';
import { StreamLexer } from '../../src/common/lexer.js';
import { formatFromDriver, parseToDriver } from '../../src/protocol/sock/messages.js';
import type { FromDriver } from '../../src/protocol/sock/messages.js';

export interface ScriptVar {
  name: string;
  value: string;
  flags?: Array<'RW' | 'STRING' | 'NUMBER'>;
  aux?: number;
  enums?: string[];
  ranges?: Array<[number, number]>;
}

export interface ScriptDriver {
  path: string;
  /** Lines received from upsd (raw words joined by a space). */
  received: string[];
  close(): Promise<void>;
}

const FLAG_BITS: Record<string, number> = { RW: 1, STRING: 2, NUMBER: 4 };

export async function startScriptDriver(
  socketPath: string,
  vars: ScriptVar[],
  cmds: string[],
  opts: { instcmdStatus?: number; ownerUid?: number; ownerGid?: number } = {},
): Promise<ScriptDriver> {
  try {
    fs.unlinkSync(socketPath);
  } catch {
    /* none */
  }
  const table = new Map(vars.map((v) => [v.name, { ...v }]));
  const conns = new Set<net.Socket>();
  const received: string[] = [];
  const dump = (): string => {
    const out: FromDriver[] = [];
    const names = [...table.keys()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    for (const n of names) {
      const v = table.get(n)!;
      out.push({ kind: 'setinfo', name: n, value: v.value });
      for (const e of v.enums ?? []) out.push({ kind: 'addenum', name: n, value: e });
      for (const [min, max] of v.ranges ?? []) out.push({ kind: 'addrange', name: n, min, max });
      if (v.aux) out.push({ kind: 'setaux', name: n, aux: v.aux });
      const flags = (v.flags ?? []).reduce((a, f) => a | FLAG_BITS[f]!, 0);
      if (flags) out.push({ kind: 'setflags', name: n, flags });
    }
    for (const c of [...cmds].sort()) out.push({ kind: 'addcmd', cmd: c });
    out.push({ kind: 'dataok' }, { kind: 'dumpdone' });
    return out.map(formatFromDriver).join('');
  };
  const server = net.createServer((sock) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    sock.on('error', () => {});
    const lx = new StreamLexer((words) => {
      received.push(words.join(' '));
      const m = parseToDriver(words);
      if (!m) return;
      if (m.kind === 'dumpall') sock.write(dump());
      else if (m.kind === 'ping') sock.write('PONG\n');
      else if (m.kind === 'set') {
        const v = table.get(m.name);
        if (v) {
          v.value = m.value;
          for (const c of conns) c.write(formatFromDriver({ kind: 'setinfo', name: v.name, value: m.value }));
        }
        if (m.tracking) sock.write(formatFromDriver({ kind: 'tracking', id: m.tracking, status: 0 }));
      } else if (m.kind === 'instcmd' && m.tracking) {
        sock.write(formatFromDriver({ kind: 'tracking', id: m.tracking, status: opts.instcmdStatus ?? 0 }));
      }
    });
    sock.on('data', (d) => lx.push(d));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o666);
  if (opts.ownerUid !== undefined) fs.chownSync(socketPath, opts.ownerUid, opts.ownerGid ?? -1);
  return {
    path: socketPath,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.destroy();
        server.close(() => resolve());
      }),
  };
}
