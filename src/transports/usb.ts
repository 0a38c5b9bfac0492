/**
 * The real HID transport on libusb (the `usb` npm package, 2.x API):
 * lists attached devices, opens the first one NUT's matching options accept,
 * detaches the kernel's usbhid driver, claims the HID interface and talks
 * HID class requests over the control pipe (GET_DESCRIPTOR report,
 * GET_REPORT, SET_REPORT) and reads the interrupt-in pipe. A device that
 * goes away (hotplug detach, LIBUSB_ERROR_NO_DEVICE) fires onDisconnect;
 * the driver reopens it through the opener.
 *
 * Only cli/ and the driver registry's opener load this file: importing it
 * loads libusb.
 */
import * as usb from 'usb';
import { TransportError } from '../common/errors.js';
import { dec3, HID_REPORT_TYPE_CODE, UsbMatcher } from './hid.js';
import type { HidDevice, HidOpenOptions, HidReportType, UsbDeviceInfo } from './hid.js';

/** NUT's USB_TIMEOUT for control transfers. */
export const USB_TIMEOUT_MS = 5000;

const USB_CLASS_HID = 3;
const DT_HID = 0x21;
const DT_REPORT = 0x22;
const REQ_GET_DESCRIPTOR = 0x06;
const HID_GET_REPORT = 0x01;
const HID_SET_REPORT = 0x09;
/** bmRequestType: device-to-host | standard | interface */
const RT_IN_STD_IF = 0x81;
/** bmRequestType: device-to-host | class | interface */
const RT_IN_CLASS_IF = 0xa1;
/** bmRequestType: host-to-device | class | interface */
const RT_OUT_CLASS_IF = 0x21;

export type UsbOpenOptions = HidOpenOptions;

function isNoDevice(e: unknown): boolean {
  const errno = (e as { errno?: number } | undefined)?.errno;
  return errno === usb.usb.LIBUSB_ERROR_NO_DEVICE || errno === usb.usb.LIBUSB_TRANSFER_NO_DEVICE || errno === usb.usb.LIBUSB_ERROR_IO;
}

function toTransportError(what: string, e: unknown): TransportError {
  const errno = (e as { errno?: number } | undefined)?.errno;
  if (errno === usb.usb.LIBUSB_ERROR_TIMEOUT || errno === usb.usb.LIBUSB_TRANSFER_TIMED_OUT) {
    return new TransportError('timeout', `${what}: timed out`, { cause: e });
  }
  if (isNoDevice(e)) return new TransportError('disconnected', `${what}: device gone (${(e as Error).message})`, { cause: e });
  return new TransportError('io', `${what}: ${(e as Error).message}`, { cause: e });
}

function hidInterfaces(dev: usb.Device): Array<{ number: number; extra: Buffer; endpoints: usb.EndpointDescriptor[] }> {
  let cfg: usb.ConfigDescriptor | undefined;
  try {
    cfg = dev.configDescriptor;
  } catch {
    return [];
  }
  const out: Array<{ number: number; extra: Buffer; endpoints: usb.EndpointDescriptor[] }> = [];
  for (const alts of cfg?.interfaces ?? []) {
    const d = alts[0];
    if (d && d.bInterfaceClass === USB_CLASS_HID) out.push({ number: d.bInterfaceNumber, extra: d.extra, endpoints: d.endpoints });
  }
  return out;
}

/**
 * The report descriptor length from the HID class descriptor (type 0x21) in
 * the interface's extra bytes: `09 21 bcdHID(2) country n 22 len(2)`.
 */
export function reportDescriptorLength(extra: Uint8Array): number | undefined {
  for (let i = 0; i + 1 < extra.length; ) {
    const len = extra[i]!;
    if (len < 2) break;
    if (extra[i + 1] === DT_HID && len >= 9 && i + 8 < extra.length) {
      const n = extra[i + 5]!;
      for (let k = 0; k < n; k++) {
        const o = i + 6 + 3 * k;
        if (o + 2 < extra.length && extra[o] === DT_REPORT) return extra[o + 1]! | (extra[o + 2]! << 8);
      }
    }
    i += len;
  }
  return undefined;
}

function basicInfo(dev: usb.Device): UsbDeviceInfo {
  const dd = dev.deviceDescriptor;
  const ports = dev.portNumbers ?? [];
  return {
    vendorId: dd.idVendor,
    productId: dd.idProduct,
    bus: dec3(dev.busNumber),
    device: dec3(dev.deviceAddress),
    busPort: ports.length ? dec3(ports[ports.length - 1]!) : undefined,
    release: dd.bcdDevice,
    hid: hidInterfaces(dev).length > 0,
  };
}

function stringDescriptor(dev: usb.Device, index: number): Promise<string | undefined> {
  if (!index) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    try {
      dev.getStringDescriptor(index, (err, value) => resolve(err ? undefined : value));
    } catch {
      resolve(undefined);
    }
  });
}

