/**
 * `walnut udev-rules [-g GROUP] [-m MODE] [-o FILE] [--check FILE]`: print
 * the udev rules that let the UPS drivers (group nut) open the USB UPS units
 * of the usbhid-ups tables: the equivalent of NUT's 52-nut-usbups.rules.
 */
import fs from 'node:fs';
import { checkUdevRules, udevRules } from '../drivers/usbhid/udev.js';

const USAGE = `usage: walnut udev-rules [-g GROUP] [-m MODE] [-o FILE]
       walnut udev-rules --check FILE

Prints udev rules (NUT's 52-nut-usbups.rules equivalent) for every USB UPS id
of the usbhid-ups subdriver tables.

  -g GROUP, --group GROUP   group that gets access (default: nut)
  -m MODE, --mode MODE      device node mode (default: 664)
  -o FILE, --output FILE    write to FILE instead of standard output
  --check FILE              check a rules file's syntax (strict), exit 1 on errors
  -h, --help                this help

Install: walnut udev-rules -o /etc/udev/rules.d/52-nut-usbups.rules
         udevadm control --reload-rules && udevadm trigger --subsystem-match=usb`;

export async function main(argv: string[]): Promise<number> {
  let group: string | undefined;
  let mode: string | undefined;
  let output: string | undefined;
  let check: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => {
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
      if (!a.startsWith('--') && a.length > 2) return a.slice(2);
      return argv[++i];
    };
    const opt = a.startsWith('--') ? a.split('=')[0]! : a.slice(0, 2);
    if (opt === '-h' || opt === '--help') {
      console.log(USAGE);
      return 0;
    }
    if (!['-g', '--group', '-m', '--mode', '-o', '--output', '--check'].includes(opt)) {
      console.error(`walnut udev-rules: unexpected argument '${a}'\n\n${USAGE}`);
      return 1;
    }
    const v = value();
    if (v === undefined) {
      console.error(`walnut udev-rules: option ${opt} needs a value\n\n${USAGE}`);
      return 1;
    }
    if (opt === '-g' || opt === '--group') group = v;
    else if (opt === '-m' || opt === '--mode') mode = v;
    else if (opt === '-o' || opt === '--output') output = v;
    else check = v;
  }
  if (check !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(check, 'utf8');
    } catch (e) {
      console.error(`walnut udev-rules: cannot read ${check}: ${(e as Error).message}`);
      return 1;
    }
    const r = checkUdevRules(text);
    for (const err of r.errors) console.error(`${check}: ${err}`);
    console.log(`${check}: ${r.rules.length} rules, ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}`);
    return r.errors.length ? 1 : 0;
  }
  let text: string;
  try {
    text = udevRules({ ...(group !== undefined ? { group } : {}), ...(mode !== undefined ? { mode } : {}) });
  } catch (e) {
    console.error(`walnut udev-rules: ${(e as Error).message}`);
    return 1;
  }
  if (output !== undefined) {
    try {
      fs.writeFileSync(output, text);
    } catch (e) {
      console.error(`walnut udev-rules: cannot write ${output}: ${(e as Error).message}`);
      return 1;
    }
    return 0;
  }
  process.stdout.write(text);
  return 0;
}
