/**
 * upsc: read UPS variables, list UPSes, list clients, as NUT 2.8.0's upsc
 * prints them (same stdout, same exit codes), plus `-j` JSON output.
 *
 *   upsc ups[@host[:port]] [var]
 *   upsc -l | -L [host[:port]]
 *   upsc -c ups[@host[:port]]
 */
import { NameError, NutClient, splitAddr } from './client.js';
import type { CliIO } from './io.js';
import { BAD_HOST_DEFINITION, Exit, answerFlags, connectTool, errorText, finish, parseUpsOrExit, runProgram } from './tools.js';
import type { ClientFlags } from './tools.js';

export const UPSC_USAGE = `Network UPS Tools upsc 2.8.0

usage: upsc -l | -L [<hostname>[:port]]
       upsc <ups> [<variable>]
       upsc -c <ups>

Demo program to display UPS variables.

First form (lists UPSes):
  -l         - lists each UPS on <hostname>, one per line.
  -L         - lists each UPS followed by its description (from ups.conf).
               Default hostname: localhost

Second form (lists variables and values):
  <ups>      - upsd server, <upsname>[@<hostname>[:<port>]] form
  <variable> - optional, display this variable only.
               Default: list all variables for <host>

Third form (lists clients connected to a device):
  -c         - lists each client connected on <ups>, one per line.
  <ups>      - upsd server, <upsname>[@<hostname>[:<port>]] form
`;
// (-j, Walnut's JSON output, is left out of the text above so that -h prints what NUT 2.8.0 prints)

export type Mode = 'vars' | 'list' | 'listDesc' | 'clients';

/** Pretty JSON as NUT's later upsc -j prints it (2-space indent). */
function json(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}

/** A JSON object from pairs, keeping their order (UPS names may look like numbers). */
function jsonObject(pairs: Array<[string, string]>): string {
  if (pairs.length === 0) return '{}\n';
  return '{\n' + pairs.map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n') + '\n}\n';
}

/** upsc's command line, parsed (src/cli/upsc.ts maps argv to this). */
export interface UpscOptions extends ClientFlags {
  mode: Mode;
  json?: boolean;
  /** ups[@host[:port]], or host[:port] for -l/-L. */
  target?: string;
  varName?: string;
}

export async function upsc(o: UpscOptions, io: CliIO): Promise<number> {
  return runProgram(io, async () => {
    const answered = answerFlags(o, io, 'upsc', UPSC_USAGE, 'err');
    if (answered !== undefined) return answered;
    const mode = o.mode;
    const asJson = !!o.json;
    const { target, varName } = o;

    /** Prints a failure like NUT (plus the JSON error object with -j). */
    const fail = (err: unknown, oneLine: boolean): number => {
      const text = errorText(err);
      if (asJson) io.out(oneLine ? `{"error": ${JSON.stringify(text)}}\n` : json({ error: text }));
      io.err(`Error: ${text}\n`);
      return 1;
    };
    const connect = async (a: { host: string; port: number }): Promise<NutClient> => {
      try {
        return await connectTool(a, io);
      } catch (err) {
        throw new Exit(fail(err, false));
      }
    };

    if (mode === 'list' || mode === 'listDesc') {
      let addr;
      try {
        addr = splitAddr(target);
      } catch (err) {
        if (!(err instanceof NameError)) throw err;
        io.err(`${err.message}\n${BAD_HOST_DEFINITION}`);
        return 1;
      }
      const c = await connect(addr);
      try {
        const ups = await c.listUps();
        if (mode === 'list') {
          io.out(asJson ? json(ups.map((u) => u.name)) : ups.map((u) => `${u.name}\n`).join(''));
        } else {
          io.out(asJson ? jsonObject(ups.map((u) => [u.name, u.desc])) : ups.map((u) => `${u.name}: ${u.desc}\n`).join(''));
        }
        return 0;
      } catch (err) {
        return fail(err, false);
      } finally {
        await finish(c);
      }
    }

    const addr = parseUpsOrExit(target, io);
    const c = await connect(addr);
    try {
      if (mode === 'clients') {
        const clients = await c.listClient(addr.ups);
        io.out(asJson ? json(clients) : clients.map((ip) => `${ip}\n`).join(''));
        return 0;
      }
      if (varName !== undefined) {
        if (!varName.includes('.')) {
          io.err('Error: old-style variable names are not supported\n');
          return 1;
        }
        let value: string;
        try {
          value = await c.get(addr.ups, varName);
        } catch (err) {
          return fail(err, true);
        }
        io.out(asJson ? JSON.stringify(value) + '\n' : `${value}\n`);
        return 0;
      }
      const vars = await c.listVar(addr.ups);
      io.out(asJson ? jsonObject(vars.map((v) => [v.name, v.value])) : vars.map((v) => `${v.name}: ${v.value}\n`).join(''));
      return 0;
    } catch (err) {
      return fail(err, false);
    } finally {
      await finish(c);
    }
  });
}
