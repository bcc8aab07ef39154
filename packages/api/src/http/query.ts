import { invalid } from './errors.js';

/** Docker's booleans: `1`, `true`, `True` are true; `0`, `false`, `False` and empty are false. */
export function boolParam(query: URLSearchParams, name: string, fallback = false): boolean {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = raw.trim().toLowerCase();
  if (value === '1' || value === 'true') return true;
  if (value === '' || value === '0' || value === 'false') return false;
  throw invalid(`invalid boolean value for ${name}: ${JSON.stringify(raw)}`);
}

/** An integer parameter; undefined when absent or empty, 400 on anything else than an integer. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  if (!/^[-+]?[0-9]+$/.test(raw.trim()))
    throw invalid(`invalid integer value for ${name}: ${JSON.stringify(raw)}`);
  const n = Number.parseInt(raw.trim(), 10);
  if (!Number.isSafeInteger(n)) throw invalid(`integer value out of range for ${name}: ${raw}`);
  return n;
}

/** Non-empty string parameter or undefined. */
export function stringParam(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  return raw === null || raw === '' ? undefined : raw;
}

/**
 * Docker's `filters` parameter: JSON, either `{"k":["v"]}` or the older `{"k":{"v":true}}`.
 * Returns undefined when absent or empty.
 */
export function filtersParam(query: URLSearchParams, name = 'filters'): Record<string, string[]> | undefined {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(`invalid filter: ${JSON.stringify(raw)} is not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid(`invalid filter: expected a JSON object, got ${JSON.stringify(raw)}`);
  }
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value;
    else if (
      value !== null &&
      typeof value === 'object' &&
      Object.values(value).every((v) => typeof v === 'boolean')
    ) {
      out[key] = Object.entries(value as Record<string, boolean>)
        .filter(([, on]) => on)
        .map(([v]) => v);
    } else throw invalid(`invalid filter '${key}': expected a list of strings`);
  }
  return out;
}
