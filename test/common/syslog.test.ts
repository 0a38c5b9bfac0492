/**
 * src/common/log.ts syslog sink, against a real rsyslogd started by the test
 * (test/support/rsyslog.ts), and Walnut's daemons started in the background
 * logging there: upsd's start-up, the how-to's login line, its exit.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { requirePeers, REPO_ROOT, peerMissing, REQUIRE_PEERS } from '../support/peers.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { startRsyslog, type Rsyslog } from '../support/rsyslog.js';
import { nutDir, writeUpsdConf, writeDummyUps } from '../support/real-nut.js';
import { execProgram, waitFor, stopChild } from '../support/proc.js';
import { readPidFile, isAlive } from '../../src/common/daemon.js';
import { SyslogSink, syslogLines, syslogPriority, daemonLog, MemorySink, createLogger, type Severity } from '../../src/common/log.js';
import fc from 'fast-check';
import { NutClient } from '../../src/clients/client.js';

const BIN = path.join(REPO_ROOT, 'bin');
const tmp = tempDir('walnut-syslog-');
let rs: Rsyslog | undefined;

before(async () => {
  if (peerMissing('rsyslog') && !REQUIRE_PEERS) return;
  rs = await startRsyslog(tmp.dir);
});
after(async () => {
  await rs?.stop();
  tmp.cleanup();
});

test('PRI values and line shaping: facility daemon, severities, redaction, one line per line', () => {
  assert.equal(syslogPriority('info'), 30);
  assert.equal(syslogPriority('error'), 27);
  assert.equal(syslogPriority('alert'), 25);
  assert.equal(syslogPriority('debug'), 31);
  assert.equal(syslogPriority('notice', 'local0'), 133);
  assert.deepEqual(syslogLines('warning', 'one\n\ntwo\r\nthree'), ['<28>one', '<28>two', '<28>three']);
  assert.deepEqual(syslogLines('info', 'PASSWORD hunter2'), ['<30>PASSWORD ********']);
  assert.deepEqual(syslogLines('info', 'a\x00b\tc'), ['<30>a?b\tc']);
  assert.deepEqual(syslogLines('info', '   '), []);
});

test('any message becomes lines logger can carry: one <PRI> prefix, no control characters, no password (property)', () => {
  fc.assert(
    fc.property(fc.constantFrom('debug', 'info', 'notice', 'warning', 'error', 'crit', 'alert') as fc.Arbitrary<Severity>, fc.string({ unit: 'binary' }), (sev, msg) => {
      for (const l of syslogLines(sev, msg)) {
        assert.match(l, /^<\d+>/);
        assert.doesNotMatch(l, /[\x00-\x08\x0a-\x1f\x7f]/);
      }
      for (const l of syslogLines(sev, `PASSWORD ${msg.replace(/[\r\n]/g, '')}x`)) assert.doesNotMatch(l, /x$/);
    }),
  );
});

test('SyslogSink delivers to a real rsyslogd with tag, PID, facility and severity', async (t) => {
  if (!requirePeers(t, 'rsyslog')) return;
  const sink = new SyslogSink({ ident: 'walnut-test', pid: 4242, socket: rs!.socketPath });
  const log = createLogger(sink, 1);
  log.info('hello from walnut');
  log.error('an error line');
  log.alert('UPS dummy@localhost on battery');
  log.debug(1, 'a debug line');
  log.info('PASSWORD topsecret');
  await sink.close();
  await rs!.waitForLine(/^daemon\.alert walnut-test\[4242\]: UPS dummy@localhost on battery$/);
  const lines = rs!.lines().filter((l) => l.includes('walnut-test[4242]'));
  assert.deepEqual(lines, [
    'daemon.info walnut-test[4242]: hello from walnut',
    'daemon.err walnut-test[4242]: an error line',
    'daemon.alert walnut-test[4242]: UPS dummy@localhost on battery',
    'daemon.debug walnut-test[4242]: a debug line',
    'daemon.info walnut-test[4242]: PASSWORD ********',
  ]);
  assert.equal(sink.dropped, 0);
});

test('no syslog daemon, no logger program, a dead logger: the sink never throws or blocks', async () => {
  const gone = new SyslogSink({ ident: 'x', socket: path.join(tmp.dir, 'no-such-socket') });
  for (let i = 0; i < 100; i++) gone.write('info', `line ${i}`);
  await gone.close();
  const noLogger = new SyslogSink({ ident: 'x', socket: path.join(tmp.dir, 'no-such-socket'), loggerPath: path.join(tmp.dir, 'no-logger') });
  noLogger.write('info', 'first');
  await new Promise((r) => setTimeout(r, 200)); // the spawn error arrives asynchronously
  for (let i = 0; i < 20; i++) noLogger.write('info', `line ${i}`);
  assert.ok(noLogger.dropped >= 20, `dropped ${noLogger.dropped}`);
  await noLogger.close();
  // a logger that exits at once (`true`) is replaced a few times, then lines are dropped
  const dead = new SyslogSink({ ident: 'x', loggerPath: '/bin/true' });
  for (let i = 0; i < 30; i++) {
    dead.write('info', `line ${i}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  await dead.close();
});

test('daemonLog: foreground = stderr (+ syslog when a socket exists); background = syslog + stderr; WALNUT_SYSLOG=off', async () => {
  const mem = new MemorySink();
  const fgNoSock = daemonLog({ ident: 'x', foreground: true, env: { WALNUT_SYSLOG_SOCKET: '/nonexistent' }, stderrSink: mem });
  assert.equal(fgNoSock.syslog, undefined);
  fgNoSock.logger.info('to stderr');
  assert.equal(mem.text(), 'to stderr');
  const fgSock = daemonLog({ ident: 'x', foreground: true, env: { WALNUT_SYSLOG_SOCKET: '/s' }, stderrSink: mem, socketExists: () => true });
  assert.ok(fgSock.syslog);
  assert.equal(fgSock.syslog.socket, '/s');
  await fgSock.close();
  const bg = daemonLog({ ident: 'x', foreground: false, env: {}, stderrSink: mem });
  assert.equal(bg.syslog?.socket, '/dev/log');
  await bg.close();
  const off = daemonLog({ ident: 'x', foreground: false, env: { WALNUT_SYSLOG: 'off' }, stderrSink: mem });
  assert.equal(off.syslog, undefined);
});

test('Walnut upsd and dummy-ups in the background log start-up, the login line and exit to the real syslog daemon', async (t) => {
  if (!requirePeers(t, 'rsyslog')) return;
  const d = nutDir('walnut-syslog-upsd-');
  const port = await freePort();
  writeUpsdConf(d, port);
  writeDummyUps(d);
  const env = { ...d.env, ...rs!.env, WALNUT_NO_BUNDLE: '1' };
  let upsd: ReturnType<typeof spawn> | undefined;
  let driverPid: number | undefined;
  let client: NutClient | undefined;
  try {
    // the driver without -F goes to the background: its detached copy logs to syslog
    const drv = await execProgram(process.execPath, [path.join(BIN, 'dummy-ups'), '-a', 'dummy', '-u', 'root'], env, 30_000);
    assert.equal(drv.code, 0, drv.stderr);
    driverPid = readPidFile(path.join(d.run, 'dummy-ups-dummy.pid'));
    assert.ok(driverPid && isAlive(driverPid));
    // upsd without -F: background logging (Walnut never forks)
    upsd = spawn(process.execPath, [path.join(BIN, 'upsd'), '-u', 'root'], { env, stdio: ['ignore', 'ignore', 'ignore'] });
    const upsdPid = upsd.pid!;
    await rs!.waitForLine(new RegExp(`^daemon\\.info upsd\\[${upsdPid}\\]: listening on 127\\.0\\.0\\.1 port ${port}$`), 20_000);
    await rs!.waitForLine(new RegExp(`^daemon\\.info upsd\\[${upsdPid}\\]: Connected to UPS \\[dummy\\]: dummy-ups-dummy$`));
    await waitFor('upsd serving', async () => {
      try {
        client ??= await NutClient.connect('127.0.0.1', port, { timeoutMs: 2000 });
        return (await client.get('dummy', 'ups.status')) === 'OL';
      } catch {
        client?.close();
        client = undefined;
        return false;
      }
    }, 15_000, 200);
    await client!.username('monpri');
    await client!.password('pripass');
    await client!.login('dummy');
    // the how-to: "Check syslog. You should find an entry like: upsd[12061]: User locupsmon@127.0.0.1 logged into UPS [myups]"
    await rs!.waitForLine(new RegExp(`^daemon\\.info upsd\\[${upsdPid}\\]: User monpri@127\\.0\\.0\\.1 logged into UPS \\[dummy\\]$`));
    await client!.logout().catch(() => {});
    client!.close();
    client = undefined;
    await rs!.waitForLine(new RegExp(`upsd\\[${upsdPid}\\]: User monpri@127\\.0\\.0\\.1 logged out from UPS \\[dummy\\]$`));
    const stop = await execProgram(process.execPath, [path.join(BIN, 'upsd'), '-c', 'stop'], env, 15_000);
    assert.equal(stop.code, 0, stop.stderr);
    await rs!.waitForLine(new RegExp(`^daemon\\.info upsd\\[${upsdPid}\\]: Signal 15: exiting$`));
    // the driver's detached copy logs with its own tag and PID
    process.kill(driverPid, 'SIGHUP');
    await rs!.waitForLine(new RegExp(`^daemon\\.info dummy-ups\\[${driverPid}\\]: SIGHUP: dummy-ups does not reload`));
    const all = fs.readFileSync(rs!.logFile, 'utf8');
    assert.ok(!all.includes('pripass'), 'no password in syslog');
  } finally {
    client?.close();
    if (upsd) await stopChild(upsd);
    if (driverPid && isAlive(driverPid)) {
      process.kill(driverPid, 'SIGTERM');
      await waitFor('driver exit', () => !isAlive(driverPid!), 5000).catch(() => process.kill(driverPid!, 'SIGKILL'));
    }
    d.cleanup();
  }
});
