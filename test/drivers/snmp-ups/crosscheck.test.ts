/**
 * Walnut's snmp-ups (the bin/snmp-ups program) and real NUT 2.8.0's
 * /lib/nut/snmp-ups read the same snmpd agent, both served by real NUT's
 * upsd: upsc must show the same variables and values, for the ietf, apcc
 * and cyberpower mappings, apart from a short allow-list of known differences. Also
 * shows Walnut's driver feeding a real upsd through the driver socket, with
 * a status change and a command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NUT_LIBEXEC, REPO_ROOT, requirePeers } from '../../support/peers.js';
import { freePort } from '../../support/ports.js';
import { execProgram, startProc, stopProc, waitFor, type Proc } from '../../support/proc.js';
import { nutDir, startRealUpsd, writeUpsdConf, type NutDir } from '../../support/real-nut.js';
import { startSnmpd, type SnmpdAgent } from '../../support/snmpd.js';
import { APC_UPS, UPS_MIB, fixture, upscmd, upscVars, waitUpsc } from './helpers.js';

/**
 * Known differences, with reasons. Everything else must match exactly.
 * - apcc ups.delay.shutdown: NUT 2.8.0 shows three times the agent's
 *   upsAdvConfigShutoffDelay (9000 timeticks = 90 s shows as 270; the
 *   Smart-UPS 5000 dump in ../shared/ddl shows the same 270); Walnut shows 90 s.
 */
const ALLOWED: Record<string, Record<string, { nut: string; walnut: string }>> = {
  ietf: {},
  apcc: { 'ups.delay.shutdown': { nut: '270', walnut: '90' } },
  // NUT 2.8.0's cyberpower table maps no upsBaseOutputStatus value (its log: "no matching
  // INFO_* value for this OID value (2)"), so onLine(2) gives no OL; Walnut maps it (NUT 2.7.2 did)
  cyberpower: { 'ups.status': { nut: '', walnut: 'OL' } },
  mge: {},
};
/** Instant commands only one side offers, with reasons (see src/drivers/snmp-ups/README.md). */
const CMD_ALLOWED: Record<string, { nutOnly: string[]; walnutOnly: string[] }> = {
  // Walnut adds the delayed variants (offdelay/ondelay) and upsRebootWithDuration
  ietf: { nutOnly: [], walnutOnly: ['load.off.delay', 'load.on.delay', 'shutdown.reboot'] },
  apcc: { nutOnly: [], walnutOnly: [] },
  // NUT 2.8.0 sends shutdown.stayoff to upsAdvanceControlTurnOnUPS (the load.on OID)
  cyberpower: { nutOnly: ['shutdown.stayoff'], walnutOnly: [] },
  // NUT 2.8.0 lists them for mge but sends no SET for them (observed on its driver socket);
  // Walnut only offers what one SET does
  mge: { nutOnly: ['shutdown.return', 'shutdown.stayoff'], walnutOnly: [] },
};

interface Case {
  name: string;
  mib: 'ietf' | 'apcc' | 'cyberpower' | 'mge';
  conf: string;
  mfr: string;
}
const V3 = { name: 'walnut', authProtocol: 'SHA', authPassword: 'auth-secret-1', privProtocol: 'AES', privPassword: 'priv-secret-1' } as const;
const V2C = '  community = private\n  snmp_version = v2c\n';
const CASES: Case[] = [
  { name: 'ietf', mib: 'ietf', conf: V2C, mfr: 'APC' },
  { name: 'apcc', mib: 'apcc', conf: V2C, mfr: 'APC' },
  { name: 'cyberpower', mib: 'cyberpower', conf: V2C, mfr: 'CYBERPOWER' },
  { name: 'mge', mib: 'mge', conf: V2C, mfr: 'Eaton' },
  {
    name: 'v3',
    mib: 'ietf',
    conf: '  snmp_version = v3\n  secLevel = authPriv\n  secName = walnut\n  authProtocol = SHA\n  authPassword = auth-secret-1\n  privProtocol = AES\n  privPassword = priv-secret-1\n',
    mfr: 'APC',
  },
];

