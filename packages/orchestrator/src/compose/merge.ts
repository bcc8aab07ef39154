type Raw = Record<string, unknown>;

/** Fields whose later value replaces the earlier one whole, as in Compose's override rules. */
const REPLACED = new Set(['command', 'entrypoint', 'test', 'healthcheck.test']);
/** Sequences merged by value (no duplicates); other sequences are replaced. */
const UNION = new Set([
  'ports',
  'expose',
  'volumes',
  'tmpfs',
  'cap_add',
  'cap_drop',
  'env_file',
  'profiles',
  'dns',
]);

const isMap = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `-f a.yml -f b.yml`: b overrides a, mappings merge key by key. */
export function mergeDocuments(docs: Raw[]): Raw {
  return docs.reduce((acc, doc) => mergeValue(acc, doc, '') as Raw, {});
}

function mergeValue(base: unknown, over: unknown, key: string): unknown {
  if (over === undefined) return base;
  if (REPLACED.has(key)) return over;
  if (Array.isArray(base) && Array.isArray(over)) {
    if (!UNION.has(key)) return over;
    const seen = new Set(base.map((v) => JSON.stringify(v)));
    return [...base, ...over.filter((v) => !seen.has(JSON.stringify(v)))];
  }
  // environment, labels: a list form on one side and a map on the other merge as maps.
  if ((key === 'environment' || key === 'labels') && (Array.isArray(base) || Array.isArray(over))) {
    return { ...asMap(base), ...asMap(over) };
  }
  if (isMap(base) && isMap(over)) {
    const out: Raw = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = mergeValue(base[k], v, k);
    return out;
  }
  return over;
}

function asMap(v: unknown): Raw {
  if (!Array.isArray(v)) return isMap(v) ? v : {};
  const out: Raw = {};
  for (const item of v) {
    const text = String(item);
    const eq = text.indexOf('=');
    out[eq < 0 ? text : text.slice(0, eq)] = eq < 0 ? null : text.slice(eq + 1);
  }
  return out;
}
