/**
 * Filters in the form Docker's own CLI sends (`{"label": {"a=b": true}}`); the daemon accepts this and
 * the list form. Undefined when there is nothing to filter on.
 */
export function encodeFilters(filters: Record<string, string[]> | undefined): string | undefined {
  if (!filters) return undefined;
  const out: Record<string, Record<string, true>> = {};
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    out[key] = Object.fromEntries(values.map((v) => [v, true] as const));
  }
  return Object.keys(out).length === 0 ? undefined : JSON.stringify(out);
}
