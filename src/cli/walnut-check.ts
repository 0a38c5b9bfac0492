/**
 * `walnut check [-c DIR] [--json]`: validate every NUT config file in DIR
 * (default NUT_CONFPATH, else /etc/nut). Prints each issue as
 * `FILE:LINE: error|warning: message (suggestion)` (or a JSON array with
 * --json), then a summary line. Exit 1 when any error, else 0.
 */
import { checkConfig } from '../config/check.js';
import { formatIssue } from '../config/issues.js';
import { nutPaths } from '../common/paths.js';

const USAGE = `usage: walnut check [-c DIR] [--json]

Checks nut.conf, ups.conf, upsd.conf, upsd.users, upsmon.conf and upssched.conf
in DIR (default: $NUT_CONFPATH, else /etc/nut) and a few things across them.

  -c DIR, --confpath DIR   folder holding the NUT config files
  --json                   print the issues as a JSON array (summary on stderr)
  -h, --help               this help

Exit status: 1 when an error is found, 0 otherwise (warnings alone pass).`;

export async function main(argv: string[]): Promise<number> {
  let dir: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else if (a === '-c' || a === '--confpath') {
      const v = argv[++i];
      if (v === undefined) {
        console.error(`walnut check: option ${a} needs a folder\n\n${USAGE}`);
        return 1;
      }
      dir = v;
    } else if (a.startsWith('-c') && a.length > 2) dir = a.slice(2);
    else if (a.startsWith('--confpath=')) dir = a.slice('--confpath='.length);
    else {
      console.error(`walnut check: unexpected argument '${a}'\n\n${USAGE}`);
      return 1;
    }
  }
  const confPath = dir ?? nutPaths(process.env).confPath;
  const { issues, files } = checkConfig(confPath);
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  const summary =
    issues.length === 0
      ? `walnut check: ${confPath}: ${plural(files.length, 'file')} checked, no problems found`
      : `walnut check: ${confPath}: ${plural(files.length, 'file')} checked, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  if (json) {
    process.stdout.write(JSON.stringify(issues, null, 2) + '\n');
    process.stderr.write(summary + '\n');
  } else {
    for (const i of issues) process.stdout.write(formatIssue(i) + '\n');
    process.stdout.write(summary + '\n');
  }
  return errors > 0 ? 1 : 0;
}
