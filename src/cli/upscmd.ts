/** upscmd: NUT's instant command tool (see src/clients/upscmd.ts). */
import { loginOption, parseClientArgs, runOnProcessIO } from './client-args.js';
import { upscmd } from '../clients/upscmd.js';
import type { UpscmdOptions } from '../clients/upscmd.js';
import type { CliIO } from '../clients/io.js';

export function parseUpscmdArgs(argv: readonly string[]): UpscmdOptions {
  return parseClientArgs<UpscmdOptions>(
    argv,
    'hl:u:p:wt:V',
    (rest) => ({ rest }),
    (usageError) => ({ usageError, rest: [] }),
    (o, opt, arg) => {
      if (opt === 'l') o.listUps = arg;
      else loginOption(o, opt, arg);
    },
  );
}

/** argv in, exit code out, output to `io` (tests run this in-process). */
export function run(argv: string[], io: CliIO): Promise<number> {
  return upscmd(parseUpscmdArgs(argv), io);
}

export function main(argv: string[]): Promise<number> {
  return runOnProcessIO(run, argv);
}
