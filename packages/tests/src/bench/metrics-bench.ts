/**
 * The metrics part of `npm run bench`: the time of one `GET /metrics` scrape over polisd's socket with
 * BENCH_METRICS_CONTAINERS (default 100; 0 skips) running containers, the median of
 * BENCH_METRICS_SCRAPES (default 20) scrapes after two unmeasured ones, against the same daemon with
 * none running. dockerd has nothing comparable (its `--metrics-addr` has no per-container series), so
 * the figure is reported alone.
 */
import { TestDaemon } from '../harness/daemon.js';
import { rawRequest } from '../harness/http.js';
import { parsePromText } from '../harness/prom-text.js';
import { envInt, layout, writeReport } from './common.js';
import { median } from './stats.js';

interface Scrapes {
  running: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  bytes: number;
  series: number;
}

async function scrapes(daemon: TestDaemon, running: number, n: number): Promise<Scrapes> {
  let text = '';
  for (let i = 0; i < 2; i++) text = (await rawRequest(daemon.socket, 'GET', '/metrics')).text;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await rawRequest(daemon.socket, 'GET', '/metrics');
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${res.text}`);
    text = res.text;
  }
  return {
    running,
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    bytes: Buffer.byteLength(text),
    series: parsePromText(text).samples.length,
  };
}

export async function metricsBench(): Promise<void> {
  const count = envInt('BENCH_METRICS_CONTAINERS', 100, 0);
  if (count === 0) {
    console.log('metrics bench: skipped (BENCH_METRICS_CONTAINERS=0)');
    return;
  }
  const n = envInt('BENCH_METRICS_SCRAPES', 20, 1);
  const results: Scrapes[] = [];
  const daemon = await TestDaemon.start();
  try {
    await daemon.importBusybox();
    results.push(await scrapes(daemon, 0, n));
    for (let i = 0; i < count; i++) {
      const res = await daemon.polis(['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600']);
      if (res.code !== 0) throw new Error(`polis run -d failed: ${res.stderr}`);
    }
    results.push(await scrapes(daemon, count, n));
  } finally {
    await daemon.cleanup();
  }
  const [idle, full] = results as [Scrapes, Scrapes];
  const perContainerMs = (full.medianMs - idle.medianMs) / count;
  const rows = [['running containers', 'median ms', 'min ms', 'max ms', 'KiB', 'series']];
  for (const r of results) {
    rows.push([
      String(r.running),
      r.medianMs.toFixed(2),
      r.minMs.toFixed(2),
      r.maxMs.toFixed(2),
      (r.bytes / 1024).toFixed(1),
      String(r.series),
    ]);
  }
  console.log(`\nmetrics bench: GET /metrics over the socket, median of ${n} scrapes\n${layout(rows)}`);
  console.log(
    `  ${full.medianMs.toFixed(1)} ms per scrape with ${count} running; ` +
      `${(full.medianMs / count).toFixed(3)} ms per container (${perContainerMs.toFixed(3)} ms over the idle scrape); ` +
      'dockerd: nothing comparable (no per-container metrics), not measured',
  );
  await writeReport('metrics.json', { count, scrapes: n, results, perContainerMs });
}
