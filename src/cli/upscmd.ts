/** upscmd: NUT's instant command tool (see src/clients/upscmd.ts). */
import { getopt, UsageError } from './getopt.js';
import { upscmd } from '../clients/upscmd.js';
import type { UpscmdOptions } from '../clients/upscmd.js';
import { processIO } from '../clients/io.js';
import type { CliIO } from '../clients/io.js';

export function parseUpscmdArgs(argv: readonly string[]): UpscmdOptions {
  let p;
  try {
    p = getopt(argv, 'hl:u:p:wt:V');
  } catch (err) {
    if (err instanceof UsageError) return { usageError: err.message, rest: [] };
    throw err;
  }
  const o: UpscmdOptions = { rest: p.rest };
  for (const { opt, arg } of p.opts) {
    if (opt === 'h') o.help = true;
    else if (opt === 'V') o.version = true;
    else if (opt === 'l') o.listUps = arg;
    else if (opt === 'u') o.user = arg;
    else if (opt === 'p') o.pass = arg;
    else if (opt === 'w') o.wait = true;
    else if (opt === 't') o.timeout = arg;
    if (o.help || o.version) break;
  }
  return o;
}

/** argv in, exit code out, output to `io` (tests run this in-process). */
export function run(argv: string[], io: CliIO): Promise<number> {
  return upscmd(parseUpscmdArgs(argv), io);
}

export async function main(argv: string[]): Promise<number> {
  const io = processIO();
  try {
    return await run(argv, io);
  } finally {
    io.dispose();
  }
}
