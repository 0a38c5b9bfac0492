/**
 * Fuzzed descriptors and reports never crash the HID layer: a descriptor
 * either parses (and then prints, assembles and re-encodes to the same
 * bytes) or is refused with a HidParseError naming a byte offset inside it;
 * a report either decodes to a finite number or is refused with a
 * HidDecodeError naming a byte offset.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { requirePeers } from '../../support/peers.js';
import {
  parseDescriptor,
  parseHexText,
  printItems,
  assembleDescriptor,
  encodeDescriptor,
  decodeField,
  encodeField,
  readRecordedReports,
  explainDescriptor,
  HidParseError,
  HidDecodeError,
  type HidDescriptor,
} from '../../../src/drivers/usbhid/hid/index.js';
import { sharedDevices } from './hid-support.js';

/** Parse; on success check the round trips; on failure check the error. Returns the descriptor or undefined. */
function parseChecked(bytes: Uint8Array): HidDescriptor | undefined {
  let desc: HidDescriptor;
  try {
    desc = parseDescriptor(bytes);
  } catch (e) {
    assert.ok(e instanceof HidParseError, `not a HidParseError: ${String(e)}`);
    assert.ok(e.offset >= 0 && e.offset <= bytes.length, `offset ${e.offset} inside 0..${bytes.length}`);
    assert.ok(e.message.includes(`byte offset ${e.offset}`), e.message);
    return undefined;
  }
  assert.deepEqual(encodeDescriptor(desc), bytes);
  assert.deepEqual(assembleDescriptor(printItems(desc.items)), bytes);
  return desc;
}

/** Decode every field of the descriptor from `report` (given its id byte); only numbers or HidDecodeError. */
function decodeAll(desc: HidDescriptor, report: Uint8Array): number {
  let decoded = 0;
  for (const f of desc.fields.slice(0, 200)) {
    const b = report.slice();
    if (f.reportId !== 0 && b.length > 0 && b[0] !== f.reportId && (report[1] ?? 0) % 2 === 0) b[0] = f.reportId;
    for (const zeroPad of [false, true]) {
      try {
        const v = decodeField(f, b, { zeroPad });
        assert.ok(Number.isFinite(v), `${f.path}: ${v}`);
        decoded++;
        const w = b.slice();
        encodeField(f, v, w);
      } catch (e) {
        assert.ok(e instanceof HidDecodeError, `not a HidDecodeError: ${String(e)}`);
        assert.ok(e.offset >= 0 && e.offset <= Math.max(b.length, Math.ceil((f.bitOffset + f.bitSize) / 8) + 1), `offset ${e.offset}`);
        assert.match(e.message, /byte offset \d+/);
      }
    }
  }
  return decoded;
}

/** Items that look like a Power Device descriptor's, in random order and with random data. */
const itemArb = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(0x04, 0x14, 0x24, 0x34, 0x44, 0x54, 0x64, 0x74, 0x84, 0x94, 0x08, 0x08, 0x08, 0x28), fc.constantFrom(0, 1, 2, 4), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 })) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(0x80, 0x90, 0xb0), fc.constantFrom(1, 2), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(0xa0, 0xc0), fc.constantFrom(0, 1), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0xa4, 0xb4, 0xf0, 0x3c, 0xfc), fc.constantFrom(0, 1, 2, 4), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 })) },
);

/**
 * Items → bytes inside a UPS application collection, repaired so most cases
 * parse: collections balanced, Pop only after Push, Report ID not 0, small
 * Report Counts and Sizes.
 */
function assemble(items: Array<[number, number, number[]]>): Uint8Array {
  const out: number[] = [0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x75, 0x08, 0x95, 0x02];
  let depth = 0;
  let pushes = 0;
  for (const [tagType, size0, data] of items) {
    let size = size0;
    let d = data.slice(0, size);
    if (tagType === 0xc0) {
      if (depth === 0) continue;
      depth--;
      size = 0;
      d = [];
    }
    if (tagType === 0xa0) depth++;
    if (tagType === 0xa4) pushes++;
    if (tagType === 0xb4) {
      if (pushes === 0) continue;
      pushes--;
    }
    const b0 = data[0] ?? 0;
    if (tagType === 0x94 || tagType === 0x74) {
      // small Report Counts (1..8) and Sizes (1..32)
      size = 1;
      d = [tagType === 0x94 ? 1 + (b0 % 8) : 1 + (b0 % 32)];
    }
    if (tagType === 0x84) {
      size = 1;
      d = [1 + (b0 % 255)];
    }
    if (tagType === 0x04 && size === 4) {
      size = 2;
      d = d.slice(0, 2);
    }
    if (tagType === 0x28) {
      // a usage range: minimum then maximum
      out.push(0x19, b0, 0x29, Math.min(255, b0 + ((data[1] ?? 0) % 8)));
      continue;
    }
    out.push(tagType | (size === 4 ? 3 : size), ...d);
  }
  while (depth-- > 0) out.push(0xc0);
  out.push(0xc0);
  return Uint8Array.from(out);
}

describe('HID fuzzing (fast-check)', () => {
  test('random bytes: parsed and round-tripped, or refused at a byte offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }), (bytes, report) => {
        const desc = parseChecked(bytes);
        if (desc) decodeAll(desc, report);
      }),
      { numRuns: 1500 },
    );
  });

  test('descriptor-like item sequences: fields decode from random reports or are refused at a byte offset', () => {
    let parsed = 0;
    let withFields = 0;
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 60 }), fc.uint8Array({ maxLength: 48 }), (items, report) => {
        const bytes = assemble(items);
        const desc = parseChecked(bytes);
        if (!desc) return;
        parsed++;
        if (desc.fields.length) withFields++;
        decodeAll(desc, report);
        const e = explainDescriptor(bytes, { readReport: () => report });
        assert.equal(e.rows.length, desc.fields.length);
      }),
      { numRuns: 1500 },
    );
    assert.ok(parsed > 500, `enough fuzz cases parsed (${parsed})`);
    assert.ok(withFields > 100, `enough fuzz cases with fields (${withFields})`);
  });

  test('mutated real descriptors (byte flips, cuts, insertions)', (t) => {
    if (!requirePeers(t, 'shared')) return;
    const bases = sharedDevices().map((d) => parseHexText(d.descriptorHex));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bases.length - 1 }),
        fc.array(fc.tuple(fc.constantFrom('flip', 'cut', 'insert'), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.uint8Array({ maxLength: 64 }),
        (which, edits, report) => {
          let b = Array.from(bases[which]!);
          for (const [op, pos, val] of edits) {
            const i = pos % (b.length + 1);
            if (op === 'flip' && b.length) b[i % b.length] = val;
            else if (op === 'cut') b = b.slice(0, i).concat(b.slice(i + 1 + (val % 4)));
            else b.splice(i, 0, val);
          }
          const desc = parseChecked(Uint8Array.from(b));
          if (desc) decodeAll(desc, report);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('recorded-report readers never throw on garbage or mangled logs', (t) => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const r = readRecordedReports(s);
        assert.ok(Array.isArray(r.entries));
      }),
      { numRuns: 500 },
    );
    if (!requirePeers(t, 'shared')) return;
    const log = sharedDevices().find((d) => d.log)!.log!;
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 2000 }), fc.string({ maxLength: 20 }), (at, cut, ins) => {
        const i = at % log.length;
        const r = readRecordedReports(log.slice(0, i) + ins + log.slice(i + cut));
        for (const e of r.entries) assert.ok(e.bytes.length <= Math.max(e.declared, 64) + 64);
      }),
      { numRuns: 200 },
    );
  });
});
