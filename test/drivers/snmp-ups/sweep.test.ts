/**
 * Status tokens and value texts, value by value, against real NUT 2.8.0's
 * snmp-ups on the same snmpd: for each raw value k, every swept OID of a
 * mapping is set to k; real `snmp-ups -d 1` and Walnut's driver (one init
 * and poll) must publish the same ups.status and enum texts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { NUT_LIBEXEC, requirePeers } from '../../support/peers.js';
import { execProgram } from '../../support/proc.js';
import { startSnmpd, type AgentVars, type SnmpdAgent } from '../../support/snmpd.js';
import { tempDir } from '../../support/tmp.js';
import { DriverInstance, settingsFor } from '../../../src/drivers/core/index.js';
import { snmpUps } from '../../../src/drivers/snmp-ups/index.js';
import { APC_UPS, UPS_MIB, fixture, quiet } from './helpers.js';

const CPS = '1.3.6.1.4.1.3808.1.1.1';
const MGE = '1.3.6.1.4.1.705.1';

interface Sweep {
  mib: string;
  base: AgentVars;
  /** OIDs set to k (integer), or to the OID prefix + k (objectid) */
  ints: string[];
  oids?: Array<{ oid: string; prefix: string }>;
  max: number;
  /** Variables compared besides ups.status. */
  vars: string[];
  /** Compare every variable, not only ups.status and `vars`. */
  all?: boolean;
  /** Known differences: k → variable → [NUT, Walnut]. */
  allowed?: (k: number) => Record<string, [string, string]>;
}

const SWEEPS: Sweep[] = [
  {
    mib: 'ietf',
    base: fixture('ietf-smart-ups-5000.json'),
    ints: [`${UPS_MIB}.4.1.0`, `${UPS_MIB}.2.1.0`, `${UPS_MIB}.7.3.0`, `${UPS_MIB}.9.8.0`, `${UPS_MIB}.8.5.0`],
    oids: [{ oid: `${UPS_MIB}.7.1.0`, prefix: `.${UPS_MIB}.7.7.` }],
    max: 8,
    vars: ['ups.test.result', 'ups.beeper.status', 'ups.start.auto'],
  },
  {
    mib: 'ietf',
    base: fixture('ietf-smart-ups-5000.json'),
    ints: [`${UPS_MIB}.4.1.0`, `${UPS_MIB}.7.1.0`],
    max: 7,
    vars: [],
  },
  {
    mib: 'apcc',
    base: fixture('apcc-smart-ups-5000.json'),
    ints: [`${APC_UPS}.4.1.1.0`, `${APC_UPS}.2.1.1.0`, `${APC_UPS}.7.2.6.0`, `${APC_UPS}.2.2.4.0`, `${APC_UPS}.5.2.7.0`, `${APC_UPS}.3.2.5.0`, `${APC_UPS}.7.2.3.0`],
    max: 21,
    vars: ['input.sensitivity', 'input.transfer.reason', 'ups.test.result'],
  },
  {
    mib: 'apcc',
    base: fixture('apcc-three-phase.json'),
    ints: [`${APC_UPS}.4.1.1.0`],
    max: 3,
    vars: [],
    all: true,
  },
  {
    mib: 'cyberpower',
    base: fixture('cyberpower-pr2200.json'),
    ints: [`${CPS}.4.1.1.0`, `${CPS}.2.1.1.0`, `${CPS}.7.2.7.0`, `${CPS}.2.2.5.0`],
    max: 8,
    vars: [],
    // NUT 2.8.0 maps no upsBaseOutputStatus value (see crosscheck.test.ts): only the
    // output-status tokens differ; battery low, calibration and replace-battery tokens agree
    allowed: (k) =>
      (
        {
          2: { 'ups.status': ['RB', 'OL RB'] },
          3: { 'ups.status': ['LB CAL', 'OB LB CAL'] },
          4: { 'ups.status': ['', 'OL BOOST'] },
          5: { 'ups.status': ['', 'OFF'] },
          6: { 'ups.status': ['', 'OFF'] },
        } as Record<number, Record<string, [string, string]>>
      )[k] ?? {},
  },
  {
    mib: 'mge',
    base: fixture('mge-eaton-5px.json'),
    ints: [
      ...['5.11.0', '5.14.0', '5.16.0', '7.3.0', '7.4.0', '7.7.0', '7.8.0', '7.10.0', '7.12.0', '6.4.0', '8.7.1.9.1'].map((o) => `${MGE}.${o}`),
      ...['4.1.0', '7.3.0', '9.8.0', '8.5.0'].map((o) => `${UPS_MIB}.${o}`),
    ],
    max: 8,
    vars: ['input.transfer.reason', 'ambient.contacts.1.status', 'ups.test.result', 'ups.beeper.status', 'ups.start.auto'],
    // NUT 2.8.0's snmp-ups repeats LB when both low-battery flags are set; Walnut's status
    // tokens are deduplicated (dstate status_set)
    allowed: (k): Record<string, [string, string]> =>
      k === 1 ? { 'ups.status': ['RB LB LB OB BYPASS OFF BOOST OVER TRIM', 'RB LB OB BYPASS OFF BOOST OVER TRIM'] } : {},
  },
];

