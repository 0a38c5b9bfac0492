/**
 * `walnut scan`: NUT's `nut-scanner -U` for Walnut. Lists the USB HID UPS
 * units attached here, each as a ready ups.conf section (or -P: one
 * parsable line). With none attached it says so on stderr and exits 1, as
 * nut-scanner does.
 */
import { getopt, count, UsageError } from './getopt.js';
import { isKnownUps, scanUsb } from '../drivers/usbhid/scan.js';
import type { UsbDeviceInfo } from '../transports/hid.js';

const USAGE = `usage: walnut scan [-U] [-q] [-N | -P]

Lists the USB UPS units attached to this machine with a ready ups.conf
section for each (like nut-scanner -U).

  -U, --usb_scan         scan USB devices (the default, and the only bus Walnut scans)
  -N, --disp_nut_conf    display the result in the ups.conf format (default)
  -P, --disp_parsable    display the result in a parsable format
  -q, --quiet            display only the scan result
  -a, --available        display the buses that can be scanned
  -h, --help             this help

Exit status: 0 when a unit was found, 1 otherwise.`;

const LONG: Record<string, string> = {
  '--usb_scan': '-U',
  '--complete_scan': '-C',
  '--disp_nut_conf': '-N',
  '--disp_parsable': '-P',
  '--quiet': '-q',
  '--available': '-a',
  '--help': '-h',
};

export interface ScanIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** The device list (default: libusb through src/transports/usb.ts). */
  list?: () => Promise<UsbDeviceInfo[]>;
}

const defaultIo: ScanIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function run(argv: string[], io: ScanIo = defaultIo): Promise<number> {
  let p;
  try {
    p = getopt(argv.map((a) => LONG[a] ?? a), 'UCNPqahSOAE:T:t:s:e:m:c:p:D');
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`walnut scan: ${e.message}\n\n${USAGE}\n`);
      return 1;
    }
    throw e;
  }
  if (count(p, 'h')) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (count(p, 'a')) {
    io.out('USB\n');
    return 0;
  }
  for (const o of ['S', 'O', 'A', 'E']) {
    if (count(p, o)) {
      io.err(`walnut scan: -${o}: only USB scanning (-U) is implemented\n`);
      return 1;
    }
  }
  const list =
    io.list ??
    (async () => {
      const { listUsbDevices } = await import('../transports/usb.js');
      return listUsbDevices();
    });
  const r = await scanUsb({ list, isUps: isKnownUps, quiet: count(p, 'q') > 0, format: count(p, 'P') ? 'parsable' : 'conf' });
  if (r.stderr) io.err(r.stderr);
  if (r.stdout) io.out(r.stdout);
  return r.code;
}

export async function main(argv: string[]): Promise<number> {
  return run(argv);
}
