/**
 * Descriptions for GET DESC / GET CMDDESC, from cmdvartab (through the
 * shared config reader src/config/cmdvartab.ts when it is present).
 */
import type { Descriptions } from './core.js';
import { noDescriptions } from './core.js';

type Lookup = { get(name: string): string | undefined };

function asLookup(x: unknown): Lookup | undefined {
  return x && typeof (x as Lookup).get === 'function' ? (x as Lookup) : undefined;
}

/**
 * Loads descriptions from dataPath (or the reader's default). Any failure
 * gives "no descriptions" (clients then see "Description unavailable").
 */
export async function loadServerDescriptions(dataPath: string | undefined): Promise<Descriptions> {
  try {
    const modPath = '../config/cmdvartab.js';
    const mod = (await import(modPath)) as { loadDescriptions?: (p?: string) => unknown };
    if (typeof mod.loadDescriptions !== 'function') return noDescriptions;
    let r = mod.loadDescriptions(dataPath);
    if (r && typeof (r as Promise<unknown>).then === 'function') r = await r;
    const o = r as Record<string, unknown>;
    const vars = asLookup(o.vars) ?? asLookup(o.varDesc) ?? asLookup(o.variables);
    const cmds = asLookup(o.cmds) ?? asLookup(o.cmdDesc) ?? asLookup(o.commands);
    if (!vars && !cmds) return noDescriptions;
    return {
      varDesc: (n) => vars?.get(n) ?? vars?.get(n.toLowerCase()),
      cmdDesc: (n) => cmds?.get(n) ?? cmds?.get(n.toLowerCase()),
    };
  } catch {
    return noDescriptions;
  }
}
