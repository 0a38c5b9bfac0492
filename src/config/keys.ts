/**
 * The keys NUT's config files know (NUT 2.8.x), as data. Sources: the
 * project's nut-protocol.md §4 and nut-monitor-drivers.md §1.2, §2, §4.
 */

/** ups.conf: global `key = value` keys (before the first section). */
export const UPS_GLOBAL_KEYS = [
  'chroot',
  'driverpath',
  'statepath',
  'user',
  'group',
  'maxstartdelay',
  'maxretry',
  'retrydelay',
  'pollinterval',
  'synchronous',
  'debug_min',
  'LIBUSB_DEBUG',
] as const;

/** ups.conf: global flags. */
export const UPS_GLOBAL_FLAGS = ['nowait'] as const;

/** ups.conf: keys every driver (or upsd/upsdrvctl) knows inside a UPS section. */
export const UPS_COMMON_KEYS = [
  'driver',
  'port',
  'desc',
  'sdorder',
  'sdcommands',
  'maxstartdelay',
  'maxretry',
  'retrydelay',
  'user',
  'group',
  'pollinterval',
  'synchronous',
  'debug_min',
  'LIBUSB_DEBUG',
] as const;

/** ups.conf: flags every driver knows. */
export const UPS_COMMON_FLAGS = ['nolock', 'ignorelb', 'allow_killpower'] as const;

/** Obsolete ups.conf keys NUT still ignores quietly. */
export const UPS_OBSOLETE_KEYS: Record<string, string> = {
  sddelay: 'sddelay is obsolete and ignored; use the driver offdelay option or ups.delay.shutdown',
};

/** Words users write for a key that has another name (not typos, so no edit distance). */
export const UPS_KEY_ALIASES: Record<string, string> = {
  description: 'desc',
  name: 'desc',
  device: 'port',
};

export interface DriverOptions {
  keys: readonly string[];
  flags: readonly string[];
}

/** NUT's USB device-matching options, shared by every USB driver. */
const USB_MATCH_KEYS = ['vendorid', 'productid', 'vendor', 'product', 'serial', 'bus', 'device', 'busport'];

/** Options of the drivers whose documentation the reference covers. */
export const DRIVER_OPTIONS: Record<string, DriverOptions> = {
  'dummy-ups': {
    keys: ['mode'],
    flags: ['repeater_disable_strict_start'],
  },
  'usbhid-ups': {
    keys: [
      ...USB_MATCH_KEYS,
      'subdriver',
      'pollfreq',
      'offdelay',
      'ondelay',
      'interruptsize',
      'onlinedischarge_log_throttle_sec',
      'onlinedischarge_log_throttle_hovercharge',
      'lbrb_log_delay_sec',
      'usb_set_altinterface',
      'usb_config_index',
      'usb_hid_rep_index',
      'usb_hid_desc_index',
      'usb_hid_ep_in',
      'usb_hid_ep_out',
      'langid_fix',
    ],
    flags: [
      'pollonly',
      'interruptonly',
      'explore',
      'maxreport',
      'onlinedischarge',
      'onlinedischarge_calibration',
      'onlinedischarge_onbattery',
      'lbrb_log_delay_without_calibrating',
      'disable_fix_report_desc',
      'allow_duplicates',
      'noscanlangid',
    ],
  },
  nutdrv_qx: {
    keys: [
      'protocol',
      'subdriver',
      ...USB_MATCH_KEYS,
      'langid_fix',
      'ondelay',
      'offdelay',
      'pollfreq',
      'runtimecal',
      'chrgtime',
      'idleload',
      'battery_number',
      'max_polls_without_data',
      'usb_set_altinterface',
      'usb_config_index',
      'usb_hid_rep_index',
      'usb_hid_desc_index',
      'usb_hid_ep_in',
      'usb_hid_ep_out',
      'cablepower',
      'testing',
      'fw_version',
      'bypass_alarm',
      'battery_alarm',
      'alarm_control',
      'bypass_when_off',
      'bypass_forbidding',
      'eco_mode',
      'advanced_eco_mode',
      'battery_open_status_check',
      'constant_phase_angle',
      'site_fault_detection',
      'limited_runtime_on_battery',
      'converter_mode',
      'energy_saving',
      'max_bypass_volt',
      'min_bypass_volt',
      'max_bypass_freq',
      'min_bypass_freq',
      'max_eco_volt',
      'min_eco_volt',
      'max_eco_freq',
      'min_eco_freq',
      'work_range_type',
      'output_phase_angle',
    ],
    flags: [
      'stayoff',
      'novendor',
      'norating',
      'noscanlangid',
      'nounlock',
      'ignoresab',
      'battery_voltage_reports_one_pack',
      'pollonly',
    ],
  },
  apcsmart: {
    keys: ['sdtype', 'cable', 'awd', 'advorder', 'ttymode', 'cshdelay', 'wugrace', 'sdtime'],
    flags: [],
  },
  'snmp-ups': {
    keys: [
      'mibs',
      'community',
      'snmp_version',
      'secLevel',
      'secName',
      'authPassword',
      'privPassword',
      'authProtocol',
      'privProtocol',
      'pollfreq',
      'snmp_retries',
      'snmp_timeout',
      'semistaticfreq',
      'symmetrathreephase',
      'outlet_index_base',
    ],
    flags: ['notransferoids', 'dumpmib'],
  },
};

