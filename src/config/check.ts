/**
 * `walnut check`: validate every NUT config file present in a folder, then a
 * few cross-file checks that are cheap and certain (a MONITOR user missing from
 * the local upsd.users, a primary MONITOR with a secondary-only user, nut.conf
 * MODE against the files present, upssched rules for UPS names upsmon never
 * reports).
 */
import fs from 'node:fs';
import path from 'node:path';
import { byLine } from './issues.js';
import { CONFIG_NAMES, SECRET_FILES, checkPermissions, loadConfigFile, type ConfigFiles, type ConfigName, type Loaded } from './load.js';
import { closest } from './suggest.js';
import type { ConfigIssue, Severity } from './types.js';
import type { UpsdUsersParsed } from './upsd-users.js';

export interface CheckResult {
  issues: ConfigIssue[];
  /** Paths of the files that were found and checked. */
  files: string[];
}

type LoadedAll = { [N in ConfigName]?: Loaded<ConfigFiles[N]> };

const WILDCARDS = new Set(['*', '0.0.0.0', '::', '[::]']);
const LOCAL_HOSTS = new Set(['localhost', 'ip6-localhost', '::1', '0:0:0:0:0:0:0:1']);

function isLoopback(host: string): boolean {
  return LOCAL_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function checkConfig(confPath: string): CheckResult {
  const issues: ConfigIssue[] = [];
  const add = (severity: Severity, file: string, line: number, message: string, suggestion?: string): void => {
    const i: ConfigIssue = { severity, file, line, message };
    if (suggestion) i.suggestion = suggestion;
    issues.push(i);
  };
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(confPath);
  } catch {
    /* missing */
  }
  if (!st?.isDirectory()) {
    add('error', confPath, 0, st ? 'not a directory' : 'config folder not found', 'give the folder holding ups.conf etc. with -c DIR, or set NUT_CONFPATH');
    return { issues, files: [] };
  }

  const loaded: LoadedAll = {};
  const files: string[] = [];
  for (const name of CONFIG_NAMES) {
    const file = path.join(confPath, name);
    if (!fs.existsSync(file)) continue;
    const l = loadConfigFile(file, name);
    (loaded as Record<string, unknown>)[name] = l;
    files.push(file);
    issues.push(...l.issues);
    if (SECRET_FILES.includes(name)) issues.push(...checkPermissions(file));
  }
  if (files.length === 0) {
    add('error', confPath, 0, 'no NUT config file here (nut.conf, ups.conf, upsd.conf, upsd.users, upsmon.conf, upssched.conf)', 'check the folder, or set NUT_CONFPATH');
    return { issues, files };
  }
  const upsdConf = loaded['upsd.conf'];
  if (upsdConf?.value.certIdent) issues.push(...checkPermissions(upsdConf.file));

  crossChecks(confPath, loaded, add);

  // group by file (in CONFIG_NAMES order), each in line order
  const order = (f: string): number => {
    const i = CONFIG_NAMES.indexOf(path.basename(f) as ConfigName);
    return i < 0 ? -1 : i;
  };
  const groups = new Map<string, ConfigIssue[]>();
  for (const i of issues) {
    const g = groups.get(i.file);
    if (g) g.push(i);
    else groups.set(i.file, [i]);
  }
  const sorted = [...groups.entries()].sort((a, b) => order(a[0]) - order(b[0])).flatMap(([, g]) => byLine(g));
  return { issues: sorted, files };
}

export function checkConfigDir(confPath: string): ConfigIssue[] {
  return checkConfig(confPath).issues;
}

type Add = (severity: Severity, file: string, line: number, message: string, suggestion?: string) => void;

