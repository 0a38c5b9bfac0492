/** GET VAR's rendered-reply cache (commands/get.ts) never serves a stale or mis-spelled reply. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeHarness, send } from './helpers.js';

const NAMES = ['ups.status', 'UPS.Status', 'ups.load', 'battery.charge', 'no.such'];
const UPS_SPELLINGS = ['dummy', 'Dummy'];

test('GET VAR replies follow value changes, FSD, reconnects and the client\'s spelling', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.record({ op: fc.constant('get' as const), ups: fc.constantFrom(...UPS_SPELLINGS), name: fc.constantFrom(...NAMES) }),
          fc.record({ op: fc.constant('set' as const), name: fc.constantFrom('ups.status', 'ups.load', 'battery.charge'), value: fc.constantFrom('OL', 'OB LB', '25', '"q"', 'a\\b') }),
          fc.record({ op: fc.constant('fsd' as const), on: fc.boolean() }),
          fc.record({ op: fc.constant('redump' as const) }),
        ),
        { minLength: 20, maxLength: 60 },
      ),
      (ops) => {
        const h = makeHarness();
        const s = h.session();
        for (const o of ops) {
          if (o.op === 'set') h.driver(`SETINFO ${o.name} "${o.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
          else if (o.op === 'fsd') h.ups.fsd = o.on;
          else if (o.op === 'redump') {
            h.ups.onConnect(h.clock.now());
            h.driver('SETINFO ups.status "OL"\nSETINFO ups.load "7"\nDATAOK\nDUMPDONE');
          } else {
            const got = send(s, `GET VAR ${o.ups} ${o.name}`);
            const v = h.ups.table.get(o.name);
            if (!v) {
              assert.deepEqual(got, ['ERR VAR-NOT-SUPPORTED']);
              continue;
            }
            const val = v.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
            const shown = h.ups.fsd && o.name.toLowerCase() === 'ups.status' ? `FSD ${val}` : val;
            assert.deepEqual(got, [`VAR ${o.ups} ${o.name} "${shown}"`]);
          }
        }
      },
    ),
    { numRuns: 200 },
  );
});
