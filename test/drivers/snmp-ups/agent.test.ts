/**
 * snmp-ups against a real SNMP agent: Debian's snmpd serving UPS-MIB and APC
 * PowerNet subtrees through a pass_persist script (test/support/snmpd.ts).
 * Walnut's driver feeds Walnut's upsd; real NUT's upsc/upscmd/upsrw read and
 * command it. v2c (ietf) and v3 authPriv (apcc found by mibs=auto).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requirePeers } from '../../support/peers.js';
import { waitFor } from '../../support/proc.js';
import { freePort } from '../../support/ports.js';
import { nutDir, writeUpsdConf, type NutDir } from '../../support/real-nut.js';
import { startSnmpd, type SnmpdAgent } from '../../support/snmpd.js';
import { startDriver, type DriverHandle } from '../../../src/drivers/core/index.js';
import { snmpUps } from '../../../src/drivers/snmp-ups/index.js';
import { parseUpsConf } from '../../../src/config/ups-conf.js';
import { startUpsd, type Upsd } from '../../../src/server/index.js';
import { APC_UPS, UPS_MIB, fixture, quiet, upsc, upscVars, upscmd, upsrw, waitUpsc } from './helpers.js';

const V3 = { name: 'walnut', authProtocol: 'SHA', authPassword: 'auth-secret-1', privProtocol: 'AES', privPassword: 'priv-secret-1' } as const;

interface Rig {
  agent: SnmpdAgent;
  d: NutDir;
  port: number;
  drv: DriverHandle;
  upsd: Upsd;
  target: string;
}

/** Fills `r` step by step, so teardown() cleans whatever was made when a step throws. */
async function rig(r: Partial<Rig>, agent: SnmpdAgent, section: string): Promise<void> {
  const d = nutDir('walnut-snmp-');
  r.d = d;
  const port = await freePort();
  writeUpsdConf(d, port);
  const conf = `[ups]\n  driver = snmp-ups\n  port = 127.0.0.1:${agent.port}\n  pollinterval = 1\n  snmp_retries = 0\n  snmp_timeout = 1\n${section}`;
  fs.writeFileSync(path.join(d.etc, 'ups.conf'), conf);
  r.drv = await startDriver({ definition: snmpUps, upsName: 'ups', conf: parseUpsConf(conf, 'ups.conf').value, statePath: d.state, confPath: d.etc, env: d.env, log: quiet() });
  r.upsd = await startUpsd({ confPath: d.etc, statePath: d.state, env: d.env, listen: [{ host: '127.0.0.1', port }], logger: quiet() });
  Object.assign(r, { agent, port, target: `ups@127.0.0.1:${port}` });
  await waitUpsc(r.target!, 'ups.status', r.drv.state.getInfo('ups.status') ?? '');
}

/** upscmd/upsrw answer OK once upsd has passed the request on: wait until the agent has n SETs. */
async function waitSets(agent: SnmpdAgent, n: number): Promise<void> {
  await waitFor(`${n} SETs at the agent`, () => agent.sets().length >= n, 5000, 50).catch((e: Error) => {
    throw new Error(`${e.message}; got ${JSON.stringify(agent.sets())}`);
  });
}

async function teardown(r: Partial<Rig>, agent: SnmpdAgent | undefined): Promise<void> {
  await r.upsd?.stop().catch(() => {});
  await r.drv?.stop().catch(() => {});
  await agent?.close();
  r.d?.cleanup();
}