function crossChecks(confPath: string, l: LoadedAll, add: Add): void {
  const nut = l['nut.conf'];
  const ups = l['ups.conf'];
  const upsd = l['upsd.conf'];
  const users = l['upsd.users'] as (Loaded<ConfigFiles['upsd.users']> & Partial<Pick<UpsdUsersParsed, 'lines'>>) | undefined;
  const mon = l['upsmon.conf'];
  const sched = l['upssched.conf'];
  const inDir = (n: string): string => path.join(confPath, n);

  // nut.conf MODE against the files present
  if (nut) {
    const mode = nut.value.mode;
    const modeLine = findLine(nut.file, /^\s*(export\s+)?MODE=/) ?? 0;
    const need = (name: ConfigName, sev: Severity, why: string): void => {
      if (!l[name]) add(sev, inDir(name), 0, `MODE=${mode} but ${name} is missing: ${why}`, `create ${inDir(name)}`);
    };
    if (mode === 'standalone' || mode === 'netserver') {
      need('ups.conf', 'error', 'no driver or upsd can start');
      need('upsd.conf', 'error', 'upsd cannot start');
      need('upsd.users', 'warning', "nobody (not even upsmon) can log in to upsd, and NUT 2.8.0's upsd exits at startup");
      need('upsmon.conf', 'error', 'upsmon cannot start, so nothing shuts this system down');
    } else if (mode === 'netclient') {
      need('upsmon.conf', 'error', 'upsmon cannot start');
      if (ups && ups.value.ups.length > 0) {
        add('warning', nut.file, modeLine, `MODE=netclient: the ${ups.value.ups.length} UPS in ups.conf will not be served (no driver or upsd starts)`, 'use MODE=standalone or netserver on the machine the UPS is connected to');
      }
    } else if (mode === 'none' && (ups?.value.ups.length || mon?.value.monitors.length)) {
      add('warning', nut.file, modeLine, 'MODE=none: NUT starts nothing, although ups.conf or upsmon.conf are configured', 'set MODE=standalone, netserver or netclient');
    }
    if (mode === 'netserver' && upsd && upsd.value.listen.every((x) => isLoopback(x.address))) {
      add(
        'warning',
        upsd.file,
        upsd.value.listen[0]?.line ?? 0,
        'MODE=netserver but upsd listens only on loopback, so other machines cannot reach it',
        'add LISTEN 0.0.0.0 3493 (or the address of this machine), or use MODE=standalone',
      );
    }
  }

  // with MODE=none nothing starts: what would stop upsmon from starting is only a warning
  if (nut?.value.mode === 'none' && mon) {
    for (const i of mon.issues) {
      if (i.code === 'insufficient-power') {
        i.severity = 'warning';
        i.message += ' (but MODE=none in nut.conf: upsmon is not started)';
      }
    }
  }

  // upsd with no UPS
  if (upsd && ups && ups.value.ups.length === 0 && !upsd.value.allowNoDevice && nut?.value.mode !== 'netclient' && nut?.value.mode !== 'none') {
    add('error', ups.file, 0, 'no UPS section in ups.conf: upsd exits at startup', 'add a [ups] section, or ALLOW_NO_DEVICE true in upsd.conf');
  }

  // MONITOR lines against the local upsd
  if (mon) {
    const listenAddrs = new Set((upsd?.value.listen ?? []).map((x) => x.address.toLowerCase()));
    const ports = new Set(upsd && upsd.value.listen.length > 0 ? upsd.value.listen.map((x) => x.port) : [3493]);
    for (const m of mon.value.monitors) {
      const local = isLoopback(m.host) || listenAddrs.has(m.host.toLowerCase());
      if (!local) {
        // an address one typo away from a local LISTEN address (10.100.2.23 for 10.100.2.32)
        const near = /^[\d.]+$/.test(m.host) ? closest(m.host, [...listenAddrs].filter((a) => /^[\d.]+$/.test(a)), 2) : undefined;
        if (near) {
          add('warning', mon.file, m.line, `MONITOR ${m.system}: ${m.host} is not an address this upsd listens on, but ${near} is`, `did you mean ${m.ups}@${near}${m.port !== 3493 ? `:${m.port}` : ''}?`);
        }
        continue;
      }
      const listen = upsd?.value.listen ?? [];
      if (isLoopback(m.host) && listen.length > 0 && !listen.some((x) => isLoopback(x.address) || WILDCARDS.has(x.address))) {
        add(
          'error',
          mon.file,
          m.line,
          `MONITOR ${m.system}: the local upsd does not listen on loopback (LISTEN ${listen.map((x) => x.address).join(', ')} in ${upsd!.file})`,
          `add LISTEN 127.0.0.1 ${m.port} to upsd.conf, or monitor ${m.ups}@${listen[0]!.address}`,
        );
      }
      if (upsd && !ports.has(m.port)) {
        add('error', mon.file, m.line, `MONITOR ${m.system}: the local upsd listens on port ${[...ports].join(', ')}, not ${m.port}`, `write ${m.ups}@${m.host}:${[...ports][0]}`);
      }
      if (ups && !ups.value.ups.some((u) => u.name.toLowerCase() === m.ups.toLowerCase())) {
        const s = closest(m.ups, ups.value.ups.map((u) => u.name));
        add('error', mon.file, m.line, `MONITOR ${m.system}: there is no UPS [${m.ups}] in ${ups.file}; upsd answers UNKNOWN-UPS`, s ? `did you mean ${s}?` : undefined);
      }
      if (!users) continue;
      const u = users.value.get(m.user);
      if (!u) {
        const s = closest(m.user, users.value.keys());
        add('error', mon.file, m.line, `MONITOR ${m.system}: user ${m.user} is not in ${users.file}; the login will fail`, s ? `did you mean ${s}?` : `add [${m.user}] with a password and upsmon ${m.role}`);
        continue;
      }
      if (u.password !== undefined && u.password !== m.password) {
        add('error', mon.file, m.line, `MONITOR ${m.system}: the password of ${m.user} differs from the one in ${users.file}; the login will fail`, 'use the same password in both files');
      }
      const ul = users.lines?.get(m.user);
      if (!u.upsmon) {
        add('error', mon.file, m.line, `MONITOR ${m.system}: user ${m.user} has no upsmon line in ${users.file}, so upsd refuses its LOGIN`, `add "upsmon ${m.role}" to [${m.user}]${ul ? ` (line ${ul.section})` : ''}`);
      } else if (m.role === 'primary' && u.upsmon !== 'primary') {
        add(
          'error',
          mon.file,
          m.line,
          `MONITOR ${m.system} is primary but user ${m.user} is only "upsmon secondary" in ${users.file}; upsd refuses PRIMARY and cannot be told to set FSD`,
          `write "upsmon primary" for [${m.user}]${ul?.upsmon ? ` (${users.file}:${ul.upsmon})` : ''}, or make this MONITOR secondary`,
        );
      }
    }
  }

  // dummy-ups data files (a relative port is looked up in the config folder)
  if (ups) {
    for (const u of ups.value.ups) {
      if (u.driver !== 'dummy-ups' || u.port === undefined || u.port.includes('@')) continue;
      const mode = u.options.find((o) => o.key === 'mode')?.value;
      if (mode === 'repeater') continue;
      const p = path.isAbsolute(u.port) ? u.port : path.resolve(u.port.startsWith('./') ? process.cwd() : confPath, u.port);
      if (!fs.existsSync(p)) {
        const line = u.options.find((o) => o.key === 'port')?.line ?? u.line;
        add('error', ups.file, line, `[${u.name}]: dummy-ups data file ${p} does not exist; the driver cannot start`, `create it (upsc-style "var: value" lines), or fix the port`);
      }
    }
  }

  // programs upsmon and upssched will run
  if (mon) {
    const find = (kw: string): number => findLine(mon.file, new RegExp(`^\\s*${kw}\\s`)) ?? 0;
    if (mon.value.shutdownCmd !== undefined) checkProgram(add, mon.file, find('SHUTDOWNCMD'), 'SHUTDOWNCMD', mon.value.shutdownCmd);
    if (mon.value.notifyCmd !== undefined) checkProgram(add, mon.file, find('NOTIFYCMD'), 'NOTIFYCMD', mon.value.notifyCmd);
    const flag = mon.value.powerDownFlag;
    if (flag !== undefined && path.isAbsolute(flag) && !fs.existsSync(path.dirname(flag))) {
      add('warning', mon.file, find('POWERDOWNFLAG'), `POWERDOWNFLAG ${flag}: the folder ${path.dirname(flag)} does not exist on this machine`, 'use a folder that exists at shutdown time, e.g. /etc/killpower');
    }
  }
  if (sched?.value.cmdScript !== undefined) {
    checkProgram(add, sched.file, findLine(sched.file, /^\s*CMDSCRIPT\s/) ?? 0, 'CMDSCRIPT', sched.value.cmdScript);
  }

  // upssched rules that can never match what upsmon reports
  if (sched && mon && mon.value.monitors.length > 0) {
    const systems = mon.value.monitors.map((m) => m.system);
    for (const r of sched.value.rules) {
      if (r.ups === '*' || systems.includes(r.ups)) continue;
      const s = mon.value.monitors.find((m) => m.ups.toLowerCase() === r.ups.toLowerCase())?.system ?? closest(r.ups, systems);
      add(
        'warning',
        sched.file,
        r.line,
        `AT ${r.notifyType} ${r.ups}: upsmon reports UPS names exactly as in MONITOR (${systems.join(', ')}), so this rule never fires`,
        s ? `did you mean ${s}?` : 'use the MONITOR name or *',
      );
    }
  }
}

function findLine(file: string, re: RegExp): number | undefined {
  try {
    const lines = fs.readFileSync(file, 'latin1').split('\n');
    let n: number | undefined;
    lines.forEach((t, i) => {
      if (re.test(t)) n = i + 1;
    });
    return n;
  } catch {
    return undefined;
  }
}

/** The program a command line starts: its first word (absolute paths only are checked). */
function checkProgram(add: Add, file: string, line: number, kw: string, cmd: string): void {
  const prog = cmd.trim().split(/\s+/)[0] ?? '';
  if (!path.isAbsolute(prog)) return; // found through PATH at run time: not checked
  let st: fs.Stats;
  try {
    st = fs.statSync(prog);
  } catch {
    add('warning', file, line, `${kw}: ${prog} does not exist on this machine`, 'check the path');
    return;
  }
  if (!st.isFile()) add('warning', file, line, `${kw}: ${prog} is not a file`);
  else if ((st.mode & 0o111) === 0) add('warning', file, line, `${kw}: ${prog} is not executable`, `chmod +x ${prog}`);
}
