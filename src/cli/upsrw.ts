/** upsrw: NUT's writable-variable tool (see src/clients/upsrw.ts). */
import { getopt, UsageError } from './getopt.js';
import { upsrw } from '../clients/upsrw.js';
import type { UpsrwOptions } from '../clients/upsrw.js';
import { processIO } from '../clients/io.js';
import type { CliIO } from '../clients/io.js';

export function parseUpsrwArgs(argv: readonly string[]): UpsrwOptions {
  let p;
  try {
    p = getopt(argv, 'hls:u:p:wt:V');
  } catch (err) {
    if (err instanceof UsageError) return { usageError: err.message, rest: [] };
    throw err;
  }
  const o: UpsrwOptions = { rest: p.rest };
  for (const { opt, arg } of p.opts) {
    if (opt === 'h') o.help = true;
    else if (opt === 'V') o.version = true;
    else if (opt === 's') o.set = arg;
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
  return upsrw(parseUpsrwArgs(argv), io);
}

export async function main(argv: string[]): Promise<number> {
  const io = processIO();
  try {
    return await run(argv, io);
  } finally {
    io.dispose();
  }
}
