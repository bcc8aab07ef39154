/**
 * Docker-style (pflag) argument parsing: `--name value`, `--name=value`, `-d`, `-dit`, `-e=X`, `-eX`,
 * repeatable list flags, `--` to end flags; run/create stop at the first positional (the image).
 */
import { UsageError } from './errors.js';

export type FlagType = 'bool' | 'string' | 'list' | 'int';

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  help: string;
  /** The value's name in help (`string`, `list`, `bytes`, `duration` …). */
  meta?: string;
  default?: string | number | boolean;
  /** More long names for the same flag (`--port` for `--publish`). */
  aliases?: string[];
  /**
   * A string flag that gives the first positional argument by name (`--image IMAGE`): given with a
   * positional, the two must be the same; after `--`, every positional belongs to the command.
   */
  firstArg?: boolean;
}

export interface CommandSpec {
  /** The command path as typed: `run`, `container ls`. */
  name: string;
  /** What follows the name in the usage line: `[OPTIONS] IMAGE [COMMAND] [ARG...]`. */
  usage: string;
  summary: string;
  aliases?: string[];
  flags: FlagSpec[];
  /** False for commands whose arguments after the first positional belong to the container (run). */
  interspersed?: boolean;
  minArgs?: number;
  maxArgs?: number;
}

export type FlagValue = string | number | boolean | string[];

export interface Parsed {
  args: string[];
  /** Values by long name; defaults filled in (lists default to []). */
  values: Record<string, FlagValue | undefined>;
  /** Flags given on the command line (docker's `flags.Changed`). */
  changed: Set<string>;
}

/** Thrown for `--help`: the caller prints the command's help and exits 0. */
export class HelpRequested extends Error {}

export function parseArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const values: Parsed['values'] = {};
  for (const f of spec.flags) values[f.name] = f.type === 'list' ? [] : f.default;
  const changed = new Set<string>();
  const args: string[] = [];
  const byName = new Map(spec.flags.flatMap((f) => [f.name, ...(f.aliases ?? [])].map((n) => [n, f])));
  const byShort = new Map(spec.flags.filter((f) => f.short).map((f) => [f.short as string, f]));
  let ended = false;
  /** `--` came before any positional: what follows is all command, none of it the image. */
  let dashDashFirst = false;
  const set = (flag: FlagSpec, raw: string | undefined, shown: string): void => {
    changed.add(flag.name);
    if (flag.type === 'bool') {
      if (raw === undefined || raw === 'true' || raw === '1') values[flag.name] = true;
      else if (raw === 'false' || raw === '0') values[flag.name] = false;
      else
        throw new UsageError(
          `invalid argument "${raw}" for "${shown}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`,
        );
      return;
    }
    const v = raw as string;
    if (flag.type === 'list') (values[flag.name] as string[]).push(v);
    else if (flag.type === 'int') {
      if (!/^[+-]?\d+$/.test(v))
        throw new UsageError(
          `invalid argument "${v}" for "${shown}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`,
        );
      values[flag.name] = Number(v);
    } else values[flag.name] = v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (ended || a === '-' || !a.startsWith('-')) {
      args.push(a);
      if (spec.interspersed === false) ended = true;
      continue;
    }
    if (a === '--') {
      dashDashFirst = args.length === 0;
      ended = true;
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (name === 'help') throw new HelpRequested();
      const flag = byName.get(name);
      if (!flag) throw new UsageError(`unknown flag: --${name}`);
      let raw = eq < 0 ? undefined : a.slice(eq + 1);
      if (raw === undefined && flag.type !== 'bool') {
        if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${name}`);
        raw = argv[++i];
      }
      set(flag, raw, flag.short ? `-${flag.short}, --${flag.name}` : `--${flag.name}`);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j] as string;
      const flag = byShort.get(c);
      if (!flag) {
        if (c === 'h') throw new HelpRequested();
        throw new UsageError(`unknown shorthand flag: '${c}' in ${a}`);
      }
      const shown = `-${c}, --${flag.name}`;
      if (flag.type === 'bool') {
        if (a[j + 1] === '=') {
          set(flag, a.slice(j + 2), shown);
          break;
        }
        set(flag, undefined, shown);
        continue;
      }
      let raw = a.slice(j + 1);
      if (raw.startsWith('=')) raw = raw.slice(1);
      else if (raw === '') {
        if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: '${c}' in ${a}`);
        raw = argv[++i] as string;
      }
      set(flag, raw, shown);
      break;
    }
  }
  for (const f of spec.flags) {
    if (!f.firstArg || !changed.has(f.name)) continue;
    const v = values[f.name] as string;
    if (args.length === 0 || dashDashFirst) args.unshift(v);
    else if (args[0] !== v)
      throw new UsageError(
        `conflicting options: --${f.name} "${v}" and the positional "${args[0]}"; give it once ` +
          `(with --${f.name}, a command goes after --: polis ${spec.name} --${f.name} ${v} -- COMMAND)`,
      );
  }
  checkArgCount(spec, args.length);
  return { args, values, changed };
}

function checkArgCount(spec: CommandSpec, n: number): void {
  const min = spec.minArgs ?? 0;
  const max = spec.maxArgs ?? Infinity;
  const plural = (k: number): string => `${k} argument${k === 1 ? '' : 's'}`;
  if (max === 0 && n > 0) throw new UsageError(`"polis ${spec.name}" accepts no arguments.`, true);
  if (min === max && n !== min)
    throw new UsageError(`"polis ${spec.name}" requires exactly ${plural(min)}.`, true);
  if (n < min) throw new UsageError(`"polis ${spec.name}" requires at least ${plural(min)}.`, true);
  if (n > max) {
    throw new UsageError(
      max === 0
        ? `"polis ${spec.name}" accepts no arguments.`
        : `"polis ${spec.name}" requires at most ${plural(max)}.`,
      true,
    );
  }
}

export const str = (p: Parsed, name: string): string | undefined => p.values[name] as string | undefined;
export const bool = (p: Parsed, name: string): boolean => p.values[name] === true;
export const list = (p: Parsed, name: string): string[] => (p.values[name] as string[] | undefined) ?? [];
export const int = (p: Parsed, name: string): number | undefined => p.values[name] as number | undefined;

/** The help text, laid out as docker's. */
export function helpText(spec: CommandSpec): string {
  const lines = [`Usage:  polis ${spec.name} ${spec.usage}`.trimEnd(), '', spec.summary, ''];
  if (spec.aliases?.length)
    lines.push('Aliases:', `  ${[spec.name, ...spec.aliases].map((a) => `polis ${a}`).join(', ')}`, '');
  const rows = spec.flags.map((f) => {
    const names = f.short ? `-${f.short}, --${f.name}` : `    --${f.name}`;
    const meta = f.type === 'bool' ? '' : ` ${f.meta ?? (f.type === 'int' ? 'int' : f.type)}`;
    const dflt =
      f.default !== undefined && f.type !== 'bool' ? ` (default ${JSON.stringify(f.default)})` : '';
    return [`${names}${meta}`, `${f.help}${dflt}`] as const;
  });
  rows.push(['    --help', 'Print usage']);
  const width = Math.max(...rows.map(([a]) => a.length)) + 3;
  lines.push('Options:', ...rows.map(([a, b]) => `  ${a.padEnd(width)}${b}`), '');
  return lines.join('\n');
}
