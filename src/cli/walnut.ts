/**
 * `walnut`: the umbrella command. Each subcommand is a module in src/cli
 * exporting main(argv); NUT's own program names (upsd, upsc, ...) are also
 * reachable as `walnut upsd ...`.
 */
import { WALNUT_VERSION, NUT_VERSION } from '../common/version.js';

type Program = { main(argv: string[]): Promise<number | void> };

// Static import() calls (not a computed path), so a bundler can follow them.
const SUBCOMMANDS: Record<string, { load: () => Promise<Program>; help: string }> = {
  check: { load: () => import('./walnut-check.js'), help: 'validate every NUT config file in NUT_CONFPATH' },
  demo: { load: () => import('./demo.js'), help: 'run upsd on a simulated UPS going through a power failure' },
  upsd: { load: () => import('./upsd.js'), help: 'the NUT network server' },
  upsc: { load: () => import('./upsc.js'), help: 'read UPS variables' },
  upscmd: { load: () => import('./upscmd.js'), help: 'send instant commands' },
  upsrw: { load: () => import('./upsrw.js'), help: 'read and set writable variables' },
  upsdrvctl: { load: () => import('./upsdrvctl.js'), help: 'start and stop drivers' },
  'dummy-ups': { load: () => import('./dummy-ups.js'), help: 'simulated UPS driver (.dev/.seq files, repeater)' },
  upsmon: { load: () => import('./upsmon.js'), help: 'UPS monitor and shutdown controller (upsmon)' },
  upssched: { load: () => import('./upssched.js'), help: "upsmon's timer helper (NOTIFYCMD): upssched.conf AT rules" },
  upslog: { load: () => import('./upslog.js'), help: 'log UPS variables to a file at intervals (NUT format strings)' },
  service: { load: () => import('./walnut-service.js'), help: 'start|stop|restart|status nut-server / nut-client (no systemd needed)' },
  'udev-rules': { load: () => import('./walnut-udev-rules.js'), help: 'udev rules for USB UPS units (NUT 52-nut-usbups.rules)' },
  hcl: { load: () => import('./walnut-hcl.js'), help: 'hardware list of the usbhid-ups driver' },
  hid: { load: () => import('./walnut-hid.js'), help: 'explain or print a USB HID Power Device report descriptor and recorded reports' },
  scan: { load: () => import('./walnut-scan.js'), help: 'list attached USB UPS units with a ready ups.conf section (nut-scanner -U)' },
  tls: { load: () => import('./walnut-tls.js'), help: 'TLS in one step: make a CA and upsd certificate (init), show a server certificate (show)' },
  simulate: { load: () => import('./walnut-simulate.js'), help: 'a simulated serial UPS on a pty (qx, apcsmart) to try a driver without hardware' },
};

function usage(): string {
  const lines = [`Walnut ${WALNUT_VERSION} (speaks Network UPS Tools ${NUT_VERSION})`, '', 'usage: walnut COMMAND [ARGS]', '', 'Commands:'];
  for (const [name, s] of Object.entries(SUBCOMMANDS)) lines.push(`  ${name.padEnd(12)} ${s.help}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number | void> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '-h' || sub === '--help' || sub === 'help') {
    console.log(usage());
    return sub ? 0 : 1;
  }
  if (sub === '-V' || sub === '--version') {
    console.log(`Walnut ${WALNUT_VERSION}`);
    return 0;
  }
  const s = SUBCOMMANDS[sub];
  if (!s) {
    console.error(`walnut: unknown command '${sub}'\n\n${usage()}`);
    return 1;
  }
  const mod = await s.load();
  return mod.main(rest);
}
