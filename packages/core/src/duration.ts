const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu, which Go accepts too
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h)`;
const WHOLE = new RegExp(`^[+-]?(?:${PART})+$`);

/**
 * Go's `time.ParseDuration` ("1h30m", "10s", "1.5h", "250ms", "-2m", "0") → milliseconds, or undefined
 * when malformed (a bare number other than 0 is, as in Go). The one parser of Go durations: flags,
 * Dockerfile HEALTHCHECK options, Compose files and alert rules wrap it with their own errors.
 */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  }
  return text.startsWith('-') ? -total : total;
}
