/**
 * What one upssched invocation does (nut-monitor-drivers.md §2), pure: the
 * AT rules of upssched.conf matching this NOTIFYTYPE and UPSNAME, in file
 * order, as steps for the I/O shell. The type matches ignoring case; the UPS
 * must match exactly (the full `ups@host` string) or be `*`; every matching
 * rule runs.
 */
import type { UpsschedConf, UpsschedAction } from '../../config/types.js';

export type UpsschedStep =
  | { kind: 'start-timer'; name: string; seconds: number; shared: boolean; line: number }
  | { kind: 'cancel-timer'; name: string; cmd?: string; line: number }
  | { kind: 'execute'; cmd: string; line: number };

export function ruleMatches(rule: { ups: string; notifyType: string }, notifyType: string, upsName: string): boolean {
  return rule.notifyType.toUpperCase() === notifyType.toUpperCase() && (rule.ups === '*' || rule.ups === upsName);
}

function step(a: UpsschedAction, line: number): UpsschedStep {
  switch (a.kind) {
    case 'start-timer':
      return { kind: 'start-timer', name: a.name, seconds: a.seconds, shared: !!a.shared, line };
    case 'cancel-timer':
      return a.cmd !== undefined ? { kind: 'cancel-timer', name: a.name, cmd: a.cmd, line } : { kind: 'cancel-timer', name: a.name, line };
    case 'execute':
      return { kind: 'execute', cmd: a.cmd, line };
  }
}

export function planInvocation(conf: UpsschedConf, notifyType: string, upsName: string): UpsschedStep[] {
  return conf.rules.filter((r) => ruleMatches(r, notifyType, upsName)).map((r) => step(r.action, r.line));
}

/** Does a step need the timer daemon (started when absent)? CANCEL-TIMER without a command does not start one. */
export function needsDaemon(s: UpsschedStep): boolean {
  return s.kind === 'start-timer' || (s.kind === 'cancel-timer' && s.cmd !== undefined);
}
