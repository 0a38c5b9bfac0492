/**
 * usbhid-ups: the USB HID Power Device driver (NUT's drivers/usbhid-ups).
 *
 * createUsbhidUps(opener) makes the DriverDefinition for any HID transport
 * (tests give the simulated unit of test/support/hid-sim.ts); `usbhidUps`
 * is the real one, on libusb (src/transports/usb.ts, loaded only when a
 * device is opened).
 */
import { DRIVER_OPTIONS } from '../../config/keys.js';
import type { FlagDecl, OptionDecl } from '../core/config.js';
import type { DriverDefinition } from '../core/driver.js';
import type { HidOpener } from '../../transports/hid.js';
import { UsbhidRuntime } from './driver-runtime.js';

/** driver.version.internal of NUT 2.8.0's usbhid-ups. */
export const USBHID_UPS_VERSION = '0.47';

const HELP: Record<string, string> = {
  vendorid: 'Regular expression to match UPS Manufacturer numerical ID (4 digits hexadecimal)',
  productid: 'Regular expression to match UPS Product numerical ID (4 digits hexadecimal)',
  vendor: 'Regular expression to match UPS Manufacturer string',
  product: 'Regular expression to match UPS Product string',
  serial: 'Regular expression to match UPS Serial number',
  bus: 'Regular expression to match USB bus name',
  device: 'Regular expression to match USB device name',
  busport: 'Regular expression to match USB bus port name',
  subdriver: 'Explicit USB HID subdriver selection',
  pollfreq: 'Frequency (in seconds) at which the full set of values is read (default 30)',
  offdelay: 'Delay before the load is cut after a shutdown command (default 20)',
  ondelay: 'Delay before the load comes back (default 30)',
  interruptsize: 'Number of bytes to read from the interrupt pipe',
  pollonly: "Don't use the interrupt pipe, only use polling",
  interruptonly: "Don't use polling, only use the interrupt pipe",
  explore: 'Activate the explore mode (the generic HID table)',
  disable_fix_report_desc: 'Disable the HID report descriptor fix-ups',
  onlinedischarge: 'Set to treat discharging while online as being offline',
  onlinedischarge_calibration: 'Set to treat discharging while online as doing calibration',
  onlinedischarge_onbattery: 'Set to treat discharging while online as being offline/on-battery',
};

const decl = DRIVER_OPTIONS['usbhid-ups']!;
const OPTIONS: OptionDecl[] = decl.keys.map((name) => ({ name, help: HELP[name] ?? `usbhid-ups option ${name}` }));
const FLAGS: FlagDecl[] = decl.flags.map((name) => ({ name, help: HELP[name] ?? `usbhid-ups flag ${name}` }));

export function createUsbhidUps(open: HidOpener): DriverDefinition {
  return {
    name: 'usbhid-ups',
    version: USBHID_UPS_VERSION,
    description: 'Generic HID driver',
    options: OPTIONS,
    flags: FLAGS,
    create: (ctx) => new UsbhidRuntime(ctx, open),
  };
}

/** The real driver: libusb through the `usb` package, loaded on the first open. */
export const usbhidUps: DriverDefinition = createUsbhidUps(async (match, accept, opts) => {
  const { openUsbHid } = await import('../../transports/usb.js');
  return openUsbHid(match, accept, opts);
});
