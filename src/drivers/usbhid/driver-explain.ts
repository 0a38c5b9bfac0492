/**
 * `usbhid-ups -a UPS --explain`: the explain view of src/drivers/usbhid/hid
 * on a live device: its report descriptor, every report read once (GET_REPORT
 * Feature, as the driver reads them), the subdriver the driver would pick and
 * what it makes of each path (NUT variable, status token).
 */
import type { HidDevice } from '../../transports/hid.js';
import { TransportError } from '../../common/errors.js';
import { explainDescriptor, parseDescriptor, usageTableFromNames, type Explanation, type HidField, type HidReportType } from './hid/index.js';
import { createHidMapper, selectSubdriver, subdriverVersionData } from './subdrivers/index.js';
import { hex4 } from '../../transports/hid.js';
import { padReport } from './driver-runtime.js';

export interface LiveExplainOptions {
  /** ups.conf `subdriver`: force one by name. */
  subdriver?: string;
  /** Apply the subdriver's descriptor fix-ups (not with disable_fix_report_desc). */
  fix?: boolean;
}

export async function explainLive(dev: HidDevice, opts: LiveExplainOptions = {}): Promise<Explanation> {
  const bytes = await dev.getDescriptor();
  const desc = parseDescriptor(bytes);
  const info = dev.info;
  // read every report id once; a report the device refuses stays unread
  const got = new Map<number, Uint8Array>();
  const lengths = new Map<number, number>();
  for (const r of desc.reports.values()) if (r.type !== 'output') lengths.set(r.id, Math.max(lengths.get(r.id) ?? 0, r.bytes));
  for (const [id, len] of lengths) {
    try {
      const b = await dev.getReport(id, 'feature', len);
      if (b.length > 0 && (id === 0 || b[0] === id)) got.set(id, padReport(b, len));
    } catch (e) {
      if (e instanceof TransportError && e.reason === 'disconnected') throw e;
    }
  }
  const strings = new Map<number, string>();
  for (let i = 1; i <= 16; i++) {
    const s = await dev.getString(i).catch(() => undefined);
    if (s !== undefined) strings.set(i, s);
  }
  const sub = selectSubdriver(info.vendorId, info.productId, info.vendor, info.product, opts.subdriver);
  const mapper = createHidMapper(sub, { paths: desc.fields.map((f) => f.path), strings: (i) => strings.get(i) });
  const fix = sub.quirks.fixReportDesc;
  return explainDescriptor(bytes, {
    readReport: (_type: HidReportType, id: number) => got.get(id),
    usages: usageTableFromNames(sub.usages),
    mapper,
    subdriverName: `${subdriverVersionData(sub)} (${hex4(info.vendorId)}:${hex4(info.productId)})`,
    ...(opts.fix !== false && fix
      ? {
          prepare: (fields: HidField[]) => {
            const views = fields.map((f) => ({ path: f.path, reportId: f.reportId, logMin: f.logMin, logMax: f.logMax, phyMin: f.physMin, phyMax: f.physMax, unit: f.unit, unitExp: f.unitExponent }));
            fix(views, info.vendorId, info.productId);
            views.forEach((v, i) => {
              const f = fields[i]!;
              f.logMin = v.logMin;
              f.logMax = v.logMax;
              f.physMin = v.phyMin;
              f.physMax = v.phyMax;
              f.unit = v.unit;
              f.unitExponent = v.unitExp;
            });
          },
        }
      : {}),
  });
}
