/**
 * `walnut udev-rules`: NUT's 52-nut-usbups.rules equivalent from the
 * subdriver tables. Every vendor:product of the tables is granted; the text
 * passes `udevadm verify` when this udevadm has it (systemd >= 254), and
 * always a strict syntax check that also accepts Debian's real NUT rules
 * file and rejects broken variants.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { allSubdrivers } from '../../../src/drivers/usbhid/subdrivers/index.js';
import { checkUdevRules, grantedIds, udevRules, usbTable } from '../../../src/drivers/usbhid/udev.js';
import { REPO_ROOT, requirePeers } from '../../support/peers.js';
import { execProgram } from '../../support/proc.js';
import { tempDir } from '../../support/tmp.js';

const WALNUT = path.join(REPO_ROOT, 'bin/walnut');
const DEBIAN_RULES = '/lib/udev/rules.d/62-nut-usbups.rules';

/** Why `udevadm test` with a rules file in /run/udev/rules.d cannot run here, or undefined. */
function udevadmTestBlocked(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to write /run/udev/rules.d';
  if (spawnSync('udevadm', ['--version'], { encoding: 'utf8' }).status !== 0) return 'udevadm not installed';
  if (!fs.existsSync('/sys/class/net/lo')) return 'no /sys/class/net/lo to test against';
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let comm = '';
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'systemd-udevd' || comm === 'udevd') return 'a udev daemon runs here: it would apply test rules to real devices';
  }
  return undefined;
}

