/**
 * upscmd: list and send instant commands, printing what NUT 2.8.0's upscmd
 * prints (same stdout, stderr lines and exit codes).
 *
 *   upscmd -l ups[@host[:port]]
 *   upscmd [-u user] [-p pass] [-w] [-t secs] ups[@host[:port]] command [value]
 */
import type { CliIO } from './io.js';
import { answerFlags, connectOrExit, finish, loginAndSend, parseTimeout, parseUpsOrExit, runProgram } from './tools.js';
import type { ClientFlags, LoginOptions } from './tools.js';

export const UPSCMD_USAGE = `Network UPS Tools upscmd 2.8.0

usage: upscmd [-h]
       upscmd [-l <ups>]
       upscmd [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups> <command> [<value>]

Administration program to initiate instant commands on UPS hardware.

  -h\t\tdisplay this help text
  -l <ups>\tshow available commands on UPS <ups>
  -u <username>\tset username for command authentication
  -p <password>\tset password for command authentication
  -w            wait for the completion of command by the driver
                and return its actual result from the device
  -t <timeout>\tset a timeout when using -w (in seconds, default: 10)

  <ups>\t\tUPS identifier - <upsname>[@<hostname>[:<port>]]
  <command>\tValid instant command - test.panel.start, etc.
  [<value>]\tAdditional data for command - number of seconds, etc.
`;

/** upscmd's command line, parsed (src/cli/upscmd.ts maps argv to this). */
export interface UpscmdOptions extends ClientFlags, LoginOptions {
  /** -l ups: list the commands. */
  listUps?: string;
  /** Operands: ups, command, [value]. */
  rest: string[];
}

export async function upscmd(o: UpscmdOptions, io: CliIO): Promise<number> {
  return runProgram(io, async () => {
    const answered = answerFlags(o, io, 'upscmd', UPSCMD_USAGE, 'err');
    if (answered !== undefined) return answered;
    const { listUps } = o;
    const timeoutSec = parseTimeout(o.timeout, io);

    if (listUps !== undefined) {
      const addr = parseUpsOrExit(listUps, io);
      const c = await connectOrExit(addr, io);
      try {
        const cmds = await c.listCmd(addr.ups);
        const descs = await Promise.all(cmds.map((cmd) => c.getCmdDesc(addr.ups, cmd)));
        let out = `Instant commands supported on UPS [${addr.ups}]:\n\n`;
        cmds.forEach((cmd, i) => {
          out += `${cmd} - ${descs[i]!}\n`;
        });
        io.out(out);
        return 0;
      } finally {
        await finish(c);
      }
    }

    const [target, cmd, value] = o.rest;
    if (target === undefined) {
      io.out(UPSCMD_USAGE);
      return 0;
    }
    // NUT connects before it looks for the command (and before prompting)
    const addr = parseUpsOrExit(target, io);
    const c = await connectOrExit(addr, io);
    try {
      if (cmd === undefined) {
        io.out(UPSCMD_USAGE);
        return 0;
      }
      return await loginAndSend(io, c, o, timeoutSec, false, () => c.instCmd(addr.ups, cmd, value));
    } finally {
      await finish(c);
    }
  });
}
