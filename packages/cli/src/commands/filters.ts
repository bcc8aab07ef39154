/** `--filter key=value` (repeatable) → Docker's filters map. */
export function parseFilters(items: string[]): Record<string, string[]> | undefined {
  if (items.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`bad format of filter (expected name=value)`);
    const key = item.slice(0, eq).trim().toLowerCase();
    (out[key] ??= []).push(item.slice(eq + 1).trim());
  }
  return out;
}
