/**
 * Property tests of the upsmon state machine (fast-check): the two promises
 * a shutdown controller makes. Never a shutdown while every supply is on
 * line power and in contact; and a host whose supply is on battery and low
 * always reaches the power-down, within a bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Sim } from './sim.js';

const ONLINE_STATUSES = ['OL', 'OL CHRG', 'ol', 'OL TRIM', 'OL BOOST', 'OL RB', 'OL HB', 'OL CAL', 'OL BYPASS', 'OL ALARM', 'OL OVER', 'OL TEST', 'CHRG OL', 'OL DISCHRG'];
const ANY_STATUSES = [...ONLINE_STATUSES, 'OB', 'OB LB', 'OB DISCHRG', 'OFF', 'FSD OL', 'LB', 'WAIT', null];

const timing = fc.record({
  pollFreq: fc.integer({ min: 1, max: 30 }),
  pollFreqAlert: fc.integer({ min: 1, max: 10 }),
  hostSync: fc.integer({ min: 0, max: 60 }),
  deadTime: fc.integer({ min: 1, max: 60 }),
  finalDelay: fc.integer({ min: 0, max: 10 }),
  oblb: fc.integer({ min: 0, max: 30 }),
});
type Timing = { pollFreq: number; pollFreqAlert: number; hostSync: number; deadTime: number; finalDelay: number; oblb: number };

function header(t: Timing): string {
  return `POLLFREQ ${t.pollFreq}\nPOLLFREQALERT ${t.pollFreqAlert}\nHOSTSYNC ${t.hostSync}\nDEADTIME ${t.deadTime}\nFINALDELAY ${t.finalDelay}\nOBLBDURATION ${t.oblb}\nOFFDURATION 30\n`;
}

test('property: never a shutdown while every supply is on line power and in contact', () => {
  fc.assert(
    fc.property(
      timing,
      fc.array(fc.record({ pv: fc.integer({ min: 0, max: 2 }), primary: fc.boolean() }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.tuple(fc.integer({ min: 1, max: 120 }), fc.array(fc.constantFrom(...ONLINE_STATUSES), { minLength: 3, maxLength: 3 })), { minLength: 1, maxLength: 60 }),
      (t, upses, steps) => {
        const total = upses.reduce((a, u) => a + u.pv, 0);
        const text = header(t) + `MINSUPPLIES ${total}\n` + upses.map((u, i) => `MONITOR u${i}@h ${u.pv} user pass ${u.primary ? 'primary' : 'secondary'}\n`).join('');
        const m = new Sim(text);
        for (const [dt, statuses] of steps) {
          m.advance(dt);
          const fx = m.loop(...statuses.slice(0, upses.length));
          assert.equal(m.s.phase, 'running');
          assert.ok(!fx.some((e) => e.kind === 'setFsd' || e.kind === 'finalDelay' || e.kind === 'powerdown' || (e.kind === 'notify' && e.type === 'SHUTDOWN')));
        }
      },
    ),
    { numRuns: 300 },
  );
});

/** Answers the shutdown effects like a runtime would (random upsd answers) until power-down; returns the time it took. */
function driveToPowerdown(m: Sim, acks: boolean[], logins: number[]): number {
  const start = m.now;
  let k = 0;
  for (let guard = 0; guard < 100_000 && m.s.phase !== 'powerdown'; guard++) {
    if (m.s.phase === 'fsd') {
      m.s.ups.forEach((u, i) => {
        if (u.role === 'primary' && m.s.phase === 'fsd') m.fsdResult(i, acks[i % acks.length]!);
      });
    } else if (m.s.phase === 'hostsync') {
      m.numLogins(logins[k++ % logins.length]!);
      if (m.s.phase === 'hostsync') {
        m.advance(0.25);
        m.tick();
      }
    } else if (m.s.phase === 'finaldelay') {
      m.advance(0.25);
      m.tick();
    } else {
      throw new Error(`unexpected phase ${m.s.phase}`);
    }
  }
  return m.now - start;
}

test('property: a primary whose UPS is on battery and low always powers down, within OBLBDURATION + two polls + HOSTSYNC + FINALDELAY', () => {
  fc.assert(
    fc.property(
      timing,
      fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.constantFrom(...ANY_STATUSES)), { maxLength: 30 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 10 }),
      (t, prefix, acks, logins) => {
        const m = new Sim(header(t) + 'MONITOR ups@h 1 monpri pass primary\n');
        for (const [dt, st] of prefix) {
          if (m.s.phase !== 'running') break;
          m.advance(dt);
          m.loop(st);
        }
        let waited = 0;
        while (m.s.phase === 'running') {
          const step = Math.max(1, Math.min(t.pollFreq, t.pollFreqAlert));
          m.advance(step);
          waited += step;
          m.loop('OB LB');
          assert.ok(waited <= t.oblb + 2 * step, `still running ${waited} s after OB LB`);
        }
        const took = driveToPowerdown(m, acks, logins);
        assert.ok(took <= (t.hostSync + t.finalDelay) * 1000 + 500, `power-down took ${took} ms`);
      },
    ),
    { numRuns: 300 },
  );
});

test('property: a secondary on battery and low powers down within HOSTSYNC (+ two polls) even if no FSD ever comes', () => {
  fc.assert(
    fc.property(timing, fc.array(fc.constantFrom(...ONLINE_STATUSES, 'OB'), { maxLength: 10 }), (t, prefix) => {
      const m = new Sim(header(t) + 'OBLBDURATION 0\nMONITOR ups@h 1 monsec pass secondary\n');
      for (const st of prefix) {
        m.advance(t.pollFreq);
        m.loop(st);
      }
      let waited = 0;
      while (m.s.phase === 'running') {
        m.advance(t.pollFreqAlert);
        waited += t.pollFreqAlert;
        m.loop('OB LB');
        assert.ok(waited <= t.hostSync + 2 * t.pollFreqAlert, `still running ${waited} s after OB LB`);
      }
      // a secondary never sets FSD: straight to the final delay
      assert.equal(m.s.phase, 'finaldelay');
      assert.ok(!m.all.some((e) => e.kind === 'setFsd'));
      assert.ok(driveToPowerdown(m, [true], [1]) <= t.finalDelay * 1000 + 250);
    }),
    { numRuns: 300 },
  );
});
