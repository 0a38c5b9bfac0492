/** Descriptions for GET DESC / GET CMDDESC, from cmdvartab (src/config/cmdvartab.ts). */
import { loadDescriptions } from '../config/cmdvartab.js';
import { formatIssue } from '../config/issues.js';
import type { Logger } from '../common/log.js';
import type { Descriptions } from './core.js';

/**
 * Reads `<dataPath>/cmdvartab`, or NUT's system copy, or Walnut's bundled one.
 * A missing file leaves every description "Description unavailable" (logged).
 */
export function loadServerDescriptions(dataPath: string | undefined, log?: Logger): Descriptions {
  const d = loadDescriptions(dataPath);
  if (log) for (const i of d.issues) log.warn(formatIssue(i));
  return {
    varDesc: (n) => d.vars.get(n),
    cmdDesc: (n) => d.cmds.get(n),
  };
}
