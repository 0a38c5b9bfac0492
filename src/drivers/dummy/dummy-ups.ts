/**
 * dummy-ups: a UPS simulated from a .dev file (dummy-once), a .seq file
 * (dummy-loop, with TIMER pauses), or mirrored from another upsd (repeater).
 */
import fs from 'node:fs';
import path from 'node:path';
import { WalnutError } from '../../common/errors.js';
import { STAT_HANDLED, STAT_UNKNOWN } from '../core/driver.js';
import type { DriverContext, DriverDefinition, DriverHooks } from '../core/driver.js';
import { parseDataFile } from './data-file.js';
import type { DataStep } from './data-file.js';
import { dummyVarInfo } from './flags-table.js';
import { Repeater } from './repeater.js';

export const DUMMY_UPS_VERSION = '0.15';

export type DummyMode = 'dummy' | 'dummy-loop' | 'dummy-once' | 'repeater';
const MODES: readonly DummyMode[] = ['dummy', 'dummy-loop', 'dummy-once', 'repeater'];

/** NUT's mode choice: the `mode` option, else `@` → repeater, .seq → loop, .dev → once, else dummy. */
export function selectMode(port: string, modeOption: string | undefined): DummyMode {
  if (modeOption !== undefined) {
    if (!(MODES as readonly string[]).includes(modeOption)) {
      throw new WalnutError('DRIVER_CONFIG', `Fatal error: mode = ${modeOption} is not valid (use one of ${MODES.join(', ')})`);
    }
    return modeOption as DummyMode;
  }
  if (port.includes('@')) return 'repeater';
  if (port.endsWith('.seq')) return 'dummy-loop';
  if (port.endsWith('.dev')) return 'dummy-once';
  return 'dummy';
}

/** A relative port is a file in NUT_CONFPATH (`./x` and `../x`: the working directory, as NUT 2.8.5). */
export function resolveDataPath(port: string, confPath: string): string {
  if (path.isAbsolute(port)) return port;
  if (port.startsWith('./') || port.startsWith('../')) return path.resolve(port);
  return path.join(confPath, port);
}

/**
 * Applies a variable as dummy-ups does for file lines, SET and repeater rows:
 * `ups.status` becomes status tokens, an empty value deletes, anything else
 * is set with the built-in table's flags (RW STRING:32 by default).
 */
export function applyDummyVar(ctx: DriverContext, name: string, value: string): void {
  const st = ctx.state;
  if (name.toLowerCase() === 'ups.status') {
    st.statusInit();
    for (const t of value.split(' ')) if (t) st.statusSet(t);
    st.statusCommit();
    return;
  }
  if (value === '') {
    st.delInfo(name);
    return;
  }
  st.setInfo(name, value);
  const info = dummyVarInfo(name);
  st.setFlags(name, info.flags);
  if (info.aux) st.setAux(name, info.aux);
}

class FileSimulation {
  private steps: DataStep[] = [];
  private pos = 0;
  /** Reading is paused by a TIMER until this time (ms on the clock). */
  private resumeAt: number | undefined;
  private mtimeSec: number | undefined;
  private carry = '';
  private alarms: string[] = [];
  private statusTokens: string[] = ['OL'];
  private alarmSeen = false;

  constructor(
    private readonly ctx: DriverContext,
    readonly file: string,
    private readonly loop: boolean,
  ) {}

  private load(): boolean {
    let text: Buffer;
    try {
      const stat = fs.statSync(this.file);
      this.mtimeSec = Math.floor(stat.mtimeMs / 1000);
      text = fs.readFileSync(this.file);
    } catch (e) {
      this.ctx.log.error(`dummy-ups [${this.ctx.ups}]: can't read ${this.file}: ${(e as Error).message}`);
      return false;
    }
    const parsed = parseDataFile(text, this.carry);
    for (const err of parsed.errors) this.ctx.log.warn(`${this.file}:${err.line}: ${err.message}`);
    this.steps = parsed.steps;
    this.carry = parsed.carry;
    this.pos = 0;
    this.resumeAt = undefined;
    return true;
  }

  /** Opens the file at start: refusing to start when it cannot be read. */
  init(): void {
    if (!this.load()) throw new WalnutError('DRIVER_INIT', `dummy-ups: can't open ${this.file}`);
    this.run();
  }

