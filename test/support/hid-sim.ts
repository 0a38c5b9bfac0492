/**
 * The simulated USB HID UPS (the ONE mock of the suite: USB hardware cannot
 * exist here). It sits behind the HID transport interface
 * (src/transports/hid.ts) and replays a real unit from shared/hid: its
 * report descriptor and the raw reports its usbhid-ups debug log recorded.
 *
 * A test can change a report (a status change), push an interrupt-in
 * report, read back every SET_REPORT write, and unplug / replug the unit.
 * Each open() gives a new session, as libusb gives a new handle after a
 * replug; a session dies with the unplug that ends it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TransportError } from '../../src/common/errors.js';
import type { HidDevice, HidOpener, HidReportType, UsbDeviceInfo, UsbMatcher } from '../../src/transports/hid.js';
import { SHARED_DIR } from './peers.js';
import { parseDescriptor } from '../../src/drivers/usbhid/hid/parser.js';
import { encodeField } from '../../src/drivers/usbhid/hid/decode.js';

export const HID_DIR = path.join(SHARED_DIR, 'hid');

export interface SimFixture {
  name: string;
  descriptor: Uint8Array;
  /** Report id → the bytes the device answered GET_REPORT with (id byte first; may be short, as recorded). */
  reports: Map<number, Uint8Array>;
  /** USB string descriptors by index. */
  strings: Map<number, string>;
  info: UsbDeviceInfo;
}

export interface SimWrite {
  id: number;
  type: HidReportType;
  bytes: number[];
}

/** Bytes of a "descriptor.hex" file (hex pairs, any whitespace). */
export function readHexFile(file: string): Uint8Array {
  const hex = fs.readFileSync(file, 'utf8').replace(/#.*$/gm, '').replace(/\s+/g, '');
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/**
 * The raw GET_REPORT answers of a `usbhid-ups -DDD` log: "Report[get]" and
 * "Report[err]" (a short answer: what the device really sent) lines, with
 * their continuation lines of hex. The first answer per report id wins.
 */
export function recordedReports(log: string): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  const lines = log.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /Report\[(get|err)\]: \((\d+) bytes\) => ([0-9a-f ]+)$/.exec(lines[i]!);
    if (!m) continue;
    const n = Number(m[2]);
    const bytes = m[3]!.trim().split(/\s+/).map((h) => parseInt(h, 16));
    for (let j = i + 1; bytes.length < n && j < lines.length; j++) {
      const c = /\[D\d\]\s{2}([0-9a-f ]+)$/.exec(lines[j]!);
      if (!c) break;
      bytes.push(...c[1]!.trim().split(/\s+/).map((h) => parseInt(h, 16)));
    }
    const id = bytes[0]!;
    if (!out.has(id)) out.set(id, Uint8Array.from(bytes.slice(0, n)));
  }
  return out;
}

/**
 * The two units of shared/hid with a debug log and expected-upsc.txt.
 * Strings by index: the log's "[D2] - Manufacturer/Product/Serial Number"
 * lines, at the indexes the unit's iManufacturer/iProduct/iSerialNumber
 * reports give. Index 4 (iDeviceChemistry) is not in the log; "PbAc" is
 * what expected-upsc.txt shows as battery.type (explicitly from elsewhere).
 */
export const FIXTURES = {
  'apc-back-ups-cs-500': {
    strings: [
      [1, 'Back-UPS 500 FW: 6.5.I USB FW: c1 '],
      [2, 'AB0427******'],
      [3, 'American Power Conversion'],
      [4, 'PbAc'],
    ],
    info: { vendorId: 0x051d, productId: 0x0002, bus: '003', device: '002', busPort: '001', release: 0x0100, hid: true },
    stringIdx: { vendor: 3, product: 1, serial: 2 },
  },
  'apc-back-ups-bk650m2-ch': {
    strings: [
      [1, 'American Power Conversion'],
      [2, 'BK650M2-CH'],
      [3, '9B2019A14274'],
      [4, 'PbAc'],
    ],
    info: { vendorId: 0x051d, productId: 0x0002, bus: '001', device: '004', busPort: '002', release: 0x0106, hid: true },
    stringIdx: { vendor: 1, product: 2, serial: 3 },
  },
} as const;

export type FixtureName = keyof typeof FIXTURES;

