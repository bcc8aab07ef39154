/** docker's template functions (templates.basicFunctions) and the Go builtins people use in `--format`. */
import type { TemplateFunctions } from './template.js';
import { goString, TemplateError, truthy } from './values.js';

function jsonOf(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v);
}

function sprintf(format: string, ...args: unknown[]): string {
  let i = 0;
  return format.replace(/%([-+# 0]*\d*(?:\.\d+)?)([svdqtf%])/g, (_m, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    if (verb === 'q') return JSON.stringify(goString(a));
    if (verb === 'd') return String(Math.trunc(Number(a)));
    return goString(a);
  });
}

function index(v: unknown, ...keys: unknown[]): unknown {
  for (const k of keys) {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) {
      if (typeof k !== 'number' || k < 0 || k >= v.length)
        throw new TemplateError(`template: index out of range: ${String(k)}`);
      v = v[k];
    } else if (typeof v === 'object') v = (v as Record<string, unknown>)[String(k)];
    else throw new TemplateError(`template: can't index item of type ${typeof v}`);
  }
  return v;
}

function len(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  throw new TemplateError(`template: len of ${goString(v)}`);
}

const text = (v: unknown): string => (typeof v === 'string' ? v : goString(v));
const eq = (a: unknown, ...bs: unknown[]): boolean => bs.some((b) => a === b);
const num = (v: unknown): number => Number(v);

export const FUNCTIONS: TemplateFunctions = {
  json: jsonOf,
  index,
  len,
  join: (list, sep) => (Array.isArray(list) ? list.map(text).join(text(sep)) : text(list)),
  split: (s, sep) => text(s).split(text(sep)),
  lower: (s) => text(s).toLowerCase(),
  upper: (s) => text(s).toUpperCase(),
  title: (s) => text(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  pad: (s, left, right) => `${' '.repeat(num(left))}${text(s)}${' '.repeat(num(right))}`,
  truncate: (s, n) => [...text(s)].slice(0, num(n)).join(''),
  print: (...a) => a.map(text).join(''),
  println: (...a) => `${a.map(text).join(' ')}\n`,
  printf: (f, ...a) => sprintf(text(f), ...a),
  eq,
  ne: (a, b) => a !== b,
  lt: (a, b) => num(a) < num(b),
  le: (a, b) => num(a) <= num(b),
  gt: (a, b) => num(a) > num(b),
  ge: (a, b) => num(a) >= num(b),
  not: (a) => !truthy(a),
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
};

/** In a table's header line every field is its column title, and functions pass their first value on. */
export const HEADER_FUNCTIONS: TemplateFunctions = {
  ...FUNCTIONS,
  json: (v) => v,
  split: (v) => v,
  join: (v) => v,
  title: (v) => v,
  lower: (v) => v,
  upper: (v) => v,
  pad: (v) => v,
  truncate: (v) => v,
};