/** Reads iManufacturer / iProduct / iSerialNumber of an opened device. */
async function addStrings(dev: usb.Device, info: UsbDeviceInfo): Promise<UsbDeviceInfo> {
  const dd = dev.deviceDescriptor;
  const [vendor, product, serial] = [
    await stringDescriptor(dev, dd.iManufacturer),
    await stringDescriptor(dev, dd.iProduct),
    await stringDescriptor(dev, dd.iSerialNumber),
  ];
  return { ...info, vendor, product, serial };
}

/**
 * Every attached USB device with its IDs, bus/device/port and (when the
 * device can be opened) its strings. Returns [] when libusb sees nothing.
 */
export async function listUsbDevices(opts: { strings?: boolean } = {}): Promise<UsbDeviceInfo[]> {
  const out: UsbDeviceInfo[] = [];
  for (const dev of usb.getDeviceList()) {
    let info = basicInfo(dev);
    if (opts.strings !== false) {
      try {
        dev.open(false);
        try {
          info = await addStrings(dev, info);
        } finally {
          dev.close();
        }
      } catch {
        /* no permission: IDs only */
      }
    }
    out.push(info);
  }
  return out;
}

/**
 * Opens the first attached HID device that `match` (NUT's options) and
 * `accept` (the driver: is there a subdriver for it?) both take.
 */
export async function openUsbHid(match: UsbMatcher, accept?: (info: UsbDeviceInfo) => boolean, opts: UsbOpenOptions = {}): Promise<HidDevice> {
  const debug = opts.debug ?? (() => {});
  const devices = usb.getDeviceList();
  let i = 0;
  for (const dev of devices) {
    i++;
    const base = basicInfo(dev);
    debug(2, `Checking device ${i} of ${devices.length} (${base.vendorId.toString(16).toUpperCase().padStart(4, '0')}/${base.productId.toString(16).toUpperCase().padStart(4, '0')})`);
    if (!base.hid) continue;
    const early = match.mismatch(base, true);
    if (early) {
      debug(2, `Device does not match (${early.key}: "${early.value}" is not "${early.pattern}")`);
      continue;
    }
    try {
      // open() (not open(false)): it also builds the Interface objects claim() needs
      dev.open();
    } catch (e) {
      debug(1, `Failed to open device (${base.bus}/${base.device}): ${(e as Error).message}`);
      continue;
    }
    let keep = false;
    try {
      const info = await addStrings(dev, base);
      debug(2, `- VendorID: ${info.vendorId.toString(16).padStart(4, '0')} ProductID: ${info.productId.toString(16).padStart(4, '0')} Manufacturer: ${info.vendor ?? 'unknown'} Product: ${info.product ?? 'unknown'} Serial: ${info.serial ?? 'unknown'} Bus: ${info.bus} Device: ${info.device}`);
      const miss = match.mismatch(info);
      if (miss) {
        debug(2, `Device does not match (${miss.key}: "${miss.value}" is not "${miss.pattern}")`);
        continue;
      }
      if (accept && !accept(info)) {
        debug(2, 'Device is not a supported UPS');
        continue;
      }
      const ifs = hidInterfaces(dev);
      const intf = ifs[opts.interfaceIndex ?? 0];
      if (!intf) throw new TransportError('io', `the device has no HID interface number ${opts.interfaceIndex ?? 0}`);
      const handle = new UsbHidDevice(dev, intf.number, intf.extra, intf.endpoints, info, opts);
      handle.claim();
      keep = true;
      return handle;
    } catch (e) {
      if (e instanceof TransportError) throw e;
      throw toTransportError('opening the USB device', e);
    } finally {
      if (!keep) {
        try {
          dev.close();
        } catch {
          /* already closed */
        }
      }
    }
  }
  throw new TransportError('disconnected', `No matching HID UPS found (${match.describe()}; ${devices.length} USB device(s) attached)`);
}

class UsbHidDevice implements HidDevice {
  readonly version = 'libusb-1.0 (node usb 2.18.0)';
  private interruptFn: ((r: Uint8Array) => void) | undefined;
  private disconnectFn: (() => void) | undefined;
  private gone = false;
  private closed = false;
  private polling: usb.InEndpoint | undefined;
  private readonly onDetach = (d: usb.Device) => {
    if (d === this.dev || (d.busNumber === this.dev.busNumber && d.deviceAddress === this.dev.deviceAddress)) this.lost();
  };

  constructor(
    private readonly dev: usb.Device,
    private readonly ifNum: number,
    private readonly hidExtra: Buffer,
    private readonly endpoints: usb.EndpointDescriptor[],
    readonly info: UsbDeviceInfo,
    private readonly opts: UsbOpenOptions,
  ) {
    dev.timeout = USB_TIMEOUT_MS;
  }

