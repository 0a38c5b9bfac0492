/** upsc: NUT's variable reader (see src/clients/upsc.ts). */
import { getopt, UsageError } from './getopt.js';
import { upsc } from '../clients/upsc.js';
import type { Mode, UpscOptions } from '../clients/upsc.js';
import { processIO } from '../clients/io.js';
import type { CliIO } from '../clients/io.js';

export function parseUpscArgs(argv: readonly string[]): UpscOptions {
  let p;
  try {
    p = getopt(argv, 'lLchVj');
  } catch (err) {
    if (err instanceof UsageError) return { usageError: err.message, mode: 'vars' };
    throw err;
  }
  let mode: Mode = 'vars';
  const o: UpscOptions = { mode };
  for (const { opt } of p.opts) {
    if (opt === 'h') o.help = true;
    else if (opt === 'V') o.version = true;
    else if (opt === 'j') o.json = true;
    else if (opt === 'l') mode = 'list';
    else if (opt === 'L') mode = 'listDesc';
    else if (opt === 'c') mode = 'clients';
    if (o.help || o.version) break;
  }
  o.mode = mode;
  o.target = p.rest[0];
  o.varName = p.rest[1];
  return o;
}

/** argv in, exit code out, output to `io` (tests run this in-process). */
export function run(argv: string[], io: CliIO): Promise<number> {
  return upsc(parseUpscArgs(argv), io);
}

export async function main(argv: string[]): Promise<number> {
  const io = processIO();
  try {
    return await run(argv, io);
  } finally {
    io.dispose();
  }
}
