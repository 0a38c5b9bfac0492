/** Prompt line reading and the pure upsrw block formatter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { StreamLines } from '../../src/clients/io.js';
import { formatRwVar } from '../../src/clients/upsrw.js';

test('StreamLines: lines across chunks, several per chunk, CRLF, last line without LF, EOF', async () => {
  const input = new PassThrough();
  const lines = new StreamLines(input);
  const first = lines.next();
  input.write('ad');
  input.write('min\r\nsecret\nlast');
  assert.equal(await first, 'admin');
  assert.equal(await lines.next(), 'secret');
  input.end();
  assert.equal(await lines.next(), 'last');
  assert.equal(await lines.next(), null);
  assert.equal(await lines.next(), null);
});

test('formatRwVar: the NUT 2.8.0 layouts', () => {
  assert.equal(formatRwVar({ name: 'ups.mfr', desc: 'UPS manufacturer', type: ['RW', 'STRING:32'], value: 'ACME' }), '[ups.mfr]\nUPS manufacturer\nType: STRING\nMaximum length: 32\nValue: ACME\n\n');
  assert.equal(formatRwVar({ name: 'ups.load', desc: 'Load', type: ['RW', 'NUMBER'], value: '25' }), '[ups.load]\nLoad\nType: NUMBER\nValue: 25\n\n');
  assert.equal(
    formatRwVar({ name: 'a.b', desc: 'd', type: ['RW', 'ENUM', 'STRING:1'], value: 'M', enums: ['L', 'M'] }),
    '[a.b]\nd\nType: ENUM STRING\nMaximum length: 1\nOption: "L"\nOption: "M" SELECTED\n\n',
  );
  assert.equal(
    formatRwVar({ name: 'a.b', desc: 'd', type: ['RW', 'RANGE', 'NUMBER'], value: '30', ranges: [{ min: '10', max: '30' }, { min: '31', max: '40' }] }),
    '[a.b]\nd\nType: RANGE NUMBER\nOption: "10-30" SELECTED\nOption: "31-40"\n\n',
  );
});
