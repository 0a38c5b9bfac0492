import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpsConf } from '../../src/config/ups-conf.js';
import { errors, fixture, issueAt, noIssues } from './helpers.js';

test('ups.conf: the real-nut.sh config parses clean', () => {
  const r = parseUpsConf(fixture('real-nut/ups.conf'), 'ups.conf');
  noIssues(r.issues);
  assert.equal(r.value.ups.length, 1);
  const u = r.value.ups[0]!;
  assert.equal(u.name, 'dummy');
  assert.equal(u.line, 2);
  assert.equal(u.driver, 'dummy-ups');
  assert.equal(u.port, 'dummy.dev');
  assert.equal(u.desc, 'real-nut reference dummy UPS');
  assert.equal(u.sdorder, 0);
  assert.deepEqual(
    u.options.map((o) => [o.key, o.value, o.line]),
    [
      ['driver', 'dummy-ups', 3],
      ['port', 'dummy.dev', 4],
      ['desc', 'real-nut reference dummy UPS', 5],
    ],
  );
});

test('ups.conf: globals, flags, sdorder, override/default keys and driver options', () => {
  const r = parseUpsConf(
    [
      'pollinterval = 5',
      'maxretry = 3',
      'StatePath = /run/nut', // statepath: the key ignores case
      'nowait',
      '[ups1]',
      '  driver = usbhid-ups',
      '  port = auto',
      '  sdorder = -1',
      '  vendorid = 051d',
      '  pollonly',
      '  nolock',
      '  override.battery.charge.low = 30',
      '  default.ups.delay.shutdown = 60',
      '[ups2]',
      '  driver = dummy-ups',
      '  port = x@localhost:3493',
      '  mode = repeater',
      '  repeater_disable_strict_start',
      '[ups3]',
      '  driver = nutdrv_qx',
      '  port = /dev/ttyS0',
      '  protocol = megatec',
      '  novendor',
      '[ups4]',
      '  driver = apcsmart',
      '  port = /dev/ttyS1',
      '  sdtype = 2',
      '[ups5]',
      '  driver = snmp-ups',
      '  port = 10.0.0.5',
      '  mibs = ietf',
      '  community = public',
      '  snmp_version = v2c',
    ].join('\n'),
    'ups.conf',
  );
  noIssues(r.issues);
  assert.deepEqual(
    r.value.globals.map((g) => [g.key, g.value]),
    [
      ['pollinterval', '5'],
      ['maxretry', '3'],
      ['statepath', '/run/nut'],
    ],
  );
  assert.deepEqual(r.value.globalFlags, [{ name: 'nowait', line: 4 }]);
  assert.equal(r.value.ups.length, 5);
  assert.equal(r.value.ups[0]!.sdorder, -1);
  assert.deepEqual(
    r.value.ups[0]!.flags.map((f) => f.name),
    ['pollonly', 'nolock'],
  );
  assert.deepEqual(r.value.ups[1]!.flags, [{ name: 'repeater_disable_strict_start', line: 18 }]);
});

test('ups.conf: `key = value` keeps only the third word (NUT), with a warning', () => {
  const r = parseUpsConf('[u]\n driver = dummy-ups\n port = x.dev\n desc = multi word ignored\n', 'ups.conf');
  assert.equal(r.value.ups[0]!.desc, 'multi');
  const i = issueAt(r.issues, 4, /only the first word/);
  assert.equal(i.severity, 'warning');
  assert.equal(i.suggestion, 'quote the value: desc = "multi word ignored"');
});

test('ups.conf: key=value without spaces is three words too; a two-word line is ignored', () => {
  const r = parseUpsConf('[u]\ndriver=dummy-ups\nport=a.dev\ndesc "x"\nsdorder =\n', 'ups.conf');
  const u = r.value.ups[0]!;
  assert.equal(u.driver, 'dummy-ups');
  assert.equal(u.port, 'a.dev');
  assert.equal(u.desc, undefined);
  assert.equal(issueAt(r.issues, 4, /neither/).suggestion, 'write desc = x');
  assert.match(issueAt(r.issues, 5, /without a value/).suggestion!, /sdorder = ""/);
  assert.equal(errors(r.issues).length, 0);
});

