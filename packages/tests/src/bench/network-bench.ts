/**
 * The network benchmark: what network set-up adds to `run --rm busybox true` through the SDK
 * (default bridge, a user network made beforehand, the bridge with a published port) against
 * `--network none`; then the throughput of a 200 MiB HTTP download from a busybox httpd container
 * directly at its bridge address against its published port on 127.0.0.1 and on the host's own
 * address. Cases are interleaved round by round, each round in a rotated order.
 * BENCH_NET_RUNS (default 15; 0 skips) set-up rounds after BENCH_NET_WARMUP (default 2);
 * BENCH_NET_FETCHES (default 10) throughput rounds after one warm-up; BENCH_NET_MIB (default 200).
 */
import { release } from 'node:os';
import { performance } from 'node:perf_hooks';
import { TestDaemon } from '../harness/daemon.js';

import { envInt, writeReport } from './common.js';
import {
  evaluateNetworkGoals,
  formatSetupTable,
  formatThroughputTable,
  type SetupResult,
  type ThroughputKey,
  type ThroughputResult,
} from './network-report.js';
import { sdkRunBody, setupCases } from './network-setup.js';
import { fetchRate, hostAddress, startHttpd } from './network-throughput.js';
import { formatGoals } from './report.js';
import type { SdkPhases } from './sdk-run.js';
import { summarize } from './stats.js';

const USER_NETWORK = 'polis-bench-net';

/** Calls each of `steps` once per round, round r starting at step r mod n; false stops early. */
async function interleave(
  rounds: number,
  steps: readonly ((round: number) => Promise<void>)[],
  keepGoing: () => boolean,
  label: string,
): Promise<void> {
  for (let round = 0; round < rounds && keepGoing(); round++) {
    // Rotating the order spreads drift (caches, timers, other load) over all cases alike.
    for (let i = 0; i < steps.length && keepGoing(); i++) await steps[(round + i) % steps.length]!(round);
    if (process.stderr.isTTY) process.stderr.write(`\r${label} round ${round + 1}/${rounds}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
}

async function measureSetup(
  daemon: TestDaemon,
  runs: number,
  warmup: number,
  keepGoing: () => boolean,
): Promise<SetupResult[]> {
  await daemon.client.networks.create({ Name: USER_NETWORK });
  const client = daemon.client;
  const measured = setupCases('busybox', USER_NETWORK).map((c) => ({
    c,
    ms: [] as number[],
    phases: [] as SdkPhases[],
  }));
  console.log(
    `network bench: set-up, ${runs} rounds (+${warmup} warm-up) of ${measured.length} cases, interleaved; ` +
      'each an SDK create/attach/wait/start/removed of busybox true with AutoRemove',
  );
  await interleave(
    warmup + runs,
    measured.map((m) => async (round: number) => {
      const p = await sdkRunBody(client, m.c.body);
      // Untimed: the removed container's mounts and netns are let go before the next run.
      await daemon.cleanupsSettled();
      if (round < warmup) return;
      m.ms.push(p.removed);
      m.phases.push(p);
    }),
    keepGoing,
    'set-up',
  );
  return measured.map((m) => ({ key: m.c.key, name: m.c.name, summary: summarize(m.ms), phases: m.phases }));
}

async function measureThroughput(
  daemon: TestDaemon,
  fetches: number,
  mib: number,
  keepGoing: () => boolean,
): Promise<{ results: ThroughputResult[]; hostIf: string }> {
  const t0 = performance.now();
  const target = await startHttpd(daemon, mib);
  const host = hostAddress();
  if (!host) throw new Error('this host has no non-internal IPv4 address');
  console.log(
    `network bench: throughput, ${fetches} rounds (+1 warm-up) of ${mib} MiB from busybox httpd ` +
      `(${target.ip}, published on host port ${target.hostPort}; ready in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s), node:http client, body discarded`,
  );
  const paths: { key: ThroughputKey; name: string; host: string; port: number }[] = [
    { key: 'direct', name: `direct to the container (${target.ip}:80)`, host: target.ip, port: 80 },
    {
      key: 'loopback',
      name: `published port on 127.0.0.1:${target.hostPort}`,
      host: '127.0.0.1',
      port: target.hostPort,
    },
    {
      key: 'host-address',
      name: `published port on ${host.address}:${target.hostPort} (${host.name})`,
      host: host.address,
      port: target.hostPort,
    },
  ];
  const rates = paths.map(() => [] as number[]);
  await interleave(
    1 + fetches,
    paths.map((p, i) => async (round: number) => {
      const rate = await fetchRate(p.host, p.port, '/big', target.bytes);
      if (round >= 1) rates[i]!.push(rate);
    }),
    keepGoing,
    'throughput',
  );
  await daemon.client.containers.remove(target.id, { force: true });
  return {
    results: paths.map((p, i) => ({ key: p.key, name: p.name, summary: summarize(rates[i]!) })),
    hostIf: host.name,
  };
}

export async function networkBench(): Promise<void> {
  const runs = envInt('BENCH_NET_RUNS', 15, 0);
  if (runs === 0) {
    console.log('network bench: skipped (BENCH_NET_RUNS=0)');
    return;
  }
  const warmup = envInt('BENCH_NET_WARMUP', 2, 0);
  const fetches = envInt('BENCH_NET_FETCHES', 10, 1);
  const mib = envInt('BENCH_NET_MIB', 200, 1);
  let interrupted = false;
  const onSigint = (): void => void (interrupted = true);
  process.once('SIGINT', onSigint);
  const keepGoing = (): boolean => !interrupted;
  let daemon: TestDaemon | undefined;
  try {
    daemon = await TestDaemon.start();
    await daemon.importBusybox();
    const setup = await measureSetup(daemon, runs, warmup, keepGoing);
    if (interrupted) throw new Error('interrupted');
    const throughput = await measureThroughput(daemon, fetches, mib, keepGoing);
    if (interrupted) throw new Error('interrupted');

    const goals = evaluateNetworkGoals(setup, throughput.results);
    console.log(`\n${formatSetupTable(setup)}`);
    console.log(
      '(added: vs --network none, medians; create/start/removal +: the median of that stretch of the SDK ' +
        'path against none: create, wait-registered → start returned, exit seen → removed)\n',
    );
    console.log(`${formatThroughputTable(throughput.results)}\n`);
    console.log(`goals (medians):\n${formatGoals(goals)}`);

    const report = {
      date: new Date().toISOString(),
      runs,
      warmup,
      fetches,
      mib,
      host: { node: process.version, kernel: release(), interface: throughput.hostIf },
      setup: setup.map((r) => ({
        key: r.key,
        name: r.name,
        ...r.summary,
        samples: r.phases.map((p) => Math.round(p.removed * 100) / 100),
        phases: r.phases,
      })),
      throughput: throughput.results.map((r) => ({ key: r.key, name: r.name, ...r.summary })),
      goals,
    };
    await writeReport('network.json', report);
  } finally {
    process.off('SIGINT', onSigint);
    await daemon?.cleanup().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
  }
}
