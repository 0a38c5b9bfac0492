import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp folder under /tmp, removed by the returned cleanup. */
export function tempDir(prefix = 'walnut-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
