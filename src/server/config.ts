/**
 * Reads upsd's three files (ups.conf, upsd.conf, upsd.users) from the
 * config folder with the shared parsers. Errors make upsd refuse to start
 * (or keep its old config on reload); warnings are logged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseUpsConf } from '../config/ups-conf.js';
import { parseUpsdConf, defaultUpsdConf } from '../config/upsd-conf.js';
import { parseUpsdUsers } from '../config/upsd-users.js';
import { formatIssue } from '../config/issues.js';
import type { ConfigIssue, UpsConf, UpsdConf, UpsdUsers } from '../config/types.js';
import { WalnutError } from '../common/errors.js';

export interface UpsdConfig {
  ups: UpsConf;
  upsd: UpsdConf;
  users: UpsdUsers;
  issues: ConfigIssue[];
}

/** upsd refused its configuration: every issue, printed as FILE:LINE: ... */
export class UpsdConfigError extends WalnutError {
  constructor(readonly issues: ConfigIssue[]) {
    super('CONFIG', issues.filter((i) => i.severity === 'error').map(formatIssue).join('\n'));
  }
}

function readFile(file: string, issues: ConfigIssue[], missing: 'error' | 'warning'): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const what = err.code === 'ENOENT' ? 'file not found' : err.code === 'EACCES' ? 'permission denied' : err.message;
    issues.push({
      severity: missing,
      file,
      line: 0,
      message: `can't read: ${what}`,
      ...(err.code === 'ENOENT' ? { suggestion: `create it, or point NUT_CONFPATH at the folder that holds it` } : {}),
    });
    return undefined;
  }
}

/** Loads the three files; never throws (problems are issues). */
export function loadUpsdConfig(confPath: string): UpsdConfig {
  const issues: ConfigIssue[] = [];
  const upsFile = path.join(confPath, 'ups.conf');
  const upsdFile = path.join(confPath, 'upsd.conf');
  const usersFile = path.join(confPath, 'upsd.users');

  let ups: UpsConf = { globals: [], globalFlags: [], ups: [] };
  const upsText = readFile(upsFile, issues, 'error');
  if (upsText) {
    const r = parseUpsConf(upsText, upsFile);
    ups = r.value;
    issues.push(...r.issues);
  }
  let upsd = defaultUpsdConf();
  const upsdText = readFile(upsdFile, issues, 'error');
  if (upsdText) {
    const r = parseUpsdConf(upsdText, upsdFile);
    upsd = r.value;
    issues.push(...r.issues);
  }
  let users: UpsdUsers = new Map();
  const usersText = readFile(usersFile, issues, 'warning');
  if (usersText) {
    const r = parseUpsdUsers(usersText, usersFile);
    users = r.value;
    issues.push(...r.issues);
  }
  return { ups, upsd, users, issues };
}

export function configErrors(cfg: UpsdConfig): ConfigIssue[] {
  return cfg.issues.filter((i) => i.severity === 'error');
}

/** The ups.conf global `statepath` (NUT 2.8.3+ reads it), if any. */
export function upsConfStatePath(ups: UpsConf): string | undefined {
  return ups.globals.find((g) => g.key.toLowerCase() === 'statepath')?.value;
}
