/**
 * Reading upsmon.conf for the daemon: parse, sort the issues into what NUT
 * would refuse to start with (fatal) and what it logs and skips.
 */
import fs from 'node:fs';
import { parseUpsmonConf } from '../config/upsmon-conf.js';
import { formatIssue } from '../config/issues.js';
import type { ConfigIssue, UpsmonConf } from '../config/types.js';

export interface LoadedUpsmonConf {
  conf: UpsmonConf;
  issues: ConfigIssue[];
  /** Lines explaining why upsmon must not start (empty = it may). */
  fatal: string[];
}

/** Issues NUT's upsmon refuses to start with. */
function isFatal(i: ConfigIssue): boolean {
  return i.severity === 'error' && (i.code === 'insufficient-power' || /refuses to start/.test(i.message));
}

/** Reads and parses the file; throws when it cannot be read. */
export function loadUpsmonConfig(file: string): LoadedUpsmonConf {
  const text = fs.readFileSync(file);
  const { value, issues } = parseUpsmonConf(text, file);
  return { conf: value, issues, fatal: issues.filter(isFatal).map(formatIssue) };
}
