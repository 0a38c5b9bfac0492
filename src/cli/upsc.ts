/** upsc: NUT's variable reader (see src/clients/upsc.ts). */
import { parseClientArgs, runOnProcessIO } from './client-args.js';
import { upsc } from '../clients/upsc.js';
import type { UpscOptions } from '../clients/upsc.js';
import type { CliIO } from '../clients/io.js';

export function parseUpscArgs(argv: readonly string[]): UpscOptions {
  return parseClientArgs<UpscOptions>(
    argv,
    'lLchVj',
    (rest) => ({ mode: 'vars', target: rest[0], varName: rest[1] }),
    (usageError) => ({ usageError, mode: 'vars' }),
    (o, opt) => {
      if (opt === 'j') o.json = true;
      else if (opt === 'l') o.mode = 'list';
      else if (opt === 'L') o.mode = 'listDesc';
      else if (opt === 'c') o.mode = 'clients';
    },
  );
}

/** argv in, exit code out, output to `io` (tests run this in-process). */
export function run(argv: string[], io: CliIO): Promise<number> {
  return upsc(parseUpscArgs(argv), io);
}

export function main(argv: string[]): Promise<number> {
  return runOnProcessIO(run, argv);
}