test('v2c, ietf: values in upsc, OB/LB within a poll, upscmd and upsrw as SETs, agent down -> stale -> recovery', { timeout: 60_000 }, async (t) => {
  if (!requirePeers(t, 'snmpd', 'nut')) return;
  let agent: SnmpdAgent | undefined;
  const r: Partial<Rig> = {};
  try {
    agent = await startSnmpd({ vars: fixture('ietf-smart-ups-5000.json'), subtrees: ['.1.3.6.1.2.1.33'] });
    await rig(r, agent, '  community = private\n  snmp_version = v2c\n  mibs = ietf\n  pollfreq = 2\n  desc = "UPS-MIB card"\n');
    const { target } = r as Rig;

    const vars = await upscVars(target);
    const want: Record<string, string> = {
      'ups.mfr': 'APC',
      'ups.model': 'Smart-UPS 5000',
      'ups.firmware': '657.19.I',
      'ups.firmware.aux': 'AOS 5.1.7',
      'ups.status': 'OL',
      'battery.charge': '100',
      'battery.runtime': '1800', // 30 min x 60
      'battery.voltage': '54.80', // 548 x 0.1
      'battery.current': '1.20', // 12 x 0.1
      'battery.temperature': '19',
      'input.voltage': '221',
      'input.frequency': '50', // 500 x 0.1
      'output.voltage': '223',
      'output.current': '4.30', // 43 x 0.1
      'output.frequency': '50',
      'ups.load': '22',
      'battery.runtime.low': '120', // 2 min x 60
      'input.transfer.low': '208',
      'input.transfer.high': '253',
      'output.voltage.nominal': '230',
      'input.frequency.nominal': '50',
      'ups.beeper.status': 'enabled',
      'ups.test.result': 'done and passed',
      'ups.start.auto': 'no',
      'device.contact': 'ops@example.net',
      'device.location': 'Rack 4',
      'device.description': 'Walnut test UPS card',
      'device.mfr': 'APC',
      'device.model': 'Smart-UPS 5000',
      'driver.name': 'snmp-ups',
      'driver.version.data': 'ietf MIB 1.54',
      'driver.parameter.snmp_version': 'v2c',
      'driver.parameter.mibs': 'ietf',
    };
    for (const [k, v] of Object.entries(want)) assert.equal(vars.get(k), v, k);
    assert.equal(vars.has('driver.parameter.community'), false, 'the community is never published');

    // mains lost, then low battery: within one poll (pollinterval 1)
    agent.patch({ [`${UPS_MIB}.4.1.0`]: ['integer', '5'] });
    await waitUpsc(target, 'ups.status', 'OB', 3000);
    agent.patch({ [`${UPS_MIB}.2.1.0`]: ['integer', '3'], [`${UPS_MIB}.2.4.0`]: ['integer', '9'] });
    await waitUpsc(target, 'ups.status', 'LB OB', 3000);
    await waitUpsc(target, 'battery.charge', '9', 3000);
    agent.patch({ [`${UPS_MIB}.4.1.0`]: ['integer', '3'], [`${UPS_MIB}.2.1.0`]: ['integer', '2'] });
    await waitUpsc(target, 'ups.status', 'OL', 3000);
    // a slow variable follows within pollfreq
    agent.patch({ [`${UPS_MIB}.9.10.0`]: ['integer', '260'] });
    await waitUpsc(target, 'input.transfer.high', '260', 5000);

    // instant commands: the SET the agent receives
    agent.clearSets();
    let res = await upscmd(target, 'test.battery.start');
    assert.equal(res.code, 0, res.stderr);
    res = await upscmd(target, 'load.off');
    assert.equal(res.code, 0, res.stderr);
    res = await upscmd(target, 'beeper.mute');
    assert.equal(res.code, 0, res.stderr);
    await waitSets(agent, 3);
    assert.deepEqual(agent.sets(), [
      { oid: `${UPS_MIB}.7.1.0`, type: 'objectid', value: `.${UPS_MIB}.7.7.3` },
      { oid: `${UPS_MIB}.8.2.0`, type: 'integer', value: '0' },
      { oid: `${UPS_MIB}.9.8.0`, type: 'integer', value: '3' },
    ]);
    res = await upscmd(target, 'calibrate.start');
    assert.notEqual(res.code, 0, 'a command the mapping does not offer is refused');

    // writable variable: upsrw -> SET, then read back
    agent.clearSets();
    res = await upsrw(target, 'input.transfer.low=200');
    assert.equal(res.code, 0, res.stderr);
    await waitSets(agent, 1);
    assert.deepEqual(agent.sets(), [{ oid: `${UPS_MIB}.9.9.0`, type: 'integer', value: '200' }]);
    await waitUpsc(target, 'input.transfer.low', '200', 3000);
    res = await upsrw(target, 'battery.runtime.low=300'); // seconds -> 5 minutes on the wire
    assert.equal(res.code, 0, res.stderr);
    await waitSets(agent, 2);
    assert.deepEqual(agent.sets().at(-1), { oid: `${UPS_MIB}.9.7.0`, type: 'integer', value: '5' });

    // agent down -> stale; back -> fresh again, same driver
    await agent.stop();
    await waitUpsc(target, 'ups.status', 'STALE', 8000);
    const stale = await upsc(target);
    assert.match(stale.stderr, /Data stale/);
    agent.patch({ [`${UPS_MIB}.4.1.0`]: ['integer', '6'] });
    await agent.start();
    await waitUpsc(target, 'ups.status', 'OL BOOST', 8000);
    assert.equal(r.drv!.state.isStale, false);
  } finally {
    await teardown(r, agent);
  }
});

