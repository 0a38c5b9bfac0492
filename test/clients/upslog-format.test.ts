/** upslog's format strings (compile, render) and its strftime, checked against GNU date. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { compileFormat, renderLine, formatVars, strftime, DEFAULT_FORMAT } from '../../src/clients/upslog-format.js';

const ctx = {
  now: new Date(Date.UTC(2026, 10, 29, 11, 5, 58)),
  hostname: 'vm',
  upsHost: 'dummy@127.0.0.1:13499',
  pid: 28488,
  vars: new Map([
    ['ups.status', 'OL'],
    ['battery.charge', '100'],
    ['ups.load', '25'],
  ]),
  utc: true,
};
const render = (f: string) => renderLine(compileFormat(f), ctx);

test('tokens as NUT 2.8.0 writes them (cases taken from real upslog runs)', () => {
  // format -> real /usr/bin/upslog 2.8.0 output (same vars)
  const cases: Array<[string, string]> = [
    ['%TIME @Y-@m-@d @H:@M:@S% %ETIME% %HOST% %UPSHOST% %PID%', '2026-11-29 11:05:58 1795950358 vm dummy@127.0.0.1:13499 28488'],
    ['%VAR ups.status% [%VAR battery.charge%] %VAR bogus.var% %VAR nodot% %FOO% %%', 'OL [100] NA INVALID INVALID %'],
    ['%time @H%', '11'],
    ['%var ups.load%', '25'],
    ['%upshost%', 'dummy@127.0.0.1:13499'],
    ['%ETIMEX%', '1795950358'],
    ['%TIMEX%', ''],
    ['%TIME%', ''],
    ['%TIME @%', '%'],
    ['%VARups.load%', 'INVALID'],
    ['%VAR  ups.load%', 'NA'],
    ['%VAR ups.load extra%', 'NA'],
    ['%host%|%pid%', 'vm|28488'],
    ['%HOSTX%', 'vm'],
    ['%PIDX%', '28488'],
    ['%UPSHOSTX%', 'dummy@127.0.0.1:13499'],
    ['%UPSHOS%', 'INVALID'],
    ['x%', 'xINVALID'],
    ['%', 'INVALID'],
    ['%%%', '%INVALID'],
    ['%VAR%', 'INVALID'],
    ['%VAR ups.load', 'INVALIDVAR ups.load'],
    ['%VAR battery.charge%%VAR ups.load%', '10025'],
    ['%TIME @a @b @e @j @p @Z @z @s @%%', 'Sun Nov 29 333 AM UTC +0000 1795950358 %INVALID'],
  ];
  for (const [f, want] of cases) assert.equal(render(f), want, f);
});

test('%t is a TAB (NUT 2.8.1+, -N) unless it begins a known token; the default format asks for six variables', () => {
  assert.equal(render('%UPSHOST%%t%VAR ups.load%'), 'dummy@127.0.0.1:13499\t25');
  assert.equal(render('a%tb'), 'a\tb');
  assert.equal(render('%time @M%'), '05');
  assert.deepEqual(formatVars(compileFormat(DEFAULT_FORMAT)), ['battery.charge', 'input.voltage', 'ups.load', 'ups.status', 'ups.temperature', 'input.frequency']);
  assert.equal(render(DEFAULT_FORMAT), '20261129 110558 100 NA 25 [OL] NA NA');
});

test('rendering never throws and a format without % is copied as is (property)', () => {
  fc.assert(
    fc.property(fc.string(), (f) => {
      const out = render(f);
      if (!f.includes('%')) assert.equal(out, f);
      return typeof out === 'string';
    }),
  );
});

test('strftime matches GNU date for every conversion, on sampled instants (UTC)', () => {
  const convs = 'a A b B c C d D e F g G h H I j k l m M n p P r R s S t T u U V w W x X y Y z Z %'.split(' ');
  const fmt = convs.map((c) => `${c}=%${c}`).join('|');
  const instants = [0, 946684799, 951782400, 1009843200, 1104537599, 1230768000, 1609459199, 1795950358, 1798675200, 2147483647];
  for (const s of instants) {
    const want = execFileSync('date', ['-u', '-d', `@${s}`, `+${fmt}`], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } }).replace(/\n$/, '');
    assert.equal(strftime(fmt, new Date(s * 1000), true), want, `at ${s}`);
  }
});
