/**
 * The load balancer part of `npm run bench` (BENCH_LB_RUNS requests per case, default 3000; 0 skips):
 * three busybox httpd replicas on a user network of a test polisd; HTTP/1.0 requests (one connection
 * each, BENCH_LB_CONCURRENCY in flight, default 8) from the bench process to one replica directly, through
 * the balancer's nftables frontend and through its userspace proxy: throughput and p50/p99 latency, with
 * ratios against the direct connection measured in the same run. Then, for each path, the time from a
 * replica's removal (the call to setBackends without it) until no new request reaches it. No peer engine
 * has a comparable per-service balancer outside swarm mode, so the peers are printed as missing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceBalancer, type BalancerBackend } from '@polis/network';
import { TestDaemon } from '../harness/daemon.js';
import { freePort, httpGet } from '../harness/network.js';
import { envInt, layout, writeReport } from './common.js';

interface Throughput {
  path: string;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function load(
  path: string,
  host: string,
  port: number,
  n: number,
  concurrency: number,
): Promise<Throughput> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const s = performance.now();
        try {
          await httpGet(host, port);
          latencies.push(performance.now() - s);
        } catch {
          failed++;
        }
      }
    }),
  );
  const elapsed = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  return {
    path,
    requests: n,
    perSecond: (latencies.length / elapsed) * 1000,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    failed,
  };
}

/**
 * Requests run in a loop while `remove` takes `gone` out of the set; the answer: ms from the start of
 * the call until the start of the last request that still reached `gone` (0 when none did).
 */
async function removalTime(
  port: number,
  gone: string,
  remove: () => Promise<void>,
): Promise<{ ms: number; setMs: number }> {
  let stop = false;
  let lastHit = -1;
  let t0 = 0;
  const loop = Array.from({ length: 4 }, async () => {
    while (!stop) {
      const s = performance.now();
      const body = (await httpGet('127.0.0.1', port).catch(() => '')).trim();
      if (body === gone && t0 > 0 && s >= t0) lastHit = Math.max(lastHit, s);
    }
  });
  await new Promise((r) => setTimeout(r, 300));
  t0 = performance.now();
  await remove();
  const setMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1000));
  stop = true;
  await Promise.all(loop);
  return { ms: lastHit < 0 ? 0 : lastHit - t0, setMs };
}

export async function lbBench(): Promise<void> {
  const runs = envInt('BENCH_LB_RUNS', 3000, 0);
  if (runs === 0) {
    console.log('\nload balancer: skipped (BENCH_LB_RUNS=0)');
    return;
  }
  const concurrency = envInt('BENCH_LB_CONCURRENCY', 8, 1);
  const d = await TestDaemon.start();
  const stateDir = await mkdtemp(join(tmpdir(), 'polis-lb-bench-'));
  const lb = createServiceBalancer({ execRoot: stateDir, table: `lbbench_${process.pid}` });
  try {
    await d.importBusybox();
    const net = await d.polis(['network', 'create', 'lbbench']);
    if (net.code !== 0) throw new Error(`network create: ${net.stderr}`);
    const replicas: (BalancerBackend & { name: string })[] = [];
    for (const name of ['replica-1', 'replica-2', 'replica-3']) {
      const cmd = 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www';
      const run = await d.polis([
        'run',
        '-d',
        '--name',
        name,
        '--hostname',
        name,
        '--network',
        'lbbench',
        'busybox',
        'sh',
        '-c',
        cmd,
      ]);
      if (run.code !== 0) throw new Error(`run ${name}: ${run.stderr}`);
      const ip = (
        await d.polis(['inspect', '-f', '{{.NetworkSettings.Networks.lbbench.IPAddress}}', name])
      ).stdout.trim();
      replicas.push({ name, containerId: name, ip, port: 80 });
    }
    const kernelPort = await freePort();
    const proxyPort = await freePort();
    await lb.setBackends(
      'bench/kernel',
      { hostIp: '127.0.0.1', hostPort: kernelPort, protocol: 'tcp' },
      replicas,
    );
    await lb.setBackends(
      'bench/proxy',
      { hostIp: '127.0.0.1', hostPort: proxyPort, protocol: 'tcp', mode: 'proxy' },
      replicas,
    );
    for (const port of [kernelPort, proxyPort]) await httpGet('127.0.0.1', port, '/', 10_000);
    await httpGet(replicas[0]!.ip, 80, '/', 10_000);

    const direct = await load('direct to one replica', replicas[0]!.ip, 80, runs, concurrency);
    const kernel = await load('balancer: nftables', '127.0.0.1', kernelPort, runs, concurrency);
    const proxy = await load('balancer: userspace proxy', '127.0.0.1', proxyPort, runs, concurrency);
    const rows = [direct, kernel, proxy];
    console.log(
      `\nload balancer: ${runs} HTTP requests per path, ${concurrency} in flight, one connection each`,
    );
    console.log(
      layout([
        ['path', 'req/s', 'p50 ms', 'p99 ms', 'failed', 'req/s vs direct', 'p99 vs direct'],
        ...rows.map((r) => [
          r.path,
          r.perSecond.toFixed(0),
          r.p50Ms.toFixed(2),
          r.p99Ms.toFixed(2),
          String(r.failed),
          (r.perSecond / direct.perSecond).toFixed(2),
          (r.p99Ms / direct.p99Ms).toFixed(2),
        ]),
        ['podman', 'missing', '', '', '', 'no per-service balancer outside a pod', ''],
        ['docker', 'missing', '', '', '', 'only in swarm mode (IPVS), not run', ''],
      ]),
    );
    const gone = replicas[2]!;
    const keep = replicas.slice(0, 2);
    const kernelRemoval = await removalTime(kernelPort, gone.name, () =>
      lb.setBackends('bench/kernel', { hostIp: '127.0.0.1', hostPort: kernelPort, protocol: 'tcp' }, keep),
    );
    const proxyRemoval = await removalTime(proxyPort, gone.name, () =>
      lb.setBackends(
        'bench/proxy',
        { hostIp: '127.0.0.1', hostPort: proxyPort, protocol: 'tcp', mode: 'proxy' },
        keep,
      ),
    );
    console.log(
      layout([
        ['replica removed', 'setBackends ms', 'last new request reaching it, ms after'],
        ['nftables', kernelRemoval.setMs.toFixed(1), kernelRemoval.ms.toFixed(1)],
        ['userspace proxy', proxyRemoval.setMs.toFixed(1), proxyRemoval.ms.toFixed(1)],
      ]),
    );
    await writeReport('lb.json', {
      runs,
      concurrency,
      throughput: rows,
      removal: { kernel: kernelRemoval, proxy: proxyRemoval },
    });
  } finally {
    await lb.destroy().catch(() => undefined);
    await lb.close();
    await d.cleanup();
    await rm(stateDir, { recursive: true, force: true });
  }
}
