/**
 * The usbhid-ups runtime: one HID UPS behind the HID transport interface.
 *
 * init: open (NUT's matching options) → subdriver → report descriptor →
 * field map → identification → the first full read. Then each poll reads
 * the quick (status) reports every pollinterval and everything every
 * pollfreq; interrupt-in reports are applied the moment they arrive.
 * Instant commands and upsrw become HID writes through the subdriver's
 * plans (encodeField on the last report read). A device that goes away makes
 * the data stale; every later poll tries to open it again, and the data is
 * fresh again once it is back (no restart).
 */
import { TransportError, WalnutError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { HidDevice, HidOpener, HidOpenOptions, UsbDeviceInfo } from '../../transports/hid.js';
import { hex4, matcherFromOptions } from '../../transports/hid.js';
import { FLAG_RW, FLAG_STRING } from '../../state/table.js';
import { STAT_FAILED, STAT_HANDLED, STAT_INVALID, STAT_UNKNOWN } from '../core/driver.js';
import type { DriverContext, DriverHooks } from '../core/driver.js';
import { decodeField, encodeField, newReport } from './hid/decode.js';
import { parseDescriptor } from './hid/parser.js';
import type { HidDescriptor, HidField, HidReportType } from './hid/types.js';
import { canonicalPath, createHidMapper, findSubdriver, generic, selectSubdriver, subdriverVersionData } from './subdrivers/index.js';
import type { FixableField, HidMapper, HidWrite, Subdriver } from './subdrivers/index.js';

/** A read round stops after this many GET_REPORT timeouts in a row (5 s each on libusb). */
const MAX_CONSECUTIVE_TIMEOUTS = 3;

/** The default upsdrv_shutdown order (NUT 2.8.0). */
export const DEFAULT_SHUTDOWN_COMMANDS = ['shutdown.return', 'shutdown.reboot', 'load.off.delay', 'shutdown.stayoff'];

interface ReportPlan {
  id: number;
  /** Bytes to ask for: the larger of the feature and input report sizes. */
  length: number;
  /** Fields read from it (feature fields, then input fields not also in the feature report). */
  fields: HidField[];
  quick: boolean;
  /** Only static entries use it: read once per device session. */
  staticOnly: boolean;
}

/** What the runtime knows about the open device. */
interface Session {
  dev: HidDevice;
  desc: HidDescriptor;
  sub: Subdriver;
  mapper: HidMapper;
  plans: Map<number, ReportPlan>;
  /** Input fields by report id (interrupt reports). */
  inputFields: Map<number, HidField[]>;
  inputLength: Map<number, number>;
  /** Field to write for a path: feature first, then output. */
  writeField: Map<string, HidField>;
  /** Last bytes read or written per report id (writes start from them, as NUT's report buffer). */
  buffers: Map<number, Uint8Array>;
  strings: Map<number, string>;
  staticDone: boolean;
}

export interface RuntimeStats {
  fullPolls: number;
  quickPolls: number;
  interrupts: number;
  reconnects: number;
  badReports: number;
}

export class UsbhidRuntime implements DriverHooks {
  private s: Session | undefined;
  private lastFull = -Infinity;
  /** The identity of the first device opened: a reconnect takes only the same unit. */
  private identity: UsbDeviceInfo | undefined;
  private reconnectFailures = 0;
  private closed = false;
  private readonly log: Logger;
  readonly stats: RuntimeStats = { fullPolls: 0, quickPolls: 0, interrupts: 0, reconnects: 0, badReports: 0 };

  constructor(
    private readonly ctx: DriverContext,
    private readonly opener: HidOpener,
  ) {
    this.log = ctx.log;
  }

  private get tag(): string {
    return `usbhid-ups [${this.ctx.ups}]`;
  }

  private intOption(name: string, dflt: number): number {
    const v = this.ctx.option(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new WalnutError('DRIVER_CONFIG', `Fatal error: ${name} = "${v}" is not a number`);
    return Math.trunc(n);
  }

  private openOptions(): HidOpenOptions {
    const o: HidOpenOptions = { debug: (level, msg) => this.log.debug(level, `${this.tag}: ${msg}`) };
    const num = (k: string) => {
      const v = this.ctx.option(k);
      if (v === undefined) return undefined;
      const n = parseInt(v, 0 === v.indexOf('0x') ? 16 : 10);
      return Number.isFinite(n) ? n : undefined;
    };
    o.interfaceIndex = num('usb_hid_rep_index');
    o.descriptorIndex = num('usb_hid_desc_index');
    o.endpointIn = num('usb_hid_ep_in');
    o.interruptSize = num('interruptsize');
    return o;
  }

  get session(): { dev: HidDevice; desc: HidDescriptor; sub: Subdriver; mapper: HidMapper } | undefined {
    return this.s;
  }

  get pollFreqSec(): number {
    return this.intOption('pollfreq', this.s?.sub.quirks.pollfreq ?? 30);
  }

  /* ---------------------------------------------------------------- init */

  async initInfo(): Promise<void> {
    const st = this.ctx.state;
    const matcher = matcherFromOptions((k) => this.ctx.option(k));
    let dev: HidDevice;
    try {
      // as NUT: only units a subdriver claims, unless the options point at one (vendorid,
      // subdriver, explore); never a keyboard because port = auto
      const explicit = matcher.hasVendorId || this.ctx.flag('explore') || this.ctx.option('subdriver') !== undefined;
      const accept = (i: UsbDeviceInfo) => explicit || findSubdriver(i.vendorId, i.productId, i.vendor, i.product) !== undefined;
      dev = await this.opener(matcher, accept, this.openOptions());
    } catch (e) {
      throw new WalnutError('NO_DEVICE', `No matching HID UPS found: ${(e as Error).message}`, { cause: e });
    }
    this.identity = dev.info;
    await this.setup(dev);
    const s = this.s!;
    this.log.info(`${this.tag}: detected a UPS: ${dev.info.vendor ?? 'unknown'}/${dev.info.product ?? 'unknown'} (${hex4(dev.info.vendorId)}:${hex4(dev.info.productId)}), subdriver ${subdriverVersionData(s.sub)}`);
    st.setInfo('driver.parameter.pollfreq', String(this.pollFreqSec));
    st.setInfo('driver.version.data', subdriverVersionData(s.sub));
    if (dev.version) st.setInfo('driver.version.usb', dev.version);
    for (const c of s.mapper.commands()) st.addCmd(c);
    await this.fullRead();
    this.publishWritable();
    this.publishStatus();
    st.dataOk();
  }

  /** Opens the session: descriptor, subdriver, field map, identification, interrupt pipe. */
  private async setup(dev: HidDevice): Promise<void> {
    const info = dev.info;
    let desc: HidDescriptor;
    try {
      desc = parseDescriptor(await dev.getDescriptor());
    } catch (e) {
      await dev.close();
      throw e;
    }
    if (!desc.fields.some((f) => f.usagePath.some((u) => u >>> 16 === 0x84 || u >>> 16 === 0x85))) {
      await dev.close();
      throw new WalnutError('NO_DEVICE', `${hex4(info.vendorId)}:${hex4(info.productId)} is not a USB HID Power Device (its report descriptor has no usage page 0x84 or 0x85)`);
    }
    // explore: the generic table whatever the vendor (NUT's EXPLORE subdriver)
    const forced = this.ctx.option('subdriver') ?? (this.ctx.flag('explore') ? generic.name : undefined);
    const sub = selectSubdriver(info.vendorId, info.productId, info.vendor, info.product, forced);
    if (!this.ctx.flag('disable_fix_report_desc') && sub.quirks.fixReportDesc) {
      const fixed = fixFields(desc.fields, (ff) => sub.quirks.fixReportDesc!(ff, info.vendorId, info.productId));
      if (fixed) this.log.debug(1, `${this.tag}: ${fixed} report descriptor field(s) fixed (disable_fix_report_desc turns this off)`);
    }
    const strings = new Map<number, string>();
    const offdelay = this.intOption('offdelay', sub.quirks.offdelay);
    const ondelay = this.intOption('ondelay', sub.quirks.ondelay);
    const mapper = createHidMapper(sub, {
      paths: desc.fields.map((f) => f.path),
      offdelay,
      ondelay,
      strings: (i) => strings.get(i),
      onlinedischarge: this.ctx.flag('onlinedischarge') || this.ctx.flag('onlinedischarge_onbattery'),
      onlinedischargeCalibration: this.ctx.flag('onlinedischarge_calibration'),
    });
    const s: Session = {
      dev,
      desc,
      sub,
      mapper,
      plans: new Map(),
      inputFields: new Map(),
      inputLength: new Map(),
      writeField: new Map(),
      buffers: new Map(),
      strings,
      staticDone: false,
    };
    this.buildPlans(s);
    this.s = s;
    const st = this.ctx.state;
    for (const [k, v] of sub.identify({ vendor: info.vendor, product: info.product, serial: info.serial })) st.setInfo(k, v);
    st.setInfo('ups.vendorid', hex4(info.vendorId));
    st.setInfo('ups.productid', hex4(info.productId));
    for (const [k, v] of mapper.initialVars()) st.setInfo(k, v);
    dev.onDisconnect(() => this.lost(dev, 'the device went away'));
    if (!this.ctx.flag('pollonly')) dev.onInterrupt((r) => this.onInterrupt(dev, r));
  }

  private buildPlans(s: Session): void {
    const reportBytes = (type: HidReportType, id: number) => s.desc.reports.get(`${type}:${id}`)?.bytes ?? 0;
    const byId = new Map<number, { feature: HidField[]; input: HidField[] }>();
    for (const f of s.desc.fields) {
      if (f.type === 'input') {
        const l = s.inputFields.get(f.reportId) ?? [];
        l.push(f);
        s.inputFields.set(f.reportId, l);
        s.inputLength.set(f.reportId, reportBytes('input', f.reportId));
      }
      if (f.type === 'feature' || f.type === 'output') {
        const key = canonicalPath(f.path, s.sub.usages);
        const cur = s.writeField.get(key);
        if (!cur || (cur.type === 'output' && f.type === 'feature')) s.writeField.set(key, f);
      }
      if (f.type === 'output') continue;
      if (s.mapper.entriesFor(f.path).length === 0) continue;
      const e = byId.get(f.reportId) ?? { feature: [], input: [] };
      e[f.type === 'feature' ? 'feature' : 'input'].push(f);
      byId.set(f.reportId, e);
    }
    for (const [id, { feature, input }] of byId) {
      const seen = new Set(feature.map((f) => f.path));
      const fields = [...feature, ...input.filter((f) => !seen.has(f.path))];
      let quick = false;
      let staticOnly = true;
      for (const f of fields) {
        for (const e of s.mapper.entriesFor(f.path)) {
          if (e.flags.includes('quick') || e.status) quick = true;
          if (!e.flags.includes('static')) staticOnly = false;
        }
      }
      const length = Math.max(reportBytes('feature', id), reportBytes('input', id), id !== 0 ? 1 : 0);
      s.plans.set(id, { id, length, fields, quick, staticOnly });
    }
  }

  /* ---------------------------------------------------------------- reads */

  private async readPlans(s: Session, plans: ReportPlan[]): Promise<{ ok: number; failed: number }> {
    let ok = 0;
    let failed = 0;
    let timeouts = 0;
    for (const p of plans) {
      let bytes: Uint8Array;
      try {
        // as NUT: GET_REPORT always asks for the Feature report of the id
        bytes = await s.dev.getReport(p.id, 'feature', p.length);
        timeouts = 0;
      } catch (e) {
        if (e instanceof TransportError && e.reason === 'disconnected') throw e;
        // a unit that stopped answering: give up this round instead of waiting out every report
        if (e instanceof TransportError && e.reason === 'timeout' && ++timeouts >= MAX_CONSECUTIVE_TIMEOUTS) {
          throw new TransportError('timeout', `${timeouts} reports in a row timed out`, { cause: e });
        }
        failed++;
        this.log.debug(2, `${this.tag}: report 0x${p.id.toString(16).padStart(2, '0')}: ${(e as Error).message}`);
        continue;
      }
      if (this.s !== s) return { ok, failed };
      if (!this.acceptReport(p.id, bytes)) {
        failed++;
        continue;
      }
      const buf = padReport(bytes, p.length);
      s.buffers.set(p.id, buf);
      await this.applyFields(s, p.fields, buf);
      ok++;
    }
    return { ok, failed };
  }

  /** A report that does not start with its id (or is empty) is refused, never decoded. */
  private acceptReport(id: number, bytes: Uint8Array): boolean {
    if (bytes.length === 0 || (id !== 0 && bytes[0] !== id)) {
      this.stats.badReports++;
      this.log.debug(2, `${this.tag}: report 0x${id.toString(16).padStart(2, '0')}: answer ${bytes.length ? `starts with 0x${bytes[0]!.toString(16).padStart(2, '0')}` : 'is empty'}; ignored`);
      return false;
    }
    return true;
  }

  private async applyFields(s: Session, fields: readonly HidField[], buf: Uint8Array): Promise<void> {
    for (const f of fields) {
      let value: number;
      try {
        value = decodeField(f, buf, { zeroPad: true });
      } catch (e) {
        this.stats.badReports++;
        this.log.debug(2, `${this.tag}: ${(e as Error).message}`);
        continue;
      }
      if (!Number.isFinite(value)) continue;
      await this.prefetchString(s, f.path, value);
      if (this.s !== s) return;
      this.applyValue(s, f.path, value);
    }
  }

  /** 'stringid' entries name a USB string descriptor: read it before the mapper needs it. */
  private async prefetchString(s: Session, path: string, value: number): Promise<void> {
    const idx = Math.round(value);
    if (idx <= 0 || idx > 255 || s.strings.has(idx)) return;
    if (!s.mapper.entriesFor(path).some((e) => e.flags.includes('stringid'))) return;
    try {
      const str = await s.dev.getString(idx);
      if (str !== undefined) s.strings.set(idx, str);
    } catch (e) {
      if (e instanceof TransportError && e.reason === 'disconnected') throw e;
    }
  }

  private applyValue(s: Session, path: string, value: number): void {
    let r;
    try {
      r = s.mapper.apply(path, value);
    } catch (e) {
      this.log.debug(1, `${this.tag}: ${path} = ${value}: ${(e as Error).message}`);
      return;
    }
    for (const [k, v] of r.vars) this.ctx.state.setInfo(k, v);
  }

  private async fullRead(): Promise<void> {
    const s = this.s;
    if (!s) return;
    const plans = [...s.plans.values()].filter((p) => !p.staticOnly || !s.staticDone);
    const r = await this.readPlans(s, plans);
    s.staticDone = true;
    this.lastFull = this.ctx.clock.now();
    this.stats.fullPolls++;
    if (r.ok === 0 && plans.length > 0) throw new TransportError('io', `none of the ${plans.length} reports could be read`);
  }

  private async quickRead(): Promise<void> {
    const s = this.s;
    if (!s) return;
    const plans = [...s.plans.values()].filter((p) => p.quick);
    const r = await this.readPlans(s, plans);
    this.stats.quickPolls++;
    if (r.ok === 0 && plans.length > 0) throw new TransportError('io', `none of the ${plans.length} status reports could be read`);
  }

  /* ---------------------------------------------------------------- publish */

  private publishStatus(): void {
    const s = this.s;
    if (!s) return;
    const st = this.ctx.state;
    st.alarmInit();
    const alarms = s.mapper.alarms();
    if (alarms) st.alarmSet(alarms);
    st.alarmCommit();
    const reason = s.mapper.transferReason();
    if (reason !== undefined) st.setInfo('input.transfer.reason', reason);
    st.statusInit();
    for (const t of s.mapper.statusTokens().split(' ')) if (t) st.statusSet(t);
    st.statusCommit();
  }

  private publishWritable(): void {
    const s = this.s;
    if (!s) return;
    const st = this.ctx.state;
    for (const w of s.mapper.writable()) {
      if (st.getInfo(w.var) === undefined) continue;
      st.setFlags(w.var, FLAG_RW | (w.string ? FLAG_STRING : 0));
      if (w.string && w.length) st.setAux(w.var, w.length);
      for (const e of w.enums ?? []) st.addEnum(w.var, e);
    }
  }

  /* ---------------------------------------------------------------- poll */

  async update(): Promise<void> {
    if (this.closed) return;
    if (!this.s) {
      if (!(await this.reconnect())) return;
    }
    const s = this.s;
    if (!s) return;
    const now = this.ctx.clock.now();
    const full = now - this.lastFull >= this.pollFreqSec * 1000;
    try {
      if (full) await this.fullRead();
      else if (!this.ctx.flag('interruptonly')) await this.quickRead();
    } catch (e) {
      if (e instanceof TransportError && e.reason === 'disconnected') {
        await this.lost(s.dev, e.message);
        return;
      }
      this.log.warn(`${this.tag}: ${(e as Error).message}; data is stale`);
      this.ctx.state.dataStale();
      return;
    }
    if (this.s !== s) return;
    if (full) this.publishWritable();
    this.publishStatus();
    this.ctx.state.dataOk();
  }

  private onInterrupt(dev: HidDevice, report: Uint8Array): void {
    const s = this.s;
    if (!s || s.dev !== dev || report.length === 0) return;
    const id = s.desc.usesReportIds ? report[0]! : 0;
    const bytes = report;
    const fields = s.inputFields.get(id);
    if (!fields) {
      this.stats.badReports++;
      this.log.debug(2, `${this.tag}: interrupt report 0x${id.toString(16).padStart(2, '0')} is not in the descriptor; ignored`);
      return;
    }
    this.stats.interrupts++;
    const buf = padReport(bytes, s.inputLength.get(id) ?? bytes.length);
    void (async () => {
      try {
        await this.applyFields(s, fields.filter((f) => s.mapper.entriesFor(f.path).length > 0), buf);
        if (this.s !== s) return;
        this.publishStatus();
      } catch (e) {
        if (e instanceof TransportError && e.reason === 'disconnected') await this.lost(dev, e.message);
        else this.log.debug(1, `${this.tag}: interrupt report: ${(e as Error).message}`);
      }
    })();
  }

  /** The device is gone: data stale, close it; the next polls reopen it. */
  private async lost(dev: HidDevice, why: string): Promise<void> {
    const s = this.s;
    if (!s || s.dev !== dev) return;
    this.s = undefined;
    this.reconnectFailures = 0;
    this.log.warn(`${this.tag}: ${why}; data is stale, reconnecting`);
    this.ctx.state.dataStale();
    dev.onInterrupt(undefined);
    dev.onDisconnect(undefined);
    await dev.close().catch(() => {});
  }

  private async reconnect(): Promise<boolean> {
    const id = this.identity;
    const matcher = matcherFromOptions((k) => this.ctx.option(k));
    const same = (i: UsbDeviceInfo) =>
      !id || (i.vendorId === id.vendorId && i.productId === id.productId && (id.serial === undefined || i.serial === id.serial));
    let dev: HidDevice;
    try {
      dev = await this.opener(matcher, same, this.openOptions());
    } catch (e) {
      if (this.reconnectFailures++ === 0) this.log.info(`${this.tag}: reconnect failed: ${(e as Error).message}; retrying every poll`);
      return false;
    }
    if (this.closed) {
      await dev.close();
      return false;
    }
    try {
      await this.setup(dev);
      this.lastFull = -Infinity;
    } catch (e) {
      this.log.warn(`${this.tag}: reconnect: ${(e as Error).message}`);
      this.s = undefined;
      await dev.close().catch(() => {});
      return false;
    }
    this.stats.reconnects++;
    this.log.info(`${this.tag}: reconnected to the UPS`);
    return true;
  }

  /* ---------------------------------------------------------------- writes */

  private async write(s: Session, w: HidWrite): Promise<void> {
    if (w.delayMs) await new Promise<void>((r) => this.ctx.clock.setTimer(w.delayMs!, r));
    const f = s.writeField.get(canonicalPath(w.path, s.sub.usages));
    if (!f) throw new WalnutError('VAR-NOT-SUPPORTED', `the device has no writable ${w.path}`);
    const cur = s.buffers.get(f.reportId);
    const base = newReport(s.desc, f.type, f.reportId);
    const buf = cur && cur.length >= base.length ? Uint8Array.from(cur.subarray(0, base.length)) : base;
    encodeField(f, w.value, buf);
    this.log.debug(1, `${this.tag}: SET_REPORT ${f.type} 0x${f.reportId.toString(16).padStart(2, '0')} ${[...buf].map((b) => b.toString(16).padStart(2, '0')).join(' ')} (${w.path} = ${w.value})`);
    await s.dev.setReport(f.reportId, f.type, buf);
    s.buffers.set(f.reportId, buf);
  }

  private statOf(e: unknown): number {
    const code = (e as { code?: string }).code;
    if (code === 'CMD-NOT-SUPPORTED' || code === 'VAR-NOT-SUPPORTED') return STAT_UNKNOWN;
    if (code === 'INVALID-ARGUMENT' || code === 'INVALID-VALUE') return STAT_INVALID;
    return STAT_FAILED;
  }

  async instcmd(cmd: string, param: string | undefined): Promise<number> {
    const s = this.s;
    if (!s) {
      this.log.warn(`${this.tag}: instcmd ${cmd}: the UPS is not connected`);
      return STAT_FAILED;
    }
    let plan;
    try {
      plan = s.mapper.commandWrites(cmd, param);
    } catch (e) {
      this.log.info(`${this.tag}: instcmd: ${(e as Error).message}`);
      return this.statOf(e);
    }
    try {
      for (const w of plan.writes) await this.write(s, w);
    } catch (e) {
      this.log.warn(`${this.tag}: instcmd ${cmd} failed: ${(e as Error).message}`);
      if (e instanceof TransportError && e.reason === 'disconnected') await this.lost(s.dev, e.message);
      return this.statOf(e);
    }
    for (const [k, v] of plan.vars ?? []) this.ctx.state.setInfo(k, v);
    this.log.info(`${this.tag}: instcmd: ${cmd}${param !== undefined ? ` ${param}` : ''} done`);
    return STAT_HANDLED;
  }

  async setvar(name: string, value: string): Promise<number> {
    const s = this.s;
    if (!s) return STAT_FAILED;
    let writes: HidWrite[];
    try {
      writes = s.mapper.setvarWrites(name, value);
    } catch (e) {
      this.log.info(`${this.tag}: setvar: ${(e as Error).message}`);
      return this.statOf(e);
    }
    try {
      for (const w of writes) await this.write(s, w);
      // read back what the UPS now reports
      const ids = new Set(writes.map((w) => s.writeField.get(canonicalPath(w.path, s.sub.usages))?.reportId).filter((x): x is number => x !== undefined));
      await this.readPlans(s, [...ids].map((id) => s.plans.get(id)).filter((p): p is ReportPlan => p !== undefined));
    } catch (e) {
      this.log.warn(`${this.tag}: setvar ${name} failed: ${(e as Error).message}`);
      if (e instanceof TransportError && e.reason === 'disconnected') await this.lost(s.dev, e.message);
      return this.statOf(e);
    }
    return STAT_HANDLED;
  }

  /** -k: sdcommands (or NUT's default order), the first one the UPS takes wins. */
  async killpower(): Promise<number> {
    const s = this.s;
    if (!s) return 1;
    const list = this.ctx.settings.options.get('sdcommands');
    const cmds = list ? list.split(',').map((c) => c.trim()).filter(Boolean) : DEFAULT_SHUTDOWN_COMMANDS;
    const supported = new Set(s.mapper.commands());
    for (const c of cmds) {
      if (!supported.has(c) && c !== 'shutdown.default') continue;
      const name = c === 'shutdown.default' ? DEFAULT_SHUTDOWN_COMMANDS.find((x) => supported.has(x)) : c;
      if (!name) continue;
      const r = await this.instcmd(name, undefined);
      if (r === STAT_HANDLED) {
        this.log.info(`${this.tag}: shutdown: ${name} sent (offdelay ${this.ctx.state.getInfo('ups.delay.shutdown') ?? '?'} s, ondelay ${this.ctx.state.getInfo('ups.delay.start') ?? '?'} s)`);
        return 0;
      }
    }
    this.log.error(`${this.tag}: shutdown not supported: none of ${cmds.join(', ')} worked`);
    return 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.s;
    this.s = undefined;
    if (!s) return;
    s.dev.onInterrupt(undefined);
    s.dev.onDisconnect(undefined);
    await s.dev.close().catch(() => {});
  }
}

/** A short answer is read as if the missing bytes were 0 (NUT's zero-filled report buffer). */
export function padReport(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length >= length) return bytes;
  const out = new Uint8Array(length);
  out.set(bytes);
  return out;
}

/** Runs a subdriver's descriptor fix-up on copies in its shape, and writes the changes back (also used by `walnut hid`). */
export function fixFields(fields: HidField[], fix: (ff: FixableField[]) => number): number {
  const views: FixableField[] = fields.map((f) => ({
    path: f.path,
    reportId: f.reportId,
    logMin: f.logMin,
    logMax: f.logMax,
    phyMin: f.physMin,
    phyMax: f.physMax,
    unit: f.unit,
    unitExp: f.unitExponent,
  }));
  const n = fix(views);
  views.forEach((v, i) => {
    const f = fields[i]!;
    f.logMin = v.logMin;
    f.logMax = v.logMax;
    if (v.phyMin !== undefined) f.physMin = v.phyMin;
    if (v.phyMax !== undefined) f.physMax = v.phyMax;
    if (v.unit !== undefined) f.unit = v.unit;
    if (v.unitExp !== undefined) f.unitExponent = v.unitExp;
  });
  return n;
}
