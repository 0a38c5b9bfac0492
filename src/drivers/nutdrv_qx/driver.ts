/**
 * nutdrv_qx: the Megatec "Q1" family of serial UPS units (NUT's nutdrv_qx,
 * formerly blazer_ser). Protocol facts in protocol.ts, battery estimates in
 * battery.ts; this file is the driver: detection, the poll, instant
 * commands, the delays, and what it publishes.
 */
import path from 'node:path';
import { WalnutError, TransportError } from '../../common/errors.js';
import { FLAG_RW } from '../../state/table.js';
import { SerialTransport } from '../../transports/serial.js';
import { STAT_FAILED, STAT_HANDLED, STAT_INVALID, STAT_UNKNOWN } from '../core/driver.js';
import type { DriverContext, DriverDefinition, DriverHooks } from '../core/driver.js';
import type { QxLink } from './link.js';
import { SerialQxLink } from './link.js';
import {
  DETECT_ORDER,
  DEFAULT_DELAYS,
  INSTANT_COMMANDS,
  OFFDELAY_RANGE,
  ONDELAY_RANGE,
  QX_PROTOCOLS,
  VENDOR_IC_LAYOUT,
  checkDelay,
  commandAccepted,
  commandRequest,
  decodeStatusBits,
  findProtocol,
  formatNumber,
  parseReply,
  showReply,
} from './protocol.js';
import type { Delays, QxProtocol } from './protocol.js';
import { fmt0, fmt2, fullRuntime, guessLimits, guessPacks, nextCharge, parseRuntimeCal } from './battery.js';
import type { BatteryModel, ChargeState, RuntimeCal } from './battery.js';

export const NUTDRV_QX_VERSION = '0.32';

/** Reply timeouts: a 47-byte reply takes ~200 ms at 2400 bps. */
export const STATUS_TIMEOUT_MS = 1000;
export const COMMAND_TIMEOUT_MS = 500;
/** Tries of the status query per poll before the data goes stale. */
export const STATUS_TRIES = 2;

const NUT_CABLEPOWER: Record<string, { dtr: boolean; rts: boolean } | undefined> = {
  normal: { dtr: true, rts: false },
  reverse: { dtr: false, rts: true },
  both: { dtr: true, rts: true },
  none: undefined,
};

export interface QxHooksOptions {
  /** Use this link instead of opening the port (tests, USB links). */
  link?: QxLink;
}

