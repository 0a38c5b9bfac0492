/**
 * upsd.users (nut-protocol.md §4.3). `[username]` sections (case-sensitive
 * names); keys matched ignoring case; the first password wins; `actions` and
 * `instcmds` take several values and may repeat; `upsmon primary|secondary`
 * (legacy master|slave) with or without `=`; other keys need the `=`. A second `[user]` section for an
 * existing name is ignored by NUT, and the lines after it go to the previous
 * user: Walnut keeps NUT's behaviour and reports it as an error.
 */
import { lexText } from '../common/lexer.js';
import { IssueList, byLine, toBytes } from './issues.js';
import { STANDARD_COMMANDS, USERS_ACTIONS, USERS_KEYS, USERS_UPSMON_ROLES } from './keys.js';
import { closest, didYouMean } from './suggest.js';
import type { Parsed, UpsdUser, UpsdUsers } from './types.js';

/** Lines of an upsd.users file that Walnut reports against (for cross-file checks). */
export interface UserLines {
  section: number;
  upsmon?: number;
}

export interface UpsdUsersParsed extends Parsed<UpsdUsers> {
  lines: Map<string, UserLines>;
}

export function parseUpsdUsers(text: string | Buffer, file: string): UpsdUsersParsed {
  const issues = new IssueList(file);
  const users: UpsdUsers = new Map();
  const where = new Map<string, UserLines>();
  const { lines, errors } = lexText(toBytes(text));
  issues.lexErrors(errors);
  let cur: UpsdUser | undefined;
  let passwordLine = 0;
  let warnedPreamble = false;

  for (const { words, line } of lines) {
    const w0 = words[0]!;
    if (w0.startsWith('[')) {
      if (words.length !== 1 || !w0.endsWith(']') || w0.length < 3) {
        const guess = words.join('_').replace(/^\[/, '').replace(/\]$/, '');
        issues.error(line, `bad user section header "${words.join(' ')}"`, guess ? `write [${guess}]` : 'write [username]');
        continue;
      }
      const name = w0.slice(1, -1);
      const prev = users.get(name);
      if (prev) {
        issues.error(
          line,
          `user [${name}] defined again (first on line ${where.get(name)!.section}); NUT ignores this header and applies the lines after it to [${cur?.name ?? name}]`,
          'merge the two sections or rename one',
        );
        continue; // NUT: later lines keep going to the current user
      }
      cur = { name, actions: new Set(), instcmds: new Set() };
      users.set(name, cur);
      where.set(name, { section: line });
      passwordLine = 0;
      continue;
    }
    const key = w0.toLowerCase();
    if (key === 'user') {
      issues.warn(line, 'the "user" keyword is obsolete and ignored', 'start each user with a [username] section');
      continue;
    }
    if (!cur) {
      if (!warnedPreamble) issues.warn(line, 'lines before the first [username] section are ignored', 'start with [username]');
      warnedPreamble = true;
      continue;
    }
    // NUT reads `key = a b c`; without the `=` only `upsmon ROLE` works, any
    // other key is silently ignored (seen with real upsd 2.8.0)
    const hasEq = words[1] === '=';
    const vals = hasEq ? words.slice(2) : words.slice(1);
    if (!hasEq && key !== 'upsmon') {
      const known = (USERS_KEYS as readonly string[]).includes(key) || key === 'allowfrom';
      if (known) {
        issues.warn(line, `"${w0}" without "=" is silently ignored by NUT`, `write ${w0} = ${key === 'password' ? 'SECRET' : vals.join(' ') || 'VALUE'}`);
      } else {
        const s = closest(w0, USERS_KEYS);
        issues.warn(line, `unrecognized user setting ${w0} (ignored)`, s ? `did you mean ${s}?` : undefined);
      }
      continue;
    }
    switch (key) {
      case 'password': {
        if (vals.length === 0) {
          issues.warn(line, `password without a value for [${cur.name}]`, 'write password = SECRET');
          break;
        }
        if (cur.password !== undefined) {
          issues.warn(line, `second password for [${cur.name}] is ignored; the first one (line ${passwordLine}) wins`, 'keep one password line');
          break;
        }
        if (vals.length > 1) issues.warn(line, `only the first word of the password is used`, 'quote a password that has spaces');
        cur.password = vals[0]!;
        passwordLine = line;
        if (cur.password === '') issues.warn(line, `empty password for [${cur.name}]`);
        break;
      }
      case 'actions': {
        if (vals.length === 0) issues.warn(line, 'actions without a value', 'write actions = SET FSD');
        for (const v of vals) {
          const l = v.toLowerCase();
          if (l === 'set' || l === 'fsd') cur.actions.add(l);
          else if (l === 'login' || l === 'master' || l === 'primary') {
            cur.actions.add(l);
            issues.warn(line, `action ${v} is granted by the upsmon line, not by actions`, `write upsmon ${l === 'login' ? 'secondary' : 'primary'}`);
          } else issues.warn(line, `unknown action ${v} (ignored)`, didYouMean(v, USERS_ACTIONS) ?? 'actions are SET and FSD');
        }
        break;
      }
      case 'instcmds': {
        if (vals.length === 0) issues.warn(line, 'instcmds without a value', 'write instcmds = ALL, or a list of commands');
        for (const v of vals) {
          const l = v.toLowerCase();
          cur.instcmds.add(l);
          // drivers add their own commands, so only near misses of standard ones are reported
          if (l !== 'all' && !/^outlet\.\d+\./.test(l) && !(STANDARD_COMMANDS as readonly string[]).includes(l)) {
            const s = closest(l, STANDARD_COMMANDS, 2);
            if (s) issues.warn(line, `instcmds: "${v}" is not a standard command`, `did you mean ${s}?`);
          }
        }
        break;
      }
      case 'upsmon': {
        // NUT reads every word after the key: `=` only logs "Unknown upsmon type ="
        if (vals.length === 0) {
          issues.warn(line, `upsmon needs a role for [${cur.name}]`, 'write upsmon primary (or secondary)');
          break;
        }
        for (const v of vals) {
          const l = v.toLowerCase();
          if (l === 'primary' || l === 'master') {
            cur.upsmon = 'primary';
            for (const a of ['login', 'master', 'primary', 'fsd']) cur.actions.add(a);
          } else if (l === 'secondary' || l === 'slave') {
            if (cur.upsmon !== 'primary') cur.upsmon = 'secondary';
            cur.actions.add('login');
          } else {
            issues.warn(line, `unknown upsmon role ${v} (ignored by NUT)`, didYouMean(v, USERS_UPSMON_ROLES, 3) ?? 'use primary or secondary');
            continue;
          }
          where.get(cur.name)!.upsmon = line;
        }
        break;
      }
      case 'allowfrom':
        issues.warn(line, 'allowfrom is obsolete and ignored', 'restrict access with LISTEN in upsd.conf and a firewall');
        break;
      default: {
        const s = closest(w0, USERS_KEYS);
        issues.warn(line, `unrecognized user setting ${w0} (ignored)`, s ? `did you mean ${s}?` : undefined);
      }
    }
  }
  for (const u of users.values()) {
    if (u.password === undefined) {
      issues.warn(where.get(u.name)!.section, `user [${u.name}] has no password and can never log in`, 'add password = SECRET');
    }
  }
  return { value: users, issues: byLine(issues.items), lines: where };
}
