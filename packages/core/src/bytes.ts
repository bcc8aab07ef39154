import { PolisError } from './errors.js';

const UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/**
 * A size as docker takes it (go-units `RAMInBytes`): binary units k, m, g, t, p with an optional i and
 * b, any case, an optional space, decimals allowed ("512m", "1.5G", "2GiB", "10 MB", "100") → bytes,
 * truncated to a whole number. The one parser of sizes for flags, log options and daemon settings.
 */
export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(text);
  if (!m) throw new PolisError('request.invalid', `invalid size: '${text}'`, { context: { value: text } });
  return Math.trunc(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] as number));
}
