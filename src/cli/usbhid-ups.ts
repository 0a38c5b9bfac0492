/**
 * `usbhid-ups`: the USB HID Power Device driver (NUT's drivers/usbhid-ups).
 * `usbhid-ups -a UPS --explain [--json]` opens the unit of that ups.conf
 * section (NUT's matching options), prints every HID path with its report,
 * range, unit, live value and the NUT variable / status token the subdriver
 * makes of it, and exits (the driver is not started).
 */
import { usbhidUps } from '../drivers/usbhid/driver.js';
import { explainLive } from '../drivers/usbhid/driver-explain.js';
import { formatExplanation } from '../drivers/usbhid/hid/index.js';
import { settingsFor } from '../drivers/core/driver.js';
import { matcherFromOptions, type HidOpener } from '../transports/hid.js';
import { nutPaths } from '../common/paths.js';
import { getopt, last, all, UsageError } from './getopt.js';
import { loadUpsConf, runDriverProgram, driverUsage } from './driver-main.js';

export interface ExplainIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** The device opener (default: libusb). */
  open?: HidOpener;
}

const defaultIo: ExplainIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), env: process.env };

/** The --explain run: exit 0 with the explanation, 1 when the unit cannot be opened. */
export async function explainMain(argv: string[], io: ExplainIo = defaultIo): Promise<number> {
  const json = argv.includes('--json');
  const rest = argv.filter((a) => a !== '--explain' && a !== '--json');
  let p;
  try {
    p = getopt(rest, 'a:s:DqFBkhVu:x:i:d:r:g:', true);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`usbhid-ups: ${e.message}\n\n${driverUsage(usbhidUps)}`);
      return 1;
    }
    throw e;
  }
  const upsName = last(p, 'a') ?? last(p, 's');
  if (!upsName) {
    io.err(`usbhid-ups: --explain needs '-a <id>' (or -s <id> with -x options)\n`);
    return 1;
  }
  try {
    const extra = all(p, 'x').map((v) => {
      const i = v.indexOf('=');
      return i < 0 ? { key: v } : { key: v.slice(0, i), value: v.slice(i + 1) };
    });
    let conf;
    let confFile;
    if (last(p, 'a') !== undefined) {
      const c = loadUpsConf(nutPaths(io.env).confPath);
      conf = c.conf;
      confFile = c.file;
    }
    const settings = settingsFor({ definition: usbhidUps, upsName, conf, confFile, extra });
    const opt = (k: string) => settings.options.get(k);
    const open =
      io.open ??
      (async (m, a, o) => {
        const { openUsbHid } = await import('../transports/usb.js');
        return openUsbHid(m, a, o);
      });
    const dev = await open(matcherFromOptions(opt));
    try {
      const e = await explainLive(dev, { subdriver: opt('subdriver'), fix: !settings.flags.has('disable_fix_report_desc') });
      io.out(json ? JSON.stringify(e, null, 2) + '\n' : formatExplanation(e));
    } finally {
      await dev.close();
    }
    return 0;
  } catch (e) {
    io.err(`usbhid-ups: ${(e as Error).message}\n`);
    return 1;
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--explain')) return explainMain(argv);
  return runDriverProgram(usbhidUps, argv);
}
