import { parseBytes, PolisError } from '@polis/core';

/** Kubernetes' quantity syntax (resource.Quantity), for values this conversion writes and the schemas check. */
export const QUANTITY_PATTERN = '^[+-]?(\\d+\\.?\\d*|\\.\\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\\d+)?$';

/** CPUs ("0.5", 2) → "500m" or "2". */
export function cpuQuantity(raw: number | string, what: string): string {
  const cpus = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(cpus) || cpus < 0 || (typeof raw === 'string' && raw.trim() === ''))
    throw new PolisError('request.invalid', `${what}: invalid cpus ${JSON.stringify(raw)}`);
  const milli = Math.round(cpus * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** A compose size ("512M", "1g", bytes, or already a quantity like "5Gi") → a quantity in binary units. */
export function memoryQuantity(raw: number | string, what: string): string {
  let bytes: number;
  if (typeof raw === 'number') bytes = raw;
  else {
    const text = raw.trim();
    // Already Kubernetes' spelling (Gi, Mi, ...): taken as it is, after the same check the schemas make.
    if (/^\d+(\.\d+)?([KMGTPE]i)$/.test(text)) return text;
    try {
      bytes = parseBytes(text);
    } catch {
      throw new PolisError('request.invalid', `${what}: invalid size ${JSON.stringify(raw)}`);
    }
  }
  if (!Number.isInteger(bytes) || bytes < 0)
    throw new PolisError('request.invalid', `${what}: invalid size ${raw}`);
  for (const [unit, size] of [
    ['Ti', 1024 ** 4],
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ] as const)
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}
