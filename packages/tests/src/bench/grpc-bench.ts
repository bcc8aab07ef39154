/**
 * The gRPC part of `npm run bench`: BENCH_GRPC_RUNS (default 1000; 0 skips) container `inspect` calls
 * and a fifth as many `exec true` into a running container, one after the other, through the SDK's one
 * client over REST (unix socket) and over gRPC (`polis-grpc.sock`) against the same polisd, and over
 * REST against the bench's own dockerd (peers.ts) when it runs: throughput and p50/p99 per transport.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, type PolisApi } from '@polis/sdk';
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { runCommand } from '../harness/run.js';
import { envInt, layout, writeReport } from './common.js';
import { benchDockerSocket } from './docker-socket.js';
import { preparePeers } from './peers.js';
import { percentile } from './stats.js';

interface Series {
  perSecond: number;
  p50: number;
  p99: number;
}

interface Target {
  name: string;
  api: PolisApi;
  container: string;
}

async function series(count: number, once: () => Promise<void>): Promise<Series> {
  for (let i = 0; i < Math.min(20, count); i++) await once();
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = performance.now();
    await once();
    samples.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  samples.sort((a, b) => a - b);
  return { perSecond: (count / total) * 1000, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function execTrue(api: PolisApi, id: string): Promise<void> {
  const session = api.containers.exec(id, ['true']);
  for await (const chunk of session) void chunk;
  const code = await session.exitCode;
  if (code !== 0) throw new Error(`exec true exited ${code}`);
}

/** The bench's dockerd as a peer: busybox imported, a container to inspect and exec into. */
async function dockerPeer(): Promise<{ target?: Target; note?: string; cleanup(): Promise<void> }> {
  const socket = benchDockerSocket();
  if (!socket) return { note: 'no dockerd of the bench (see peers)', cleanup: async () => {} };
  const host = `unix://${socket}`;
  const imported = await runCommand('docker', [
    '-H',
    host,
    'import',
    await busyboxTar(),
    'polis-grpc-bench:1',
  ]);
  if (imported.code !== 0)
    return { note: `docker import: ${imported.stderr.trim()}`, cleanup: async () => {} };
  const api = connect({ host, tls: false });
  const { Id } = await api.containers.create({
    Image: 'polis-grpc-bench:1',
    Cmd: ['sleep', '3600'],
    HostConfig: { NetworkMode: 'none' },
  });
  await api.containers.start(Id);
  return {
    target: { name: 'dockerd REST', api, container: Id },
    cleanup: async () => {
      await api.containers.remove(Id, { force: true }).catch(() => undefined);
      await api.images.remove('polis-grpc-bench:1', { force: true }).catch(() => undefined);
      api.close();
    },
  };
}

export async function grpcBench(): Promise<void> {
  const inspects = envInt('BENCH_GRPC_RUNS', 1000, 0);
  if (inspects === 0) {
    console.log('grpc bench: skipped (BENCH_GRPC_RUNS=0)');
    return;
  }
  const execs = Math.max(1, Math.round(inspects / 5));
  const d = await TestDaemon.start();
  const peer = await dockerPeer().catch((err: unknown) => ({
    note: `dockerd: ${(err as Error).message}`,
    target: undefined,
    cleanup: async () => {},
  }));
  try {
    await d.importBusybox();
    const rest = connect({ host: d.host, tls: false });
    const grpc = connect({ transport: 'grpc', socketPath: join(d.execRoot, 'polis-grpc.sock') });
    const { Id } = await rest.containers.create({ Image: 'busybox', Cmd: ['sleep', '3600'] });
    await rest.containers.start(Id);
    const targets: Target[] = [
      { name: 'polis REST', api: rest, container: Id },
      { name: 'polis gRPC', api: grpc, container: Id },
      ...(peer.target ? [peer.target] : []),
    ];
    const results: Record<string, { inspect: Series; exec: Series }> = {};
    for (const t of targets) {
      const inspect = await series(inspects, async () => void (await t.api.containers.inspect(t.container)));
      const exec = await series(execs, () => execTrue(t.api, t.container));
      results[t.name] = { inspect, exec };
    }
    const base = results['polis REST']!;
    const docker = peer.target ? results['dockerd REST'] : undefined;
    const row = (name: string, r: { inspect: Series; exec: Series } | undefined): string[] =>
      r
        ? [
            name,
            r.inspect.perSecond.toFixed(0),
            r.inspect.p99.toFixed(2),
            (r.inspect.perSecond / base.inspect.perSecond).toFixed(2),
            docker ? (r.inspect.perSecond / docker.inspect.perSecond).toFixed(2) : 'missing',
            r.exec.perSecond.toFixed(1),
            r.exec.p99.toFixed(1),
            (r.exec.perSecond / base.exec.perSecond).toFixed(2),
            docker ? (r.exec.perSecond / docker.exec.perSecond).toFixed(2) : 'missing',
          ]
        : [name, ...Array<string>(8).fill('missing')];
    console.log(
      `\ngRPC vs REST: ${inspects} inspect calls and ${execs} \`exec true\`, sequential, one client each`,
    );
    console.log(
      layout([
        ['', 'inspect/s', 'p99 ms', '×REST', '×dockerd', 'exec/s', 'p99 ms', '×REST', '×dockerd'],
        row('polis REST', base),
        row('polis gRPC', results['polis gRPC']),
        row('dockerd REST', docker),
      ]),
    );
    if (peer.note) console.log(`dockerd REST: missing (${peer.note})`);
    await writeReport('grpc.json', {
      inspects,
      execs,
      results,
      ...(peer.note ? { dockerNote: peer.note } : {}),
    });
    await rest.containers.remove(Id, { force: true });
    rest.close();
    grpc.close();
  } finally {
    await peer.cleanup();
    await d.cleanup();
  }
}

// Run alone: `node packages/tests/dist/bench/grpc-bench.js` (starts the bench's dockerd as run.ts does).
if (process.argv[1] === new URL(import.meta.url).pathname) {
  const peers = await preparePeers();
  try {
    await grpcBench();
  } finally {
    await peers.stop();
  }
}
