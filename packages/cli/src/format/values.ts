/** How Go's templates see and print values. */

export class TemplateError extends Error {}

/**
 * Marks a row context (a Go struct in docker): asking it for a field it lacks is an error, where a JSON
 * object (a Go map) just yields no value.
 */
export const STRICT = Symbol('strict');

export function lookupField(owner: unknown, key: string): unknown {
  if (owner === null || owner === undefined) return undefined;
  if (typeof owner !== 'object')
    throw new TemplateError(`template: can't evaluate field ${key} in type ${typeof owner}`);
  if (STRICT in owner && !(key in owner)) throw new TemplateError(`template: can't evaluate field ${key}`);
  return (owner as Record<string, unknown>)[key];
}

/** Go's `%v`: `[a b]` for slices, `map[k:v]` for maps, `<no value>` for a missing key. */
export function goString(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(inner).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${inner((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  return String(v);
}

function inner(v: unknown): string {
  return v === undefined || v === null ? '<nil>' : goString(v);
}

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}
