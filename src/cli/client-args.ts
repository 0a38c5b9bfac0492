/**
 * The command-line shell shared by upsc, upscmd and upsrw: getopt with NUT's
 * "usage error" outcome, -h / -V ending the scan (as NUT's clients do), the
 * login options of upscmd/upsrw, and main() on the process's stdio.
 */
import { getopt, UsageError } from './getopt.js';
import { processIO } from '../clients/io.js';
import type { CliIO } from '../clients/io.js';
import type { ClientFlags, LoginOptions } from '../clients/tools.js';

/**
 * Parses argv with `spec`: a getopt error becomes `usage(message)`; -h and -V
 * set help / version and stop the scan; `each` maps the program's other
 * options onto the object made by `init(operands)`.
 */
export function parseClientArgs<O extends ClientFlags>(
  argv: readonly string[],
  spec: string,
  init: (rest: string[]) => O,
  usage: (message: string) => O,
  each: (o: O, opt: string, arg: string | undefined) => void,
): O {
  let p;
  try {
    p = getopt(argv, spec);
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }
  const o = init(p.rest);
  for (const { opt, arg } of p.opts) {
    if (opt === 'h') o.help = true;
    else if (opt === 'V') o.version = true;
    else each(o, opt, arg);
    if (o.help || o.version) break;
  }
  return o;
}

/** upscmd's and upsrw's -u user, -p pass, -w, -t secs; false for any other option. */
export function loginOption(o: LoginOptions, opt: string, arg: string | undefined): boolean {
  if (opt === 'u') o.user = arg;
  else if (opt === 'p') o.pass = arg;
  else if (opt === 'w') o.wait = true;
  else if (opt === 't') o.timeout = arg;
  else return false;
  return true;
}

/** A client's main(): `run` on the process's stdio, which is released afterwards. */
export async function runOnProcessIO(run: (argv: string[], io: CliIO) => Promise<number>, argv: string[]): Promise<number> {
  const io = processIO();
  try {
    return await run(argv, io);
  } finally {
    io.dispose();
  }
}
