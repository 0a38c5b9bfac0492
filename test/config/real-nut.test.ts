/**
 * Walnut's parsed ups.conf / upsd.users against what Debian's real upsd 2.8.0
 * does with the same files: which UPS names it serves (duplicates ignoring
 * case, incomplete sections, a merged section) and what each user may do
 * (LOGIN, PRIMARY, FSD; `upsmon = primary`, first password wins, a repeated
 * [user] feeding the previous user, unknown upsmon roles, legacy master/slave).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { NUT_LIBEXEC, requirePeers } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { stopChild as stop } from '../support/proc.js';
import { parseUpsConf } from '../../src/config/ups-conf.js';
import { parseUpsdConf } from '../../src/config/upsd-conf.js';
import { loadConfig } from '../../src/config/load.js';
import { parseUpsdUsers } from '../../src/config/upsd-users.js';
import { parseUpsmonConf } from '../../src/config/upsmon-conf.js';
import { parseUpsschedConf } from '../../src/config/upssched-conf.js';

const UPS_CONF = `[a]
	driver = dummy-ups
	port = a.dev
[A]
	driver = dummy-ups
	port = A.dev
[incomplete]
	port = x.dev
[Typo]
	Driver = dummy-ups
	port = t.dev
[m]
	driver = dummy-ups
[other]
	driver = dummy-ups
	port = o.dev
[m]
	port = m.dev
`;

const USERS = `ignored = before any section
[nomon]
	password = x
[eqprim]
	password = x
	upsmon = primary
[sec]
	password = x
	upsmon secondary
[dup]
	password = first
	password = second
	upsmon slave
[legacy]
	password = x
	upsmon master
[typo]
	password = x
	upsmon prmary
[admin]
	password = x
	actions = SET
	actions = FSD
[late]
	password = x
[nomon]
	upsmon primary
[noeq]
	password = x
	actions FSD
	upsmon = secondary primary
[noeqpw]
	password x
	upsmon primary
[twowords]
	password = two words
	upsmon primary
`;

/** One request/reply session on a NUT server; every wait is bounded. */
async function session(port: number, lines: string[]): Promise<string[]> {
  const sock = net.connect(port, '127.0.0.1');
  const replies: string[] = [];
  let buf = '';
  let want = 0;
  let wake: (() => void) | undefined;
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      replies.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    if (replies.length >= want) wake?.();
  });
  const waitFor = (n: number) =>
    new Promise<void>((resolve, reject) => {
      want = n;
      if (replies.length >= n) return resolve();
      const t = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(lines)} (got ${JSON.stringify(replies)})`)), 5000);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    let expected = 0;
    for (const l of lines) {
      sock.write(l + '\n');
      expected += l.startsWith('LIST ') ? 0 : 1;
      if (l.startsWith('LIST ')) {
        // read until END LIST
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('no END LIST')), 5000);
          const check = () => {
            if (replies.some((r) => r.startsWith('END LIST') || r.startsWith('ERR'))) {
              clearTimeout(t);
              sock.off('data', check);
              resolve();
            }
          };
          sock.on('data', check);
          check();
        });
        expected = replies.length;
      } else await waitFor(expected);
    }
    return replies;
  } finally {
    sock.destroy();
  }
}

async function startUpsd(etc: string, state: string): Promise<ChildProcess> {
  const p = spawn(path.join(NUT_LIBEXEC, 'upsd'), ['-F'], {
    env: { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state, NUT_ALTPIDPATH: state },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  (p as ChildProcess & { errText?: () => string }).errText = () => err;
  return p;
}

async function waitListening(port: number, p: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (p.exitCode !== null) throw new Error(`upsd exited with ${p.exitCode}: ${(p as ChildProcess & { errText?: () => string }).errText?.()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('upsd did not listen within 5 s');
}

test('parsed ups.conf and upsd.users match what real upsd 2.8.0 does with them', { timeout: 60_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const { dir, cleanup } = tempDir('walnut-config-nut-');
  const etc = path.join(dir, 'etc');
  const state = path.join(dir, 'state');
  fs.mkdirSync(etc);
  fs.mkdirSync(state);
  // upsd (as root) drops to the nut user and chdirs into the state folder
  fs.chmodSync(state, 0o777);
  const port = await freePort();
  fs.writeFileSync(path.join(etc, 'ups.conf'), UPS_CONF);
  fs.writeFileSync(path.join(etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\n`);
  fs.writeFileSync(path.join(etc, 'upsd.users'), USERS);
  fs.chmodSync(path.join(etc, 'upsd.users'), 0o644);
  const upsd = await startUpsd(etc, state);
  try {
    await waitListening(port, upsd);

    // UPS names upsd serves = the parsed sections that have a driver and a port
    const parsed = parseUpsConf(UPS_CONF, 'ups.conf').value;
    const served = parsed.ups.filter((u) => u.driver !== undefined && u.port !== undefined).map((u) => u.name);
    const list = await session(port, ['LIST UPS']);
    const real = list.filter((l) => l.startsWith('UPS ')).map((l) => l.split(' ')[1]!);
    assert.deepEqual([...real].sort(), [...served].sort());
    assert.deepEqual([...served].sort(), ['A', 'm', 'other']);

    // each user's rights, from the parsed users, against upsd's answers
    const users = parseUpsdUsers(USERS, 'upsd.users').value;
    assert.deepEqual([...users.keys()], ['nomon', 'eqprim', 'sec', 'dup', 'legacy', 'typo', 'admin', 'late', 'noeq', 'noeqpw', 'twowords']);
    const tries: Array<[string, string]> = [...users.values()].map((u) => [u.name, u.password ?? 'x']);
    tries.push(['dup', 'second']); // the second password is ignored by NUT
    tries.push(['twowords', 'two words']); // only the first word of the value is the password
    for (const [name, pw] of tries) {
      const u = users.get(name)!;
      const pwOk = u.password === pw;
      const r = await session(port, [`USERNAME ${name}`, `PASSWORD "${pw}"`, 'LOGIN other', 'PRIMARY other', 'FSD other']);
      const [login, primary, fsd] = r.slice(2);
      const what = `${name}/${pw}: ${JSON.stringify(r)}`;
      assert.equal(login === 'OK', pwOk && u.actions.has('login'), `LOGIN ${what}`);
      assert.equal(primary === 'OK PRIMARY-GRANTED', pwOk && u.upsmon === 'primary', `PRIMARY ${what}`);
      assert.equal(fsd === 'OK FSD-SET', pwOk && u.actions.has('fsd'), `FSD ${what}`);
    }
    // the quirks, spelled out
    assert.equal(users.get('eqprim')!.upsmon, 'primary'); // `upsmon = primary` works
    assert.equal(users.get('legacy')!.upsmon, 'primary'); // master
    assert.equal(users.get('dup')!.upsmon, 'secondary'); // slave
    assert.equal(users.get('typo')!.upsmon, undefined);
    assert.equal(users.get('nomon')!.upsmon, undefined); // the repeated [nomon] fed [late]
    assert.equal(users.get('late')!.upsmon, 'primary');
    assert.equal(users.get('noeqpw')!.password, undefined); // `password x` without "=" is ignored
    assert.equal(users.get('twowords')!.password, 'two');
    assert.equal(users.get('noeq')!.upsmon, 'primary');
  } finally {
    await stop(upsd);
    cleanup();
  }
});

/** Runs real upsmon 2.8.0 with -K (load the config, check the flag, exit: no daemon, no PID file). */
function upsmonLoad(confDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(path.join(NUT_LIBEXEC, 'upsmon'), ['-K', '-D'], {
      env: { ...process.env, NUT_CONFPATH: confDir, NUT_STATEPATH: confDir, NUT_ALTPIDPATH: confDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error('upsmon -K did not exit within 10 s'));
    }, 10_000);
    p.once('exit', () => {
      clearTimeout(t);
      resolve(out);
    });
    p.once('error', reject);
  });
}

const UPSMON_CONF = `MONITOR a@localhost 1 u p prmary
MONITOR b@localhost:3494 2 u p master
MONITOR a@localhost 1 u p primary
MONTIOR x@localhost 1 u p primary
MONITOR c@localhost 1 u
monitor d@localhost 1 u p primary
MONITOR e@localhost garbage u p primary
MONITOR f@localhost:99999 1 u p primary
MONITOR g@[::1]:3493 1 u p slave extra words
POLLFREQ -3
NOTIFYMSG ONBAT "x"
debug_min 1
`;

test('parsed upsmon.conf matches what real upsmon 2.8.0 loads', { timeout: 30_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const { dir, cleanup } = tempDir('walnut-config-upsmon-');
  try {
    fs.writeFileSync(path.join(dir, 'upsmon.conf'), UPSMON_CONF, { mode: 0o640 });
    const out = await upsmonLoad(dir);
    const parsed = parseUpsmonConf(UPSMON_CONF, 'upsmon.conf');
    // UPS: name (role) (power value N) | UPS: name (monitoring only)
    const real = [...out.matchAll(/UPS: (\S+) \((primary|secondary|monitoring only)\)(?: \(power value (\d+)\))?/g)].map((m) => ({
      system: m[1]!,
      role: m[2] === 'monitoring only' ? undefined : m[2],
      pv: m[3] === undefined ? 0 : Number(m[3]),
    }));
    const failedSplit = new Set([...out.matchAll(/unable to split UPS name \[(\S+)\]/g)].map((m) => m[1]!));
    const served = real.filter((r) => !failedSplit.has(r.system));
    assert.deepEqual(
      parsed.value.monitors.map((m) => ({ system: m.system, role: m.powerValue === 0 ? undefined : m.role, pv: m.powerValue })),
      served,
      out,
    );
    // every line upsmon calls an invalid directive is reported by Walnut
    for (const m of out.matchAll(/upsmon\.conf line (\d+): invalid directive/g)) {
      assert.ok(parsed.issues.some((i) => i.line === Number(m[1])), `line ${m[1]} (${out})`);
    }
    assert.ok(/Ignoring invalid POLLFREQ value/.test(out));
    assert.ok(parsed.issues.some((i) => i.line === 10 && /ignored/.test(i.message)));
    assert.ok(/'ONBAT' is not a valid notify event name/.test(out));
    assert.ok(parsed.issues.some((i) => i.line === 11 && /unknown notify type/.test(i.message)));
    assert.equal(parsed.value.debugMin, 1);

    // the legacy 5-token MONITOR is fatal for both
    fs.writeFileSync(path.join(dir, 'upsmon.conf'), 'MONITOR a@localhost 1 pass primary\n', { mode: 0o640 });
    const fatal = await upsmonLoad(dir);
    assert.match(fatal, /Fatal error: unusable configuration/);
    assert.ok(parseUpsmonConf('MONITOR a@localhost 1 pass primary\n', 'upsmon.conf').issues.some((i) => i.severity === 'error' && /old form/.test(i.message)));
  } finally {
    cleanup();
  }
});

test('parsed upssched.conf matches what real upssched 2.8.0 runs', { timeout: 30_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const bin = ['/sbin/upssched', '/usr/sbin/upssched'].find((p) => fs.existsSync(p));
  assert.ok(bin, 'upssched is installed with nut-client');
  const { dir, cleanup } = tempDir('walnut-config-upssched-');
  try {
    const script = path.join(dir, 'cmd.sh');
    const log = path.join(dir, 'cmd.log');
    fs.writeFileSync(script, `#!/bin/sh\necho "$@" >> ${log}\n`, { mode: 0o755 });
    const conf = [
      `CMDSCRIPT ${script}`,
      `PIPEFN ${dir}/upssched.pipe`,
      `LOCKFN ${dir}/upssched.lock`,
      'AT ONLINE * EXECUTE hello',
      'AT online * EXECUTE lowertype',
      'AT ONLINE myups EXECUTE nomatch',
      'AT ONLINE myups@localhost EXECUTE exactmatch',
      'AT ONBATT * EXECUTE othertype',
      'AT ONLINE * STRAT-TIMER x 5',
      'at ONLINE * EXECUTE lowerat',
      'FOO bar',
      'AT ONLINE * CANCEL-TIMER-MATCHED x',
      'AT ONLINE * EXECUTE two words',
      'AT ONLINE *',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'upssched.conf'), conf, { mode: 0o640 });
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(bin!, [], {
        env: { ...process.env, NUT_CONFPATH: dir, UPSNAME: 'myups@localhost', NOTIFYTYPE: 'ONLINE' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let o = '';
      p.stdout!.on('data', (d: Buffer) => (o += d.toString()));
      p.stderr!.on('data', (d: Buffer) => (o += d.toString()));
      const timer = setTimeout(() => (p.kill('SIGKILL'), reject(new Error('upssched did not exit'))), 10_000);
      p.once('exit', () => (clearTimeout(timer), resolve(o)));
      p.once('error', reject);
    });
    const ran = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
    const parsed = parseUpsschedConf(conf, 'upssched.conf');
    const expected = parsed.value.rules
      .filter((r) => r.notifyType === 'ONLINE' && (r.ups === '*' || r.ups === 'myups@localhost'))
      .flatMap((r) => (r.action.kind === 'execute' ? [r.action.cmd] : []));
    assert.deepEqual(ran, expected, out);
    assert.deepEqual(ran, ['hello', 'lowertype', 'exactmatch', 'two']);
    // every line upssched rejects is reported by Walnut
    const rejected = [...out.matchAll(/invalid directive (.+)$|Invalid command: (\S+)/gm)].map((m) => ({ line: m[1], cmd: m[2] }));
    assert.equal(rejected.length, 5, out);
    const lines = conf.split('\n');
    for (const r of rejected) {
      const n = lines.findIndex((l) => (r.line !== undefined ? l === r.line.trim() : l.includes(` ${r.cmd} `))) + 1;
      assert.ok(n > 0 && parsed.issues.some((i) => i.line === n), `"${r}" (line ${n}) not reported`);
    }
  } finally {
    cleanup();
  }
});

const DRIVER_UPS_CONF = `[ok]
	driver = dummy-ups
	port = d.dev
	desc = "x y"
	nolock = no
	mode = dummy-once
	override.ups.model = "Model X"
	default.battery.charge = 50
	sdorder = 2
	pollinterval = 3
[flagform]
	driver = dummy-ups
	port = d.dev
	mode
[typo]
	driver = dummy-ups
	port = d.dev
	criver = x
[perups]
	driver = dummy-ups
	port = d.dev
	maxretry = 3
[badflag]
	driver = dummy-ups
	port = d.dev
	nosuchflag
`;

test('parsed ups.conf sections match what real dummy-ups 2.8.0 does with them', { timeout: 60_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const { dir, cleanup } = tempDir('walnut-config-driver-');
  try {
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    fs.chmodSync(state, 0o777);
    fs.writeFileSync(path.join(dir, 'ups.conf'), DRIVER_UPS_CONF);
    fs.writeFileSync(path.join(dir, 'd.dev'), 'ups.status: OL\n');
    const parsed = parseUpsConf(DRIVER_UPS_CONF, 'ups.conf');
    const asRoot = process.getuid?.() === 0;
    for (const sec of parsed.value.ups) {
      // -d 1: one update, dump the state to stdout, exit
      const out = await new Promise<string>((resolve, reject) => {
        const p = spawn(path.join(NUT_LIBEXEC, 'dummy-ups'), ['-a', sec.name, '-d', '1', ...(asRoot ? ['-u', 'root'] : [])], {
          env: { ...process.env, NUT_CONFPATH: dir, NUT_STATEPATH: state },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let o = '';
        p.stdout!.on('data', (d: Buffer) => (o += d.toString()));
        p.stderr!.on('data', (d: Buffer) => (o += d.toString()));
        const timer = setTimeout(() => (p.kill('SIGKILL'), reject(new Error(`dummy-ups -a ${sec.name} did not exit`))), 15_000);
        p.once('exit', () => (clearTimeout(timer), resolve(o)));
        p.once('error', reject);
      });
      const fatal = /Fatal error: '([^']+)' is not a valid (variable name|flag)/.exec(out);
      const ourFatal = parsed.issues.find(
        (i) => i.line > sec.line && /NUT drivers exit|before 2\.8\.3/.test(i.message) && sec.options.concat(sec.flags.map((f) => ({ key: f.name, value: '', line: f.line }))).some((o) => o.line === i.line),
      );
      assert.equal(!!fatal, !!ourFatal, `[${sec.name}]: ${out}\n${JSON.stringify(parsed.issues)}`);
      if (fatal) {
        assert.match(ourFatal!.message, new RegExp(fatal[1]!));
        continue;
      }
      const flags = [...out.matchAll(/^driver\.flag\.(\S+): enabled$/gm)].map((m) => m[1]!).sort();
      assert.deepEqual(flags, sec.flags.map((f) => f.name).sort(), `[${sec.name}] flags`);
      const params = new Map([...out.matchAll(/^driver\.parameter\.(\S+): (.*)$/gm)].map((m) => [m[1]!, m[2]!]));
      for (const o of sec.options) {
        if (['driver', 'desc', 'sdorder'].includes(o.key) || /^(override|default)\./.test(o.key) || sec.flags.some((f) => f.name === o.key)) continue;
        assert.equal(params.get(o.key), o.value, `[${sec.name}] ${o.key}`);
      }
      for (const o of sec.options.filter((x) => x.key.startsWith('override.'))) {
        assert.match(out, new RegExp(`^${o.key.slice('override.'.length).replace(/\./g, '\\.')}: ${o.value}$`, 'm'));
      }
    }
  } finally {
    cleanup();
  }
});

test('parsed upsd.conf matches what real upsd 2.8.0 rejects', { timeout: 60_000 }, async (t) => {
  if (!requirePeers(t, 'nut')) return;
  const { dir, cleanup } = tempDir('walnut-config-upsdconf-');
  const etc = path.join(dir, 'etc');
  const state = path.join(dir, 'state');
  fs.mkdirSync(etc);
  fs.mkdirSync(state);
  fs.chmodSync(state, 0o777);
  const port = await freePort();
  const body = ['maxage 5', 'MAXAGE', 'TRACKINGDELAY x', 'ALLOW_NO_DEVICE perhaps', 'CERTREQUEST maybe', 'FOO bar', 'LISTEN', 'MAXAGE 7x', 'DEBUG_MIN x'];
  const conf = [`LISTEN 127.0.0.1 ${port}`, ...body].join('\n') + '\n';
  fs.writeFileSync(path.join(etc, 'ups.conf'), '[u]\n\tdriver = dummy-ups\n\tport = u.dev\n');
  fs.writeFileSync(path.join(etc, 'upsd.conf'), conf);
  fs.writeFileSync(path.join(etc, 'upsd.users'), '[u]\n\tpassword = p\n'); // 2.8.0's upsd exits without it
  let upsd: ChildProcess | undefined;
  try {
    upsd = await startUpsd(etc, state);
    await waitListening(port, upsd);
    await stop(upsd);
    const log = (upsd as ChildProcess & { errText?: () => string }).errText?.() ?? '';
    const parsed = parseUpsdConf(conf, 'upsd.conf');
    const rejected = [...log.matchAll(/upsd\.conf: invalid directive (.*)$/gm)].map((m) => m[1]!.trim());
    assert.ok(rejected.length >= 6, log);
    const lines = conf.split('\n');
    for (const r of rejected) {
      const n = lines.indexOf(r) + 1;
      assert.ok(n > 0, `"${r}" not in the file`);
      const i = parsed.issues.find((x) => x.line === n);
      assert.ok(i, `line ${n} "${r}" not reported`);
      assert.equal(i.severity, 'warning', `line ${n}: upsd skips it and starts`);
    }
    // NUT accepts "MAXAGE 7x" as 7 (atoi): so does Walnut, with a warning
    assert.ok(!rejected.includes('MAXAGE 7x'));
    assert.equal(parsed.value.maxAge, 7);
    assert.ok(parsed.issues.every((i) => i.severity === 'warning'));

    // MAXCONN 0: upsd refuses to start; Walnut reports an error
    fs.writeFileSync(path.join(etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nMAXCONN 0\n`);
    upsd = await startUpsd(etc, state);
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 10_000);
      upsd!.once('exit', (c) => (clearTimeout(timer), resolve(c)));
    });
    assert.notEqual(code, 0);
    assert.equal(parseUpsdConf(`MAXCONN 0\n`, 'upsd.conf').issues[0]!.severity, 'error');

    // a missing upsd.users: 2.8.0's upsd exits (later releases only warn); Walnut warns and says so
    fs.writeFileSync(path.join(etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\n`);
    fs.rmSync(path.join(etc, 'upsd.users'));
    upsd = await startUpsd(etc, state);
    const code2 = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 10_000);
      upsd!.once('exit', (c) => (clearTimeout(timer), resolve(c)));
    });
    assert.notEqual(code2, 0);
    const missing = loadConfig(etc, 'upsd.users').issues[0]!;
    assert.equal(missing.severity, 'warning');
    assert.match(missing.message, /NUT 2\.8\.0's upsd exits/);
  } finally {
    if (upsd) await stop(upsd);
    cleanup();
  }
});
