/** Summary statistics of timing samples (milliseconds). */
export interface Summary {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
  mean: number;
}

/** The nearest-rank percentile (p in 0..100) of already sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The median; the mean of the two middle samples for an even count. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summary of no samples');
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    median: median(s),
    p90: percentile(s, 90),
    min: s[0] as number,
    max: s[s.length - 1] as number,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** The index of the sample closest to the median: a representative run. */
export function representativeIndex(samples: readonly number[]): number {
  const m = median(samples);
  let best = 0;
  samples.forEach((v, i) => {
    if (Math.abs(v - m) < Math.abs((samples[best] as number) - m)) best = i;
  });
  return best;
}