/** Well-known NUT driver names (for "did you mean" on `driver =`). */
export const KNOWN_DRIVERS = [
  'dummy-ups',
  'usbhid-ups',
  'nutdrv_qx',
  'apcsmart',
  'apcsmart-old',
  'snmp-ups',
  'blazer_usb',
  'blazer_ser',
  'bcmxcp',
  'bcmxcp_usb',
  'genericups',
  'tripplite_usb',
  'tripplitesu',
  'riello_usb',
  'riello_ser',
  'netxml-ups',
  'nut-ipmipsu',
  'apc_modbus',
  'powercom',
  'mge-shut',
  'mge-utalk',
  'richcomm_usb',
  'nutdrv_atcl_usb',
  'liebert-esp2',
  'solis',
  'bestups',
  'victronups',
  'clone',
  'clone-outlet',
] as const;

/** upsd.conf directives (case-sensitive, except DEBUG_MIN). */
export const UPSD_DIRECTIVES = [
  'LISTEN',
  'MAXAGE',
  'TRACKINGDELAY',
  'MAXCONN',
  'STATEPATH',
  'DATAPATH',
  'ALLOW_NO_DEVICE',
  'ALLOW_NOT_ALL_LISTENERS',
  'CERTFILE',
  'CERTPATH',
  'CERTIDENT',
  'CERTREQUEST',
  'DISABLE_WEAK_SSL',
  'DEBUG_MIN',
] as const;

/** upsd.conf: obsolete keywords that only produce a warning. */
export const UPSD_OBSOLETE = ['ACL', 'ACCEPT', 'REJECT'] as const;

/** upsd.users keys (matched ignoring case). */
export const USERS_KEYS = ['password', 'actions', 'instcmds', 'upsmon'] as const;
export const USERS_ACTIONS = ['SET', 'FSD'] as const;
export const USERS_UPSMON_ROLES = ['primary', 'secondary', 'master', 'slave'] as const;

/** upsmon.conf directives (case-sensitive, except DEBUG_MIN). */
export const UPSMON_DIRECTIVES = [
  'MONITOR',
  'MINSUPPLIES',
  'SHUTDOWNCMD',
  'POWERDOWNFLAG',
  'NOTIFYCMD',
  'NOTIFYMSG',
  'NOTIFYFLAG',
  'POLLFREQ',
  'POLLFREQALERT',
  'DEADTIME',
  'HOSTSYNC',
  'FINALDELAY',
  'NOCOMMWARNTIME',
  'RBWARNTIME',
  'OFFDURATION',
  'OVERDURATION',
  'OBLBDURATION',
  'ALARMCRITICAL',
  'SHUTDOWNEXIT',
  'RUN_AS_USER',
  'POLLFAIL_LOG_THROTTLE_MAX',
  'CERTPATH',
  'CERTIDENT',
  'CERTHOST',
  'CERTVERIFY',
  'FORCESSL',
  'DEBUG_MIN',
  'CERTPIN', // Walnut: pin server certificates on first use (NUT's upsmon would log this line as unknown)
] as const;

