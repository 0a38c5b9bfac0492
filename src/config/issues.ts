/**
 * Building and printing config issues.
 *
 * Severity policy (all parsers): an **error** where NUT refuses to start or
 * exits, or applies something other than what is written (a lexer parse
 * error, a value cut at its first word where that changes its meaning, a port
 * NUT wraps, atoi turning garbage into 0, lines landing in another section),
 * or where a required piece is missing (driver/port, MONITOR power). A
 * **warning** where NUT logs the line and ignores it (unknown keys and
 * directives, values it rejects and keeps its default for, obsolete keys), or
 * silently guesses (an unknown MONITOR role word means secondary). Walnut's
 * daemons may refuse to start on errors, so errors stay for real breakage.
 */
import type { ConfigIssue, Severity } from './types.js';

/** `FILE:LINE: error: message (suggestion)`; a whole-file issue (line 0) has no line. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}` : issue.file;
  return `${where}: ${issue.severity}: ${issue.message}${issue.suggestion ? ` (${issue.suggestion})` : ''}`;
}

/** Collects the issues of one file. */
export class IssueList {
  readonly items: ConfigIssue[] = [];
  constructor(readonly file: string) {}

  add(severity: Severity, line: number, message: string, suggestion?: string): void {
    const issue: ConfigIssue = { severity, file: this.file, line, message };
    if (suggestion) issue.suggestion = suggestion;
    this.items.push(issue);
  }

  error(line: number, message: string, suggestion?: string): void {
    this.add('error', line, message, suggestion);
  }

  warn(line: number, message: string, suggestion?: string): void {
    this.add('warning', line, message, suggestion);
  }

  /** Lexer parse errors, reported as NUT would: the line is skipped. */
  lexErrors(errors: ReadonlyArray<{ line: number; message: string }>): void {
    for (const e of errors) {
      const hint = /#/.test(e.message)
        ? 'escape it as \\# or remove it; NUT drops the rest of the line'
        : 'close the quoted value with "';
      this.error(e.line, `parse error: ${e.message}`, hint);
    }
  }
}

export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** The issues of one file in line order (stable: equal lines keep their order). */
export function byLine(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((i, n) => ({ i, n }))
    .sort((a, b) => a.i.line - b.i.line || a.n - b.n)
    .map((x) => x.i);
}

/** Integers as NUT's configs write them: optional sign, digits only. */
export function parseIntStrict(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** NUT's boolean words (true/yes/on/1, false/no/off/0) or any number (non-zero = true). */
export function parseBool(s: string): boolean | undefined {
  const l = s.toLowerCase();
  if (l === 'true' || l === 'yes' || l === 'on') return true;
  if (l === 'false' || l === 'no' || l === 'off') return false;
  const n = parseIntStrict(s);
  if (n !== undefined) return n !== 0;
  return undefined;
}

/** Lexed input as a Buffer (the lexer reads bytes; a string is taken as latin1). */
export function toBytes(text: string | Buffer): Buffer {
  return typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
}
