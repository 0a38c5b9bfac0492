/** The session core without sockets: NUT 2.8.0's transcripts, check orders, FSD, tracking, staleness. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeHarness, runTranscript, send } from './helpers.js';

test('versions and help', () => {
  runTranscript(
    makeHarness(),
    `
C: VER
S: Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/
C: NETVER
S: 1.3
C: PROTVER
S: 1.3
C: HELP
S: Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS
C: VER extra
S: ERR INVALID-ARGUMENT
C: HELP me
S: ERR INVALID-ARGUMENT
C: NETVER x
S: ERR INVALID-ARGUMENT
C: PROTVER x
S: ERR INVALID-ARGUMENT
C: STARTTLS
S: ERR FEATURE-NOT-CONFIGURED
C: STARTTLS extra
S: ERR FEATURE-NOT-CONFIGURED
`,
  );
});

test('read-only queries (transcript)', () => {
  runTranscript(
    makeHarness(),
    `
C: LIST UPS
S: BEGIN LIST UPS
S: UPS dummy "real-nut reference dummy UPS"
S: END LIST UPS
C: LIST VAR dummy
S: BEGIN LIST VAR dummy
S: VAR dummy battery.charge "100"
S: VAR dummy battery.charge.low "20"
S: VAR dummy battery.runtime "3600"
S: VAR dummy battery.runtime.low "120"
S: VAR dummy battery.voltage "13.5"
S: VAR dummy battery.voltage.nominal "12"
S: VAR dummy device.mfr "Dummy Manufacturer"
S: VAR dummy device.model "Dummy UPS"
S: VAR dummy device.serial "DUMMY0001"
S: VAR dummy device.type "ups"
S: VAR dummy driver.name "dummy-ups"
S: VAR dummy driver.parameter.mode "dummy-once"
S: VAR dummy driver.parameter.pollinterval "2"
S: VAR dummy driver.parameter.port "dummy.dev"
S: VAR dummy driver.parameter.synchronous "auto"
S: VAR dummy driver.version "2.8.0"
S: VAR dummy driver.version.internal "0.15"
S: VAR dummy input.voltage "230.0"
S: VAR dummy input.voltage.nominal "230"
S: VAR dummy output.voltage "230.0"
S: VAR dummy ups.load "25"
S: VAR dummy ups.mfr "Dummy Manufacturer"
S: VAR dummy ups.model "Dummy UPS"
S: VAR dummy ups.serial "DUMMY0001"
S: VAR dummy ups.status "OL"
S: END LIST VAR dummy
C: GET VAR dummy ups.status
S: VAR dummy ups.status "OL"
C: GET TYPE dummy ups.status
S: TYPE dummy ups.status RW STRING:32
C: GET TYPE dummy battery.charge
S: TYPE dummy battery.charge RW NUMBER
C: GET TYPE dummy device.type
S: TYPE dummy device.type NUMBER
C: GET DESC dummy ups.status
S: DESC dummy ups.status "UPS status"
C: GET DESC dummy no.such.var
S: DESC dummy no.such.var "Description unavailable"
C: GET UPSDESC dummy
S: UPSDESC dummy "real-nut reference dummy UPS"
C: GET NUMLOGINS dummy
S: NUMLOGINS dummy 0
C: LIST CMD dummy
S: BEGIN LIST CMD dummy
S: CMD dummy load.off
S: END LIST CMD dummy
C: GET CMDDESC dummy load.off
S: CMDDESC dummy load.off "Turn off the load immediately"
C: GET CMDDESC dummy no.such
S: CMDDESC dummy no.such "Description unavailable"
C: LIST RW dummy
S: BEGIN LIST RW dummy
S: RW dummy battery.charge "100"
S: RW dummy battery.charge.low "20"
S: RW dummy battery.runtime "3600"
S: RW dummy battery.runtime.low "120"
S: RW dummy battery.voltage "13.5"
S: RW dummy battery.voltage.nominal "12"
S: RW dummy input.voltage "230.0"
S: RW dummy input.voltage.nominal "230"
S: RW dummy output.voltage "230.0"
S: RW dummy ups.load "25"
S: RW dummy ups.mfr "Dummy Manufacturer"
S: RW dummy ups.model "Dummy UPS"
S: RW dummy ups.serial "DUMMY0001"
S: RW dummy ups.status "OL"
S: END LIST RW dummy
C: LIST ENUM dummy ups.status
S: BEGIN LIST ENUM dummy ups.status
S: END LIST ENUM dummy ups.status
C: LIST RANGE dummy ups.status
S: BEGIN LIST RANGE dummy ups.status
S: END LIST RANGE dummy ups.status
C: LIST ENUM dummy no.such.var
S: ERR VAR-NOT-SUPPORTED
C: LIST RANGE dummy no.such.var
S: ERR VAR-NOT-SUPPORTED
C: LIST CLIENT dummy
S: BEGIN LIST CLIENT dummy
S: END LIST CLIENT dummy
C: LIST CLIENT nosuch
S: ERR UNKNOWN-UPS
C: GET VAR dummy server.info
S: VAR dummy server.info "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/"
C: GET VAR nosuch server.version
S: VAR nosuch server.version "2.8.0"
C: GET VAR nosuch SERVER.Version
S: VAR nosuch server.version "2.8.0"
C: GET VAR nosuch server.other
S: ERR VAR-NOT-SUPPORTED
C: GET TRACKING
S: OFF
C: GET TRACKING abc
S: ERR FEATURE-NOT-CONFIGURED
`,
  );
});

test('upsmon primary login flow, LIST CLIENT, NUMLOGINS, LOGOUT', () => {
  const h = makeHarness();
  runTranscript(
    h,
    `
C: LOGIN dummy
S: ERR USERNAME-REQUIRED
C: PASSWORD pripass
S: OK
C: LOGIN dummy
S: ERR USERNAME-REQUIRED
C: USERNAME monpri
S: OK
C: LOGIN dummy
S: OK
C: LOGIN dummy
S: ERR ALREADY-LOGGED-IN
C: PRIMARY dummy
S: OK PRIMARY-GRANTED
C: MASTER dummy
S: OK MASTER-GRANTED
C: GET NUMLOGINS dummy
S: NUMLOGINS dummy 1
C: LIST CLIENT dummy
S: BEGIN LIST CLIENT dummy
S: CLIENT dummy 127.0.0.1
S: END LIST CLIENT dummy
C: PRIMARY nosuch
S: ERR UNKNOWN-UPS
C: LOGIN
S: ERR INVALID-ARGUMENT
C: LOGOUT extra
S: ERR INVALID-ARGUMENT
C: LOGOUT
S: OK Goodbye
S: <closed by server>
`,
  );
  assert.equal(h.ups.numLogins, 0);
  assert.match(h.sink.text(), /^User monpri@127\.0\.0\.1 logged into UPS \[dummy\]$/m);
  assert.match(h.sink.text(), /^Client monpri@127\.0\.0\.1 tried to login twice$/m);
  assert.match(h.sink.text(), /^User monpri@127\.0\.0\.1 logged out from UPS \[dummy\]$/m);
});

test('secondary, admin and wrong-password flows; failed logins logged without the password', () => {
  const h = makeHarness();
  runTranscript(
    h,
    `
C: USERNAME monsec
S: OK
C: PASSWORD secpass
S: OK
C: LOGIN dummy
S: OK
C: PRIMARY dummy
S: ERR ACCESS-DENIED
C: MASTER dummy
S: ERR ACCESS-DENIED
C: FSD dummy
S: ERR ACCESS-DENIED
C: LOGOUT
S: OK Goodbye
S: <closed by server>
`,
  );
  runTranscript(
    h,
    `
C: USERNAME admin
S: OK
C: PASSWORD adminpass
S: OK
C: LOGIN dummy
S: ERR ACCESS-DENIED
C: USERNAME other
S: ERR ALREADY-SET-USERNAME
C: PASSWORD x
S: ERR ALREADY-SET-PASSWORD
C: LOGOUT
S: OK Goodbye
S: <closed by server>
`,
  );
  runTranscript(
    h,
    `
C: USERNAME monpri
S: OK
C: PASSWORD Xbadpw9
S: OK
C: LOGIN dummy
S: ERR ACCESS-DENIED
C: PRIMARY dummy
S: ERR ACCESS-DENIED
C: LOGIN nosuchups
S: ERR UNKNOWN-UPS
C: USERNAME
S: ERR INVALID-ARGUMENT
C: PASSWORD a b
S: ERR INVALID-ARGUMENT
`,
  );
  runTranscript(
    h,
    `
C: USERNAME nobody
S: OK
C: PASSWORD Ywhat8
S: OK
C: LOGIN dummy
S: ERR ACCESS-DENIED
`,
  );
  const log = h.sink.text();
  assert.match(log, /^Client admin@127\.0\.0\.1 tried to set a username twice$/m);
  assert.match(log, /^Client admin@127\.0\.0\.1 tried to set a password twice$/m);
  assert.match(log, /^User admin@127\.0\.0\.1 failed to log into UPS \[dummy\]: no login permission$/m);
  assert.match(log, /^User monpri@127\.0\.0\.1 failed to log into UPS \[dummy\]: wrong password$/m);
  assert.match(log, /^User nobody@127\.0\.0\.1 failed to log into UPS \[dummy\]: unknown user$/m);
  for (const pw of ['Xbadpw9', 'Ywhat8', 'pripass', 'secpass', 'adminpass']) assert.ok(!log.includes(pw), `password ${pw} in the log`);
});

test('USERNAME without PASSWORD; SET/INSTCMD/FSD without permission', () => {
  const h = makeHarness();
  runTranscript(
    h,
    `
C: USERNAME monpri
S: OK
C: LOGIN dummy
S: ERR PASSWORD-REQUIRED
C: SET VAR dummy ups.load 1
S: ERR PASSWORD-REQUIRED
C: PRIMARY dummy
S: ERR PASSWORD-REQUIRED
C: INSTCMD dummy load.off
S: ERR PASSWORD-REQUIRED
C: FSD dummy
S: ERR PASSWORD-REQUIRED
C: MASTER dummy
S: ERR PASSWORD-REQUIRED
`,
  );
  runTranscript(
    h,
    `
C: SET VAR dummy ups.load 50
S: ERR USERNAME-REQUIRED
C: INSTCMD dummy load.off
S: ERR USERNAME-REQUIRED
C: FSD dummy
S: ERR USERNAME-REQUIRED
C: SET TRACKING ON
S: ERR USERNAME-REQUIRED
C: USERNAME viewer
S: OK
C: SET VAR dummy ups.load 50
S: ERR PASSWORD-REQUIRED
C: PASSWORD viewpass
S: OK
C: SET VAR dummy ups.load 50
S: ERR ACCESS-DENIED
C: INSTCMD dummy load.off
S: ERR ACCESS-DENIED
C: INSTCMD dummy no.such.cmd
S: ERR CMD-NOT-SUPPORTED
C: FSD dummy
S: ERR ACCESS-DENIED
C: SET VAR dummy no.such.var 1
S: ERR ACCESS-DENIED
C: SET TRACKING ON
S: OK
C: GET TRACKING
S: ON
`,
  );
  assert.deepEqual(h.toDriver, []);
});

test('SET VAR / INSTCMD with permission: check order and what goes to the driver', () => {
  const h = makeHarness();
  runTranscript(
    h,
    `
C: USERNAME admin
S: OK
C: PASSWORD adminpass
S: OK
C: SET VAR dummy ups.load 50
S: OK
C: SET VAR dummy ups.load
S: ERR INVALID-ARGUMENT
C: SET VAR dummy nosuch.var 1
S: ERR VAR-NOT-SUPPORTED
C: SET VAR dummy device.type pdu
S: ERR READONLY
C: SET VAR nosuch ups.load 1
S: ERR UNKNOWN-UPS
C: SET VAR dummy ups.mfr "0123456789012345678901234567890123"
S: ERR TOO-LONG
C: SET VAR dummy ups.mfr "01234567890123456789012345678901"
S: OK
C: INSTCMD dummy load.off
S: OK
C: INSTCMD dummy load.off 5
S: OK
C: INSTCMD dummy LOAD.OFF
S: OK
C: INSTCMD dummy load.off a b
S: OK
C: INSTCMD dummy no.such.cmd
S: ERR CMD-NOT-SUPPORTED
C: INSTCMD dummy
S: ERR INVALID-ARGUMENT
C: INSTCMD nosuch load.off
S: ERR UNKNOWN-UPS
C: SET VAR dummy ups.load 25 extra words
S: OK
C: SET VAR dummy ups.model "x\\"y"
S: OK
C: SET FOO dummy ups.load 1
S: ERR INVALID-ARGUMENT
C: SET VAR
S: ERR INVALID-ARGUMENT
C: SET
S: ERR INVALID-ARGUMENT
C: SET VAR dummy ups.load ""
S: OK
`,
  );
  assert.deepEqual(h.toDriver, [
    'SET ups.load "50"\n',
    'SET ups.mfr "01234567890123456789012345678901"\n',
    'INSTCMD load.off\n',
    'INSTCMD load.off "5"\n',
    'INSTCMD LOAD.OFF\n',
    'INSTCMD load.off\n',
    'SET ups.load "25"\n',
    'SET ups.model "x\\"y"\n',
    'SET ups.load ""\n',
  ]);
  const log = h.sink.text();
  assert.match(log, /^Set variable: admin@127\.0\.0\.1 set ups\.load on dummy to 50 \(tracking ID: disabled\)$/m);
  assert.match(log, /^Instant command: admin@127\.0\.0\.1 did load\.off on dummy \(tracking ID: disabled\)$/m);
  assert.match(log, /^Instant command: admin@127\.0\.0\.1 did load\.off with value 5 on dummy \(tracking ID: disabled\)$/m);
  assert.match(log, /^Set variable: admin@127\.0\.0\.1 set ups\.model on dummy to x"y \(tracking ID: disabled\)$/m);
});

test('SET: enum, range, STRING aux and SET-FAILED rules', () => {
  const h = makeHarness();
  h.driver(`SETINFO test.enum "a"
SETFLAGS test.enum RW
ADDENUM test.enum "a"
ADDENUM test.enum "q\\"uote"
ADDENUM test.enum "h\\#sh"
ADDENUM test.enum "b\\\\s"
SETINFO test.range "5"
SETFLAGS test.range RW NUMBER
ADDRANGE test.range 1 10
ADDRANGE test.range 20 30
SETINFO test.noaux "x"
SETFLAGS test.noaux RW STRING
SETINFO test.ro "1"
`);
  const s = h.session();
  send(s, 'USERNAME admin');
  send(s, 'PASSWORD adminpass');
  assert.deepEqual(send(s, 'SET VAR dummy test.enum a'), ['OK']);
  assert.deepEqual(send(s, 'SET VAR dummy test.enum A'), ['ERR INVALID-VALUE']);
  assert.deepEqual(send(s, 'SET VAR dummy test.enum c'), ['ERR INVALID-VALUE']);
  // divergence: NUT 2.8.0 can never SET enum values containing " \ # (docs/compatibility.md)
  assert.deepEqual(send(s, 'SET VAR dummy test.enum "q\\"uote"'), ['OK']);
  assert.deepEqual(send(s, 'SET VAR dummy test.enum "h\\#sh"'), ['OK']);
  assert.deepEqual(send(s, 'SET VAR dummy test.enum "b\\\\s"'), ['OK']);
  assert.deepEqual(send(s, 'SET VAR dummy test.range 5'), ['OK']);
  assert.deepEqual(send(s, 'SET VAR dummy test.range 145abc'), ['ERR INVALID-VALUE']);
  assert.deepEqual(send(s, 'SET VAR dummy test.range 25xyz'), ['OK']);
  assert.deepEqual(send(s, 'SET VAR dummy test.range xyz'), ['ERR INVALID-VALUE']);
  assert.deepEqual(send(s, 'SET VAR dummy test.range 10'), ['OK']);
  assert.deepEqual(send(s, 'SET VAR dummy test.range 11'), ['ERR INVALID-VALUE']);
  assert.deepEqual(send(s, 'SET VAR dummy test.noaux y'), ['ERR SET-FAILED']);
  assert.deepEqual(send(s, 'SET VAR dummy test.ro 2'), ['ERR READONLY']);
  assert.deepEqual(send(s, 'GET TYPE dummy test.enum'), ['TYPE dummy test.enum RW ENUM NUMBER']);
  assert.deepEqual(send(s, 'GET TYPE dummy test.range'), ['TYPE dummy test.range RW RANGE NUMBER']);
  assert.deepEqual(send(s, 'LIST ENUM dummy TEST.ENUM'), [
    'BEGIN LIST ENUM dummy TEST.ENUM',
    'ENUM dummy TEST.ENUM "a"',
    'ENUM dummy TEST.ENUM "q\\"uote"',
    'ENUM dummy TEST.ENUM "h\\#sh"',
    'ENUM dummy TEST.ENUM "b\\\\s"',
    'END LIST ENUM dummy TEST.ENUM',
  ]);
  assert.deepEqual(send(s, 'LIST RANGE dummy test.range'), [
    'BEGIN LIST RANGE dummy test.range',
    'RANGE dummy test.range "1" "10"',
    'RANGE dummy test.range "20" "30"',
    'END LIST RANGE dummy test.range',
  ]);
  assert.deepEqual(send(s, 'LIST ENUM dummy'), ['ERR INVALID-ARGUMENT']);
  // a failed write to the driver
  h.ups.sender = () => false;
  assert.deepEqual(send(s, 'SET VAR dummy test.range 5'), ['ERR SET-FAILED']);
  assert.deepEqual(send(s, 'INSTCMD dummy load.off'), ['ERR INSTCMD-FAILED']);
});

test('TRACKING: ids are random upper-case UUIDs, results mapped, purge after TRACKINGDELAY', () => {
  const h = makeHarness();
  const s = h.session();
  send(s, 'USERNAME admin');
  send(s, 'PASSWORD adminpass');
  assert.deepEqual(send(s, 'SET TRACKING maybe'), ['ERR INVALID-ARGUMENT']);
  assert.deepEqual(send(s, 'SET TRACKING on'), ['OK']);
  assert.deepEqual(send(s, 'GET TRACKING'), ['ON']);
  const [r1] = send(s, 'SET VAR dummy ups.load 61');
  const m = /^OK TRACKING ([0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12})$/.exec(r1!);
  assert.ok(m, r1);
  const id = m[1]!;
  assert.equal(h.toDriver.at(-1), `SET ups.load "61" TRACKING ${id}\n`);
  assert.deepEqual(send(s, `GET TRACKING ${id}`), ['PENDING']);
  assert.deepEqual(send(s, `GET TRACKING ${id.toLowerCase()}`), ['PENDING']);
  h.driver(`TRACKING ${id} 0`);
  assert.deepEqual(send(s, `GET TRACKING ${id}`), ['SUCCESS']);
  const [r2] = send(s, 'INSTCMD dummy load.off 7');
  const id2 = r2!.split(' ')[2]!;
  assert.notEqual(id2, id);
  assert.equal(h.toDriver.at(-1), `INSTCMD load.off "7" TRACKING ${id2}\n`);
  for (const [code, text] of [
    [1, 'ERR UNKNOWN'],
    [2, 'ERR INVALID-ARGUMENT'],
    [3, 'ERR FAILED'],
    [4, 'ERR INVALID-ARGUMENT'],
    [99, 'ERR UNKNOWN'],
    [-1, 'PENDING'],
  ] as const) {
    h.driver(`TRACKING ${id2} ${code}`);
    assert.deepEqual(send(s, `GET TRACKING ${id2}`), [text]);
  }
  assert.deepEqual(send(s, 'GET TRACKING 00000000-0000-0000-0000-000000000000'), ['ERR UNKNOWN']);
  // ids are shared by every connection
  const other = h.session();
  send(other, 'USERNAME viewer');
  send(other, 'PASSWORD wrong');
  assert.deepEqual(send(other, `GET TRACKING ${id}`), ['ERR FEATURE-NOT-CONFIGURED']);
  assert.deepEqual(send(other, 'SET TRACKING ON'), ['OK']);
  assert.deepEqual(send(other, `GET TRACKING ${id}`), ['SUCCESS']);
  // purge after TRACKINGDELAY
  h.core.tracking.purge(h.clock.now() + 3600_000 + 1, 3600_000);
  assert.deepEqual(send(s, `GET TRACKING ${id}`), ['ERR UNKNOWN']);
  assert.deepEqual(send(s, 'SET TRACKING OFF'), ['OK']);
  assert.deepEqual(send(s, 'GET TRACKING'), ['OFF']);
  assert.deepEqual(send(s, `GET TRACKING ${id}`), ['ERR FEATURE-NOT-CONFIGURED']);
  assert.deepEqual(send(s, 'SET VAR dummy ups.load 25'), ['OK']);
  assert.match(h.sink.text(), new RegExp(`^Set variable: admin@127\\.0\\.0\\.1 set ups\\.load on dummy to 61 \\(tracking ID: ${id}\\)$`, 'm'));
});

test('FSD latch: only GET VAR / LIST VAR ups.status, not LIST RW; survives a driver reconnect', () => {
  const h = makeHarness();
  runTranscript(
    h,
    `
C: USERNAME admin
S: OK
C: PASSWORD adminpass
S: OK
C: FSD
S: ERR INVALID-ARGUMENT
C: FSD nosuch
S: ERR UNKNOWN-UPS
C: FSD dummy
S: OK FSD-SET
C: FSD DUMMY
S: OK FSD-SET
C: GET VAR dummy ups.status
S: VAR dummy ups.status "FSD OL"
C: GET VAR dummy UPS.Status
S: VAR dummy UPS.Status "FSD OL"
`,
  );
  const s = h.session();
  const list = send(s, 'LIST VAR dummy');
  assert.equal(list.at(-2), 'VAR dummy ups.status "FSD OL"');
  assert.ok(send(s, 'LIST RW dummy').includes('RW dummy ups.status "OL"'));
  assert.match(h.sink.text(), /^Client admin@127\.0\.0\.1 set FSD on UPS \[dummy\]$/m);
  // driver goes away and comes back
  h.ups.onDisconnect();
  assert.deepEqual(send(s, 'GET VAR dummy ups.status'), ['ERR DRIVER-NOT-CONNECTED']);
  h.ups.onConnect(h.clock.now());
  assert.deepEqual(send(s, 'GET VAR dummy ups.status'), ['VAR dummy ups.status "FSD WAIT"']);
  h.driver('SETINFO ups.status "OB LB"\nDATAOK\nDUMPDONE');
  assert.deepEqual(send(s, 'GET VAR dummy ups.status'), ['VAR dummy ups.status "FSD OB LB"']);
});

test('driver link states: WAIT until DUMPDONE, DRIVER-NOT-CONNECTED, DATA-STALE (MAXAGE, DATASTALE)', () => {
  const h = makeHarness({ connected: false });
  const s = h.session();
  const avail = [
    'GET NUMLOGINS dummy',
    'GET VAR dummy ups.status',
    'GET TYPE dummy ups.status',
    'GET DESC dummy ups.status',
    'GET CMDDESC dummy load.off',
    'LIST VAR dummy',
    'LIST RW dummy',
    'LIST CMD dummy',
    'LIST ENUM dummy ups.status',
    'LIST RANGE dummy ups.status',
  ];
  for (const l of avail) assert.deepEqual(send(s, l), ['ERR DRIVER-NOT-CONNECTED'], l);
  // these work with the driver down
  assert.deepEqual(send(s, 'GET UPSDESC dummy'), ['UPSDESC dummy "real-nut reference dummy UPS"']);
  assert.deepEqual(send(s, 'LIST CLIENT dummy'), ['BEGIN LIST CLIENT dummy', 'END LIST CLIENT dummy']);
  assert.deepEqual(send(s, 'GET VAR dummy server.version'), ['VAR dummy server.version "2.8.0"']);
  assert.equal(send(s, 'LIST UPS').length, 3);
  send(s, 'USERNAME monpri');
  send(s, 'PASSWORD pripass');
  assert.deepEqual(send(s, 'LOGIN dummy'), ['OK']);
  assert.deepEqual(send(s, 'PRIMARY dummy'), ['OK PRIMARY-GRANTED']);
  assert.deepEqual(send(s, 'FSD dummy'), ['OK FSD-SET']);
  assert.deepEqual(send(s, 'SET VAR dummy ups.load 1'), ['ERR DRIVER-NOT-CONNECTED']);
  assert.deepEqual(send(s, 'INSTCMD dummy load.off'), ['ERR DRIVER-NOT-CONNECTED']);
  assert.deepEqual(send(s, 'SET VAR nosuch ups.load 1'), ['ERR UNKNOWN-UPS']);

  // connected, dump in progress: only ups.status "WAIT"
  h.ups.fsd = false;
  h.ups.onConnect(h.clock.now());
  h.driver('SETINFO ups.status "OL"\nSETINFO ups.load "25"\nADDCMD load.off\nDATAOK');
  assert.deepEqual(send(s, 'LIST VAR dummy'), ['BEGIN LIST VAR dummy', 'VAR dummy ups.status "WAIT"', 'END LIST VAR dummy']);
  assert.deepEqual(send(s, 'GET VAR dummy ups.load'), ['ERR VAR-NOT-SUPPORTED']);
  assert.deepEqual(send(s, 'GET TYPE dummy ups.status'), ['TYPE dummy ups.status NUMBER']);
  h.driver('DUMPDONE');
  assert.deepEqual(send(s, 'GET VAR dummy ups.load'), ['VAR dummy ups.load "25"']);
  assert.deepEqual(send(s, 'GET NUMLOGINS dummy'), ['NUMLOGINS dummy 1']);

  // silence: stale after more than MAXAGE (15 s)
  h.clock.advance(15_000);
  assert.deepEqual(send(s, 'GET VAR dummy ups.status'), ['VAR dummy ups.status "OL"']);
  h.clock.advance(1);
  for (const l of avail) assert.deepEqual(send(s, l), ['ERR DATA-STALE'], l);
  assert.deepEqual(send(s, 'SET VAR dummy ups.load 1'), ['ERR DATA-STALE']);
  assert.deepEqual(send(s, 'INSTCMD dummy load.off'), ['ERR DATA-STALE']);
  assert.deepEqual(send(s, 'GET UPSDESC dummy'), ['UPSDESC dummy "real-nut reference dummy UPS"']);
  // a valid line counts as heard; an unknown one does not
  h.driver('BOGUS line');
  assert.deepEqual(send(s, 'GET VAR dummy ups.status'), ['ERR DATA-STALE']);
  h.driver('PONG');
  assert.deepEqual(send(s, 'GET VAR dummy ups.status'), ['VAR dummy ups.status "OL"']);
  // DATASTALE after the dump makes it stale at once; DATAOK clears it
  h.driver('DATASTALE');
  assert.deepEqual(send(s, 'GET VAR dummy ups.status'), ['ERR DATA-STALE']);
  h.driver('DATAOK');
  assert.deepEqual(send(s, 'GET VAR dummy ups.status'), ['VAR dummy ups.status "OL"']);
  // disconnect drops all data, keeps the login
  h.ups.onDisconnect();
  assert.deepEqual(send(s, 'GET VAR dummy ups.status'), ['ERR DRIVER-NOT-CONNECTED']);
  assert.deepEqual(send(s, 'LIST CLIENT dummy'), ['BEGIN LIST CLIENT dummy', 'CLIENT dummy 127.0.0.1', 'END LIST CLIENT dummy']);
});

test('malformed lines, case rules, echo of the client spelling', () => {
  runTranscript(
    makeHarness(),
    `
C: FOO
S: ERR UNKNOWN-COMMAND
C: foo bar
S: ERR UNKNOWN-COMMAND
C: 
S: ERR UNKNOWN-COMMAND
C:    
S: ERR UNKNOWN-COMMAND
C: # only a comment
S: ERR UNKNOWN-COMMAND
C: get var dummy ups.status
S: VAR dummy ups.status "OL"
C: Get Var DUMMY ups.status
S: VAR DUMMY ups.status "OL"
C: GET VAR DUMMY UPS.STATUS
S: VAR DUMMY UPS.STATUS "OL"
C: GET
S: ERR INVALID-ARGUMENT
C: GET VAR
S: ERR INVALID-ARGUMENT
C: GET VAR dummy
S: ERR INVALID-ARGUMENT
C: GET VAR nosuch ups.status
S: ERR UNKNOWN-UPS
C: GET VAR dummy no.such.var
S: ERR VAR-NOT-SUPPORTED
C: GET FOO dummy x
S: ERR INVALID-ARGUMENT
C: GET FOO dummy
S: ERR INVALID-ARGUMENT
C: GET NUMLOGINS
S: ERR INVALID-ARGUMENT
C: GET UPSDESC nosuch
S: ERR UNKNOWN-UPS
C: GET NUMLOGINS nosuch
S: ERR UNKNOWN-UPS
C: GET TYPE nosuch x
S: ERR UNKNOWN-UPS
C: GET TYPE dummy nosuch
S: ERR VAR-NOT-SUPPORTED
C: GET DESC nosuch x
S: ERR UNKNOWN-UPS
C: LIST
S: ERR INVALID-ARGUMENT
C: LIST VAR
S: ERR INVALID-ARGUMENT
C: LIST FOO dummy
S: ERR INVALID-ARGUMENT
C: LIST ENUM dummy
S: ERR INVALID-ARGUMENT
C: LIST FOO dummy x
S: ERR INVALID-ARGUMENT
C: LIST VAR nosuch
S: ERR UNKNOWN-UPS
C: list ups extra
S: BEGIN LIST UPS
S: UPS dummy "real-nut reference dummy UPS"
S: END LIST UPS
C: list cmd DUMMY
S: BEGIN LIST CMD DUMMY
S: CMD DUMMY load.off
S: END LIST CMD DUMMY
C: GET VAR dummy "ups.status"
S: VAR dummy ups.status "OL"
C: GET VAR "dummy" ups.st\\atus
S: VAR dummy ups.status "OL"
C: GET UPSDESC dummy extra args here
S: UPSDESC dummy "real-nut reference dummy UPS"
C: GET VAR dummy ups.status extra
S: VAR dummy ups.status "OL"
C: GET VAR dummy=ups.status
S: ERR VAR-NOT-SUPPORTED
C: GET VAR dummy ups.status 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40
S: VAR dummy ups.status "OL"
C: GET VAR dummy ups.st\x7fatus
S: ERR VAR-NOT-SUPPORTED
C: GET VAR dummy "ups#status"
S: ERR INVALID-ARGUMENT
C: VERYLONGCOMMANDWORD
S: ERR UNKNOWN-COMMAND
`,
  );
});

test('LIST VAR cache follows the table, the FSD latch and the spelling', () => {
  const h = makeHarness();
  const s = h.session();
  const a = send(s, 'LIST VAR dummy');
  const b = send(s, 'LIST VAR Dummy');
  assert.equal(a[0], 'BEGIN LIST VAR dummy');
  assert.equal(b[0], 'BEGIN LIST VAR Dummy');
  assert.equal(b[1], 'VAR Dummy battery.charge "100"');
  h.driver('SETINFO battery.charge "99"');
  assert.equal(send(s, 'LIST VAR dummy')[1], 'VAR dummy battery.charge "99"');
  h.driver('SETINFO battery.charge "99"'); // same value: no change
  h.driver('SETINFO ups.status "ol"'); // case-only change is dropped (NUT's state store)
  assert.equal(send(s, 'GET VAR dummy ups.status')[0], 'VAR dummy ups.status "OL"');
  h.driver('SETINFO ups.status "OB"');
  assert.equal(send(s, 'LIST VAR dummy').at(-2), 'VAR dummy ups.status "OB"');
  h.ups.fsd = true;
  assert.equal(send(s, 'LIST VAR dummy').at(-2), 'VAR dummy ups.status "FSD OB"');
  h.driver('DELINFO battery.charge\nSETINFO Aaa.first "x\\"y"');
  const l = send(s, 'LIST VAR dummy');
  assert.equal(l[1], 'VAR dummy Aaa.first "x\\"y"');
  assert.ok(!l.some((x) => x.includes('battery.charge ')));
});

test('driver garbage and floods are bounded', () => {
  const h = makeHarness();
  const s = h.session();
  h.driver('SETINFO\nSETFLAGS x\nADDRANGE a 1\nTRACKING x\n\x00\x01garbage "unterminated');
  assert.equal(send(s, 'LIST VAR dummy').length, 27);
  let dump = '';
  for (let i = 0; i < 10_100; i++) dump += `SETINFO flood.v${i} "${i}"\n`;
  h.driver(dump);
  assert.equal(h.ups.table.size, 10_000);
  assert.ok(h.ups.overflowed);
  assert.deepEqual(send(s, 'GET VAR dummy flood.v9999'), ['ERR VAR-NOT-SUPPORTED']);
});

test('driver names clients could not read back are ignored; a command flood is bounded', () => {
  const h = makeHarness();
  const s = h.session();
  h.driver('SETINFO "" "x"\nSETINFO "a b" "x"\nSETINFO a#b "x"\nADDCMD "bad cmd"\nSETINFO ok.name "1"');
  assert.deepEqual(send(s, 'GET VAR dummy ok.name'), ['VAR dummy ok.name "1"']);
  assert.equal(send(s, 'LIST VAR dummy').length, 28);
  assert.deepEqual(send(s, 'LIST CMD dummy'), ['BEGIN LIST CMD dummy', 'CMD dummy load.off', 'END LIST CMD dummy']);
  let text = '';
  for (let i = 0; i < 20_000; i++) text += `ADDCMD flood.c${i}\n`;
  h.driver(text);
  assert.equal(h.ups.table.cmdCount, 10_000);
  assert.ok(h.ups.overflowed);
});
