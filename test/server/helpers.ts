/** Shared helpers for the upsd tests: a core with the reference dummy UPS, transcript runner. */
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/common/clock.js';
import { createLogger, MemorySink } from '../../src/common/log.js';
import { lexLine } from '../../src/common/lexer.js';
import { parseUpsdUsers } from '../../src/config/upsd-users.js';
import { parseFromDriver } from '../../src/protocol/sock/messages.js';
import { UpsdCore, type Descriptions } from '../../src/server/core.js';
import { Session } from '../../src/server/session.js';
import { UpsEntry } from '../../src/server/ups.js';
import { USERS_TEXT } from '../support/real-nut.js';

/** tools/real-nut.sh's upsd.users (test/support/real-nut.ts). */
export { USERS_TEXT };

/** What real dummy-ups 2.8.0 dumps for tools/real-nut.sh's default dummy.dev (see the transcripts). */
export const DUMMY_DUMP = `
SETINFO battery.charge "100"
SETFLAGS battery.charge RW NUMBER
SETINFO battery.charge.low "20"
SETFLAGS battery.charge.low RW NUMBER
SETINFO battery.runtime "3600"
SETFLAGS battery.runtime RW NUMBER
SETINFO battery.runtime.low "120"
SETFLAGS battery.runtime.low RW NUMBER
SETINFO battery.voltage "13.5"
SETFLAGS battery.voltage RW NUMBER
SETINFO battery.voltage.nominal "12"
SETFLAGS battery.voltage.nominal RW NUMBER
SETINFO device.mfr "Dummy Manufacturer"
SETINFO device.model "Dummy UPS"
SETINFO device.serial "DUMMY0001"
SETINFO device.type "ups"
SETINFO driver.name "dummy-ups"
SETINFO driver.parameter.mode "dummy-once"
SETINFO driver.parameter.pollinterval "2"
SETINFO driver.parameter.port "dummy.dev"
SETINFO driver.parameter.synchronous "auto"
SETINFO driver.version "2.8.0"
SETINFO driver.version.internal "0.15"
SETINFO input.voltage "230.0"
SETFLAGS input.voltage RW NUMBER
SETINFO input.voltage.nominal "230"
SETFLAGS input.voltage.nominal RW NUMBER
SETINFO output.voltage "230.0"
SETFLAGS output.voltage RW NUMBER
SETINFO ups.load "25"
SETFLAGS ups.load RW NUMBER
SETINFO ups.mfr "Dummy Manufacturer"
SETAUX ups.mfr 32
SETFLAGS ups.mfr RW STRING
SETINFO ups.model "Dummy UPS"
SETAUX ups.model 32
SETFLAGS ups.model RW STRING
SETINFO ups.serial "DUMMY0001"
SETAUX ups.serial 32
SETFLAGS ups.serial RW STRING
SETINFO ups.status "OL"
SETAUX ups.status 32
SETFLAGS ups.status RW STRING
ADDCMD load.off
DATAOK
DUMPDONE
`;

export const TEST_DESCRIPTIONS: Descriptions = {
  varDesc: (n) => ({ 'ups.status': 'UPS status', 'ups.load': 'Load on UPS (percent of full)' })[n.toLowerCase()],
  cmdDesc: (n) => ({ 'load.off': 'Turn off the load immediately' })[n.toLowerCase()],
};

export interface Harness {
  core: UpsdCore;
  clock: ManualClock;
  sink: MemorySink;
  ups: UpsEntry;
  /** Lines upsd sent to the driver. */
  toDriver: string[];
  /** Feeds driver lines (text, LF-separated) into the UPS. */
  driver(text: string): void;
  session(addr?: string): Session;
}

export function makeHarness(opts: { connected?: boolean; dump?: string; desc?: string } = {}): Harness {
  const clock = new ManualClock(1_000_000);
  const sink = new MemorySink();
  const core = new UpsdCore(clock, createLogger(sink));
  core.users = parseUpsdUsers(USERS_TEXT, 'upsd.users').value;
  core.descriptions = TEST_DESCRIPTIONS;
  const ups = new UpsEntry({
    name: 'dummy',
    desc: opts.desc ?? 'real-nut reference dummy UPS',
    driver: 'dummy-ups',
    port: 'dummy.dev',
    socketPath: '/nonexistent/dummy-ups-dummy',
  });
  core.add(ups);
  const toDriver: string[] = [];
  ups.sender = (line) => {
    if (!ups.connected) return false;
    toDriver.push(line);
    return true;
  };
  const driver = (text: string) => {
    for (const l of text.split('\n')) {
      const w = lexLine(l);
      if (!w || w.length === 0) continue;
      const m = parseFromDriver(w);
      if (!m) continue;
      const tr = ups.apply(m, clock.now());
      if (tr) core.tracking.result(tr.id, tr.status);
    }
  };
  if (opts.connected !== false) {
    ups.onConnect(clock.now());
    driver(opts.dump ?? DUMMY_DUMP);
  }
  return { core, clock, sink, ups, toDriver, driver, session: (addr = '127.0.0.1') => new Session(core, addr) };
}

/** Sends one raw line (lexed as the server does); returns the reply lines (no LF). */
export function send(s: Session, line: string): string[] {
  const w = lexLine(line);
  const r = w === null ? 'ERR INVALID-ARGUMENT\n' : s.handle(w);
  assert.ok(r.endsWith('\n'), `reply to ${JSON.stringify(line)} must end with LF: ${JSON.stringify(r)}`);
  return r.slice(0, -1).split('\n');
}

/**
 * Runs a transcript block (`C: line` / `S: line` / `S: <closed by server>`)
 * on a fresh session and compares every reply.
 */
export function runTranscript(h: Harness, block: string, s: Session = h.session()): Session {
  const lines = block.split('\n').filter((l) => l.startsWith('C: ') || l.startsWith('S: ') || l === 'C:');
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    assert.ok(l.startsWith('C:'), `transcript out of step at ${JSON.stringify(l)}`);
    const req = l.slice(3);
    i++;
    const expected: string[] = [];
    let closed = false;
    while (i < lines.length && lines[i]!.startsWith('S: ')) {
      const e = lines[i]!.slice(3);
      if (e === '<closed by server>') closed = true;
      else expected.push(e);
      i++;
    }
    const got = send(s, req);
    assert.deepEqual(got, expected, `reply to ${JSON.stringify(req)}`);
    assert.equal(s.closing, closed, `closing after ${JSON.stringify(req)}`);
  }
  return s;
}
