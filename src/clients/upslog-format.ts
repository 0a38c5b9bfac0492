/**
 * upslog's format strings (nut-monitor-drivers.md §3.3), pure.
 *
 * A `%` opens a token that runs to the next `%`. Token names match ignoring
 * case, by prefix (as NUT 2.8.0 does: `%TIMEX%`, `%HOSTNAME%` work):
 *   %%            a `%`            %ETIME%     epoch seconds
 *   %TIME fmt%    strftime(fmt), `@` standing for `%`
 *   %HOST%        local host name  %UPSHOST%   the ups@host[:port] string
 *   %PID%         upslog's PID     %VAR name%  the value; NA on error;
 *                                                INVALID for a name without a dot
 *   %t            a TAB (NUT 2.8.1+; only when `%t...%` is no other token)
 * Anything else, and a `%` with no closing `%`, is `INVALID` (the text after
 * a lone `%` is kept).
 */

export type Piece =
  | { kind: 'text'; text: string }
  | { kind: 'time'; format: string }
  | { kind: 'etime' }
  | { kind: 'host' }
  | { kind: 'upshost' }
  | { kind: 'pid' }
  | { kind: 'var'; name: string }
  | { kind: 'invalid' };

export const DEFAULT_FORMAT =
  '%TIME @Y@m@d @H@M@S% %VAR battery.charge% %VAR input.voltage% %VAR ups.load% [%VAR ups.status%] %VAR ups.temperature% %VAR input.frequency%';

/** What -N puts in front of the format. */
export const UPSHOST_PREFIX = '%UPSHOST%%t';

function startsWithCI(s: string, prefix: string): boolean {
  return s.slice(0, prefix.length).toUpperCase() === prefix;
}

function tokenPiece(tok: string): Piece | undefined {
  if (tok === '') return { kind: 'text', text: '%' };
  if (startsWithCI(tok, 'VAR ')) {
    const name = tok.slice(4);
    return name.includes('.') ? { kind: 'var', name } : { kind: 'invalid' };
  }
  if (startsWithCI(tok, 'ETIME')) return { kind: 'etime' };
  if (startsWithCI(tok, 'TIME')) return { kind: 'time', format: tok.slice(5).replace(/@/g, '%') };
  if (startsWithCI(tok, 'UPSHOST')) return { kind: 'upshost' };
  if (startsWithCI(tok, 'HOST')) return { kind: 'host' };
  if (startsWithCI(tok, 'PID')) return { kind: 'pid' };
  return undefined;
}

/** Compiles a format string into pieces (adjacent text merged). */
export function compileFormat(fmt: string): Piece[] {
  const out: Piece[] = [];
  const text = (t: string) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last && last.kind === 'text') last.text += t;
    else out.push({ kind: 'text', text: t });
  };
  let i = 0;
  while (i < fmt.length) {
    const p = fmt.indexOf('%', i);
    if (p < 0) {
      text(fmt.slice(i));
      break;
    }
    text(fmt.slice(i, p));
    const end = fmt.indexOf('%', p + 1);
    const tok = end < 0 ? undefined : fmt.slice(p + 1, end);
    const piece = tok === undefined ? undefined : tokenPiece(tok);
    if (piece) {
      if (piece.kind === 'text') text(piece.text);
      else out.push(piece);
      i = end + 1;
    } else if (fmt[p + 1] === 't') {
      text('\t');
      i = p + 2;
    } else if (tok === undefined) {
      out.push({ kind: 'invalid' });
      i = p + 1;
    } else {
      out.push({ kind: 'invalid' });
      i = end + 1;
    }
  }
  return out;
}

/** The variable names a compiled format asks for, each once, in order. */
export function formatVars(pieces: Piece[]): string[] {
  const names: string[] = [];
  for (const p of pieces) if (p.kind === 'var' && !names.includes(p.name)) names.push(p.name);
  return names;
}

export interface RenderContext {
  /** The poll's time. */
  now: Date;
  hostname: string;
  upsHost: string;
  pid: number;
  /** Values by name; a missing name is shown as NA. */
  vars: ReadonlyMap<string, string>;
  /** Time zone for %TIME (default: the process's local zone). */
  utc?: boolean;
}

export function renderLine(pieces: Piece[], ctx: RenderContext): string {
  let s = '';
  for (const p of pieces) {
    switch (p.kind) {
      case 'text':
        s += p.text;
        break;
      case 'time':
        s += strftime(p.format, ctx.now, ctx.utc);
        break;
      case 'etime':
        s += String(Math.floor(ctx.now.getTime() / 1000));
        break;
      case 'host':
        s += ctx.hostname;
        break;
      case 'upshost':
        s += ctx.upsHost;
        break;
      case 'pid':
        s += String(ctx.pid);
        break;
      case 'var':
        s += ctx.vars.get(p.name) ?? 'NA';
        break;
      case 'invalid':
        s += 'INVALID';
        break;
    }
  }
  return s;
}

// ------------------------------------------------------------------ strftime

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, w = 2, c = '0') => String(n).padStart(w, c);

interface Parts {
  Y: number;
  m: number; // 0-11
  d: number;
  H: number;
  M: number;
  S: number;
  w: number; // 0 = Sunday
  offsetMin: number; // east of UTC
}

