/**
 * docker's `--env-file` / `--label-file` format: one `KEY=value` a line, value taken as is; a bare `KEY`
 * takes the value from `lookup` (the CLI's environment) and is dropped when unset; blank lines and lines
 * starting with `#` are skipped.
 */
export function parseKeyValueFile(
  text: string,
  name: string,
  lookup: (key: string) => string | undefined,
): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (/\s/.test(key)) throw new Error(`variable '${key}' contains whitespaces`);
    if (key === '') throw new Error(`no variable name on line '${line}' of ${name} (line ${i + 1})`);
    if (eq >= 0) out.push(line);
    else {
      const value = lookup(key);
      if (value !== undefined) out.push(`${key}=${value}`);
    }
  });
  return out;
}

/** `-e VAR` takes VAR from the CLI's environment when set; `-e VAR=x` is kept as is. */
export function expandEnv(value: string, lookup: (key: string) => string | undefined): string {
  const eq = value.indexOf('=');
  if (eq === 0 || value === '') throw new Error(`invalid environment variable: ${value}`);
  if (eq > 0) return value;
  const v = lookup(value);
  return v === undefined ? value : `${value}=${v}`;
}

/** `k=v` strings to a map (`k` alone maps to ""), later entries winning. */
export function toMap(items: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) map[item] = '';
    else map[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return map;
}
