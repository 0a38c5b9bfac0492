/**
 * `walnut hcl [--json|--markdown] [--checked] [FILTER]`: the hardware list of
 * the usbhid-ups driver (vendor, product, USB ids, driver, subdriver, and
 * which entries were checked against a real device dump).
 */
import { filterHcl, hardwareMarkdown, hclEntries, hclJson, hclText } from '../drivers/usbhid/hcl.js';

const USAGE = `usage: walnut hcl [--json | --markdown] [--checked] [FILTER]

Lists the USB UPS units the usbhid-ups driver knows: vendor, product, USB id,
driver, subdriver, and the real device dump each entry was checked against.

  FILTER        only entries whose vendor, product or subdriver contains FILTER
                (case-insensitive), or whose USB id is FILTER (vvvv or vvvv:pppp)
  --checked     only entries checked against a real device dump
  --json        machine-readable output (subdrivers and devices)
  --markdown    the full list as Markdown (this is docs/hardware.md)
  -h, --help    this help`;

export async function main(argv: string[]): Promise<number> {
  let format: 'text' | 'json' | 'markdown' = 'text';
  let checked = false;
  let filter: string | undefined;
  for (const a of argv) {
    if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else if (a === '--json') format = 'json';
    else if (a === '--markdown') format = 'markdown';
    else if (a === '--checked') checked = true;
    else if (a.startsWith('-')) {
      console.error(`walnut hcl: unknown option '${a}'\n\n${USAGE}`);
      return 1;
    } else if (filter === undefined) filter = a;
    else {
      console.error(`walnut hcl: one FILTER only\n\n${USAGE}`);
      return 1;
    }
  }
  if (format === 'markdown') {
    if (filter !== undefined || checked) {
      console.error('walnut hcl: --markdown prints the whole list (no FILTER or --checked)');
      return 1;
    }
    process.stdout.write(hardwareMarkdown());
    return 0;
  }
  const entries = filterHcl(hclEntries(), filter, checked);
  if (format === 'json') process.stdout.write(hclJson(entries));
  else if (entries.length === 0) {
    console.log(`no USB UPS entry matches '${filter ?? ''}'`);
    return 1;
  } else process.stdout.write(hclText(entries));
  return 0;
}