async function commands(target: string): Promise<string[]> {
  const r = await execProgram('upscmd', ['-l', target], process.env, 10_000);
  if (r.code !== 0) throw new Error(`upscmd -l ${target}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((l) => /^(\S+) - /.exec(l)?.[1])
    .filter((x): x is string => !!x)
    .sort();
}

test('cross-check: real snmp-ups and Walnut snmp-ups on the same agent, both under real upsd (ietf, apcc, cyberpower, mge, v3): variables and commands; Walnut feeds real upsd', { timeout: 60_000 }, async (t) => {
  if (!requirePeers(t, 'snmpd', 'nut', 'nut-snmp')) return;
  let agent: SnmpdAgent | undefined;
  let d: NutDir | undefined;
  const procs: Proc[] = [];
  try {
    agent = await startSnmpd({
      // the mge card's few UPS-MIB objects take over the ietf ones: both sides read the same agent
      vars: { ...fixture('ietf-smart-ups-5000.json'), ...fixture('apcc-smart-ups-5000.json'), ...fixture('cyberpower-pr2200.json'), ...fixture('mge-eaton-5px.json') },
      subtrees: ['.1.3.6.1.2.1.33', '.1.3.6.1.4.1.318', '.1.3.6.1.4.1.3808', '.1.3.6.1.4.1.705'],
      v3: V3,
    });
    d = nutDir('walnut-snmpx-');
    const port = await freePort();
    writeUpsdConf(d, port);
    const common = `  port = 127.0.0.1:${agent.port}\n  pollinterval = 1\n  pollfreq = 3\n`;
    const sections = CASES.flatMap((c) => ['nut', 'walnut'].map((side) => `[${side}-${c.name}]\n  driver = snmp-ups\n${common}${c.conf}  mibs = ${c.mib}\n`));
    fs.writeFileSync(path.join(d.etc, 'ups.conf'), sections.join(''));
    for (const c of CASES) procs.push(startProc(path.join(NUT_LIBEXEC, 'snmp-ups'), ['-a', `nut-${c.name}`, '-F', '-u', 'root'], d.env));
    for (const c of CASES) procs.push(startProc(process.execPath, [path.join(REPO_ROOT, 'bin', 'snmp-ups'), '-a', `walnut-${c.name}`, '-F', '-u', 'root'], d.env));
    const dir = d;
    const names = CASES.flatMap((c) => [`nut-${c.name}`, `walnut-${c.name}`]);
    await waitFor(
      'the driver sockets',
      () => names.every((n) => fs.existsSync(path.join(dir.state, `snmp-ups-${n}`))),
      20_000,
      100,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${procs.map((p) => p.log.join('')).join('\n---\n')}`);
    });
    procs.push(startRealUpsd(d));
    for (const c of CASES) for (const n of [`nut-${c.name}`, `walnut-${c.name}`]) await waitUpsc(`${n}@127.0.0.1:${port}`, 'ups.mfr', c.mfr, 10_000);

    for (const c of CASES) {
      const nut = await upscVars(`nut-${c.name}@127.0.0.1:${port}`);
      const wal = await upscVars(`walnut-${c.name}@127.0.0.1:${port}`);
      const diffs: string[] = [];
      const used = new Set<string>();
      for (const k of new Set([...nut.keys(), ...wal.keys()])) {
        const a = nut.get(k);
        const b = wal.get(k);
        if (a === b) continue;
        const ok = ALLOWED[c.mib]![k];
        if (ok && ok.nut === a && ok.walnut === b) {
          used.add(k);
          continue;
        }
        diffs.push(`${k}: NUT ${a ?? '(none)'} / Walnut ${b ?? '(none)'}`);
      }
      assert.deepEqual(diffs, [], `${c.name}: differences outside the allow-list`);
      assert.deepEqual([...used].sort(), Object.keys(ALLOWED[c.mib]!).sort(), `${c.name}: every allow-listed difference is real`);
      assert.ok(nut.size > 25, `${c.name}: a real comparison (${nut.size} variables)`);

      const nc = await commands(`nut-${c.name}@127.0.0.1:${port}`);
      const wc = await commands(`walnut-${c.name}@127.0.0.1:${port}`);
      const allow = CMD_ALLOWED[c.mib]!;
      assert.deepEqual(nc.filter((x) => !wc.includes(x)), allow.nutOnly, `${c.name}: commands only NUT offers`);
      assert.deepEqual(wc.filter((x) => !nc.includes(x)), allow.walnutOnly, `${c.name}: commands only Walnut offers`);
      assert.ok(nc.length >= 5, `${c.name}: commands compared (${nc.join(' ')})`);
    }

    // Walnut's driver under real upsd: a status change and a command
    const w = `walnut-ietf@127.0.0.1:${port}`;
    agent.patch({ [`${UPS_MIB}.4.1.0`]: ['integer', '5'], [`${APC_UPS}.4.1.1.0`]: ['integer', '3'] });
    await waitUpsc(w, 'ups.status', 'OB', 4000);
    await waitUpsc(`walnut-apcc@127.0.0.1:${port}`, 'ups.status', 'OB', 4000);
    await waitUpsc(`nut-ietf@127.0.0.1:${port}`, 'ups.status', 'OB', 4000);
    agent.clearSets();
    const res = await upscmd(w, 'beeper.disable');
    assert.equal(res.code, 0, res.stderr);
    const a = agent;
    // real upsd answers OK before the driver has acted (no TRACKING): wait for the SET
    await waitFor('the SET at the agent', () => a.sets().length > 0, 5000, 50);
    assert.deepEqual(agent.sets(), [{ oid: `${UPS_MIB}.9.8.0`, type: 'integer', value: '1' }]);
  } finally {
    for (const p of procs.reverse()) await stopProc(p);
    await agent?.close();
    d?.cleanup();
  }
});
