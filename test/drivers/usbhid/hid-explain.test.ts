import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers, REPO_ROOT, SHARED_DIR } from '../../support/peers.js';
import { tempDir } from '../../support/tmp.js';
import { execProgram } from '../../support/proc.js';
import { main } from '../../../src/cli/walnut-hid.js';
import { explainDescriptor, parseHexText, readRecordedReports, type Explanation } from '../../../src/drivers/usbhid/hid/index.js';
import { sharedDevices } from './hid-support.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

function upsc(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => l.includes(': '))
      .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
  );
}

const tmp = tempDir('walnut-hid-');
after(() => tmp.cleanup());

describe('walnut hid explain', () => {
  test('APC units, text and --json: paths, decoded values, NUT variables and ups.status as real usbhid-ups', async (t) => {
    if (!requirePeers(t, 'shared')) return;
    for (const name of ['apc-back-ups-cs-500', 'apc-back-ups-bk650m2-ch']) {
      const d = sharedDevices().find((x) => x.name === name)!;
      const desc = path.join(d.dir, 'descriptor.hex');
      const log = path.join(d.dir, 'usbhid-ups-debug.log');
      const text = await run(['explain', desc, log]);
      assert.equal(text.code, 0, text.err);
      const rec = readRecordedReports(d.log!);
      const nObjects = Number(/(\d+) HID objects found/.exec(d.log!)![1]);
      assert.match(text.out, new RegExp(`^Report descriptor: ${parseHexText(d.descriptorHex).length} bytes, \\d+ items, ${nObjects} HID paths`));
      assert.match(text.out, /^Subdriver: APC HID [\d.]+ \(051d:0002\)$/m);
      assert.match(text.out, /^ {4}input report 0x13, bit offset 0, size 8, logical 0\.\.1/m);

      const js = await run(['explain', desc, log, '--json']);
      assert.equal(js.code, 0, js.err);
      const e = JSON.parse(js.out) as Explanation;
      assert.equal(e.rows.length, nObjects);
      // every decoded value equals the value the real driver logged
      for (const p of rec.paths) {
        const row = e.rows.find((r) => r.path === p.path && r.type === p.type && r.reportId === p.reportId && r.bitOffset === p.offset);
        assert.ok(row, p.path);
        assert.equal(row.valueText, p.valueText, `${name}: ${p.path}`);
      }
      // the subdriver's variables and status equal upsc's for the same unit
      const want = upsc(d.expectedUpsc!);
      assert.equal(e.status, want.get('ups.status'), `${name}: ups.status`);
      assert.match(text.out, new RegExp(`^ups.status: ${want.get('ups.status')}$`, 'm'));
      let same = 0;
      for (const v of e.variables ?? []) {
        if (!want.has(v.name)) continue;
        // ups.load: upsc was taken on a later poll than the explore log (the log reads PercentLoad 0)
        if (v.name === 'ups.load') continue;
        assert.equal(v.value, want.get(v.name), `${name}: ${v.name}`);
        assert.match(text.out, new RegExp(`^  ${v.name.replace(/\./g, '\\.')}: `, 'm'));
        same++;
      }
      assert.ok(same >= 7, `${name}: ${same} variables compared`);
      // --nut: byte for byte the "Path:" lines of real usbhid-ups's explore pass (the first nObjects of the log)
      const nut = await run(['explain', desc, log, '--nut']);
      assert.equal(nut.code, 0, nut.err);
      const logPaths = d.log!.split('\n').map((l) => /Path: .*/.exec(l)?.[0]).filter((l): l is string => l !== undefined);
      assert.deepEqual(nut.out.trimEnd().split('\n'), logPaths.slice(0, nObjects), `${name}: explore lines`);
      // status tokens per path
      const ac = e.rows.find((r) => r.path.endsWith('.ACPresent') && r.status?.length);
      assert.ok(ac, 'ACPresent feeds a status bit');
      assert.deepEqual(ac.status![0], { bit: 'online', token: 'OL', active: true });
    }
  });

  test('5131:2007 with reports.txt (generic subdriver); binary descriptor; print', async (t) => {
    if (!requirePeers(t, 'shared')) return;
    const d = sharedDevices().find((x) => x.name === 'unknown-5131-2007')!;
    const res = await run(['explain', path.join(d.dir, 'descriptor.hex'), path.join(d.dir, 'reports.txt')]);
    assert.equal(res.code, 0, res.err);
    assert.match(res.out, /^Subdriver: .*generic/im);
    assert.match(res.out, /UPS\.PowerSummary\.PresentStatus\.ACPresent\n.*\n {4}value: 1\n/);
    assert.match(res.out, /^ups\.status: OL/m);
    // the same descriptor as a binary file gives the same paths
    const bin = path.join(tmp.dir, 'desc.bin');
    fs.writeFileSync(bin, parseHexText(d.descriptorHex));
    const b = JSON.parse((await run(['explain', bin, '--json'])).out) as Explanation;
    const h = explainDescriptor(parseHexText(d.descriptorHex));
    assert.deepEqual(b.rows.map((r) => r.path), h.rows.map((r) => r.path));
    assert.equal(b.rows[0]!.value, undefined, 'no reports: no values');
    const pr = await run(['print', bin]);
    assert.equal(pr.code, 0);
    assert.equal(pr.out.trimEnd().split('\n').length, 82);
  });

  test('a NUT DDL .dev file (# comments) serves as both DESCRIPTOR and REPORTS', async (t) => {
    if (!requirePeers(t, 'shared')) return;
    const dev = path.join(SHARED_DIR, 'ddl/APC/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev');
    const r = await run(['explain', dev, dev, '--nut']);
    assert.equal(r.code, 0, r.err);
    const want = fs.readFileSync(dev, 'utf8').split('\n').map((l) => /Path: .*/.exec(l)?.[0]).filter((l): l is string => l !== undefined);
    assert.equal(want.length, 35);
    assert.deepEqual(r.out.trimEnd().split('\n'), want);
  });

  test('bad input: exit 1 and the byte offset', async () => {
    const bad = path.join(tmp.dir, 'bad.hex');
    fs.writeFileSync(bad, '05 84 09 04 a1 01 26 ff\n');
    const r = await run(['explain', bad]);
    assert.equal(r.code, 1);
    assert.match(r.err, /byte offset 6/);
    assert.equal((await run(['explain'])).code, 1);
    assert.equal((await run(['frobnicate', bad])).code, 1);
    assert.equal((await run(['explain', bad, '--vendorid', 'xyz'])).code, 1);
    assert.equal((await run(['explain', path.join(tmp.dir, 'missing.hex')])).code, 1);
  });

  test('through the real `walnut` launcher', async (t) => {
    if (!requirePeers(t, 'shared')) return;
    const d = sharedDevices().find((x) => x.name === 'apc-back-ups-cs-500')!;
    const r = await execProgram(path.join(REPO_ROOT, 'bin/walnut'), ['hid', 'explain', path.join(d.dir, 'descriptor.hex'), path.join(d.dir, 'usbhid-ups-debug.log'), '--json'], { ...process.env, WALNUT_NO_BUNDLE: '1' }, 60_000);
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(r.stdout) as Explanation;
    assert.equal(e.status, 'OL');
    assert.equal(e.variables?.find((v) => v.name === 'battery.voltage')?.value, '13.6');
  });
});
