/**
 * Reading NUT's config files from a confPath (I/O at the edge; the parsers
 * stay pure). A missing file is an issue where NUT needs the file: an error
 * for ups.conf, upsd.conf, upsmon.conf and upssched.conf; only a warning for
 * upsd.users (upsd then has no users) and nut.conf (the scripts assume
 * MODE=none).
 */
import fs from 'node:fs';
import path from 'node:path';
import { IssueList } from './issues.js';
import { parseNutConf } from './nut-conf.js';
import { parseUpsConf } from './ups-conf.js';
import { defaultUpsdConf, parseUpsdConf } from './upsd-conf.js';
import { parseUpsdUsers } from './upsd-users.js';
import { defaultUpsmonConf, parseUpsmonConf } from './upsmon-conf.js';
import { parseUpsschedConf } from './upssched-conf.js';
import type { ConfigIssue, NutConf, Parsed, UpsConf, UpsdConf, UpsdUsers, UpsmonConf, UpsschedConf } from './types.js';

/** Each NUT config file name and its parsed shape. */
export interface ConfigFiles {
  'nut.conf': NutConf;
  'ups.conf': UpsConf;
  'upsd.conf': UpsdConf;
  'upsd.users': UpsdUsers;
  'upsmon.conf': UpsmonConf;
  'upssched.conf': UpsschedConf;
}
export type ConfigName = keyof ConfigFiles;
export const CONFIG_NAMES: readonly ConfigName[] = ['nut.conf', 'ups.conf', 'upsd.conf', 'upsd.users', 'upsmon.conf', 'upssched.conf'];

/** Files holding passwords (upsd.users; upsmon.conf MONITOR lines). */
export const SECRET_FILES: readonly ConfigName[] = ['upsd.users', 'upsmon.conf'];

export interface Loaded<T> extends Parsed<T> {
  /** The path read (or looked for). */
  file: string;
  exists: boolean;
}

type Parser<T> = (text: string | Buffer, file: string) => Parsed<T>;
const PARSERS: { [N in ConfigName]: Parser<ConfigFiles[N]> } = {
  'nut.conf': parseNutConf,
  'ups.conf': parseUpsConf,
  'upsd.conf': parseUpsdConf,
  'upsd.users': parseUpsdUsers,
  'upsmon.conf': parseUpsmonConf,
  'upssched.conf': parseUpsschedConf,
};

/** The empty value a missing file stands for. */
export function emptyConfig<N extends ConfigName>(name: N): ConfigFiles[N] {
  const v: { [K in ConfigName]: () => ConfigFiles[K] } = {
    'nut.conf': () => ({ mode: 'none', vars: new Map() }),
    'ups.conf': () => ({ globals: [], globalFlags: [], ups: [] }),
    'upsd.conf': defaultUpsdConf,
    'upsd.users': () => new Map(),
    'upsmon.conf': defaultUpsmonConf,
    'upssched.conf': () => ({ rules: [] }),
  };
  return v[name]();
}

/** Parse the text of a config file by its NUT name. */
export function parseConfig<N extends ConfigName>(name: N, text: string | Buffer, file: string): Parsed<ConfigFiles[N]> {
  return (PARSERS[name] as Parser<ConfigFiles[N]>)(text, file);
}

const MISSING: Record<ConfigName, { severity: 'error' | 'warning'; why: string }> = {
  'nut.conf': { severity: 'warning', why: "NUT's scripts then take MODE=none and start nothing" },
  'ups.conf': { severity: 'error', why: 'upsd and the drivers cannot start without it' },
  'upsd.conf': { severity: 'error', why: 'upsd cannot start without it' },
  'upsd.users': {
    severity: 'warning',
    why: 'upsd has no users, so nobody can log in, SET or run commands (and NUT 2.8.0\'s upsd exits at startup without it; later releases only warn)',
  },
  'upsmon.conf': { severity: 'error', why: 'upsmon cannot start without it' },
  'upssched.conf': { severity: 'error', why: 'upssched cannot run without it' },
};

/** Read and parse `name` from a file path (for programs given `-f FILE`). */
export function loadConfigFile<N extends ConfigName>(file: string, name: N): Loaded<ConfigFiles[N]> {
  let text: Buffer;
  try {
    text = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const issues = new IssueList(file);
    if (code === 'ENOENT') {
      const m = MISSING[name];
      issues.add(m.severity, 0, `${name} not found: ${m.why}`, `create ${file}, or set NUT_CONFPATH to the folder holding it`);
    } else if (code === 'EACCES') {
      issues.error(0, `cannot read ${name}: permission denied`, 'run as root or as the nut user, or fix the file owner (root:nut, mode 0640)');
    } else if (code === 'EISDIR') {
      issues.error(0, `${file} is a directory, not a file`);
    } else {
      issues.error(0, `cannot read ${name}: ${(e as Error).message}`);
    }
    return { value: emptyConfig(name), issues: issues.items, file, exists: code !== 'ENOENT' };
  }
  const parsed = parseConfig(name, text, file);
  return { ...parsed, file, exists: true };
}

/** Read and parse `<confPath>/<name>`, e.g. loadConfig(nutPaths().confPath, 'ups.conf'). */
export function loadConfig<N extends ConfigName>(confPath: string, name: N): Loaded<ConfigFiles[N]> {
  return loadConfigFile(path.join(confPath, name), name);
}

/**
 * A warning when a file that holds passwords can be read by every user
 * (mode & 0o004), with the chmod that fixes it. A missing file gives nothing.
 */
export function checkPermissions(file: string): ConfigIssue[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return [];
  }
  const issues = new IssueList(file);
  const mode = st.mode & 0o777;
  if (mode & 0o004) {
    const fixed = (mode & ~0o007).toString(8).padStart(4, '0');
    issues.warn(
      0,
      `${path.basename(file)} holds passwords and is readable by every user (mode ${mode.toString(8).padStart(4, '0')})`,
      `chmod ${fixed === '0600' || fixed === '0640' ? fixed : '0640'} ${file}; chown root:nut ${file}`,
    );
  } else if (mode & 0o002) {
    issues.warn(0, `${path.basename(file)} is writable by every user`, `chmod o-w ${file}`);
  }
  return issues.items;
}
