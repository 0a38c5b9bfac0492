/** `usbhid-ups`: the USB HID Power Device driver (NUT's drivers/usbhid-ups). */
import { usbhidUps } from '../drivers/usbhid/driver.js';
import { runDriverProgram } from './driver-main.js';

export async function main(argv: string[]): Promise<number> {
  return runDriverProgram(usbhidUps, argv);
}
