/**
 * The parsed forms of NUT's config files. Parsers (one file each in this
 * folder) return these plus a list of issues; they never throw on bad input.
 */

export type Severity = 'error' | 'warning';

export interface ConfigIssue {
  severity: Severity;
  file: string;
  /** 1-based line; 0 for a problem with the whole file (missing, permissions). */
  line: number;
  message: string;
  /** e.g. "did you mean driver?" */
  suggestion?: string;
  /** A stable name for issues other code reacts to (e.g. 'insufficient-power'). */
  code?: string;
}

export interface Parsed<T> {
  value: T;
  issues: ConfigIssue[];
}

/** ups.conf */
export interface UpsSection {
  /** Section name as written ([myups] → myups). */
  name: string;
  line: number;
  driver?: string;
  port?: string;
  desc?: string;
  sdorder: number;
  /**
   * Every `key = value` of the section, in file order, keys as written;
   * except known flags written as `flag = value`, which are in `flags`.
   */
  options: Array<{ key: string; value: string; line: number }>;
  /**
   * Every flag of the section: one-word lines, and known flags written as
   * `flag = value` (NUT's drivers enable those whatever the value).
   */
  flags: Array<{ name: string; line: number }>;
}

export interface UpsConf {
  /** Global `key = value` lines (before the first section). */
  globals: Array<{ key: string; value: string; line: number }>;
  globalFlags: Array<{ name: string; line: number }>;
  ups: UpsSection[];
}

/** upsd.conf */
export interface ListenAddress {
  address: string;
  port: number;
  line: number;
}

export interface UpsdConf {
  listen: ListenAddress[];
  maxAge: number; // default 15
  maxConn?: number;
  trackingDelay: number; // default 3600
  statePath?: string;
  dataPath?: string;
  allowNoDevice: boolean;
  allowNotAllListeners: boolean;
  certFile?: string;
  certPath?: string;
  certIdent?: { name: string; password: string };
  certRequest?: 0 | 1 | 2;
  disableWeakSsl: boolean;
  debugMin?: number;
}

/** upsd.users */
export interface UpsdUser {
  name: string;
  password?: string;
  /** Lower-case action names: set, fsd, login, master, primary. */
  actions: Set<string>;
  /** Lower-case instant command names, or 'all'. */
  instcmds: Set<string>;
  upsmon?: 'primary' | 'secondary';
}

export type UpsdUsers = Map<string, UpsdUser>;

/** nut.conf */
export type NutMode = 'none' | 'standalone' | 'netserver' | 'netclient';
export interface NutConf {
  mode: NutMode;
  /** Every KEY=value, values unquoted. */
  vars: Map<string, string>;
}

/** upsmon.conf */
export type NotifyType =
  | 'ONLINE'
  | 'ONBATT'
  | 'LOWBATT'
  | 'FSD'
  | 'COMMOK'
  | 'COMMBAD'
  | 'SHUTDOWN'
  | 'REPLBATT'
  | 'NOCOMM'
  | 'NOPARENT'
  | 'CAL'
  | 'NOTCAL'
  | 'OFF'
  | 'NOTOFF'
  | 'BYPASS'
  | 'NOTBYPASS'
  | 'ALARM'
  | 'NOTALARM'
  | 'OVER'
  | 'NOTOVER'
  | 'TRIM'
  | 'NOTTRIM'
  | 'BOOST'
  | 'NOTBOOST'
  | 'OTHER'
  | 'NOTOTHER'
  | 'SUSPEND_STARTING'
  | 'SUSPEND_FINISHED';

export type NotifyFlag = 'SYSLOG' | 'WALL' | 'EXEC' | 'IGNORE';

export interface MonitorEntry {
  /** `ups@host:port` as written. */
  system: string;
  ups: string;
  host: string;
  port: number;
  powerValue: number;
  user: string;
  password: string;
  role: 'primary' | 'secondary';
  line: number;
}

export interface UpsmonConf {
  monitors: MonitorEntry[];
  minSupplies: number;
  shutdownCmd?: string;
  powerDownFlag?: string;
  notifyCmd?: string;
  notifyMsg: Partial<Record<NotifyType, string>>;
  notifyFlag: Partial<Record<NotifyType, NotifyFlag[]>>;
  pollFreq: number;
  pollFreqAlert: number;
  deadTime: number;
  hostSync: number;
  finalDelay: number;
  noCommWarnTime: number;
  rbWarnTime: number;
  offDuration: number;
  overDuration: number;
  oblbDuration: number;
  alarmCritical: boolean;
  /** 0 = exit at once (yes), -1 = never (no), N = linger N seconds. */
  shutdownExit: number;
  runAsUser?: string;
  pollFailLogThrottleMax: number;
  certPath?: string;
  certIdent?: { name: string; password: string };
  certHosts: Array<{ host: string; name: string; verify: boolean; force: boolean; line: number }>;
  certVerify: boolean;
  forceSsl: boolean;
  /** Walnut's CERTPIN FILE: server certificate fingerprints pinned on first use. */
  certPin?: string;
  debugMin?: number;
}

/** upssched.conf */
export type UpsschedAction =
  | { kind: 'start-timer'; name: string; seconds: number; /** START-TIMER-SHARED */ shared?: boolean }
  | { kind: 'cancel-timer'; name: string; cmd?: string }
  | { kind: 'execute'; cmd: string };

export interface UpsschedRule {
  /** UPS name pattern: a name or `*`. */
  ups: string;
  notifyType: string;
  action: UpsschedAction;
  line: number;
}

export interface UpsschedConf {
  cmdScript?: string;
  pipeFn?: string;
  lockFn?: string;
  rules: UpsschedRule[];
  debugMin?: number;
}
