/**
 * The HID transport: the small interface a USB HID Power Device driver
 * talks to (src/transports/usb.ts implements it on libusb; tests put a
 * simulated device behind it), plus NUT's USB device matching as a pure
 * function.
 *
 * Report bytes start with the report ID byte when the ID is not 0, as on
 * the wire of GET_REPORT / SET_REPORT and the interrupt pipe (a device
 * without report IDs sends the data alone).
 */
import { TransportError } from '../common/errors.js';

export type HidReportType = 'input' | 'output' | 'feature';

/** wValue high byte of GET_REPORT / SET_REPORT (HID 1.11 §7.2.1). */
export const HID_REPORT_TYPE_CODE: Readonly<Record<HidReportType, number>> = { input: 1, output: 2, feature: 3 };

/** What identifies one attached USB device (NUT's matching fields). */
export interface UsbDeviceInfo {
  vendorId: number;
  productId: number;
  /** iManufacturer string (undefined when the device has none or it could not be read). */
  vendor?: string;
  /** iProduct string */
  product?: string;
  /** iSerialNumber string */
  serial?: string;
  /** Bus number, as NUT prints it: "%03d" */
  bus: string;
  /** Device address on the bus: "%03d" */
  device: string;
  /** Port number on the parent hub: "%03d" (NUT 2.8.1+ `busport`) */
  busPort?: string;
  /** bcdDevice */
  release?: number;
  /** The device has a HID interface (class 3). */
  hid?: boolean;
}

/** An open HID device. Every method rejects with TransportError once it is gone. */
export interface HidDevice {
  readonly info: UsbDeviceInfo;
  /** The USB library behind it (published as driver.version.usb). */
  readonly version?: string;
  /** The HID report descriptor (GET_DESCRIPTOR, type 0x22). */
  getDescriptor(): Promise<Uint8Array>;
  /**
   * GET_REPORT: the report `id` of `type`, `length` bytes asked for (ID byte
   * included). A device may answer with fewer bytes; they are returned as sent.
   */
  getReport(id: number, type: HidReportType, length: number): Promise<Uint8Array>;
  /** SET_REPORT: `data` starts with the report ID byte (unless the ID is 0). */
  setReport(id: number, type: HidReportType, data: Uint8Array): Promise<void>;
  /** A USB string descriptor (undefined when index 0 or unreadable). */
  getString(index: number): Promise<string | undefined>;
  /**
   * Starts reading the interrupt-in pipe: `fn` gets each report (ID byte
   * first). Calling it again replaces the listener; undefined stops reading.
   */
  onInterrupt(fn: ((report: Uint8Array) => void) | undefined): void;
  /** Called once when the device goes away (unplugged, reset, I/O failure). */
  onDisconnect(fn: (() => void) | undefined): void;
  /** Releases the interface and closes the device. Never throws. */
  close(): Promise<void>;
}

/** NUT's USB matching options, each a regular expression (as ups.conf writes them). */
export interface UsbMatchOptions {
  vendorid?: string;
  productid?: string;
  vendor?: string;
  product?: string;
  serial?: string;
  bus?: string;
  device?: string;
  busport?: string;
}

export const USB_MATCH_KEYS = ['vendorid', 'productid', 'vendor', 'product', 'serial', 'bus', 'device', 'busport'] as const;

/** How to talk to the device once found (ups.conf usb_hid_* and interruptsize). */
export interface HidOpenOptions {
  /** usb_hid_rep_index: which HID interface (0 = the first). */
  interfaceIndex?: number;
  /** usb_hid_desc_index: the report descriptor index. */
  descriptorIndex?: number;
  /** usb_hid_ep_in: the interrupt-in endpoint number (default: the interface's first). */
  endpointIn?: number;
  /** interruptsize: bytes asked for per interrupt transfer (default wMaxPacketSize). */
  interruptSize?: number;
  /** Debug lines (NUT's [D2]/[D3] device walk). */
  debug?: (level: number, msg: string) => void;
}

/** Opens the first matching device; rejects with TransportError('disconnected') when there is none. */
export type HidOpener = (match: UsbMatcher, accept?: (info: UsbDeviceInfo) => boolean, opts?: HidOpenOptions) => Promise<HidDevice>;

export const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
export const dec3 = (n: number): string => String(n).padStart(3, '0');

/**
 * NUT's regex matcher (usb-common.c): every option given is an extended
 * regular expression, case-insensitive, that must match the WHOLE field.
 * IDs are matched against 4 lower-case hex digits ("051d"), bus/device/
 * busport against 3 decimal digits ("001"). A field the device does not have
 * is matched as the empty string.
 */
export class UsbMatcher {
  private readonly rx: Array<{ key: (typeof USB_MATCH_KEYS)[number]; re: RegExp; src: string }> = [];

  constructor(readonly options: UsbMatchOptions = {}) {
    for (const key of USB_MATCH_KEYS) {
      const src = options[key];
      if (src === undefined) continue;
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${src})$`, 'i');
      } catch (e) {
        throw new TransportError('io', `${key} = "${src}" is not a valid regular expression: ${(e as Error).message}`);
      }
      this.rx.push({ key, re, src });
    }
  }

  /** True when the options name the unit's vendor ID (the user pointed at it explicitly). */
  get hasVendorId(): boolean {
    return this.rx.some((r) => r.key === 'vendorid');
  }

  /** True when no option narrows the choice. */
  get isEmpty(): boolean {
    return this.rx.length === 0;
  }

  /**
   * The first option that rejects the device, or undefined when it matches.
   * `idsOnly`: check only what is known without opening the device (IDs, bus, device, port).
   */
  mismatch(info: UsbDeviceInfo, idsOnly = false): { key: string; pattern: string; value: string } | undefined {
    for (const { key, re, src } of this.rx) {
      if (idsOnly && (key === 'vendor' || key === 'product' || key === 'serial')) continue;
      const value = fieldOf(info, key);
      if (!re.test(value)) return { key, pattern: src, value };
    }
    return undefined;
  }

  matches(info: UsbDeviceInfo): boolean {
    return this.mismatch(info) === undefined;
  }

  /** "vendorid=051d, serial=AB.*" for messages. */
  describe(): string {
    return this.rx.length ? this.rx.map((r) => `${r.key}=${r.src}`).join(', ') : 'any device';
  }
}

function fieldOf(info: UsbDeviceInfo, key: (typeof USB_MATCH_KEYS)[number]): string {
  switch (key) {
    case 'vendorid':
      return hex4(info.vendorId);
    case 'productid':
      return hex4(info.productId);
    case 'vendor':
      return info.vendor ?? '';
    case 'product':
      return info.product ?? '';
    case 'serial':
      return info.serial ?? '';
    case 'bus':
      return info.bus;
    case 'device':
      return info.device;
    case 'busport':
      return info.busPort ?? '';
  }
}

/** The matcher for a driver's options (`get(name)` reads ups.conf / -x values). */
export function matcherFromOptions(get: (name: string) => string | undefined): UsbMatcher {
  const o: UsbMatchOptions = {};
  for (const k of USB_MATCH_KEYS) {
    const v = get(k);
    if (v !== undefined) o[k] = v;
  }
  return new UsbMatcher(o);
}
