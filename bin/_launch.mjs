// Shared launcher: runs a Walnut program from src/cli through tsx.
import { register } from 'tsx/esm/api';
register();
export async function launch(name) {
  const mod = await import(new URL(`../src/cli/${name}.ts`, import.meta.url).href);
  const code = await mod.main(process.argv.slice(2));
  if (typeof code === 'number') process.exitCode = code;
}
