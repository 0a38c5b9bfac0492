/**
 * POSIX getopt, as NUT's programs parse their command lines: `-DDD`,
 * `-a name` or `-aname`, `--` ends options, the first non-option word ends
 * options too (POSIX mode, as NUT's clients are used).
 */
export interface ParsedArgs {
  /** Each option in order, with its argument when the spec takes one. */
  opts: Array<{ opt: string; arg?: string }>;
  /** Words after the options. */
  rest: string[];
}

export class UsageError extends Error {}

/**
 * spec: option letters, a letter followed by `:` takes an argument ("a:DFhV").
 * With permute = true, options may follow operands (GNU style).
 */
export function getopt(argv: readonly string[], spec: string, permute = false): ParsedArgs {
  const takesArg = new Map<string, boolean>();
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === ':') continue;
    takesArg.set(c, spec[i + 1] === ':');
  }
  const opts: ParsedArgs['opts'] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (a.length < 2 || a[0] !== '-') {
      if (!permute) {
        rest.push(...argv.slice(i));
        break;
      }
      rest.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const t = takesArg.get(c);
      if (t === undefined) throw new UsageError(`invalid option -- '${c}'`);
      if (t) {
        let arg = a.slice(j + 1);
        if (arg === '') {
          if (i + 1 >= argv.length) throw new UsageError(`option requires an argument -- '${c}'`);
          arg = argv[++i]!;
        }
        opts.push({ opt: c, arg });
        break;
      }
      opts.push({ opt: c });
    }
  }
  return { opts, rest };
}

export function count(p: ParsedArgs, opt: string): number {
  return p.opts.filter((o) => o.opt === opt).length;
}

export function last(p: ParsedArgs, opt: string): string | undefined {
  let v: string | undefined;
  for (const o of p.opts) if (o.opt === opt) v = o.arg;
  return v;
}

export function all(p: ParsedArgs, opt: string): string[] {
  return p.opts.filter((o) => o.opt === opt).map((o) => o.arg ?? '');
}
