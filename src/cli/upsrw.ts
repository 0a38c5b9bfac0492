/** upsrw: NUT's writable-variable tool (see src/clients/upsrw.ts). */
import { loginOption, parseClientArgs, runOnProcessIO } from './client-args.js';
import { upsrw } from '../clients/upsrw.js';
import type { UpsrwOptions } from '../clients/upsrw.js';
import type { CliIO } from '../clients/io.js';

export function parseUpsrwArgs(argv: readonly string[]): UpsrwOptions {
  return parseClientArgs<UpsrwOptions>(
    argv,
    'hls:u:p:wt:V',
    (rest) => ({ rest }),
    (usageError) => ({ usageError, rest: [] }),
    (o, opt, arg) => {
      if (opt === 's') o.set = arg;
      else loginOption(o, opt, arg);
    },
  );
}

/** argv in, exit code out, output to `io` (tests run this in-process). */
export function run(argv: string[], io: CliIO): Promise<number> {
  return upsrw(parseUpsrwArgs(argv), io);
}

export function main(argv: string[]): Promise<number> {
  return runOnProcessIO(run, argv);
}
