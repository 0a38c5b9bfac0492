/**
 * upssched.conf (nut-monitor-drivers.md §2): CMDSCRIPT, PIPEFN and LOCKFN
 * (before the first AT, or upssched exits), DEBUG_MIN, and
 * `AT notifytype ups|* START-TIMER name secs | START-TIMER-SHARED name secs |
 * CANCEL-TIMER name [cmd] | EXECUTE cmd`. The notify type matches ignoring
 * case; the UPS must match exactly (the MONITOR `ups@host` string) or be `*`.
 */
import { lexText } from '../common/lexer.js';
import { IssueList, byLine, toBytes } from './issues.js';
import { LATER_NOTIFY_TYPES, NOTIFY_TYPES, UPSSCHED_COMMANDS, UPSSCHED_DIRECTIVES } from './keys.js';
import { didYouMean } from './suggest.js';
import type { Parsed, UpsschedAction, UpsschedConf } from './types.js';

export function parseUpsschedConf(text: string | Buffer, file: string): Parsed<UpsschedConf> {
  const issues = new IssueList(file);
  const value: UpsschedConf = { rules: [] };
  const { lines, errors } = lexText(toBytes(text));
  issues.lexErrors(errors);
  let firstAt = 0;
  const where: Record<'CMDSCRIPT' | 'PIPEFN' | 'LOCKFN', number> = { CMDSCRIPT: 0, PIPEFN: 0, LOCKFN: 0 };
  let timerLine = 0;
  let scriptUseLine = 0;

  for (const { words, line } of lines) {
    let kw = words[0]!;
    if (kw.toUpperCase() === 'DEBUG_MIN') kw = 'DEBUG_MIN';
    const args = words.slice(1);
    switch (kw) {
      case 'CMDSCRIPT':
      case 'PIPEFN':
      case 'LOCKFN': {
        if (args.length === 0) {
          issues.warn(line, `${kw} needs a path`, `write ${kw} /path`);
          break;
        }
        if (args.length > 1) issues.error(line, `${kw} takes one path; NUT uses only "${args[0]}"`, `quote it: ${kw} "${args.join(' ')}"`);
        if (where[kw]) issues.warn(line, `${kw} set again (first on line ${where[kw]}); the last value wins`);
        if (firstAt) issues.error(line, `${kw} comes after the first AT (line ${firstAt}); upssched exits when an AT runs before it is set`, `move ${kw} above line ${firstAt}`);
        where[kw] = line;
        if (kw === 'CMDSCRIPT') value.cmdScript = args[0]!;
        else if (kw === 'PIPEFN') value.pipeFn = args[0]!;
        else value.lockFn = args[0]!;
        break;
      }
      case 'DEBUG_MIN': {
        const n = args[0] !== undefined && /^\d+$/.test(args[0]) ? Number(args[0]) : undefined;
        if (n === undefined) issues.warn(line, `DEBUG_MIN needs a whole number`, 'write DEBUG_MIN 0');
        else value.debugMin = n;
        break;
      }
      case 'AT': {
        if (args.length < 4) {
          issues.warn(line, `AT needs a notify type, a UPS (or *), a command and its argument`, 'write AT ONBATT * START-TIMER onbatt 30');
          break;
        }
        const [type, ups, cmd] = args as [string, string, string];
        const rest = args.slice(3);
        const t = type.toUpperCase();
        if (!(NOTIFY_TYPES as readonly string[]).includes(t)) {
          if ((LATER_NOTIFY_TYPES as readonly string[]).includes(t)) issues.warn(line, `AT ${type}: this type comes from a later NUT release and never fires here`);
          else issues.warn(line, `AT ${type}: unknown notify type; this line never fires`, didYouMean(type, NOTIFY_TYPES));
        }
        let action: UpsschedAction | undefined;
        switch (cmd) {
          case 'START-TIMER':
          case 'START-TIMER-SHARED': {
            if (rest.length < 2) {
              issues.warn(line, `${cmd} needs a timer name and a number of seconds`, `write AT ${type} ${ups} ${cmd} NAME 30`);
              break;
            }
            const secs = rest[1]!;
            if (!/^\d+$/.test(secs)) {
              issues.error(line, `${cmd} ${rest[0]}: the delay must be a whole number of seconds, not "${secs}"`);
              break;
            }
            if (rest.length > 2) issues.warn(line, `${cmd}: extra words ignored: ${rest.slice(2).join(' ')}`);
            action = { kind: 'start-timer', name: rest[0]!, seconds: Number(secs) };
            if (cmd === 'START-TIMER-SHARED') action.shared = true;
            timerLine ||= line;
            scriptUseLine ||= line;
            break;
          }
          case 'CANCEL-TIMER': {
            if (rest.length > 2) issues.warn(line, `CANCEL-TIMER: extra words ignored: ${rest.slice(2).join(' ')}`, 'the command after the timer name is one word (passed to CMDSCRIPT)');
            action = { kind: 'cancel-timer', name: rest[0]! };
            if (rest[1] !== undefined) {
              action.cmd = rest[1];
              scriptUseLine ||= line;
            }
            timerLine ||= line;
            break;
          }
          case 'EXECUTE':
            if (rest.length > 1) issues.warn(line, `EXECUTE: extra words ignored: ${rest.slice(1).join(' ')}`, 'the argument to CMDSCRIPT is one word');
            action = { kind: 'execute', cmd: rest[0]! };
            scriptUseLine ||= line;
            break;
          case 'CANCEL-TIMER-MATCHED':
            issues.warn(line, 'CANCEL-TIMER-MATCHED is documented but NUT 2.8 upssched rejects it as an invalid command', 'use CANCEL-TIMER NAME');
            break;
          default:
            issues.warn(line, `unknown AT command ${cmd}`, didYouMean(cmd, UPSSCHED_COMMANDS) ?? `commands are ${UPSSCHED_COMMANDS.join(', ')}`);
        }
        if (action) {
          value.rules.push({ ups, notifyType: t, action, line });
          if (!firstAt) firstAt = line;
        }
        break;
      }
      default:
        issues.warn(line, `unknown directive ${kw}; upssched ignores the line`, didYouMean(kw, UPSSCHED_DIRECTIVES));
    }
  }
  if (scriptUseLine && value.cmdScript === undefined) {
    issues.error(scriptUseLine, 'no CMDSCRIPT: upssched exits when this rule runs', 'add CMDSCRIPT /path/to/upssched-cmd at the top');
  }
  if (timerLine) {
    for (const k of ['PIPEFN', 'LOCKFN'] as const) {
      if (!where[k]) issues.error(timerLine, `no ${k}: upssched cannot run timers without it`, `add ${k} ${k === 'PIPEFN' ? '/run/nut/upssched/upssched.pipe' : '/run/nut/upssched/upssched.lock'} at the top`);
    }
  }
  return { value, issues: byLine(issues.items) };
}