/** upsmon notification types Walnut knows (NUT 2.8.0 … 2.8.3 set). */
export const NOTIFY_TYPES = [
  'ONLINE',
  'ONBATT',
  'LOWBATT',
  'FSD',
  'COMMOK',
  'COMMBAD',
  'SHUTDOWN',
  'REPLBATT',
  'NOCOMM',
  'NOPARENT',
  'CAL',
  'NOTCAL',
  'OFF',
  'NOTOFF',
  'BYPASS',
  'NOTBYPASS',
  'ALARM',
  'NOTALARM',
  'OVER',
  'NOTOVER',
  'TRIM',
  'NOTTRIM',
  'BOOST',
  'NOTBOOST',
  'OTHER',
  'NOTOTHER',
  'SUSPEND_STARTING',
  'SUSPEND_FINISHED',
] as const;

/** Types later NUT releases added that Walnut does not raise. */
export const LATER_NOTIFY_TYPES = ['ECO', 'NOTECO', 'SHUTDOWN_HOSTSYNC', 'SUSPEND_TIMEJUMP_UNEXPECTED'] as const;

export const NOTIFY_FLAGS = ['SYSLOG', 'WALL', 'EXEC', 'IGNORE'] as const;

/** upssched.conf directives and AT commands. */
export const UPSSCHED_DIRECTIVES = ['CMDSCRIPT', 'PIPEFN', 'LOCKFN', 'AT', 'DEBUG_MIN'] as const;
export const UPSSCHED_COMMANDS = ['START-TIMER', 'START-TIMER-SHARED', 'CANCEL-TIMER', 'EXECUTE'] as const;

/** nut.conf keys. */
export const NUT_CONF_KEYS = [
  'MODE',
  'ALLOW_NO_DEVICE',
  'ALLOW_NOT_ALL_LISTENERS',
  'UPSD_OPTIONS',
  'UPSMON_OPTIONS',
  'POWEROFF_WAIT',
  'POWEROFF_QUIET',
  'NUT_DEBUG_LEVEL',
  'NUT_DEBUG_PID',
  'NUT_DEBUG_PROCNAME',
  'NUT_DEBUG_SYSLOG',
  'NUT_IGNORE_CHECKPROCNAME',
  'NUT_QUIET_INIT_UPSNOTIFY',
  'NUT_CONFPATH',
  'NUT_STATEPATH',
  'NUT_ALTPIDPATH',
] as const;
export const NUT_MODES = ['none', 'standalone', 'netserver', 'netclient'] as const;

/** NUT's standard instant commands (nut-protocol.md §5), for typo hints in upsd.users instcmds. */
export const STANDARD_COMMANDS = [
  'load.off',
  'load.on',
  'load.off.delay',
  'load.on.delay',
  'shutdown.default',
  'shutdown.return',
  'shutdown.stayoff',
  'shutdown.stop',
  'shutdown.reboot',
  'shutdown.reboot.graceful',
  'test.panel.start',
  'test.panel.stop',
  'test.failure.start',
  'test.failure.stop',
  'test.battery.start',
  'test.battery.start.quick',
  'test.battery.start.low',
  'test.battery.start.deep',
  'test.battery.stop',
  'test.system.start',
  'calibrate.start',
  'calibrate.stop',
  'bypass.start',
  'bypass.stop',
  'reset.input.minmax',
  'reset.watchdog',
  'beeper.enable',
  'beeper.disable',
  'beeper.mute',
  'beeper.toggle',
  'experimental.ecomode.start',
  'experimental.ecomode.stop',
  'experimental.bypass.ecomode.start',
  'experimental.bypass.ecomode.stop',
  'experimental.essmode.start',
  'experimental.essmode.stop',
  'driver.killpower',
  'driver.reload',
  'driver.reload-or-error',
  'driver.reload-or-exit',
  'driver.exit',
] as const;
