/**
 * Property: whatever a driver holds, its DUMPALL (and its broadcasts), lexed
 * in any chunking and applied the way upsd applies driver lines, rebuild the
 * same table: values (with quotes, backslashes, #, spaces), flags, aux,
 * enums, ranges and commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StreamLexer } from '../../src/common/lexer.js';
import { parseFromDriver, formatFromDriver } from '../../src/protocol/sock/messages.js';
import type { FromDriver } from '../../src/protocol/sock/messages.js';
import { StateTable, FLAG_RW, FLAG_STRING } from '../../src/state/table.js';
import { DriverState } from '../../src/drivers/core/dstate.js';

const nameArb = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(\.[a-z0-9]{1,6}){0,3}$/);
const valueArb = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '"', '\\', '#', '=', '.', '-', ':', "'"), maxLength: 40 });

/** What upsd does with one driver line (nut-protocol.md §3.3). */
function apply(t: StateTable, m: FromDriver): void {
  switch (m.kind) {
    case 'setinfo':
      t.setInfo(m.name, m.value);
      break;
    case 'delinfo':
      t.delInfo(m.name);
      break;
    case 'setflags':
      t.setFlags(m.name, m.flags);
      break;
    case 'setaux':
      t.setAux(m.name, m.aux);
      break;
    case 'addenum':
      t.addEnum(m.name, m.value);
      break;
    case 'delenum':
      t.delEnum(m.name, m.value);
      break;
    case 'addrange':
      t.addRange(m.name, m.min, m.max);
      break;
    case 'delrange':
      t.delRange(m.name, m.min, m.max);
      break;
    case 'addcmd':
      t.addCmd(m.cmd);
      break;
    case 'delcmd':
      t.delCmd(m.cmd);
      break;
    default:
      break;
  }
}

function snapshot(t: StateTable) {
  return {
    vars: t.list().map((v) => ({ name: v.name, value: v.value, flags: v.flags & 7, aux: v.aux, enums: [...v.enums], ranges: v.ranges.map((r) => [...r]) })),
    cmds: [...t.cmds()],
  };
}

function replay(text: string, cuts: number[]): StateTable {
  const t = new StateTable();
  const lx = new StreamLexer((words) => {
    const m = parseFromDriver(words);
    if (m) apply(t, m);
  });
  const bytes = Buffer.from(text, 'latin1');
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    const k = Math.min(c, bytes.length);
    if (k > at) {
      lx.push(bytes.subarray(at, k));
      at = k;
    }
  }
  lx.push(bytes.subarray(at));
  return t;
}

const opArb = fc.oneof(
  fc.record({ op: fc.constant('set' as const), name: nameArb, value: valueArb }),
  fc.record({ op: fc.constant('flags' as const), name: nameArb, flags: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('aux' as const), name: nameArb, aux: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('enum' as const), name: nameArb, value: valueArb }),
  fc.record({ op: fc.constant('range' as const), name: nameArb, min: fc.integer({ min: -50, max: 50 }), max: fc.integer({ min: -50, max: 100 }) }),
  fc.record({ op: fc.constant('del' as const), name: nameArb }),
  fc.record({ op: fc.constant('cmd' as const), name: nameArb }),
);

test('DUMPALL and broadcasts rebuild the driver table exactly, in any chunking', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 40 }), fc.array(fc.nat({ max: 4000 }), { maxLength: 8 }), (ops, cuts) => {
      const st = new DriverState();
      const broadcast: string[] = [];
      st.onChange((m) => broadcast.push(formatFromDriver(m)));
      for (const o of ops) {
        switch (o.op) {
          case 'set':
            st.setInfo(o.name, o.value);
            break;
          case 'flags':
            st.setFlags(o.name, o.flags & (FLAG_RW | FLAG_STRING | 4));
            break;
          case 'aux':
            st.setAux(o.name, o.aux);
            break;
          case 'enum':
            st.addEnum(o.name, o.value);
            break;
          case 'range':
            st.addRange(o.name, o.min, o.max);
            break;
          case 'del':
            st.delInfo(o.name);
            break;
          case 'cmd':
            st.addCmd(o.name);
            break;
        }
      }
      const want = snapshot(st.table);
      assert.deepEqual(snapshot(replay(st.dumpAll(), cuts)), want, 'from DUMPALL');
      assert.deepEqual(snapshot(replay(broadcast.join(''), cuts)), want, 'from the broadcasts');
    }),
    { numRuns: 300 },
  );
});
