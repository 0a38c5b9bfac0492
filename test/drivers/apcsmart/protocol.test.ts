/**
 * The smart protocol's pure parts against the recorded real replies of
 * ../shared/serial/apc-smart.txt and the apcsmart dumps of ../shared/ddl:
 * every documented reply converts to the documented NUT value, status bytes,
 * capability lists, and garbage in any of them never throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { SHARED_DIR, requirePeers } from '../../support/peers.js';
import {
  APC_VARIABLES,
  ApcReader,
  TRANSFER_REASONS,
  capabilitiesFor,
  convertReply,
  decodeStatus,
  encodeStatus,
  formatCapabilities,
  parseCapabilities,
  parseProtocolInfo,
  replyFor,
} from '../../../src/drivers/apcsmart/protocol.js';
import { ApcSmartSimulator } from '../../../src/drivers/apcsmart/simulator.js';
import { ManualClock } from '../../../src/common/clock.js';
import { devVars } from './helpers.js';

/** `^A` → "\x01", `0x7f` → DEL, anything else as written. */
function cmdBytes(s: string): string {
  if (/^\^[A-Z]$/.test(s)) return String.fromCharCode(s.charCodeAt(1) - 0x40);
  if (s === '0x7f') return '\x7f';
  return s;
}

/** Rows of the [A] table whose command feeds a NUT variable: cmd, reply, variable, expected value. */
function tableRows(text: string): { cmd: string; reply: string; name: string; expected: string }[] {
  const rows: { cmd: string; reply: string; name: string; expected: string }[] = [];
  const start = text.indexOf('## [A] single-character commands');
  const end = text.indexOf('## Status byte');
  for (const line of text.slice(start, end).split('\n')) {
    if (line.startsWith('#') || !line.includes('\t')) continue;
    const [cmd, , reply, name, expected] = line.split('\t');
    if (!cmd || !reply || !name || !expected || name === '-' || reply === '-') continue;
    rows.push({ cmd: cmdBytes(cmd), reply, name, expected: expected.split('  (')[0]!.trim() });
  }
  return rows;
}

/** Variables of the table NUT 2.8 gets from Measure-UPS accessories or ^L, which Walnut's apcsmart does not read. */
const NOT_READ = new Set(['ambient.0.temperature.high', 'ambient.0.temperature.low', 'ambient.0.humidity.high', 'ambient.0.humidity.low']);

test('every typical reply of the protocol table converts to the documented NUT value', (t) => {
  if (!requirePeers(t, 'shared')) return;
  const rows = tableRows(fs.readFileSync(path.join(SHARED_DIR, 'serial/apc-smart.txt'), 'utf8'));
  assert.ok(rows.length >= 35, `only ${rows.length} rows read`);
  const unread: string[] = [];
  for (const r of rows) {
    if (r.name === 'ups.status') {
      assert.equal(`ups.status: ${decodeStatus(r.reply)!.join(' ')}`, r.expected);
      continue;
    }
    const v = APC_VARIABLES.find((x) => x.cmd === r.cmd && x.name === r.name);
    if (!v) {
      unread.push(r.name);
      continue;
    }
    assert.equal(convertReply(v, r.reply), r.expected, `${r.name} from ${JSON.stringify(r.reply)}`);
  }
  assert.deepEqual(new Set(unread), NOT_READ);
});

test('replies seen in real units’ logs ([B]): output.current, and V firmware codes that are not dotted', (t) => {
  if (!requirePeers(t, 'shared')) return;
  const text = fs.readFileSync(path.join(SHARED_DIR, 'serial/apc-smart.txt'), 'utf8');
  assert.match(text, /request: \/\nresponse: 00\.88/);
  const current = APC_VARIABLES.find((v) => v.cmd === '/')!;
  assert.equal(current.name, 'output.current');
  assert.equal(convertReply(current, '00.88'), '00.88');
  const b = APC_VARIABLES.find((v) => v.cmd === 'b')!;
  const V = APC_VARIABLES.find((v) => v.cmd === 'V')!;
  for (const code of ['FWI', '5YI', '5YW']) {
    assert.match(text, new RegExp(`response: ${code}`));
    assert.equal(convertReply(b, code), undefined, `'b' refuses ${code}`);
    assert.equal(convertReply(V, code), code);
  }
  assert.equal(convertReply(b, '50.9.D'), '50.9.D');
});

test('status byte: the documented examples, OFF for 00, and garbage refused', () => {
  const cases: [string, string][] = [
    ['08', 'OL'],
    ['10', 'OB'],
    ['50', 'OB LB'],
    ['0A', 'TRIM OL'],
    ['0C', 'BOOST OL'],
    ['88', 'OL RB'],
    ['00', 'OFF'],
    ['FF', 'CAL TRIM BOOST OL OB OVER LB RB'],
  ];
  for (const [hex, tokens] of cases) assert.equal(decodeStatus(hex)!.join(' '), tokens, hex);
  for (const bad of ['', '8', '0G', '080', 'NA', ' 8']) assert.equal(decodeStatus(bad), undefined, JSON.stringify(bad));
  fc.assert(
    fc.property(fc.subarray(['CAL', 'TRIM', 'BOOST', 'OL', 'OB', 'OVER', 'LB', 'RB'], { minLength: 1 }), (tokens) => {
      assert.deepEqual(decodeStatus(encodeStatus(tokens)), tokens);
    }),
  );
});