test('ups.conf: the how-to typo criver: driver missing, with the fix', () => {
  const r = parseUpsConf(fixture('howto/ups.conf'), 'ups.conf');
  const missing = issueAt(r.issues, 1, /has no driver/);
  assert.equal(missing.severity, 'error');
  assert.match(missing.suggestion!, /line 2 has "criver": did you mean driver\?/);
  const typo = issueAt(r.issues, 2, /unknown key criver/);
  assert.equal(typo.severity, 'warning');
  assert.equal(typo.suggestion, 'did you mean driver?');
  assert.equal(issueAt(r.issues, 4, /description/).suggestion, 'did you mean desc?');
  assert.equal(r.value.ups[0]!.driver, undefined);
  assert.equal(r.value.ups[0]!.port, 'auto');
});

test('ups.conf: missing port, reserved name, duplicate names ignoring case (upsd keeps the later one)', () => {
  const r = parseUpsConf('[a]\ndriver = dummy-ups\n[default]\ndriver = x\nport = y\n[A]\ndriver = dummy-ups\nport = z\n', 'ups.conf');
  assert.equal(issueAt(r.issues, 1, /has no port/).severity, 'error');
  // real upsd 2.8.0 still serves [default]: a warning
  assert.equal(issueAt(r.issues, 3, /reserved/).severity, 'warning');
  const dup = issueAt(r.issues, 6, /already used by \[a\] on line 1/);
  assert.equal(dup.severity, 'error');
  // observed with real upsd 2.8.0: "UPS name [a] is already in use!", [A] is served
  assert.deepEqual(
    r.value.ups.map((u) => u.name),
    ['default', 'A'],
  );
});

test('ups.conf: a section written twice with the same name is merged, as NUT does', () => {
  const r = parseUpsConf('[b]\ndriver = dummy-ups\n[c]\ndriver = dummy-ups\nport = c.dev\n[b]\nport = b.dev\ndriver = other\n', 'ups.conf');
  assert.equal(issueAt(r.issues, 6, /appears again/).severity, 'warning');
  assert.deepEqual(
    r.value.ups.map((u) => [u.name, u.driver, u.port]),
    [
      ['b', 'dummy-ups', 'b.dev'],
      ['c', 'dummy-ups', 'c.dev'],
    ],
  );
  assert.equal(issueAt(r.issues, 8, /driver set twice/).severity, 'error');
  assert.equal(r.issues.filter((i) => /has no/.test(i.message)).length, 0);
});

test('ups.conf: keys are case-sensitive (Driver is not driver)', () => {
  const r = parseUpsConf('[u]\nDriver = dummy-ups\nport = a\n', 'ups.conf');
  assert.equal(issueAt(r.issues, 2, /Driver/).suggestion, 'did you mean driver?');
  assert.match(issueAt(r.issues, 1, /no driver/).suggestion!, /line 2 has "Driver"/);
});

test('ups.conf: unknown driver-specific keys are warnings; options of another driver are flagged', () => {
  const r = parseUpsConf('[u]\ndriver = usbhid-ups\nport = auto\nmibs = ietf\nsomething_odd = 1\n[v]\ndriver = some-other-driver\nport = x\nfancy_option = 3\n', 'ups.conf');
  assert.equal(errors(r.issues).length, 0);
  assert.match(issueAt(r.issues, 4, /mibs/).message, /not known by driver usbhid-ups/);
  issueAt(r.issues, 5, /something_odd/);
  assert.match(issueAt(r.issues, 9, /fancy_option/).message, /must be an option of the driver/);
});

