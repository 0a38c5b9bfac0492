/**
 * Walnut's systemd units (packaging/systemd/), named as NUT's: nut.target,
 * nut-driver.target, nut-driver@.service, nut-server.service,
 * nut-monitor.service. The files in the repository name the programs under
 * an install prefix (/opt/walnut/bin); renderUnit() points a copy at
 * wherever Walnut's bin/ really is.
 */
import fs from 'node:fs';
import path from 'node:path';

export const UNIT_FILES = ['nut.target', 'nut-driver.target', 'nut-driver@.service', 'nut-server.service', 'nut-monitor.service'] as const;
export const PACKAGED_BINDIR = '/opt/walnut/bin';

/** The unit text with PACKAGED_BINDIR replaced by `binDir`. */
export function renderUnit(text: string, binDir: string): string {
  const dir = binDir.replace(/\/+$/, '');
  return text.split(`${PACKAGED_BINDIR}/`).join(`${dir}/`);
}

/** Writes every unit of `srcDir` into `destDir`, pointing at `binDir`; returns the files written. */
export function installUnits(srcDir: string, destDir: string, binDir: string): string[] {
  fs.mkdirSync(destDir, { recursive: true });
  const written: string[] = [];
  for (const name of UNIT_FILES) {
    const text = fs.readFileSync(path.join(srcDir, name), 'utf8');
    const dest = path.join(destDir, name);
    fs.writeFileSync(dest, renderUnit(text, binDir), { mode: 0o644 });
    written.push(dest);
  }
  return written;
}
