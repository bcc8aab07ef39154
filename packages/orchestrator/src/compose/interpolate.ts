import { PolisError } from '@polis/core';

/**
 * Compose's variable substitution in one string: `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty),
 * `${VAR-default}` (unset), `${VAR:?err}` / `${VAR?err}` (an error), `${VAR:+alt}` / `${VAR+alt}`, and `$$`
 * for a literal `$`. Defaults are themselves interpolated, as in Compose.
 */
export function interpolateString(
  input: string,
  env: Record<string, string | undefined>,
  where = '',
): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(input, i + 2);
      if (end < 0) throw invalid(`${where}invalid interpolation format for "${input}": unclosed \${`);
      out += substitute(input.slice(i + 2, end), env, where, input);
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i + 1));
    if (m) {
      out += env[m[0]] ?? '';
      i += 1 + m[0].length;
      continue;
    }
    out += '$';
    i++;
  }
  return out;
}

function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let j = from; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function substitute(
  body: string,
  env: Record<string, string | undefined>,
  where: string,
  whole: string,
): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!m) throw invalid(`${where}invalid interpolation format for "${whole}": "\${${body}}"`);
  const [, name, op, arg = ''] = m;
  const value = env[name!];
  const unset = value === undefined;
  const empty = unset || value === '';
  switch (op) {
    case undefined:
      return value ?? '';
    case ':-':
      return empty ? interpolateString(arg, env, where) : value!;
    case '-':
      return unset ? interpolateString(arg, env, where) : value;
    case ':?':
    case '?':
      if (op === ':?' ? empty : unset) {
        const text = interpolateString(arg, env, where);
        throw invalid(`${where}required variable ${name} is missing a value${text ? `: ${text}` : ''}`);
      }
      return value!;
    case ':+':
      return empty ? '' : interpolateString(arg, env, where);
    case '+':
      return unset ? '' : interpolateString(arg, env, where);
    default:
      throw invalid(`${where}invalid interpolation format for "${whole}"`);
  }
}

/** Interpolates every string (values, not keys) of a parsed YAML tree; `path` names the field on error. */
export function interpolateTree(node: unknown, env: Record<string, string | undefined>, path = ''): unknown {
  if (typeof node === 'string') return interpolateString(node, env, path ? `${path}: ` : '');
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, env, `${path}[${i}]`));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateTree(v, env, path ? `${path}.${k}` : k);
    return out;
  }
  return node;
}

/** A `.env` file: KEY=VALUE lines, `#` comments, optional `export `, single or double quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!m) continue;
    let value = m[2] ?? '';
    if (/^".*"$/.test(value)) value = value.slice(1, -1).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    else if (/^'.*'$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]!] = value;
  }
  return out;
}

function invalid(message: string): PolisError {
  return new PolisError('stack.invalid', message);
}
