/**
 * Checks the import directions of docs/architecture.md: pure layers never
 * reach up into servers, drivers or programs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './support/peers.js';

const SRC = path.join(REPO_ROOT, 'src');

const ALLOWED: Record<string, string[]> = {
  common: [],
  state: ['common'],
  config: ['common'],
  protocol: ['common', 'state'],
  transports: ['common'],
  drivers: ['drivers', 'protocol', 'state', 'config', 'common', 'transports', 'clients'],
  server: ['server', 'protocol', 'state', 'config', 'common'],
  clients: ['clients', 'protocol', 'common'],
  monitor: ['monitor', 'clients', 'config', 'common'],
  web: ['web', 'clients', 'common'],
  services: ['services', 'config', 'common'],
  cli: ['*'],
};

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('imports follow the layer boundaries', () => {
  const problems: string[] = [];
  for (const file of walk(SRC)) {
    const layer = path.relative(SRC, file).split(path.sep)[0]!;
    const allowed = ALLOWED[layer];
    if (!allowed) {
      problems.push(`${path.relative(REPO_ROOT, file)}: folder src/${layer} is not in the layer table`);
      continue;
    }
    if (allowed.includes('*')) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      const rel = path.relative(SRC, target);
      if (rel.startsWith('..')) continue;
      const tl = rel.split(path.sep)[0]!;
      if (tl === layer && layer !== 'drivers') continue;
      if (layer === 'drivers') {
        // a driver may import drivers/core, never another driver
        const [, own] = path.relative(SRC, file).split(path.sep);
        const [, other] = rel.split(path.sep);
        // top-level files of src/drivers (a registry) may import every driver
        const isFolder = (x: string | undefined) => !!x && !x.endsWith('.ts');
        if (tl === 'drivers' && isFolder(own) && isFolder(other) && own !== other && other !== 'core') {
          problems.push(`${path.relative(REPO_ROOT, file)} imports another driver: ${m[1]}`);
        }
        if (tl === 'drivers') continue;
      }
      if (!allowed.includes(tl)) problems.push(`${path.relative(REPO_ROOT, file)} (${layer}) imports ${tl}: ${m[1]}`);
    }
  }
  assert.deepEqual(problems, []);
});
