/** Property: whatever a driver sends, upsd's UPS state stays consistent and replies stay framed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeHarness, send } from './helpers.js';

const word = fc.oneof(
  fc.constantFrom('SETINFO', 'DELINFO', 'SETFLAGS', 'SETAUX', 'ADDENUM', 'DELENUM', 'ADDRANGE', 'DELRANGE', 'ADDCMD', 'DELCMD', 'DATAOK', 'DATASTALE', 'DUMPDONE', 'PONG', 'TRACKING'),
  fc.constantFrom('ups.status', 'UPS.STATUS', 'ups.load', 'x.y', 'RW', 'STRING', 'NUMBER', '0', '-5', '10', '99999999999', 'abc'),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
);
const line = fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));

test('random driver lines: no exception, replies framed, LIST VAR consistent with GET VAR', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
      const h = makeHarness();
      h.driver(lines.join('\n'));
      const s = h.session();
      const list = send(s, 'LIST VAR dummy');
      if (list[0] === 'ERR DATA-STALE') return;
      assert.equal(list[0], 'BEGIN LIST VAR dummy');
      assert.equal(list.at(-1), 'END LIST VAR dummy');
      for (const row of list.slice(1, -1)) {
        const m = /^VAR dummy (\S+) "(.*)"$/.exec(row);
        assert.ok(m, row);
        assert.deepEqual(send(s, `GET VAR dummy ${m[1]}`), [row]);
        const t = send(s, `GET TYPE dummy ${m[1]}`)[0]!;
        assert.match(t, /^TYPE dummy \S+( RW)?( ENUM)?( RANGE)? (NUMBER|STRING:-?\d+)$/);
        const e = send(s, `LIST ENUM dummy ${m[1]}`);
        assert.equal(e.at(-1), `END LIST ENUM dummy ${m[1]}`);
        const r = send(s, `LIST RANGE dummy ${m[1]}`);
        for (const x of r.slice(1, -1)) assert.match(x, /^RANGE dummy \S+ "-?\d+" "-?\d+"$/);
      }
      const cmds = send(s, 'LIST CMD dummy');
      assert.equal(cmds.at(-1), 'END LIST CMD dummy');
    }),
    { numRuns: 300 },
  );
});