  claim(): void {
    const intf = this.dev.interface(this.ifNum);
    try {
      if (intf.isKernelDriverActive()) {
        this.opts.debug?.(2, `detaching the kernel driver of interface ${this.ifNum}`);
        intf.detachKernelDriver();
      }
    } catch (e) {
      this.opts.debug?.(1, `Can't detach the kernel driver: ${(e as Error).message}`);
    }
    try {
      intf.claim();
    } catch (e) {
      throw toTransportError(`Can't claim USB interface ${this.ifNum} (another driver holds it? check permissions / udev rules)`, e);
    }
    this.opts.debug?.(2, `Claimed interface ${this.ifNum} successfully`);
    usb.usb.on('detach', this.onDetach);
  }

  private lost(): void {
    if (this.gone) return;
    this.gone = true;
    this.stopPolling();
    const fn = this.disconnectFn;
    this.disconnectFn = undefined;
    fn?.();
  }

  private control(what: string, bmRequestType: number, bRequest: number, wValue: number, data: number | Buffer): Promise<Buffer> {
    if (this.gone || this.closed) return Promise.reject(new TransportError('disconnected', `${what}: device is gone`));
    return new Promise((resolve, reject) => {
      try {
        this.dev.controlTransfer(bmRequestType, bRequest, wValue, this.ifNum, data, (err, buf) => {
          if (err) {
            const te = toTransportError(what, err);
            if (te.reason === 'disconnected') this.lost();
            reject(te);
          } else resolve(Buffer.isBuffer(buf) ? buf : Buffer.alloc(0));
        });
      } catch (e) {
        const te = toTransportError(what, e);
        if (te.reason === 'disconnected') this.lost();
        reject(te);
      }
    });
  }

  async getDescriptor(): Promise<Uint8Array> {
    const len = reportDescriptorLength(this.hidExtra) ?? 4096;
    const idx = this.opts.descriptorIndex ?? 0;
    return this.control('reading the report descriptor', RT_IN_STD_IF, REQ_GET_DESCRIPTOR, (DT_REPORT << 8) | idx, len);
  }

  async getReport(id: number, type: HidReportType, length: number): Promise<Uint8Array> {
    return this.control(`GET_REPORT 0x${id.toString(16).padStart(2, '0')}`, RT_IN_CLASS_IF, HID_GET_REPORT, (HID_REPORT_TYPE_CODE[type] << 8) | id, length);
  }

  async setReport(id: number, type: HidReportType, data: Uint8Array): Promise<void> {
    await this.control(`SET_REPORT 0x${id.toString(16).padStart(2, '0')}`, RT_OUT_CLASS_IF, HID_SET_REPORT, (HID_REPORT_TYPE_CODE[type] << 8) | id, Buffer.from(data));
  }

  getString(index: number): Promise<string | undefined> {
    if (this.gone || this.closed) return Promise.reject(new TransportError('disconnected', 'reading a string: device is gone'));
    return stringDescriptor(this.dev, index);
  }

  onInterrupt(fn: ((report: Uint8Array) => void) | undefined): void {
    this.interruptFn = fn;
    if (!fn) {
      this.stopPolling();
      return;
    }
    if (this.polling || this.gone) return;
    const want = this.opts.endpointIn;
    const epd = this.endpoints.find(
      (e) => (e.bEndpointAddress & 0x80) !== 0 && (e.bmAttributes & 3) === 3 && (want === undefined || (e.bEndpointAddress & 0x0f) === want),
    );
    if (!epd) {
      this.opts.debug?.(1, 'the HID interface has no interrupt-in endpoint; polling only');
      return;
    }
    const ep = this.dev.interface(this.ifNum).endpoint(epd.bEndpointAddress);
    if (!ep || ep.direction !== 'in') return;
    const inEp = ep as usb.InEndpoint;
    inEp.timeout = 0;
    inEp.on('data', (b: Buffer) => {
      if (b.length > 0) this.interruptFn?.(new Uint8Array(b));
    });
    inEp.on('error', (e: unknown) => {
      if (isNoDevice(e)) this.lost();
      else this.opts.debug?.(1, `interrupt pipe: ${(e as Error).message}`);
    });
    try {
      inEp.startPoll(1, this.opts.interruptSize ?? epd.wMaxPacketSize);
      this.polling = inEp;
    } catch (e) {
      this.opts.debug?.(1, `interrupt pipe: ${(e as Error).message}`);
    }
  }

  private stopPolling(): void {
    const ep = this.polling;
    this.polling = undefined;
    if (!ep) return;
    try {
      ep.removeAllListeners('data');
      ep.stopPoll();
    } catch {
      /* already stopped */
    }
  }

  onDisconnect(fn: (() => void) | undefined): void {
    this.disconnectFn = fn;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    usb.usb.off('detach', this.onDetach);
    this.stopPolling();
    if (!this.gone) {
      await new Promise<void>((resolve) => {
        try {
          this.dev.interface(this.ifNum).release(true, () => resolve());
        } catch {
          resolve();
        }
      });
    }
    try {
      this.dev.close();
    } catch {
      /* already closed */
    }
  }
}
