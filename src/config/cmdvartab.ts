/**
 * NUT's cmdvartab: `VARDESC name "text"` and `CMDDESC name "text"` lines,
 * read with the shared lexer, names looked up ignoring case. upsd answers
 * GET DESC / GET CMDDESC from it (texts are sent without re-escaping);
 * upsrw -l and upscmd -l print them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexText } from '../common/lexer.js';
import { IssueList, toBytes } from './issues.js';
import { didYouMean } from './suggest.js';
import type { ConfigIssue, Parsed } from './types.js';

/** A name → text map whose lookups ignore case (the first definition wins, as in NUT). */
export class DescriptionMap {
  private readonly map = new Map<string, { name: string; text: string }>();

  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase())?.text;
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }

  /** Adds a description; returns false (and keeps the old text) when the name is already there. */
  set(name: string, text: string): boolean {
    const k = name.toLowerCase();
    if (this.map.has(k)) return false;
    this.map.set(k, { name, text });
    return true;
  }

  get size(): number {
    return this.map.size;
  }

  /** [name as written, text], in file order. */
  *entries(): IterableIterator<[string, string]> {
    for (const v of this.map.values()) yield [v.name, v.text];
  }
}

export interface Descriptions {
  vars: DescriptionMap;
  cmds: DescriptionMap;
}

export interface LoadedDescriptions extends Descriptions {
  /** The file read, or undefined when none was found. */
  source: string | undefined;
  issues: ConfigIssue[];
}

export function parseCmdvartab(text: string | Buffer, file: string): Parsed<Descriptions> {
  const issues = new IssueList(file);
  const value: Descriptions = { vars: new DescriptionMap(), cmds: new DescriptionMap() };
  const { lines, errors } = lexText(toBytes(text));
  issues.lexErrors(errors);
  for (const { words, line } of lines) {
    const kw = words[0]!;
    if (kw !== 'VARDESC' && kw !== 'CMDDESC') {
      issues.warn(line, `unknown keyword ${kw} (ignored)`, didYouMean(kw, ['VARDESC', 'CMDDESC']));
      continue;
    }
    if (words.length < 3) {
      issues.warn(line, `${kw} needs a name and a quoted text`, `write ${kw} name "text"`);
      continue;
    }
    if (words.length > 3) issues.warn(line, `${kw} ${words[1]}: only the first word of the text is used`, 'quote the text');
    const map = kw === 'VARDESC' ? value.vars : value.cmds;
    if (!map.set(words[1]!, words[2]!)) issues.warn(line, `${kw} ${words[1]} repeats an earlier entry; the first one is kept`);
  }
  return { value, issues: issues.items };
}

/** Walnut's own copy, shipped in the repository (data/cmdvartab). */
export const BUNDLED_CMDVARTAB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/cmdvartab');
export const SYSTEM_CMDVARTAB = '/usr/share/nut/cmdvartab';

/**
 * Reads `<dataPath>/cmdvartab` when dataPath is given (upsd.conf DATAPATH or
 * NUT_DATAPATH); otherwise the first existing of NUT's /usr/share/nut/cmdvartab
 * and Walnut's bundled copy. A missing file leaves the maps empty (clients
 * then get "Description unavailable"), with a warning.
 */
export function loadDescriptions(dataPath?: string): LoadedDescriptions {
  const candidates = dataPath !== undefined ? [path.join(dataPath, 'cmdvartab')] : [SYSTEM_CMDVARTAB, BUNDLED_CMDVARTAB];
  for (const file of candidates) {
    let text: Buffer;
    try {
      text = fs.readFileSync(file);
    } catch {
      continue;
    }
    const p = parseCmdvartab(text, file);
    return { ...p.value, source: file, issues: p.issues };
  }
  const file = candidates[0]!;
  const issues = new IssueList(file);
  issues.warn(0, 'cmdvartab not found: every description will be "Description unavailable"', dataPath !== undefined ? `copy Walnut's data/cmdvartab to ${dataPath}` : undefined);
  return { vars: new DescriptionMap(), cmds: new DescriptionMap(), source: undefined, issues: issues.items };
}
