/**
 * The throughput side of the network benchmark: a busybox httpd container serving one big file,
 * fetched with node:http from the test process along different paths.
 */
import { get } from 'node:http';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { TestDaemon } from '../harness/daemon.js';
import { freePort, httpGet } from '../harness/network.js';
import { waitFor } from '../harness/wait.js';

export interface HttpdTarget {
  id: string;
  /** The container's address on the default bridge. */
  ip: string;
  /** The host port published to the container's port 80 on all host addresses. */
  hostPort: number;
  bytes: number;
}

/**
 * Starts `busybox httpd` on the default bridge with port 80 published, serving /big (`mib` MiB of
 * zeros, written inside the container before httpd starts) and /index.html (written after /big, so
 * an answer on it means /big is complete).
 */
export async function startHttpd(daemon: TestDaemon, mib: number): Promise<HttpdTarget> {
  const hostPort = await freePort();
  const script =
    `mkdir -p /www && dd if=/dev/zero of=/www/big bs=1M count=${mib} 2>/dev/null && ` +
    'echo ready > /www/index.html && exec httpd -f -p 80 -h /www';
  const run = await daemon.polis(['run', '-d', '-p', `${hostPort}:80`, 'busybox', 'sh', '-c', script]);
  const id = run.stdout.trim();
  if (run.code !== 0 || id === '') throw new Error(`starting the httpd container: ${run.stderr.trim()}`);
  const inspect = await daemon.client.containers.inspect(id);
  const ip = inspect.NetworkSettings?.IPAddress ?? '';
  if (ip === '') throw new Error(`httpd container ${id} has no address on the default bridge`);
  await waitFor(
    'the httpd container to answer',
    () =>
      httpGet(ip, 80, '/index.html').then(
        (body) => body.trim() === 'ready',
        () => false,
      ),
    30_000,
  );
  return { id, ip, hostPort, bytes: mib * 1024 * 1024 };
}

/** The first non-internal IPv4 address of this host (the order is the kernel's interface order). */
export function hostAddress(): { name: string; address: string } | undefined {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    const v4 = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return { name, address: v4.address };
  }
  return undefined;
}

/**
 * GETs `path` from host:port, counting and dropping the body; MB/s (10^6 bytes per second) from the
 * request to the body's end. Throws unless the status is 200 and exactly `bytes` arrived.
 */
export function fetchRate(host: string, port: number, path: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = get({ host, port, path, agent: false, timeout: 60_000 }, (res) => {
      let received = 0;
      res.on('data', (b: Buffer) => (received += b.length));
      res.on('error', reject);
      res.on('end', () => {
        const ms = performance.now() - t0;
        if (res.statusCode !== 200 || received !== bytes) {
          reject(
            new Error(`GET ${host}:${port}${path}: status ${res.statusCode}, ${received}/${bytes} bytes`),
          );
        } else resolve(bytes / 1e6 / (ms / 1000));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}:${port}${path} timed out`)));
    req.on('error', reject);
  });
}
