/**
 * Bad agent answers never crash or stall snmp-ups: wrong types, missing
 * objects (SNMPv1 noSuchName on a whole PDU), overlong strings, a refused
 * SET, a slow agent (timeouts) — against Debian's snmpd, SNMP v1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requirePeers } from '../../support/peers.js';
import { startSnmpd, type SnmpdAgent } from '../../support/snmpd.js';
import { startDriver, STAT_FAILED, STAT_HANDLED, STAT_INVALID, STAT_UNKNOWN, type DriverHandle } from '../../../src/drivers/core/index.js';
import { snmpUps } from '../../../src/drivers/snmp-ups/index.js';
import { parseUpsConf } from '../../../src/config/ups-conf.js';
import { UPS_MIB, fixture, quiet } from './helpers.js';

test('SNMPv1: wrong types, missing objects, long strings, refused SET, timeouts: no crash, stale then fresh', { timeout: 45_000 }, async (t) => {
  if (!requirePeers(t, 'snmpd')) return;
  const good = fixture('ietf-smart-ups-5000.json');
  const bad = { ...good };
  bad[`${UPS_MIB}.2.4.0`] = ['string', 'full'];
  bad[`${UPS_MIB}.4.4.1.5.1`] = ['objectid', '.1.3.6.1.4.1'];
  bad[`${UPS_MIB}.1.2.0`] = ['integer', '42'];
  bad[`${UPS_MIB}.4.1.0`] = ['string', 'online'];
  bad[`${UPS_MIB}.1.1.0`] = ['string', 'X'.repeat(400)];
  delete bad[`${UPS_MIB}.3.3.1.3.1`];
  let agent: SnmpdAgent | undefined;
  let drv: DriverHandle | undefined;
  try {
    agent = await startSnmpd({ vars: bad, readonly: [`${UPS_MIB}.9.8.0`], subtrees: ['.1.3.6.1.2.1.33'] });
    const conf = `[ups]\n  driver = snmp-ups\n  port = 127.0.0.1:${agent.port}\n  community = private\n  mibs = ietf\n  snmp_retries = 0\n  snmp_timeout = 1\n  pollfreq = 1\n`;
    drv = await startDriver({ definition: snmpUps, upsName: 'ups', conf: parseUpsConf(conf, 'ups.conf').value, log: quiet(), loop: false });
    const st = drv.state;
    assert.equal(st.getInfo('driver.parameter.snmp_version'), undefined, 'v1 is the default');
    assert.equal(st.isStale, false);
    assert.equal(st.getInfo('ups.model'), '42', 'an integer where a string is expected is shown as text');
    assert.equal(st.getInfo('battery.charge'), undefined, 'a string that is no number is dropped');
    assert.equal(st.getInfo('ups.load'), undefined, 'an OID where a number is expected is dropped');
    assert.equal(st.getInfo('input.voltage'), undefined, 'missing object (v1 noSuchName) is skipped, the rest is read');
    assert.equal(st.getInfo('ups.mfr')?.length, 255, 'long strings are cut to NUT length');
    assert.equal(st.getInfo('battery.voltage'), '54.80');
    assert.equal(st.getInfo('ups.status'), '', 'an unusable status value adds no token');

    // the agent gets its act together
    agent.setVars(good);
    await drv.instance.poll();
    assert.equal(st.getInfo('battery.charge'), '100');
    assert.equal(st.getInfo('ups.load'), '22');
    assert.equal(st.getInfo('input.voltage'), '221');
    assert.equal(st.getInfo('ups.status'), 'OL');

    // refused SET → FAILED; bad values → INVALID; unknown → UNKNOWN
    assert.equal(await drv.instance.instcmd('beeper.disable', undefined), STAT_FAILED);
    assert.equal(await drv.instance.instcmd('load.on', undefined), STAT_HANDLED);
    assert.equal(await drv.instance.instcmd('no.such.command', undefined), STAT_UNKNOWN);
    assert.equal(await drv.instance.setvar('input.transfer.low', 'abc'), STAT_INVALID);
    assert.equal(await drv.instance.setvar('ups.load', '5'), STAT_UNKNOWN);
    // -k: the first shutdown command the mapping offers (ietf: load.off.delay, offdelay 20 s)
    assert.equal(await drv.instance.hooks.killpower!(), 0);
    assert.deepEqual(
      agent.sets().map((s) => `${s.oid}=${s.value}`),
      [`${UPS_MIB}.9.8.0=1`, `${UPS_MIB}.8.3.0=0`, `${UPS_MIB}.8.2.0=20`],
    );

    // a slow agent: each request times out → stale, then fresh again
    agent.setVars(good, { delayMs: 1300, slow: [`${UPS_MIB}.4.1.0`] });
    await drv.instance.poll();
    assert.equal(st.isStale, true);
    agent.setVars(good);
    await new Promise((r) => setTimeout(r, 400)); // let snmpd finish the late answer
    agent.patch({ [`${UPS_MIB}.4.1.0`]: ['integer', '5'] });
    await drv.instance.poll();
    assert.equal(st.isStale, false);
    assert.equal(st.getInfo('ups.status'), 'OB');

    // the agent disappears mid-run: stale, no crash; back: fresh
    await agent.stop();
    await drv.instance.poll();
    assert.equal(st.isStale, true);
    await agent.start();
    await drv.instance.poll();
    assert.equal(st.isStale, false);
  } finally {
    await drv?.stop();
    await agent?.close();
  }
});