function num(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export function createQxDriver(ctx: DriverContext, opts: QxHooksOptions = {}): DriverHooks {
  const st = ctx.state;
  const log = ctx.log;
  const tag = `nutdrv_qx [${ctx.ups}]`;
  let link: QxLink | undefined = opts.link;
  let proto: QxProtocol;
  let delays: Delays = { ...DEFAULT_DELAYS };
  let battery: BatteryModel | undefined;
  let charge: ChargeState = { charge: undefined, at: undefined };
  let lost = false;
  let lastReason = '';
  let batterySetUp = false;
  let upsReportsCharge = false;

  const option = (name: string) => ctx.option(name);

  function fail(msg: string): never {
    throw new WalnutError('DRIVER_CONFIG', `${tag}: ${msg}`);
  }

  function openLink(): QxLink {
    const port = ctx.settings.port;
    if (port === 'auto' || option('subdriver') !== undefined) {
      fail(
        `port "${port}"${option('subdriver') ? ` with subdriver ${option('subdriver')}` : ''}: USB bridge subdrivers are not supported by Walnut's nutdrv_qx; ` +
          'use the serial device (a USB-serial adapter shows up as /dev/ttyUSB*), or NUT\'s own /lib/nut/nutdrv_qx',
      );
    }
    const lines = NUT_CABLEPOWER[option('cablepower') ?? 'normal'];
    const file = path.isAbsolute(port) ? port : path.resolve(port);
    const serial = new SerialTransport(
      { path: file, baudRate: 2400, dataBits: 8, parity: 'none', stopBits: 1, ...(lines ?? {}), lock: !ctx.flag('nolock') },
      { clock: ctx.clock, log, logName: tag },
    );
    return new SerialQxLink(serial);
  }

  async function ask(request: string, timeoutMs = STATUS_TIMEOUT_MS): Promise<string> {
    const reply = await link!.query(request, timeoutMs);
    log.debug(3, `${tag}: send: '${showReply(request.replace(/\r$/, ''))}' read: '${showReply(reply.replace(/\r$/, ''))}'`);
    return reply;
  }

  /** One protocol's claim: its probe (if any) and a status reply that parses. */
  async function claims(p: QxProtocol): Promise<boolean> {
    if (p.probe) {
      const r = await ask(`${p.probe.command}\r`);
      if (r.replace(/\r$/, '') !== p.probe.reply) {
        log.debug(2, `${tag}: ${p.version}: ${p.probe.command} answered "${showReply(r)}", not ${p.probe.reply}`);
        return false;
      }
    }
    for (let i = 0; i < STATUS_TRIES; i++) {
      const r = parseReply(p.status, await ask(`${p.status.command}\r`));
      if (r.ok) return true;
      log.debug(2, `${tag}: ${p.version}: ${r.reason}`);
      if (/echoed back|does not start/.test(r.reason)) return false;
    }
    return false;
  }

  async function detect(): Promise<QxProtocol> {
    const want = option('protocol');
    if (want !== undefined) {
      const p = findProtocol(want);
      if (!p) fail(`protocol = ${want} is not supported (Walnut knows: ${QX_PROTOCOLS.map((x) => x.name).join(', ')})`);
      if (await claims(p)) return p;
      throw new WalnutError('DRIVER_INIT', `${tag}: no ${p.version} UPS answered on ${link!.name}`);
    }
    for (const name of DETECT_ORDER) {
      const p = findProtocol(name)!;
      if (await claims(p)) return p;
      log.debug(2, `${tag}: skipping protocol ${p.version}`);
    }
    throw new WalnutError('DRIVER_INIT', `${tag}: Device not supported! (no Q1-family UPS answered on ${link!.name})`);
  }

  /** F and I: the static values (errors only logged, as NUT). */
  async function readStatic(): Promise<void> {
    if (!ctx.flag('norating') && proto.ratings) {
      const r = parseReply(proto.ratings, await ask(`${proto.ratings.command}\r`));
      if (r.ok) {
        for (const v of r.values) st.setInfo(v.name, v.value);
        for (const s of r.skipped) log.debug(2, `${tag}: non significant value [${s}]`);
      } else log.debug(1, `${tag}: ratings: ${r.reason}`);
    }
    if (!ctx.flag('novendor') && proto.vendor) {
      const raw = await ask(`${proto.vendor.command}\r`);
      let r = parseReply(proto.vendor, raw);
      if (!r.ok && raw.length === VENDOR_IC_LAYOUT.minLength && proto.vendor.command === 'I') r = parseReply(VENDOR_IC_LAYOUT, raw);
      if (r.ok) {
        for (const v of r.values) st.setInfo(v.name, v.value);
        for (const s of r.skipped) log.debug(1, `${tag}: non significant value [${s}]`);
      } else log.debug(1, `${tag}: vendor information: ${r.reason}`);
    }
  }

  function setupDelays(): void {
    const on = checkDelay('ondelay', option('ondelay') ?? String(DEFAULT_DELAYS.ondelay));
    const off = checkDelay('offdelay', option('offdelay') ?? String(DEFAULT_DELAYS.offdelay));
    if (!on.ok) fail(on.reason);
    if (!off.ok) fail(off.reason);
    delays = { ondelay: on.value, offdelay: off.value };
    for (const [name, value, range] of [
      ['ups.delay.start', delays.ondelay, ONDELAY_RANGE],
      ['ups.delay.shutdown', delays.offdelay, OFFDELAY_RANGE],
    ] as const) {
      st.setInfo(name, String(value));
      st.setFlags(name, FLAG_RW);
      st.addRange(name, range[0], range[1]);
    }
  }

  /** Battery limits and packs: from ups.conf (default./override.), else guessed from the first reading. */
  let cal: RuntimeCal | undefined;
  let chargetime = 43200;
  let idleload = 10;

  /** runtimecal, chargetime, idleload, cablepower: checked before anything is sent. */
  function checkOptions(): void {
    const rc = option('runtimecal');
    if (rc !== undefined) {
      const r = parseRuntimeCal(rc);
      if (!r.ok) fail(r.reason);
      cal = r.cal;
    }
    chargetime = num(option('chargetime')) ?? 43200;
    idleload = num(option('idleload')) ?? 10;
    if (!(chargetime > 0)) fail(`chargetime must be a positive number of seconds, not "${option('chargetime')}"`);
    if (!(idleload >= 0 && idleload <= 100)) fail(`idleload must be a load in percent (0-100), not "${option('idleload')}"`);
    const cp = option('cablepower') ?? 'normal';
    if (!(cp in NUT_CABLEPOWER)) fail(`cablepower = ${cp} is not valid (use normal, reverse, both or none)`);
    const pf = option('pollfreq');
    if (pf !== undefined && !/^\d+$/.test(pf)) fail(`pollfreq must be a whole number of seconds, not "${pf}"`);
  }

  function setupBattery(reading: number | undefined): void {
    const nominal = num(st.getInfo('battery.voltage.nominal'));
    let packs = num(st.getInfo('battery.packs'));
    if (packs === undefined && reading !== undefined && nominal !== undefined) {
      packs = guessPacks(reading, nominal);
      if (packs === undefined) log.info(`${tag}: Can't autodetect number of battery packs [${formatNumber(nominal, 'f0')}/${fmt2(reading)}]`);
      else if (packs !== 1) log.debug(1, `${tag}: battery voltage is per pack/cell: × ${packs}`);
    }
    let low = num(st.getInfo('battery.voltage.low'));
    let high = num(st.getInfo('battery.voltage.high'));
    if ((low === undefined || high === undefined) && nominal !== undefined) {
      const g = guessLimits(nominal);
      low ??= g.low;
      high ??= g.high;
      log.info(`${tag}: No values for battery high/low voltages; using 'guesstimation' (low: ${g.low.toFixed(6)}, high: ${g.high.toFixed(6)})!`);
      if (st.getInfo('battery.voltage.low') === undefined) st.setInfo('battery.voltage.low', fmt2(low));
      if (st.getInfo('battery.voltage.high') === undefined) st.setInfo('battery.voltage.high', fmt2(high));
    }
    if (low === undefined || high === undefined) {
      log.info(`${tag}: no battery voltage limits (battery.voltage.nominal unknown; set default.battery.voltage.low/high): battery.charge will not be estimated`);
      battery = undefined;
      return;
    }
    if (!cal) log.debug(1, `${tag}: Battery runtime will not be calculated (runtimecal not set)`);
    battery = { packs: packs ?? 1, low, high, cal, idleload, chargetime };
  }

  function lose(reason: string): void {
    if (!lost) log.warn(`${tag}: Communications with the UPS lost: ${reason}`);
    else if (reason !== lastReason) log.debug(1, `${tag}: still lost: ${reason}`);
    lost = true;
    lastReason = reason;
    st.dataStale();
  }

  /** Reads the status (retrying once); undefined when refused or unreachable. */
  async function readStatus(): Promise<ReturnType<typeof parseReply> | undefined> {
    let last = '';
    for (let i = 0; i < STATUS_TRIES; i++) {
      let raw: string;
      try {
        raw = await ask(`${proto.status.command}\r`);
      } catch (e) {
        lose(e instanceof TransportError ? e.message : `status read failed: ${(e as Error).message}`);
        return undefined;
      }
      const r = parseReply(proto.status, raw);
      if (r.ok) return r;
      last = r.reason;
      log.debug(1, `${tag}: status read refused: ${r.reason}`);
    }
    lose(`status read failed! (${last})`);
    return undefined;
  }

  function publishStatus(r: Extract<ReturnType<typeof parseReply>, { ok: true }>): void {
    let reading: number | undefined;
    for (const v of r.values) {
      if (v.name === 'battery.voltage') {
        reading = Number(v.value);
        continue;
      }
      st.setInfo(v.name, v.value);
    }
    for (const s of r.skipped) log.debug(2, `${tag}: non significant value [${s}]`);
    if (battery === undefined && reading !== undefined && !batterySetUp) {
      setupBattery(reading);
      batterySetUp = true;
    }
    if (reading !== undefined) st.setInfo('battery.voltage', fmt2(reading * (battery?.packs ?? 1)));
    const info = decodeStatusBits(r.bits!, num(st.getInfo('input.voltage')), num(st.getInfo('output.voltage')));
    st.setInfo('ups.type', info.type);
    st.setInfo('ups.beeper.status', info.beeper);
    const onBattery = info.tokens.includes('OB');
    if (battery && reading !== undefined && !upsReportsCharge) {
      charge = nextCharge(battery, charge, reading * battery.packs, onBattery, ctx.clock.now());
      st.setInfo('battery.charge', fmt0(charge.charge!));
      if (battery.cal) {
        if (onBattery) {
          const load = num(st.getInfo('ups.load')) ?? 0;
          st.setInfo('battery.runtime', fmt0((fullRuntime(battery.cal, load, battery.idleload) * charge.charge!) / 100));
        } else st.delInfo('battery.runtime');
      }
    }
    st.alarmInit();
    for (const a of info.alarms) st.alarmSet(a);
    st.alarmCommit();
    st.statusInit();
    for (const t of info.tokens) st.statusSet(t);
    st.statusCommit();
  }

  async function send(cmd: string, request: string): Promise<number> {
    let reply: string;
    try {
      reply = await ask(request, COMMAND_TIMEOUT_MS);
    } catch (e) {
      log.warn(`${tag}: instcmd: ${cmd} failed: ${(e as Error).message}`);
      return STAT_FAILED;
    }
    const a = commandAccepted(request, reply);
    if (a.ok) {
      log.info(`${tag}: instcmd: command [${cmd}] handled`);
      return STAT_HANDLED;
    }
    log.warn(`${tag}: instcmd: command [${cmd}] failed: ${a.why}`);
    return STAT_FAILED;
  }

  return {
    async openDevice() {
      // as root, before the program drops to its user (NUT's upsdrv_initups); errors show up in initInfo
      if (opts.link) return;
      link ??= openLink();
      if (link instanceof SerialQxLink) await link.port.open().catch(() => {});
    },
    async initInfo() {
      checkOptions();
      setupDelays();
      st.setInfo('driver.parameter.pollfreq', option('pollfreq') ?? '30');
      link ??= openLink();
      try {
        proto = await detect();
      } catch (e) {
        await link.close().catch(() => {});
        if (e instanceof TransportError) {
          const perm = /permission denied/i.test(e.message) ? ' (the driver runs as its user, `nut` by default: give it the port, e.g. the dialout group, or use -u)' : '';
          throw new WalnutError('DRIVER_INIT', `${e.message}${perm}`);
        }
        throw e;
      }
      log.info(`${tag}: Using protocol: ${proto.version}`);
      st.setInfo('driver.version.data', proto.version);
      await readStatic();
      upsReportsCharge = st.getInfo('battery.charge') !== undefined;
      for (const c of INSTANT_COMMANDS) st.addCmd(c);
    },

    async update() {
      const r = await readStatus();
      if (!r || !r.ok) return;
      publishStatus(r);
      if (lost) log.info(`${tag}: Communications with the UPS re-established`);
      lost = false;
      st.dataOk();
    },

    async instcmd(cmd, param) {
      const c = cmd.toLowerCase();
      if (!(INSTANT_COMMANDS as readonly string[]).includes(c)) {
        log.info(`${tag}: instcmd: unknown command [${cmd}] [${param ?? '(null)'}]`);
        return STAT_UNKNOWN;
      }
      const req = commandRequest(c, param, delays);
      if (!req.ok) {
        log.warn(`${tag}: instcmd: ${req.reason}`);
        return STAT_INVALID;
      }
      return send(c, req.request);
    },

    setvar(name, value) {
      const key = name.toLowerCase() === 'ups.delay.start' ? 'ondelay' : name.toLowerCase() === 'ups.delay.shutdown' ? 'offdelay' : undefined;
      if (!key) {
        log.info(`${tag}: setvar: unknown variable [${name}]`);
        return STAT_UNKNOWN;
      }
      const r = checkDelay(key, value);
      if (!r.ok) {
        log.warn(`${tag}: setvar: ${r.reason}`);
        return STAT_INVALID;
      }
      delays = { ...delays, [key]: r.value };
      st.setInfo(key === 'ondelay' ? 'ups.delay.start' : 'ups.delay.shutdown', String(r.value));
      return STAT_HANDLED;
    },

    async killpower() {
      // cancel whatever is pending, then turn off (and back on with mains, unless stayoff)
      await send('shutdown.stop', 'C\r');
      const cmd = ctx.flag('stayoff') ? 'shutdown.stayoff' : 'shutdown.return';
      const req = commandRequest(cmd, undefined, delays);
      if (!req.ok) return 1;
      return (await send(cmd, req.request)) === STAT_HANDLED ? 0 : 1;
    },

    async close() {
      await link?.close().catch(() => {});
    },
  };
}

const USB_OPTIONS = ['subdriver', 'vendorid', 'productid', 'vendor', 'product', 'serial', 'bus', 'device', 'busport', 'langid_fix', 'usb_set_altinterface'];

export const nutdrvQx: DriverDefinition = {
  name: 'nutdrv_qx',
  version: NUTDRV_QX_VERSION,
  description: 'Generic Q* Serial driver',
  options: [
    { name: 'protocol', help: 'Preselected communication protocol (skips autodetection)' },
    { name: 'ondelay', help: 'Delay before UPS startup (seconds, default 180)' },
    { name: 'offdelay', help: 'Delay before UPS shutdown (seconds, default 30)' },
    { name: 'pollfreq', help: 'Frequency (in seconds) for general polling (default 30)' },
    { name: 'runtimecal', help: 'Parameters used for runtime calculation (runtime1,load1,runtime2,load2)' },
    { name: 'chargetime', help: 'Nominal charge time for UPS battery (seconds, default 43200)' },
    { name: 'idleload', help: 'Minimum load to be used for runtime calculation (percent, default 10)' },
    { name: 'cablepower', help: 'Set cable power for serial interface (normal, reverse, both, none)' },
    ...USB_OPTIONS.map((name) => ({ name, help: `USB option ${name} (USB bridges: not supported by Walnut, see docs)` })),
  ],
  flags: [
    { name: 'stayoff', help: 'If invoked the UPS won\'t return after a shutdown when FSDing' },
    { name: 'novendor', help: 'Don\'t read vendor information (I)' },
    { name: 'norating', help: 'Don\'t read ratings (F)' },
    { name: 'noscanlangid', help: 'Don\'t autoscan valid range for langid (USB)' },
  ],
  create: (ctx) => createQxDriver(ctx),
};