test('capability list: the documented example, locales, broken entries skipped with a reason', () => {
  const r = parseCapabilities('#uD43132135138129uM43229234239224uA43110112114108');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.caps, [
    { cmd: 'u', locale: 'D', values: ['132', '135', '138', '129'] },
    { cmd: 'u', locale: 'M', values: ['229', '234', '239', '224'] },
    { cmd: 'u', locale: 'A', values: ['110', '112', '114', '108'] },
  ]);
  assert.deepEqual(capabilitiesFor(r.caps, 'D').get('u'), ['132', '135', '138', '129']);
  assert.equal(formatCapabilities(r.caps), '#uD43132135138129uM43229234239224uA43110112114108');
  // an entry with a bad count (as Smart-UPS RT firmware sends) is skipped, the rest kept
  const bad = parseCapabilities('#uD43132135138129pI-3xxxlD43106103100097');
  assert.equal(bad.caps[0]!.cmd, 'u');
  assert.ok(bad.problems.length >= 1 && /offset 17/.test(bad.problems[0]!), bad.problems.join('; '));
  const cut = parseCapabilities('#uD4313213');
  assert.deepEqual(cut.caps, []);
  assert.match(cut.problems[0]!, /needs 12 characters, has 5/);
});

test('protocol info (a): version, alerts, command bytes', () => {
  const info = parseProtocolInfo('3.!$%+?=#|.\x01\x0e\x1a+-89<>@ABCDEFGKLMNOPQRSUVWXYZabcefgjklmnopqrsuxyz~\x7f');
  assert.ok(info);
  assert.equal(info.version, '3');
  assert.equal(info.alerts, '!$%+?=#|');
  assert.ok(info.commands.has('\x01') && info.commands.has('Q') && info.commands.has('\x7f'));
  assert.equal(parseProtocolInfo('NA'), undefined);
  assert.equal(parseProtocolInfo('x.y.z'), undefined);
});

test('reader: alerts anywhere between replies, CR ignored, noise reported, never throws', () => {
  const r = new ApcReader();
  assert.deepEqual(r.push('!08\r\n$'), [
    { kind: 'alert', char: '!' },
    { kind: 'line', text: '08' },
    { kind: 'alert', char: '$' },
  ]);
  r.expectRaw();
  assert.deepEqual(r.push('#uD4313213\r\n'), [{ kind: 'line', text: '#uD4313213' }]);
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }), fc.boolean(), (chunks, raw) => {
      const rd = new ApcReader();
      if (raw) rd.expectRaw();
      for (const c of chunks)
        for (const ev of rd.push(c)) {
          if (ev.kind === 'line') assert.ok(!/[\r\n]/.test(ev.text) && ev.text.length <= 512);
        }
    }),
  );
});

test('conversions and capability parsing never throw on garbage', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (s) => {
      for (const v of APC_VARIABLES) convertReply(v, s);
      const p = parseCapabilities(`#${s}`);
      for (const c of p.caps) assert.ok(c.values.length >= 1);
      parseProtocolInfo(s);
      decodeStatus(s);
    }),
  );
});

test('every variable of the 23 real apcsmart dumps round-trips through the simulator’s reply and the driver’s conversion', (t) => {
  if (!requirePeers(t, 'shared')) return;
  const dir = path.join(SHARED_DIR, 'ddl/APC');
  const files = fs.readdirSync(dir).filter((f) => f.includes('__apcsmart__'));
  assert.equal(files.length, 23);
  // in these dumps, but not read by NUT 2.8's apcsmart nor Walnut's (renamed since, or Measure-UPS accessories)
  const notRead = new Set([
    'output.voltage.target.battery', // NUT < 2.4 name of 'o' (now output.voltage.nominal)
    'ups.firmware.old', // 'V' on units that also answer 'b' (NUT 2.6)
    'ups.display.language', // ^L
    'ambient.temperature.alarm.minimum',
    'ambient.temperature.alarm.maximum',
    'ambient.humidity.alarm.minimum',
    'ambient.humidity.alarm.maximum',
  ]);
  const fromElsewhere = /^(driver|device)\.|^ups\.(mfr|status)$/;
  for (const f of files) {
    const vars = devVars(fs.readFileSync(path.join(dir, f), 'utf8'));
    const sim = new ApcSmartSimulator({ vars, clock: new ManualClock() });
    for (const [name, value] of vars) {
      if (fromElsewhere.test(name) || notRead.has(name)) continue;
      const vs = APC_VARIABLES.filter((v) => v.name === name);
      assert.ok(vs.length > 0, `${f}: ${name} has no query`);
      const served = vs.map((v) => sim.valueOf(v.cmd)).find((x) => x !== undefined);
      assert.ok(served !== undefined, `${f}: the simulator serves no reply for ${name}`);
      const v = vs.find((x) => sim.valueOf(x.cmd) !== undefined)!;
      const expected = name === 'input.transfer.reason' && /^[A-Z]$/.test(value) ? TRANSFER_REASONS[value] : value;
      assert.equal(convertReply(v, served), expected, `${f}: ${name}`);
      assert.equal(replyFor(v, convertReply(v, served)!), served, `${f}: ${name} reply`);
    }
  }
});
