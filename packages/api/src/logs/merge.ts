/** One line of the central log: whose it is, and the entry itself. */
export interface Tagged<T extends { time: string }> {
  /** Index of the source (container) the entry came from; ties in time keep source order. */
  source: number;
  entry: T;
}

/**
 * k-way merge of per-container streams that are each already in time order (a container's log is
 * written in order by its one conmon). Times are RFC 3339 UTC with nine fraction digits, as the
 * readers normalise them, so they compare as strings. A binary heap keeps it O(n log k).
 */
export function mergeByTime<T extends { time: string }>(sources: T[][]): Tagged<T>[] {
  const heap: { source: number; at: number }[] = [];
  const key = (h: { source: number; at: number }): string => (sources[h.source] as T[])[h.at]!.time;
  const less = (a: { source: number; at: number }, b: { source: number; at: number }): boolean => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb || (ka === kb && a.source < b.source);
  };
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) return;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  sources.forEach((s, source) => {
    if (s.length > 0) {
      heap.push({ source, at: 0 });
      up(heap.length - 1);
    }
  });
  const out: Tagged<T>[] = [];
  while (heap.length > 0) {
    const top = heap[0]!;
    out.push({ source: top.source, entry: (sources[top.source] as T[])[top.at]! });
    if (top.at + 1 < (sources[top.source] as T[]).length) {
      heap[0] = { source: top.source, at: top.at + 1 };
    } else {
      const last = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = last;
    }
    down(0);
  }
  return out;
}
