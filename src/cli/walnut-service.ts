/**
 * `walnut service`: the how-to's `service nut-server start` for machines
 * without systemd (thin shell over src/services).
 *
 *   walnut service start|stop|restart|status [nut-server|nut-client]
 *   walnut service allowed nut-server|nut-client   exit 0 when nut.conf MODE starts it
 *                                                  (the units' ExecCondition)
 *   walnut service install-units [--bindir DIR] [DESTDIR]
 *                                                  the systemd units, pointing at DIR
 *                                                  (default: this Walnut's bin/)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nutPaths } from '../common/paths.js';
import { runService, loadMode, serviceAllowed, isServiceName, installUnits, SERVICES, type ServiceAction } from '../services/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin');
const UNITS = path.join(ROOT, 'packaging/systemd');

function usage(): string {
  return `usage: walnut service start|stop|restart|status [${SERVICES.join('|')}]
       walnut service allowed ${SERVICES.join('|')}
       walnut service install-units [--bindir DIR] [DESTDIR]

  nut-server   the UPS drivers of ups.conf and upsd (nut.conf MODE standalone or netserver)
  nut-client   upsmon (MODE standalone, netserver or netclient)
  Without a name: both (stopped in reverse order).
  status exits 0 when running, 1 when dead with a PID file left, 3 when not running.
`;
}

export async function main(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  if (!action || action === '-h' || action === '--help' || action === 'help') {
    (action ? out : err)(usage());
    return action ? 0 : 1;
  }
  if (action === 'allowed') {
    const name = rest[0];
    if (!name || !isServiceName(name)) {
      err(usage());
      return 2;
    }
    return serviceAllowed(loadMode(nutPaths(process.env).confPath).mode, name) ? 0 : 1;
  }
  if (action === 'install-units') {
    let binDir = BIN;
    const args = [...rest];
    const i = args.indexOf('--bindir');
    if (i >= 0) {
      if (!args[i + 1]) {
        err(usage());
        return 1;
      }
      binDir = path.resolve(args[i + 1]!);
      args.splice(i, 2);
    }
    const dest = args[0] ?? '/etc/systemd/system';
    try {
      for (const f of installUnits(UNITS, dest, binDir)) out(`${f}\n`);
      return 0;
    } catch (e) {
      err(`walnut service install-units: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (!['start', 'stop', 'restart', 'status'].includes(action)) {
    err(`walnut service: unknown action '${action}'\n\n${usage()}`);
    return 1;
  }
  const name = rest[0];
  if (rest.length > 1 || (name !== undefined && !isServiceName(name))) {
    err(`walnut service: unknown service '${rest.join(' ')}'\n\n${usage()}`);
    return 1;
  }
  return runService(action as ServiceAction, name, { env: process.env, binDir: BIN, execPath: process.execPath, out, err });
}