  /** Runs steps until EOF or a TIMER. */
  private run(): void {
    const st = this.ctx.state;
    this.alarmSeen = false;
    while (this.pos < this.steps.length) {
      const s = this.steps[this.pos++]!;
      switch (s.kind) {
        case 'var':
          applyDummyVar(this.ctx, s.name, s.value);
          break;
        case 'status':
          this.statusTokens = s.tokens;
          st.statusInit();
          for (const t of s.tokens) st.statusSet(t);
          st.statusCommit();
          break;
        case 'alarm':
          this.alarmSeen = true;
          if (s.text === undefined) this.alarms = [];
          else this.alarms.push(s.text);
          break;
        case 'timer':
          this.resumeAt = this.ctx.clock.now() + s.seconds * 1000;
          this.finishPass();
          return;
      }
    }
    this.resumeAt = undefined;
    this.finishPass();
  }

  /** ALARM lines (NUT 2.8.4+): publish ups.alarm and re-commit the status with ALARM first. */
  private finishPass(): void {
    if (!this.alarmSeen) return;
    const st = this.ctx.state;
    st.alarmInit();
    for (const a of this.alarms) st.alarmSet(a);
    st.alarmCommit();
    st.statusInit();
    for (const t of this.statusTokens) st.statusSet(t);
    st.statusCommit();
  }

  update(): void {
    const st = this.ctx.state;
    if (this.resumeAt !== undefined) {
      if (this.ctx.clock.now() >= this.resumeAt) this.run();
      st.dataOk();
      return;
    }
    if (this.loop) {
      if (!this.load()) {
        st.dataStale();
        return;
      }
      this.run();
      st.dataOk();
      return;
    }
    // dummy-once: read again only when the mtime (whole seconds) changed
    let m: number;
    try {
      m = Math.floor(fs.statSync(this.file).mtimeMs / 1000);
    } catch (e) {
      this.ctx.log.error(`dummy-ups [${this.ctx.ups}]: can't stat ${this.file}: ${(e as Error).message}`);
      st.dataStale();
      return;
    }
    if (m !== this.mtimeSec) {
      if (!this.load()) {
        st.dataStale();
        return;
      }
      this.run();
    }
    st.dataOk();
  }
}

function createDummy(ctx: DriverContext): DriverHooks {
  const port = ctx.settings.port;
  let mode: DummyMode;
  let sim: FileSimulation | undefined;
  let rep: Repeater | undefined;
  return {
    async initInfo() {
      mode = selectMode(port, ctx.option('mode'));
      const st = ctx.state;
      applyDummyVar(ctx, 'ups.mfr', 'Dummy Manufacturer');
      applyDummyVar(ctx, 'ups.model', 'Dummy UPS');
      st.setInfo('ups.status', 'OL');
      st.setFlags('ups.status', dummyVarInfo('ups.status').flags);
      st.setAux('ups.status', 32);
      st.setInfo('driver.parameter.mode', mode);
      st.addCmd('load.off');
      if (mode === 'repeater') {
        rep = new Repeater(ctx, port, (n, v) => applyDummyVar(ctx, n, v));
        await rep.init(ctx.flag('repeater_disable_strict_start'));
      } else {
        sim = new FileSimulation(ctx, resolveDataPath(port, ctx.confPath), mode !== 'dummy-once');
        sim.init();
      }
    },
    async update() {
      if (rep) await rep.update();
      else sim?.update();
    },
    setvar(name, value) {
      applyDummyVar(ctx, name, value);
      return STAT_HANDLED;
    },
    instcmd(cmd, param) {
      ctx.log.info(`instcmd: unknown command [${cmd}] [${param ?? '(null)'}]`);
      return STAT_UNKNOWN;
    },
    killpower() {
      // a simulated UPS has no power to cut
      ctx.log.info(`dummy-ups [${ctx.ups}]: kill power requested: simulated, nothing to do`);
      return 0;
    },
    close() {
      rep?.close();
    },
  };
}

export const dummyUps: DriverDefinition = {
  name: 'dummy-ups',
  version: DUMMY_UPS_VERSION,
  description: 'Device simulation and repeater driver',
  options: [{ name: 'mode', help: 'Simulation mode: dummy-once, dummy-loop or repeater (default: from port)' }],
  flags: [{ name: 'repeater_disable_strict_start', help: 'Do not fail at startup if the upstream (repeater mode) is not reachable' }],
  create: createDummy,
};