test('v3 authPriv (SHA/AES), mibs=auto picks apcc by sysObjectID: values, OB/LB/RB, commands as SETs', { timeout: 60_000 }, async (t) => {
  if (!requirePeers(t, 'snmpd', 'nut')) return;
  let agent: SnmpdAgent | undefined;
  const r: Partial<Rig> = {};
  try {
    // the card serves both PowerNet and UPS-MIB: the vendor mapping wins, as in NUT
    agent = await startSnmpd({
      vars: { ...fixture('apcc-smart-ups-5000.json'), ...fixture('ietf-smart-ups-5000.json') },
      sysObjectID: '.1.3.6.1.4.1.318.1.3.2.7',
      v3: V3,
    });
    const section =
      '  snmp_version = v3\n  secLevel = authPriv\n  secName = walnut\n  authProtocol = SHA\n  authPassword = auth-secret-1\n' +
      '  privProtocol = AES\n  privPassword = priv-secret-1\n  pollfreq = 2\n';
    await rig(r, agent, section);
    const { target } = r as Rig;
    const out = (await upsc(target)).stdout;
    assert.doesNotMatch(out, /secret/, 'no pass phrase in upsc');
    const vars = await upscVars(target);
    const want: Record<string, string> = {
      'driver.version.data': 'apcc MIB 1.6',
      'ups.mfr': 'APC',
      'ups.model': 'Smart-UPS 5000',
      'ups.serial': 'AS1339140225',
      'ups.id': 'APC5000',
      'ups.status': 'OL',
      'ups.load': '22.70', // high precision 227 x 0.1
      'ups.temperature': '19.80',
      'battery.charge': '100',
      'battery.runtime': '1800', // 180000 timeticks
      'battery.runtime.low': '120',
      'battery.voltage': '54.80',
      'input.voltage': '223.20',
      'input.voltage.minimum': '221.70',
      'input.sensitivity': 'medium',
      'input.transfer.reason': 'selfTest',
      'ups.delay.shutdown': '90', // 9000 timeticks
      'ups.test.result': 'Ok',
      'ups.test.date': '07/21/2022',
      'ambient.1.humidity.alarm.high': '60',
      'driver.parameter.snmp_version': 'v3',
      'driver.parameter.secLevel': 'authPriv',
    };
    for (const [k, v] of Object.entries(want)) assert.equal(vars.get(k), v, k);

    agent.patch({ [`${APC_UPS}.4.1.1.0`]: ['integer', '3'] });
    await waitUpsc(target, 'ups.status', 'OB', 3000);
    agent.patch({ [`${APC_UPS}.2.1.1.0`]: ['integer', '3'], [`${APC_UPS}.2.2.4.0`]: ['integer', '2'] });
    await waitUpsc(target, 'ups.status', 'OB LB RB', 3000);
    agent.patch({ [`${APC_UPS}.4.1.1.0`]: ['integer', '2'], [`${APC_UPS}.2.1.1.0`]: ['integer', '2'], [`${APC_UPS}.2.2.4.0`]: ['integer', '1'] });
    await waitUpsc(target, 'ups.status', 'OL', 3000);

    agent.clearSets();
    for (const c of ['shutdown.return', 'test.battery.start', 'calibrate.stop']) {
      const res = await upscmd(target, c);
      assert.equal(res.code, 0, `${c}: ${res.stderr}`);
    }
    await waitSets(agent, 3);
    assert.deepEqual(agent.sets(), [
      { oid: `${APC_UPS}.6.1.1.0`, type: 'integer', value: '2' },
      { oid: `${APC_UPS}.7.2.2.0`, type: 'integer', value: '2' },
      { oid: `${APC_UPS}.7.2.5.0`, type: 'integer', value: '3' },
    ]);
    // a timeticks variable is written as timeticks
    agent.clearSets();
    const res = await upsrw(target, 'ups.delay.shutdown=120');
    assert.equal(res.code, 0, res.stderr);
    await waitSets(agent, 1);
    assert.deepEqual(agent.sets(), [{ oid: `${APC_UPS}.5.2.10.0`, type: 'timeticks', value: '12000' }]);
    await waitUpsc(target, 'ups.delay.shutdown', '120', 3000);
  } finally {
    await teardown(r, agent);
  }
});