export function loadFixture(name: FixtureName): SimFixture {
  const dir = path.join(HID_DIR, name);
  const f = FIXTURES[name];
  const strings = new Map<number, string>(f.strings.map(([i, s]) => [i, s]));
  return {
    name,
    descriptor: readHexFile(path.join(dir, 'descriptor.hex')),
    reports: recordedReports(fs.readFileSync(path.join(dir, 'usbhid-ups-debug.log'), 'utf8')),
    strings,
    info: {
      ...f.info,
      vendor: strings.get(f.stringIdx.vendor),
      product: strings.get(f.stringIdx.product),
      serial: strings.get(f.stringIdx.serial),
    },
  };
}

/** The expected-upsc.txt of a unit as name → value (values kept byte for byte, spaces included). */
export function expectedUpsc(name: FixtureName): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(HID_DIR, name, 'expected-upsc.txt'), 'utf8').split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 2));
  }
  return out;
}

export class SimUps {
  readonly reports: Map<number, Uint8Array>;
  readonly writes: SimWrite[] = [];
  /** Count of GET_REPORT requests (all sessions). */
  getCount = 0;
  opens = 0;
  private plugged = true;
  private session: SimSession | undefined;
  /** While set, every GET_REPORT fails this way (a hung unit: 'timeout'; a stalling one: 'io'). */
  failReads: 'timeout' | 'io' | undefined;
  /** Called on each SET_REPORT (after it is recorded). */
  onWrite: ((w: SimWrite) => void) | undefined;

  constructor(readonly fixture: SimFixture) {
    this.reports = new Map([...fixture.reports].map(([k, v]) => [k, Uint8Array.from(v)]));
  }

  get info(): UsbDeviceInfo {
    return this.fixture.info;
  }

  get isPlugged(): boolean {
    return this.plugged;
  }

  /** The opener a driver gets: opens this unit when it is plugged in and matches. */
  readonly open: HidOpener = async (match: UsbMatcher, accept?: (info: UsbDeviceInfo) => boolean) => {
    if (!this.plugged) throw new TransportError('disconnected', 'No matching HID UPS found (simulated unit unplugged)');
    const miss = match.mismatch(this.info);
    if (miss) throw new TransportError('disconnected', `No matching HID UPS found (${miss.key}: "${miss.value}" is not "${miss.pattern}")`);
    if (accept && !accept(this.info)) throw new TransportError('disconnected', 'No supported HID UPS found');
    this.session?.end(false);
    this.opens++;
    this.session = new SimSession(this);
    return this.session;
  };

  /** Replaces a report's bytes (id byte first) as the device will answer from now on. */
  setReport(bytes: ArrayLike<number>): void {
    const b = Uint8Array.from(bytes);
    this.reports.set(b[0]!, b);
  }

  /** The unit sends an interrupt-in report (it also becomes the report's current value). */
  pushInterrupt(bytes: ArrayLike<number>): boolean {
    const b = Uint8Array.from(bytes);
    this.reports.set(b[0]!, Uint8Array.from(b));
    return this.session?.interrupt(b) ?? false;
  }

  /** Sends raw bytes on the interrupt pipe without changing the stored reports (fuzzing). */
  pushRawInterrupt(bytes: ArrayLike<number>): boolean {
    return this.session?.interrupt(Uint8Array.from(bytes)) ?? false;
  }

  unplug(): void {
    this.plugged = false;
    this.session?.end(true);
    this.session = undefined;
  }

  replug(): void {
    this.plugged = true;
  }

  /** The driver holds an open session with an interrupt listener. */
  get listening(): boolean {
    return this.session?.hasListener ?? false;
  }
}

class SimSession implements HidDevice {
  private interruptFn: ((r: Uint8Array) => void) | undefined;
  private disconnectFn: (() => void) | undefined;
  private alive = true;
  readonly version = 'simulated USB (test/support/hid-sim.ts)';

  constructor(private readonly ups: SimUps) {}

  get info(): UsbDeviceInfo {
    return this.ups.info;
  }

  get hasListener(): boolean {
    return this.alive && this.interruptFn !== undefined;
  }

  private check(what: string): void {
    if (!this.alive) throw new TransportError('disconnected', `${what}: device is gone (LIBUSB_ERROR_NO_DEVICE)`);
  }

  async getDescriptor(): Promise<Uint8Array> {
    await Promise.resolve();
    this.check('reading the report descriptor');
    return Uint8Array.from(this.ups.fixture.descriptor);
  }

