/**
 * upsrw: show and set writable variables, printing what NUT 2.8.0's upsrw
 * prints (same stdout, stderr lines and exit codes).
 *
 *   upsrw [-l] ups[@host[:port]]
 *   upsrw -s var[=value] [-u user] [-p pass] [-w] [-t secs] ups[@host[:port]]
 */
import { atoi } from '../protocol/sock/messages.js';
import type { NutClient } from './client.js';
import type { CliIO } from './io.js';
import { Exit, answerFlags, connectOrExit, finish, loginAndSend, parseTimeout, parseUpsOrExit, runProgram } from './tools.js';
import type { ClientFlags, LoginOptions } from './tools.js';

export const UPSRW_USAGE = `Network UPS Tools upsrw 2.8.0

usage: upsrw [-h]
       upsrw [-s <variable>] [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups>

Demo program to set variables within UPS hardware.

  -h            display this help text
  -s <variable>\tspecify variable to be changed
\t\tuse -s VAR=VALUE to avoid prompting for value
  -l            show all possible read/write variables.
  -u <username> set username for command authentication
  -p <password> set password for command authentication
  -w            wait for the completion of setting by the driver
                and return its actual result from the device
  -t <timeout>\tset a timeout when using -w (in seconds, default: 10)

  <ups>         UPS identifier - <upsname>[@<hostname>[:<port>]]

Call without -s to show all possible read/write variables (same as -l).
`;

/** One `[var]` block of `upsrw -l`, from the replies NUT's upsrw asks for. */
export interface RwVarInfo {
  name: string;
  desc: string;
  /** GET TYPE words after the name (RW, ENUM, RANGE, STRING:n, NUMBER). */
  type: string[];
  value: string;
  enums?: string[];
  ranges?: Array<{ min: string; max: string }>;
}

/** Formats one variable block exactly as NUT 2.8.0's upsrw does (pure). */
export function formatRwVar(v: RwVarInfo): string {
  const type = v.type.map((w) => w.toUpperCase());
  const str = v.type.find((w) => /^STRING:/i.test(w));
  const kind = str ? 'STRING' : 'NUMBER';
  const maxLen = str ? `Maximum length: ${atoi(str.slice(7))}\n` : '';
  let out = `[${v.name}]\n${v.desc}\n`;
  if (type.includes('ENUM')) {
    out += `Type: ENUM ${kind}\n${maxLen}`;
    for (const e of v.enums ?? []) out += `Option: "${e}"${e === v.value ? ' SELECTED' : ''}\n`;
  } else if (type.includes('RANGE')) {
    out += `Type: RANGE ${kind}\n${maxLen}`;
    const cur = atoi(v.value);
    for (const r of v.ranges ?? []) {
      const sel = cur >= atoi(r.min) && cur <= atoi(r.max);
      out += `Option: "${r.min}-${r.max}"${sel ? ' SELECTED' : ''}\n`;
    }
  } else if (str) {
    out += `Type: STRING\n${maxLen}Value: ${v.value}\n`;
  } else {
    out += `Type: NUMBER\nValue: ${v.value}\n`;
  }
  return out + '\n';
}

/** Fetches what one block needs (requests pipelined on the one connection). */
async function fetchRwVar(c: NutClient, ups: string, name: string): Promise<RwVarInfo> {
  const [desc, type, value] = await Promise.all([c.getDesc(ups, name), c.getType(ups, name), c.get(ups, name)]);
  const info: RwVarInfo = { name, desc, type, value };
  const upper = type.map((w) => w.toUpperCase());
  if (upper.includes('ENUM')) info.enums = await c.listEnum(ups, name);
  else if (upper.includes('RANGE')) info.ranges = await c.listRange(ups, name);
  return info;
}

/** upsrw's command line, parsed (src/cli/upsrw.ts maps argv to this). */
export interface UpsrwOptions extends ClientFlags, LoginOptions {
  /** -s var[=value] as typed. */
  set?: string;
  /** Operands: ups. */
  rest: string[];
}

export async function upsrw(o: UpsrwOptions, io: CliIO): Promise<number> {
  return runProgram(io, async () => {
    const answered = answerFlags(o, io, 'upsrw', UPSRW_USAGE, 'out');
    if (answered !== undefined) return answered;
    const setArg = o.set;
    const timeoutSec = parseTimeout(o.timeout, io);
    const target = o.rest[0];
    if (target === undefined) {
      io.out(UPSRW_USAGE);
      return 0;
    }
    const addr = parseUpsOrExit(target, io);
    const c = await connectOrExit(addr, io);
    try {
      if (setArg === undefined) {
        const rw = await c.listRw(addr.ups);
        const blocks = await Promise.all(rw.map((v) => fetchRwVar(c, addr.ups, v.name)));
        io.out(blocks.map(formatRwVar).join(''));
        return 0;
      }
      const eq = setArg.indexOf('=');
      const name = eq < 0 ? setArg : setArg.slice(0, eq);
      let value = eq < 0 ? undefined : setArg.slice(eq + 1);
      if (!name.includes('.')) {
        io.err('Error: old variable names are not supported\n');
        return 1;
      }
      if (value === undefined) {
        io.out(`Enter new value for ${name}: `);
        const line = await io.prompter.readLine();
        if (line === null) {
          io.err('Error reading from stdin!\n');
          throw new Exit(1);
        }
        value = line;
      }
      const v = value;
      return await loginAndSend(io, c, o, timeoutSec, true, () => c.setVar(addr.ups, name, v));
    } finally {
      await finish(c);
    }
  });
}
