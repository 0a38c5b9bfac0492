import path from 'node:path';

/**
 * Where NUT keeps its files, with NUT's environment overrides.
 * NUT_CONFPATH (default /etc/nut), NUT_STATEPATH (driver sockets, default /run/nut),
 * NUT_ALTPIDPATH (PID files; else NUT_STATEPATH; else /run/nut).
 */
export interface NutPaths {
  confPath: string;
  statePath: string;
  /** True when NUT_STATEPATH was set: it then wins over config files. */
  statePathFromEnv: boolean;
  pidPath: string;
  /** Folder holding cmdvartab (descriptions); Walnut ships its own copy. */
  dataPath: string | undefined;
}

export const DEFAULT_CONFPATH = '/etc/nut';
export const DEFAULT_STATEPATH = '/run/nut';
export const DEFAULT_PORT = 3493;

export function nutPaths(env: NodeJS.ProcessEnv = process.env): NutPaths {
  const confPath = env.NUT_CONFPATH || DEFAULT_CONFPATH;
  const statePath = env.NUT_STATEPATH || DEFAULT_STATEPATH;
  return {
    confPath,
    statePath,
    statePathFromEnv: !!env.NUT_STATEPATH,
    pidPath: env.NUT_ALTPIDPATH || env.NUT_STATEPATH || DEFAULT_STATEPATH,
    dataPath: env.NUT_DATAPATH || undefined,
  };
}

export function confFile(paths: NutPaths, name: string): string {
  return path.join(paths.confPath, name);
}

/** The driver socket name NUT uses: `<driver>-<upsname>` inside STATEPATH. */
export function driverSocketName(driver: string, ups: string): string {
  return `${driver}-${ups}`;
}
