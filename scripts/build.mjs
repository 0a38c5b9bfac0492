// Builds one self-contained ESM bundle per program of src/cli into dist/cli/,
// so bin/ launchers can start without the tsx loader (about 30 MB less per
// process, faster start). bin/_launch.mjs uses a bundle only while it is
// newer than every source file; otherwise it runs the TypeScript through tsx.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliDir = path.join(root, 'src/cli');
const entries = fs
  .readdirSync(cliDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => path.join(cliDir, f));

await build({
  entryPoints: entries,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // dist/cli/x.mjs sits at the same depth as src/cli/x.ts, so paths made
  // from import.meta.url (data/, bin/) resolve the same way
  outdir: path.join(root, 'dist/cli'),
  outExtension: { '.js': '.mjs' },
  packages: 'external',
  logLevel: 'warning',
  banner: { js: 'import { createRequire as __walnutRequire } from "node:module"; const require = __walnutRequire(import.meta.url);' },
});
console.log(`walnut: built ${entries.length} programs into dist/cli`);