function udevadmHasVerify(): boolean {
  try {
    execFileSync('udevadm', ['verify', '--help'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('udev rules', () => {
  const text = udevRules();
  const cleanups: Array<() => void> = [];
  after(() => {
    for (const c of cleanups) c();
  });

  test('grants every vendor:product of every subdriver table, with MODE 664 and GROUP nut', () => {
    const granted = grantedIds(text);
    for (const sd of allSubdrivers()) {
      for (const id of sd.usbIds) {
        if (id.productId === '*') continue;
        assert.ok(granted.has(`${id.vendorId}:${id.productId}`), `${sd.name} ${id.vendorId}:${id.productId} missing`);
      }
    }
    // a vendor-wide claim (Tripp Lite) is no vendor-wide grant: Tripp Lite also makes KVM switches
    assert.ok(![...granted].some((g) => g.endsWith(':*')));
    assert.match(text, /claims every 09ae product; only the ids listed here get access/);
    const rules = checkUdevRules(text).rules.filter((r) => r.matches.some((m) => m.attr === 'idVendor'));
    assert.equal(rules.length, usbTable().filter((e) => e.productId !== '*').length);
    for (const r of rules) {
      assert.deepEqual(
        r.assigns.map((a) => `${a.key}${a.op}${a.value}`),
        ['MODE=664', 'GROUP=nut'],
        `line ${r.line}`,
      );
    }
    assert.match(text, /^SUBSYSTEM=="usb", GOTO="nut-usbups_rules_real"$/m);
    assert.match(text, /^LABEL="nut-usbups_rules_end"\n$/m);
  });

  test('strict syntax check passes on the output and on Debian\'s real NUT rules file', (t) => {
    assert.deepEqual(checkUdevRules(text).errors, []);
    if (!fs.existsSync(DEBIAN_RULES)) {
      t.diagnostic(`${DEBIAN_RULES} not installed: only our own output checked`);
      return;
    }
    assert.deepEqual(checkUdevRules(fs.readFileSync(DEBIAN_RULES, 'utf8')).errors, []);
  });

  test('strict syntax check rejects broken rules', () => {
    const bad: Array<[string, RegExp]> = [
      ['ATTR{idVendor}=="051d" ATTR{idProduct}=="0002", MODE="664"\n', /expected ','/],
      ['ATTR{idVendor}==051d, MODE="664"\n', /malformed/],
      ['ATTR{idVendor}=="51d", MODE="664"\n', /4 hex digits/],
      ['ATTR{idVendor}=="051d", MODE="6644x"\n', /malformed|MODE must be octal/],
      ['ATTR{idVendor}=="051d", MODE="999"\n', /MODE must be octal/],
      ['ATTR{idVendor}=="051d", GROUP="n ut"\n', /bad GROUP/],
      ['GOTO="nowhere"\n', /has no LABEL/],
      ['ATTR=="x", MODE="664"\n', /needs an \{attribute\}/],
      ['MODE{x}="664"\n', /takes no \{attribute\}/],
      ['FOO=="1", MODE="664"\n', /not a match key/],
      ['ATTR{idVendor}=="051d", MODE="664"', /missing final newline/],
      ['ATTR{idVendor}=="051d", MODE="664 \n', /malformed/],
    ];
    for (const [rules, why] of bad) {
      const errs = checkUdevRules(rules).errors;
      assert.ok(errs.some((e) => why.test(e)), `${JSON.stringify(rules)} → ${JSON.stringify(errs)}`);
    }
  });

  test('covers every usbhid-ups id of the real NUT 2.8.0 rules (Debian)', (t) => {
    if (!requirePeers(t, 'nut')) return;
    if (!fs.existsSync(DEBIAN_RULES)) {
      t.skip(`${DEBIAN_RULES} not installed`);
      return;
    }
    const lines = fs.readFileSync(DEBIAN_RULES, 'utf8').split('\n');
    const nutIds: string[] = [];
    lines.forEach((l, i) => {
      const m = /ATTR\{idVendor\}=="([0-9a-fA-F]{4})", ATTR\{idProduct\}=="([0-9a-fA-F]{4})"/.exec(l);
      if (m && /- usbhid-ups/.test(lines[i - 1] ?? '')) nutIds.push(`${m[1]!.toLowerCase()}:${m[2]!.toLowerCase()}`);
    });
    assert.ok(nutIds.length > 50, `parsed ${nutIds.length} usbhid-ups ids`);
    const ours = grantedIds(text);
    const missing = nutIds.filter((id) => !ours.has(id));
    assert.deepEqual(missing, []);
    // and the ids without a dump of their own are NUT 2.8.0's (docs/hardware.md says so)
    const unchecked = usbTable()
      .filter((e) => !e.checked && e.productId !== '*')
      .map((e) => `${e.vendorId}:${e.productId}`)
      .filter((id) => !nutIds.includes(id));
    assert.deepEqual(unchecked, []);
  });

  test('udevadm verify accepts the output (when this udevadm has the verb)', (t) => {
    if (!udevadmHasVerify()) {
      t.skip('udevadm has no verify verb (systemd < 254); the strict syntax check above stands in');
      return;
    }
    const { dir, cleanup } = tempDir('walnut-udev-');
    cleanups.push(cleanup);
    const file = path.join(dir, '52-nut-usbups.rules');
    fs.writeFileSync(file, text);
    execFileSync('udevadm', ['verify', file], { stdio: 'pipe', timeout: 20_000 });
  });

  test('udevadm test (systemd 252) parses the output without a complaint, and does complain about a broken file', (t) => {
    const why = udevadmTestBlocked();
    if (why) {
      t.skip(why);
      return;
    }
    // udevadm test reads /run/udev/rules.d; no udevd runs here, so nothing applies the files
    const created: string[] = [];
    for (const d of ['/run/udev', '/run/udev/rules.d']) {
      if (!fs.existsSync(d)) {
        fs.mkdirSync(d);
        created.unshift(d);
      }
    }
    const ours = `/run/udev/rules.d/52-walnut-test-${process.pid}.rules`;
    const broken = `/run/udev/rules.d/53-walnut-test-${process.pid}-broken.rules`;
    try {
      fs.writeFileSync(ours, text);
      fs.writeFileSync(broken, 'ATTR{idVendor}=="051d", MODE="664"\nFOO=="x", MODE="664"\n');
      const r = spawnSync('udevadm', ['test', '/sys/class/net/lo'], { encoding: 'utf8', timeout: 30_000 });
      const log = `${r.stdout}${r.stderr}`;
      assert.match(log, new RegExp(`Reading rules file: ${ours}`), 'udevadm read our file');
      const about = (f: string): string[] => log.split('\n').filter((l) => l.startsWith(`${f}:`));
      assert.deepEqual(about(ours), [], 'no complaint about our rules');
      assert.ok(about(broken).some((l) => /Invalid key 'FOO'/.test(l)), `udevadm flags the broken file:\n${about(broken).join('\n')}`);
    } finally {
      fs.rmSync(ours, { force: true });
      fs.rmSync(broken, { force: true });
      // folders this test made (udevadm test also leaves /run/udev/data in them)
      const top = created[created.length - 1];
      if (top) fs.rmSync(top, { recursive: true, force: true });
    }
  });

  test('group and mode options; bad values refused', () => {
    const t2 = udevRules({ group: 'ups', mode: '0660' });
    assert.deepEqual(checkUdevRules(t2).errors, []);
    assert.match(t2, /ATTR\{idVendor\}=="051d", ATTR\{idProduct\}=="0002", MODE="0660", GROUP="ups"/);
    assert.throws(() => udevRules({ group: 'a"b' }), /invalid group/);
    assert.throws(() => udevRules({ mode: 'rw' }), /invalid mode/);
  });

  test('walnut udev-rules (the program): stdout, -o FILE, --check', async () => {
    const { dir, cleanup } = tempDir('walnut-udev-cli-');
    cleanups.push(cleanup);
    const file = path.join(dir, 'r.rules');
    const good = path.join(dir, 'good.rules');
    fs.writeFileSync(good, text);
    fs.writeFileSync(path.join(dir, 'bad.rules'), 'ATTR{idVendor}=="51d", MODE="664"\n');
    // independent runs, started together (each program start costs seconds on a loaded machine)
    const [out, w, ok, bad, wrong] = await Promise.all([
      execProgram(WALNUT, ['udev-rules']),
      execProgram(WALNUT, ['udev-rules', '-g', 'ups', '-o', file]),
      execProgram(WALNUT, ['udev-rules', '--check', good]),
      execProgram(WALNUT, ['udev-rules', '--check', path.join(dir, 'bad.rules')]),
      execProgram(WALNUT, ['udev-rules', '--bogus']),
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, text);
    assert.equal(w.code, 0, w.stderr);
    assert.match(fs.readFileSync(file, 'utf8'), /GROUP="ups"/);
    assert.deepEqual(checkUdevRules(fs.readFileSync(file, 'utf8')).errors, []);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, / 0 errors/);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.rules: line 1: ATTR\{idVendor\} must be 4 hex digits/);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /unexpected argument '--bogus'/);
  });
});