test('ups.conf: bad values: pollinterval, sdorder, synchronous; a key written as a flag', () => {
  const r = parseUpsConf('pollinterval = 0\n[u]\ndriver = dummy-ups\nport = a\nsdorder = first\nsynchronous = maybe\nport\n', 'ups.conf');
  assert.equal(issueAt(r.issues, 1, /pollinterval/).severity, 'error');
  assert.equal(issueAt(r.issues, 5, /sdorder/).severity, 'error');
  assert.equal(issueAt(r.issues, 6, /synchronous/).severity, 'error');
  // alone on a line a key is a flag that sets nothing (then port is missing: an error)
  assert.equal(issueAt(r.issues, 7, /port needs a value/).severity, 'warning');
});

test('ups.conf: per-UPS maxretry warns about pre-2.8.3 drivers; sddelay is obsolete', () => {
  const r = parseUpsConf('[u]\ndriver = dummy-ups\nport = a\nmaxretry = 3\nsddelay = 5\n', 'ups.conf');
  assert.equal(issueAt(r.issues, 4, /before 2\.8\.3/).severity, 'warning');
  assert.equal(issueAt(r.issues, 5, /obsolete/).severity, 'warning');
});

test('ups.conf: broken section headers and lexer errors are reported with lines', () => {
  const r = parseUpsConf('[my ups]\ndriver = x\n[ok\n[u]\ndriver = dummy-ups\nport = a\ndesc = "a # b"\n', 'ups.conf');
  assert.equal(issueAt(r.issues, 1, /spaces/).suggestion, 'write [my_ups]');
  assert.equal(issueAt(r.issues, 3, /no closing/).suggestion, 'write [ok]');
  assert.equal(issueAt(r.issues, 7, /parse error/).severity, 'error');
  assert.deepEqual(
    r.value.ups.map((u) => u.name),
    ['u'],
  );
});

test('ups.conf: a per-UPS key before any section is reported', () => {
  const r = parseUpsConf('driver = usbhid-ups\n', 'ups.conf');
  assert.match(issueAt(r.issues, 1, /before the first/).suggestion!, /section/);
});

test('ups.conf: a typo in the driver name gets a suggestion', () => {
  const r = parseUpsConf('[u]\ndriver = usbhid-up\nport = auto\n', 'ups.conf');
  assert.equal(issueAt(r.issues, 2, /unknown driver/).suggestion, 'did you mean usbhid-ups?');
});

test('ups.conf: secret values are never echoed in messages', () => {
  const r = parseUpsConf('[u]\ndriver = snmp-ups\nport = h\nauthPassword = my secret words\nprivPassword secret\n', 'ups.conf');
  const i = issueAt(r.issues, 4, /only the first word/);
  assert.doesNotMatch(i.message + i.suggestion, /secret|words/);
  const j = issueAt(r.issues, 5, /neither/);
  assert.doesNotMatch(j.message + j.suggestion, /secret/);
});

test('ups.conf: a flag written as key = value is enabled whatever the value (as NUT drivers do)', () => {
  const r = parseUpsConf('[u]\ndriver = usbhid-ups\nport = auto\nnolock = yes\nignorelb = no\npollonly = off\nvendorid\n', 'ups.conf');
  const u = r.value.ups[0]!;
  assert.deepEqual(
    u.flags.map((f) => f.name),
    ['nolock', 'ignorelb', 'vendorid', 'pollonly'],
  );
  assert.deepEqual(
    u.options.map((o) => o.key),
    ['driver', 'port'],
  );
  assert.equal(r.issues.filter((i) => i.line === 4).length, 0);
  const lb = issueAt(r.issues, 5, /turns it ON/);
  assert.equal(lb.severity, 'error');
  assert.equal(lb.suggestion, 'remove the line to leave ignorelb off');
  assert.equal(issueAt(r.issues, 6, /turns it ON/).severity, 'error');
  assert.equal(issueAt(r.issues, 7, /needs a value/).severity, 'warning');
});
