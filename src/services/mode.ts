/**
 * What nut.conf MODE starts (nut-protocol.md §4.4), pure:
 *   none        nothing (the default, also with no nut.conf)
 *   standalone  drivers + upsd (local only) + upsmon
 *   netserver   drivers + upsd (open to the network) + upsmon
 *   netclient   upsmon only
 * nut-server = drivers + upsd; nut-client = upsmon (the how-to's names).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseNutConf } from '../config/nut-conf.js';
import type { NutMode } from '../config/types.js';

export const SERVICES = ['nut-server', 'nut-client'] as const;
export type ServiceName = (typeof SERVICES)[number];

export function isServiceName(s: string): s is ServiceName {
  return (SERVICES as readonly string[]).includes(s);
}

export function serviceAllowed(mode: NutMode, service: ServiceName): boolean {
  if (service === 'nut-server') return mode === 'standalone' || mode === 'netserver';
  return mode === 'standalone' || mode === 'netserver' || mode === 'netclient';
}

/** The services MODE starts, in start order. */
export function servicesFor(mode: NutMode): ServiceName[] {
  return SERVICES.filter((s) => serviceAllowed(mode, s));
}

/** Why a service does not start under this MODE (for the message). */
export function disabledReason(mode: NutMode, service: ServiceName, file: string): string {
  const want = service === 'nut-server' ? 'standalone or netserver' : 'standalone, netserver or netclient';
  return `${service} disabled: MODE=${mode} in ${file} (set MODE=${want} to enable it)`;
}

export interface LoadedMode {
  mode: NutMode;
  file: string;
  /** Problems found in nut.conf (FILE:LINE: text). */
  problems: string[];
}

/** Reads MODE from NUT_CONFPATH/nut.conf; a missing file is MODE=none, as NUT's scripts treat it. */
export function loadMode(confPath: string): LoadedMode {
  const file = path.join(confPath, 'nut.conf');
  let text: Buffer;
  try {
    text = fs.readFileSync(file);
  } catch (e) {
    return { mode: 'none', file, problems: [`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`] };
  }
  const parsed = parseNutConf(text, file);
  return {
    mode: parsed.value.mode,
    file,
    problems: parsed.issues.filter((i) => i.severity === 'error').map((i) => `${i.file}:${i.line}: ${i.message}`),
  };
}
