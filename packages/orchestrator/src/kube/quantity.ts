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

const BINARY: Record<string, number> = {
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** A compose size ("512M", "1g", bytes) or a Kubernetes binary quantity ("5Gi", "1.5Gi") → bytes. */
export function memoryBytes(raw: number | string, what: string): number {
  let bytes: number;
  if (typeof raw === 'number') bytes = raw;
  else {
    const text = raw.trim();
    const k8s = /^(\d+(?:\.\d+)?)([KMGTPE]i)$/.exec(text);
    if (k8s) bytes = Math.trunc(Number(k8s[1]) * (BINARY[k8s[2] as string] as number));
    else
      try {
        bytes = parseBytes(text);
      } catch {
        throw new PolisError('request.invalid', `${what}: invalid size ${JSON.stringify(raw)}`);
      }
  }
  if (!Number.isInteger(bytes) || bytes < 0)
    throw new PolisError('request.invalid', `${what}: invalid size ${JSON.stringify(raw)}`);
  return bytes;
}

/** A size (see memoryBytes) → a quantity in the largest binary unit that divides it exactly, else bytes. */
export function memoryQuantity(raw: number | string, what: string): string {
  const bytes = memoryBytes(raw, what);
  for (const [unit, size] of [
    ['Ti', 1024 ** 4],
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ] as const)
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}