test('v3 with a wrong pass phrase, or no agent: the driver refuses to start with a clear error', { timeout: 30_000 }, async (t) => {
  if (!requirePeers(t, 'snmpd')) return;
  const agent = await startSnmpd({ vars: fixture('ietf-smart-ups-5000.json'), v3: V3, subtrees: ['.1.3.6.1.2.1.33'] });
  try {
    const base = `[ups]\n  driver = snmp-ups\n  port = 127.0.0.1:${agent.port}\n  snmp_retries = 0\n  snmp_timeout = 1\n`;
    const bad = `${base}  snmp_version = v3\n  secLevel = authPriv\n  secName = walnut\n  authProtocol = SHA\n  authPassword = wrong-secret\n  privProtocol = AES\n  privPassword = priv-secret-1\n`;
    await assert.rejects(startDriver({ definition: snmpUps, upsName: 'ups', conf: parseUpsConf(bad, 'ups.conf').value, log: quiet() }), /snmp-ups \[ups\]: no answer from 127\.0\.0\.1/);
    const noPriv = `${base}  snmp_version = v3\n  secLevel = authPriv\n  secName = walnut\n  authPassword = x1234567\n`;
    await assert.rejects(startDriver({ definition: snmpUps, upsName: 'ups', conf: parseUpsConf(noPriv, 'ups.conf').value, log: quiet() }), /authPriv needs privPassword/);
    const badVersion = `${base}  snmp_version = v4\n`;
    await assert.rejects(startDriver({ definition: snmpUps, upsName: 'ups', conf: parseUpsConf(badVersion, 'ups.conf').value, log: quiet() }), /snmp_version = v4 is not valid/);
    const badMib = `${base}  community = public\n  snmp_version = v2c\n  mibs = apcc\n`;
    await assert.rejects(startDriver({ definition: snmpUps, upsName: 'ups', conf: parseUpsConf(badMib, 'ups.conf').value, log: quiet() }), /Requested 'mibs' value 'apcc' did not match this device/);
    await agent.stop();
    const down = `${base}  community = public\n  snmp_version = v2c\n`;
    await assert.rejects(startDriver({ definition: snmpUps, upsName: 'ups', conf: parseUpsConf(down, 'ups.conf').value, log: quiet() }), /no answer from 127\.0\.0\.1:\d+ \(SNMP get: no answer \(timeout\)\)/);
  } finally {
    await agent.close();
  }
});