  async getReport(id: number, _type: HidReportType, length: number): Promise<Uint8Array> {
    await Promise.resolve();
    this.check(`GET_REPORT 0x${id.toString(16)}`);
    this.ups.getCount++;
    if (this.ups.failReads) throw new TransportError(this.ups.failReads, `GET_REPORT 0x${id.toString(16).padStart(2, '0')}: ${this.ups.failReads === 'timeout' ? 'Operation timed out' : 'Input/Output Error'}`);
    const r = this.ups.reports.get(id);
    // a real device stalls the control pipe on a report it does not have (LIBUSB_ERROR_PIPE)
    if (!r) throw new TransportError('io', `GET_REPORT 0x${id.toString(16).padStart(2, '0')}: Pipe error (the device has no such report)`);
    return Uint8Array.from(r.subarray(0, Math.max(1, length)));
  }

  async setReport(id: number, type: HidReportType, data: Uint8Array): Promise<void> {
    await Promise.resolve();
    this.check(`SET_REPORT 0x${id.toString(16)}`);
    const w: SimWrite = { id, type, bytes: [...data] };
    this.ups.writes.push(w);
    // a feature write is what the unit answers afterwards
    if (type === 'feature') this.ups.reports.set(id, Uint8Array.from(data));
    this.ups.onWrite?.(w);
  }

  async getString(index: number): Promise<string | undefined> {
    await Promise.resolve();
    this.check('reading a string');
    return this.ups.fixture.strings.get(index);
  }

  onInterrupt(fn: ((report: Uint8Array) => void) | undefined): void {
    this.interruptFn = fn;
  }

  onDisconnect(fn: (() => void) | undefined): void {
    this.disconnectFn = fn;
  }

  interrupt(b: Uint8Array): boolean {
    if (!this.alive || !this.interruptFn) return false;
    const fn = this.interruptFn;
    queueMicrotask(() => fn(b));
    return true;
  }

  /** The unit went away (unplugged: tell the driver) or a new session replaced this one. */
  end(unplugged: boolean): void {
    if (!this.alive) return;
    this.alive = false;
    this.interruptFn = undefined;
    const fn = this.disconnectFn;
    this.disconnectFn = undefined;
    if (unplugged) queueMicrotask(() => fn?.());
  }

  async close(): Promise<void> {
    this.alive = false;
    this.interruptFn = undefined;
    this.disconnectFn = undefined;
  }
}

/**
 * A unit from a descriptor alone (shared/hid/cyberpower-cst135uc2 has no
 * recorded reports): every feature/input report answers zero-filled at the
 * descriptor's size, with its id byte; `values` sets fields by path.
 */
export function synthesizedFixture(name: string, info: UsbDeviceInfo, strings: Array<[number, string]>, values: Array<[string, number]> = []): SimFixture {
  const descriptor = readHexFile(path.join(HID_DIR, name, 'descriptor.hex'));
  const desc = parseDescriptor(descriptor);
  const reports = new Map<number, Uint8Array>();
  for (const r of desc.reports.values()) {
    if (r.type === 'output') continue;
    const cur = reports.get(r.id);
    if (!cur || cur.length < r.bytes) {
      const b = new Uint8Array(r.bytes);
      if (r.id !== 0) b[0] = r.id;
      reports.set(r.id, b);
    }
  }
  for (const [p, v] of values) {
    for (const f of desc.fields.filter((x) => x.path === p && x.type !== 'output')) encodeField(f, v, reports.get(f.reportId)!);
  }
  return { name, descriptor, reports, strings: new Map(strings), info };
}

/** The CyberPower CST135UC2 descriptor of shared/hid (no recorded reports): zero-filled ones, online and charged. */
export function cyberPowerSim(): SimUps {
  return new SimUps(
    synthesizedFixture(
      'cyberpower-cst135uc2',
      { vendorId: 0x0764, productId: 0x0601, vendor: 'CPS', product: 'CST135UC2', serial: 'SIM0001', bus: '002', device: '003', hid: true },
      [
        [1, 'CPS'],
        [2, 'CST135UC2'],
        [3, 'SIM0001'],
      ],
      [
        ['UPS.PowerSummary.PresentStatus.ACPresent', 1],
        ['UPS.PowerSummary.PresentStatus.BatteryPresent', 1],
        ['UPS.PowerSummary.RemainingCapacity', 100],
      ],
    ),
  );
}
