/**
 * upsmon's notification catalogue: NUT's default texts and flags per notify
 * type, NOTIFYMSG/NOTIFYFLAG overrides, and `%s` formatting
 * (nut-monitor-drivers.md §1.8). Pure data and functions.
 */
import type { NotifyFlag, NotifyType, UpsmonConf } from '../config/types.js';

/** NUT's stock message per type; `%s` is the UPS (MONITOR `sys` string). */
export const DEFAULT_NOTIFY_TEXT: Readonly<Record<NotifyType, string>> = {
  ONLINE: 'UPS %s on line power',
  ONBATT: 'UPS %s on battery',
  LOWBATT: 'UPS %s battery is low',
  FSD: 'UPS %s: forced shutdown in progress',
  COMMOK: 'Communications with UPS %s established',
  COMMBAD: 'Communications with UPS %s lost',
  SHUTDOWN: 'Auto logout and shutdown proceeding',
  REPLBATT: 'UPS %s battery needs to be replaced',
  NOCOMM: 'UPS %s is unavailable',
  NOPARENT: 'upsmon parent process died - shutdown impossible',
  CAL: 'UPS %s: calibration in progress',
  NOTCAL: 'UPS %s: calibration finished',
  OFF: 'UPS %s: administratively OFF or asleep',
  NOTOFF: 'UPS %s: no longer administratively OFF or asleep',
  BYPASS: 'UPS %s: on bypass (powered, not protecting)',
  NOTBYPASS: 'UPS %s: no longer on bypass',
  ALARM: 'UPS %s: one or more active alarms: [%s]',
  NOTALARM: 'UPS %s is no longer in an alarm state (no active alarms)',
  OVER: 'UPS %s: overloaded',
  NOTOVER: 'UPS %s: no longer overloaded',
  TRIM: 'UPS %s: trimming incoming voltage',
  NOTTRIM: 'UPS %s: no longer trimming incoming voltage',
  BOOST: 'UPS %s: boosting incoming voltage',
  NOTBOOST: 'UPS %s: no longer boosting incoming voltage',
  OTHER: 'UPS %s: has at least one unclassified status token: [%s]',
  NOTOTHER: 'UPS %s has no unclassified status tokens anymore',
  SUSPEND_STARTING: 'OS is entering sleep/suspend/hibernate mode',
  SUSPEND_FINISHED: 'OS just finished sleep/suspend/hibernate mode, de-activating obsolete UPS readings to avoid an unfortunate shutdown',
};

/** Every type defaults to SYSLOG+WALL. */
export const DEFAULT_NOTIFY_FLAGS: readonly NotifyFlag[] = ['SYSLOG', 'WALL'];

/**
 * Fills `%s` placeholders in order: the first with the UPS name, the second
 * with `extra` (ALARM / OTHER). `%%` is a literal percent. Other `%`
 * sequences are kept as written (NUT would hand them to printf: Walnut never
 * lets a user's text read random memory).
 */
export function formatNotify(fmt: string, ups: string, extra?: string): string {
  const args = [ups, extra ?? ''];
  let n = 0;
  return fmt.replace(/%[%s]/g, (m) => {
    if (m === '%%') return '%';
    const v = n < args.length ? args[n]! : '';
    n++;
    return v;
  });
}

/** The text for `type` under this configuration. */
export function notifyText(conf: Pick<UpsmonConf, 'notifyMsg'>, type: NotifyType, ups: string, extra?: string): string {
  return formatNotify(conf.notifyMsg[type] ?? DEFAULT_NOTIFY_TEXT[type], ups, extra);
}

/** The flags for `type`: NOTIFYFLAG replaces the defaults; IGNORE wins over everything. */
export function notifyFlags(conf: Pick<UpsmonConf, 'notifyFlag'>, type: NotifyType): NotifyFlag[] {
  const f = conf.notifyFlag[type] ?? [...DEFAULT_NOTIFY_FLAGS];
  return f.includes('IGNORE') ? [] : f;
}
