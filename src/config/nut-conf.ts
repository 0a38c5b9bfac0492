/**
 * nut.conf (nut-protocol.md §4.4): sourced by shell scripts, so it is
 * `KEY=value` with no spaces around `=`, `#` comments, values optionally
 * quoted. Read with the shared lexer; the raw text is consulted only to see
 * the spaces the lexer does not report.
 */
import { lexText } from '../common/lexer.js';
import { IssueList, byLine, toBytes } from './issues.js';
import { NUT_CONF_KEYS, NUT_MODES } from './keys.js';
import { closest, didYouMean } from './suggest.js';
import type { NutConf, NutMode, Parsed } from './types.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function unquoteShell(v: string): string {
  // the lexer already removed double quotes; single quotes are plain characters to it
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  return v;
}

export function parseNutConf(text: string | Buffer, file: string): Parsed<NutConf> {
  const issues = new IssueList(file);
  const bytes = toBytes(text);
  const raw = bytes.toString('latin1').split('\n');
  const value: NutConf = { mode: 'none', vars: new Map() };
  const { lines: lexed, errors } = lexText(bytes);
  // NUT's lexer refuses `#` inside double quotes; the shell does not: take
  // such a line as the shell would when it is a plain assignment
  const lines = [...lexed];
  const SHELL = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"\\$`]*)"|'([^']*)')\s*(?:#.*)?$/;
  for (const e of errors) {
    const m = SHELL.exec(raw[e.line - 1] ?? '');
    if (m) lines.push({ words: [m[1]!, '=', m[2] ?? m[3] ?? ''], line: e.line });
    else issues.lexErrors([e]);
  }
  lines.sort((a, b) => a.line - b.line);
  let modeLine = 0;

  for (const { words: w, line } of lines) {
    let words = w;
    if (words[0] === 'export' && words.length > 1) words = words.slice(1);
    const key = words[0]!;
    if (words[1] !== '=') {
      const s = words.length === 1 ? closest(key, NUT_CONF_KEYS) : undefined;
      issues.error(line, `"${w.join(' ')}" is not a KEY=value line`, s ? `write ${s}=VALUE` : 'write KEY=value with no spaces around =');
      continue;
    }
    if (!NAME.test(key)) {
      issues.error(line, `"${key}" is not a valid shell variable name`, 'names are letters, digits and _');
      continue;
    }
    const rawLine = raw[line - 1] ?? '';
    const val = words.length >= 3 ? unquoteShell(words[2]!) : '';
    if (!new RegExp(`^\\s*(export\\s+)?${escapeRe(key)}=`).test(rawLine)) {
      issues.error(line, `space before "=" in ${key}: the shell runs ${key} as a command instead of setting it`, `write ${key}=${val || 'value'}`);
      continue;
    }
    if (words.length >= 3 && new RegExp(`^\\s*(export\\s+)?${escapeRe(key)}=[ \\t]+[^ \\t#]`).test(rawLine)) {
      issues.error(line, `space after "=" in ${key}: the shell sets ${key} empty and runs "${val}" as a command`, `write ${key}=${val}`);
      continue;
    }
    if (words.length > 3) {
      issues.error(line, `unquoted spaces in the value of ${key}: the shell runs "${words.slice(3).join(' ')}" as a command`, `write ${key}="${words.slice(2).join(' ')}"`);
      continue;
    }
    const prev = value.vars.has(key);
    value.vars.set(key, val);
    if (!(NUT_CONF_KEYS as readonly string[]).includes(key)) {
      const s = didYouMean(key, NUT_CONF_KEYS);
      issues.warn(line, `unknown key ${key} (NUT's scripts ignore it)`, s);
    }
    if (key === 'MODE') {
      if (prev) issues.warn(line, `MODE set again (first on line ${modeLine}); the last value wins`);
      modeLine = line;
      if ((NUT_MODES as readonly string[]).includes(val)) value.mode = val as NutMode;
      else {
        issues.error(line, `unknown MODE "${val}"; NUT's scripts then start nothing`, didYouMean(val, NUT_MODES, 3) ?? `MODE is one of ${NUT_MODES.join(', ')}`);
        value.mode = 'none';
      }
    }
  }
  if (!modeLine) {
    issues.warn(0, 'no MODE set: NUT treats it as MODE=none and starts nothing', 'add MODE=standalone, netserver or netclient');
  }
  return { value, issues: byLine(issues.items) };
}