function parts(d: Date, utc: boolean): Parts {
  if (utc) return { Y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate(), H: d.getUTCHours(), M: d.getUTCMinutes(), S: d.getUTCSeconds(), w: d.getUTCDay(), offsetMin: 0 };
  return { Y: d.getFullYear(), m: d.getMonth(), d: d.getDate(), H: d.getHours(), M: d.getMinutes(), S: d.getSeconds(), w: d.getDay(), offsetMin: -d.getTimezoneOffset() };
}

function dayOfYear(p: Parts): number {
  return Math.round((Date.UTC(p.Y, p.m, p.d) - Date.UTC(p.Y, 0, 1)) / 86_400_000) + 1;
}

/** ISO 8601 week-based year and week. */
function isoWeek(p: Parts): { year: number; week: number } {
  const dow = (p.w + 6) % 7; // Monday = 0
  const thursday = Date.UTC(p.Y, p.m, p.d) + (3 - dow) * 86_400_000;
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / 86_400_000 / 7);
  return { year, week };
}

function zoneName(d: Date, utc: boolean): string {
  if (utc) return 'UTC';
  try {
    const z = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName')?.value;
    if (z && !/^GMT[+-]/.test(z)) return z === 'GMT' && process.env.TZ === undefined ? 'UTC' : z;
  } catch {
    /* no Intl data */
  }
  const off = -d.getTimezoneOffset();
  if (off === 0) return 'UTC';
  return `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
}

/** C-locale strftime(3) for the conversions glibc documents (E and O modifiers ignored). */
export function strftime(fmt: string, date: Date, utc = false): string {
  const p = parts(date, utc);
  const h12 = p.H % 12 === 0 ? 12 : p.H % 12;
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    let k = fmt[++i];
    if (k === 'E' || k === 'O') k = fmt[++i];
    switch (k) {
      case undefined:
        out += '%';
        break;
      case '%':
        out += '%';
        break;
      case 'a':
        out += DAYS[p.w]!.slice(0, 3);
        break;
      case 'A':
        out += DAYS[p.w]!;
        break;
      case 'b':
      case 'h':
        out += MONTHS[p.m]!.slice(0, 3);
        break;
      case 'B':
        out += MONTHS[p.m]!;
        break;
      case 'c':
        out += `${DAYS[p.w]!.slice(0, 3)} ${MONTHS[p.m]!.slice(0, 3)} ${pad(p.d, 2, ' ')} ${pad(p.H)}:${pad(p.M)}:${pad(p.S)} ${p.Y}`;
        break;
      case 'C':
        out += pad(Math.floor(p.Y / 100));
        break;
      case 'd':
        out += pad(p.d);
        break;
      case 'D':
      case 'x':
        out += `${pad(p.m + 1)}/${pad(p.d)}/${pad(p.Y % 100)}`;
        break;
      case 'e':
        out += pad(p.d, 2, ' ');
        break;
      case 'F':
        out += `${p.Y}-${pad(p.m + 1)}-${pad(p.d)}`;
        break;
      case 'g':
        out += pad(isoWeek(p).year % 100);
        break;
      case 'G':
        out += String(isoWeek(p).year);
        break;
      case 'H':
        out += pad(p.H);
        break;
      case 'I':
        out += pad(h12);
        break;
      case 'j':
        out += pad(dayOfYear(p), 3);
        break;
      case 'k':
        out += pad(p.H, 2, ' ');
        break;
      case 'l':
        out += pad(h12, 2, ' ');
        break;
      case 'm':
        out += pad(p.m + 1);
        break;
      case 'M':
        out += pad(p.M);
        break;
      case 'n':
        out += '\n';
        break;
      case 'p':
        out += p.H < 12 ? 'AM' : 'PM';
        break;
      case 'P':
        out += p.H < 12 ? 'am' : 'pm';
        break;
      case 'r':
        out += `${pad(h12)}:${pad(p.M)}:${pad(p.S)} ${p.H < 12 ? 'AM' : 'PM'}`;
        break;
      case 'R':
        out += `${pad(p.H)}:${pad(p.M)}`;
        break;
      case 's':
        out += String(Math.floor(date.getTime() / 1000));
        break;
      case 'S':
        out += pad(p.S);
        break;
      case 't':
        out += '\t';
        break;
      case 'T':
      case 'X':
        out += `${pad(p.H)}:${pad(p.M)}:${pad(p.S)}`;
        break;
      case 'u':
        out += String(p.w === 0 ? 7 : p.w);
        break;
      case 'U':
        out += pad(Math.floor((dayOfYear(p) - 1 - p.w + 7) / 7));
        break;
      case 'V':
        out += pad(isoWeek(p).week);
        break;
      case 'w':
        out += String(p.w);
        break;
      case 'W':
        out += pad(Math.floor((dayOfYear(p) - 1 - ((p.w + 6) % 7) + 7) / 7));
        break;
      case 'y':
        out += pad(p.Y % 100);
        break;
      case 'Y':
        out += String(p.Y);
        break;
      case 'z': {
        const o = p.offsetMin;
        out += `${o < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(o) / 60))}${pad(Math.abs(o) % 60)}`;
        break;
      }
      case 'Z':
        out += zoneName(date, utc);
        break;
      default:
        // glibc copies an unknown conversion as written
        out += '%' + k;
    }
  }
  return out;
}
