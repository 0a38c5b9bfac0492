// Shared launcher: runs a Walnut program of src/cli. When `npm run build`
// has made a bundle (dist/cli/<name>.mjs) newer than every source file, it
// runs that; otherwise it runs the TypeScript through tsx. WALNUT_NO_BUNDLE=1
// forces tsx.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** The bundle of program `name` when it is newer than every source file, else undefined. */
export function freshBundle(name, base = root, env = process.env) {
  if (env.WALNUT_NO_BUNDLE === '1') return undefined;
  const bundle = path.join(base, 'dist/cli', `${name}.mjs`);
  try {
    return fs.statSync(bundle).mtimeMs >= newestSource(path.join(base, 'src')) ? bundle : undefined;
  } catch {
    return undefined;
  }
}

export async function launch(name) {
  const bundle = freshBundle(name);
  let mod;
  if (bundle) {
    mod = await import(pathToFileURL(bundle).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    mod = await import(pathToFileURL(path.join(root, 'src/cli', `${name}.ts`)).href);
  }
  const code = await mod.main(process.argv.slice(2));
  if (typeof code === 'number') process.exitCode = code;
}