function parseDump(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 2).replace(/\\(.)/g, '$1'));
  }
  return m;
}

async function walnutRead(port: number, mib: string): Promise<Map<string, string>> {
  const settings = settingsFor({
    definition: snmpUps,
    upsName: 'w',
    extra: [
      { key: 'port', value: `127.0.0.1:${port}` },
      { key: 'community', value: 'public' },
      { key: 'snmp_version', value: 'v2c' },
      { key: 'mibs', value: mib },
    ],
  });
  const inst = new DriverInstance(snmpUps, settings, { log: quiet() });
  try {
    await inst.init();
    await inst.poll();
    return new Map(inst.state.table.list().map((v) => [v.name, v.value]));
  } finally {
    await inst.stop();
  }
}

test('status tokens and enum texts, value by value, match real snmp-ups 2.8.0 (ietf, apcc incl. three-phase, cyberpower, mge)', { timeout: 60_000 }, async (t) => {
  if (!requirePeers(t, 'snmpd', 'nut-snmp')) return;
  let agent: SnmpdAgent | undefined;
  const tmp = tempDir('walnut-snmpsweep-');
  try {
    agent = await startSnmpd({ vars: {}, subtrees: ['.1.3.6.1.2.1.33', '.1.3.6.1.4.1.318', '.1.3.6.1.4.1.3808', '.1.3.6.1.4.1.705'] });
    const env = { ...process.env, NUT_STATEPATH: tmp.dir, NUT_ALTPIDPATH: tmp.dir, NUT_CONFPATH: tmp.dir };
    const diffs: string[] = [];
    let compared = 0;
    for (const s of SWEEPS) {
      for (let k = 1; k <= s.max; k++) {
        const vars: AgentVars = { ...s.base };
        for (const o of s.ints) vars[o] = ['integer', String(k)];
        for (const o of s.oids ?? []) vars[o.oid] = ['objectid', `${o.prefix}${k}`];
        agent.setVars(vars);
        const args = ['-s', 'sweep', '-x', `port=127.0.0.1:${agent.port}`, '-x', 'community=public', '-x', 'snmp_version=v2c', '-x', `mibs=${s.mib}`, '-u', 'root', '-d', '1'];
        const real = await execProgram(path.join(NUT_LIBEXEC, 'snmp-ups'), args, env, 20_000, 'latin1');
        assert.equal(real.code, 0, real.stderr);
        const nut = parseDump(real.stdout);
        const wal = await walnutRead(agent.port, s.mib);
        const allowed = s.allowed?.(k) ?? {};
        // driver.* differ by how each side was started (-s/-x here, extra settings there)
        const names = s.all ? [...new Set([...nut.keys(), ...wal.keys()])].filter((n) => n !== 'device.description' && !n.startsWith('driver.')) : ['ups.status', ...s.vars];
        for (const name of names) {
          const a = nut.get(name) ?? '(none)';
          const b = wal.get(name) ?? '(none)';
          compared++;
          if (a === b) continue;
          const ok = allowed[name];
          if (ok && ok[0] === a && ok[1] === b) continue;
          diffs.push(`${s.mib} k=${k} ${name}: NUT ${JSON.stringify(a)} / Walnut ${JSON.stringify(b)}`);
        }
      }
    }
    assert.deepEqual(diffs, []);
    assert.ok(compared > 100, `${compared} values compared`);
  } finally {
    await agent?.close();
    tmp.cleanup();
  }
});
