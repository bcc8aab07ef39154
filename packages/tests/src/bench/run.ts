/**
 * `npm run bench`: the time of a `run --rm busybox true` through the Polis CLI and SDK, against raw crun,
 * `node -e 0` and (when present and working) podman and docker, and of an `exec CTR true` into a running
 * container the same ways, interleaved round by round; then the goals, a per-phase breakdown of the SDK
 * path, the resident memory of polisd and conmon, and the memory per idle container with many running.
 * BENCH_RUNS (default 20) rounds are measured after BENCH_WARMUP (default 2) unmeasured ones;
 * BENCH_CONTAINERS (default 50) idle containers are started for the memory measurement.
 * Then the pull benchmark (pull-bench.ts; BENCH_PULL_RUNS=0 skips it) and the network benchmark
 * (network-bench.ts; BENCH_NET_RUNS=0 skips it), the volume benchmark (volume-bench.ts;
 * BENCH_VOLUME_RUNS=0 skips it), the cp benchmark (cp-bench.ts; BENCH_CP_RUNS=0 skips it), the
 * resource-limit benchmark (limits-bench.ts; BENCH_LIMITS_RUNS=0 skips it) and the user namespace
 * benchmark (userns-bench.ts; BENCH_USERNS_RUNS=0 skips it), then the stats benchmark (stats-bench.ts)
 * and the /metrics scrape benchmark (metrics-bench.ts; BENCH_METRICS_CONTAINERS=0 skips it), then the
 * gRPC-vs-REST benchmark (grpc-bench.ts; BENCH_GRPC_RUNS=0 skips it).
 */
import { release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { POLIS_BIN } from '../harness/paths.js';
import { assertShippedCli, envInt, writeReport } from './common.js';
import { runCommand } from '../harness/run.js';
import { RawBundle, type RawRuntime } from './bundle.js';
import { probeDocker, probePodman, startExecTarget, type ExternalEngine } from './engines.js';
import { measureIdleMemory } from './idle-memory.js';
import {
  evaluateExecGoals,
  evaluateGoals,
  evaluateMemoryGoals,
  formatGoals,
  formatPhases,
  formatTable,
  mib,
  phaseDurations,
  type CaseKey,
  type CaseResult,
} from './report.js';
import { networkBench } from './network-bench.js';
import { preparePeers } from './peers.js';
import { pullBench } from './pull-bench.js';
import { statsBench } from './stats-bench.js';
import { healthBench } from './health-bench.js';
import { metricsBench } from './metrics-bench.js';
import { grpcBench } from './grpc-bench.js';
import { startupBench } from './startup-bench.js';
import { volumeBench } from './volume-bench.js';
import { backupBench } from './backup-bench.js';
import { cpBench } from './cp-bench.js';
import { buildBench } from './build-bench.js';
import { composeBench } from './compose-bench.js';
import { limitsBench } from './limits-bench.js';
import { usernsBench } from './userns-bench.js';
import { lbBench } from './lb-bench.js';
import { criBench } from './cri-bench.js';
import { conmonRssKiB, spawnHelperRssKiB, vmRssKiB } from './rss.js';
import { sdkExec } from './sdk-exec.js';
import { sdkRunRm, PHASE_NAMES, type SdkPhases } from './sdk-run.js';
import { median, representativeIndex, summarize } from './stats.js';

interface Case {
  key: CaseKey;
  name: string;
  /** One run; throws when it did not succeed. */
  once: () => Promise<void>;
  /**
   * Untimed, after each run: waits until the engine is quiet again (Polis answers `--rm` removed before
   * it lets go of the mounts and the netns), so that its cleanup is not paid by the next case.
   */
  settle?: () => Promise<void>;
  samples: number[];
}

async function succeed(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  const res = await runCommand(command, args, env ? { env } : {});
  if (res.code !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${res.code}: ${res.stderr.trim()}`);
}

async function firstLine(command: string, args: string[]): Promise<string> {
  return (await runCommand(command, args)).stdout.split('\n')[0]?.trim() ?? '';
}

function rawCase(bundle: RawBundle, runtime: RawRuntime, key: CaseKey, label = 'raw bundle'): Case {
  return {
    key,
    name: `${runtime} run (${label})`,
    once: () => succeed(runtime, bundle.runArgs(runtime)),
    samples: [],
  };
}

function engineCase(key: CaseKey, engine: ExternalEngine): Case {
  return {
    key,
    name: engine.name,
    once: () => succeed(engine.command, engine.runArgs, engine.env),
    samples: [],
  };
}

/** Runs a container once to get the config.json Polis writes, and makes a raw bundle of it. */
async function polisConfigBundle(daemon: TestDaemon, tar: string): Promise<RawBundle> {
  // The bundle (config.json with it) lives on the exec root while the container runs.
  const id = (await daemon.polis(['run', '-d', 'busybox', 'sleep', '60'])).stdout.trim();
  try {
    return await RawBundle.fromPolisConfig(tar, join(daemon.execRoot, 'containers', id, 'config.json'));
  } finally {
    await daemon.polis(['rm', '-f', id]);
  }
}

async function main(): Promise<void> {
  const runs = envInt('BENCH_RUNS', 20, 1);
  const warmup = envInt('BENCH_WARMUP', 2, 0);
  const idleCount = envInt('BENCH_CONTAINERS', 50, 1);
  const undo: (() => Promise<unknown>)[] = [];
  let interrupted = false;
  process.once('SIGINT', () => (interrupted = true));
  try {
    const tar = await busyboxTar();
    const daemon = await TestDaemon.start();
    undo.push(() => daemon.cleanup());
    await daemon.importBusybox();
    const runcDaemon = await TestDaemon.start({ runtime: 'runc' });
    undo.push(() => runcDaemon.cleanup());
    await runcDaemon.importBusybox();
    const bundle = await RawBundle.prepare(tar);
    undo.push(() => bundle.remove());
    const secureBundle = await RawBundle.prepare(tar, { secure: true });
    undo.push(() => secureBundle.remove());
    const polisBundle = await polisConfigBundle(daemon, tar);
    undo.push(() => polisBundle.remove());
    // exec targets: a `sleep 3600` under Polis and one under raw crun (remove() deletes it).
    const execBundle = await RawBundle.prepare(tar, { args: ['sleep', '3600'] });
    undo.push(() => execBundle.remove());
    const crunTarget = await execBundle.runDetached('crun');
    const polisTarget = (await daemon.polis(['run', '-d', 'busybox', 'sleep', '3600'])).stdout.trim();
    if (polisTarget === '') throw new Error('polis run -d busybox sleep 3600 gave no id');
    const removePolisTarget = (): Promise<unknown> => daemon.polis(['rm', '-f', polisTarget]);
    undo.push(removePolisTarget);

    const client = daemon.client;
    const runcClient = runcDaemon.client;
    const phases: SdkPhases[] = [];
    const cases: Case[] = [
      {
        key: 'cli',
        name: 'polis run --rm (CLI)',
        once: () => succeed(POLIS_BIN, ['run', '--rm', 'busybox', 'true'], daemon.env()),
        settle: () => daemon.cleanupsSettled(),
        samples: [],
      },
      {
        key: 'sdk',
        name: 'polis SDK create/attach/wait/start',
        once: async () => void phases.push(await sdkRunRm(client, 'busybox')),
        settle: () => daemon.cleanupsSettled(),
        samples: [],
      },
      rawCase(bundle, 'crun', 'crun'),
      rawCase(secureBundle, 'crun', 'crun-secure', "bundle + Polis's security"),
      rawCase(polisBundle, 'crun', 'crun-polis', "Polis's own config.json"),
      { key: 'node', name: 'node -e 0', once: () => succeed(process.execPath, ['-e', '0']), samples: [] },
      {
        key: 'exec-cli',
        name: 'polis exec CTR true (CLI)',
        once: () => succeed(POLIS_BIN, ['exec', polisTarget, 'true'], daemon.env()),
        samples: [],
      },
      {
        key: 'exec-sdk',
        name: 'polis SDK exec create/start/inspect',
        once: () => sdkExec(client, polisTarget),
        samples: [],
      },
      {
        key: 'exec-crun',
        name: 'crun exec (raw bundle)',
        once: () => succeed('crun', execBundle.execArgs('crun', crunTarget)),
        samples: [],
      },
    ];
    const skipped: string[] = [];
    for (const [key, probe] of [
      ['podman', probePodman],
      ['docker', probeDocker],
    ] as const) {
      const found = await probe(tar);
      if ('skipped' in found) skipped.push(found.skipped);
      else {
        const engine = found.engine;
        undo.push(() => engine.cleanup());
        cases.push(engineCase(key, engine));
        const target = await startExecTarget(engine);
        if ('skipped' in target) skipped.push(target.skipped);
        else {
          undo.push(() => target.remove());
          cases.push({
            key: `exec-${key}`,
            name: `${engine.command} exec CTR true`,
            once: () => succeed(engine.command, target.execArgs, engine.env),
            samples: [],
          });
        }
      }
    }
    cases.push(rawCase(bundle, 'runc', 'runc'), {
      key: 'sdk-runc',
      name: 'polis SDK, --runtime runc',
      once: async () => void (await sdkRunRm(runcClient, 'busybox')),
      settle: () => runcDaemon.cleanupsSettled(),
      samples: [],
    });

    console.log(`polis bench: ${runs} rounds (+${warmup} warm-up) of ${cases.length} cases, interleaved`);
    for (const s of skipped) console.log(`  skipped: ${s}`);
    for (let round = 0; round < warmup + runs && !interrupted; round++) {
      // Rotating the order spreads any drift (caches, page cache, timers) over all cases alike.
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(round + i) % cases.length] as Case;
        const t0 = performance.now();
        await c.once();
        const ms = performance.now() - t0;
        await c.settle?.();
        if (round >= warmup) c.samples.push(ms);
      }
      if (round < warmup) phases.length = 0;
      if (process.stderr.isTTY) process.stderr.write(`\rround ${round + 1}/${warmup + runs}`);
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (interrupted) throw new Error('interrupted');

    const results: CaseResult[] = cases.map((c) => ({
      key: c.key,
      name: c.name,
      summary: summarize(c.samples),
    }));
    const isExec = (r: CaseResult): boolean => r.key.startsWith('exec-');
    const runResults = results.filter((r) => !isExec(r));
    const execResults = results.filter(isExec);
    const goals = [...evaluateGoals(runResults), ...evaluateExecGoals(execResults)];
    const sdkSamples = cases.find((c) => c.key === 'sdk')?.samples ?? [];
    const representative = phases[representativeIndex(sdkSamples)] as SdkPhases;
    const durations = phases.map(phaseDurations);
    const medianDurations = Object.fromEntries(
      PHASE_NAMES.map((n) => [n, median(durations.map((d) => d[n]))]),
    ) as Record<keyof SdkPhases, number>;

    const rss = {
      polisdKiB: vmRssKiB(daemon.child?.pid ?? 0),
      helperKiB: spawnHelperRssKiB(daemon.child?.pid ?? 0),
      polisdRuncKiB: vmRssKiB(runcDaemon.child?.pid ?? 0),
      conmonKiB: await conmonRssKiB(daemon, 'busybox'),
    };
    // From 0 running containers: the exec target goes first.
    await removePolisTarget();
    const idle = await measureIdleMemory(daemon, 'busybox', idleCount);
    goals.push(...evaluateMemoryGoals({ ...idle, conmonKiB: rss.conmonKiB }));

    console.log(`\n${formatTable(runResults)}\n`);
    console.log(
      `${formatTable(execResults, { base: 'exec-crun', podman: 'exec-podman', label: ' exec' })}\n`,
    );
    console.log(`goals (medians):\n${formatGoals(goals)}\n`);
    console.log(`SDK path, one representative run (total nearest the median), phases in order:`);
    console.log(`${formatPhases(representative, medianDurations)}\n`);
    console.log(
      `memory (VmRSS): polisd ${mib(rss.polisdKiB)} after the runs (runc daemon ${mib(rss.polisdRuncKiB)}),` +
        ` and its spawn helper ${mib(rss.helperKiB)}`,
    );
    console.log(`                conmon ${mib(rss.conmonKiB)} supervising one running container (sleep 30)`);
    console.log(
      `                ${idle.containers} idle containers: ${mib(idle.totalKiB)} in ` +
        `${idle.perContainerProcesses} process(es) per container, ${mib(idle.perContainerKiB)} each`,
    );
    console.log(
      `                polisd ${mib(idle.polisdBeforeKiB)} with 0 → ${mib(idle.polisdAfterKiB)} with ` +
        `${idle.containers} (+${mib(idle.polisdAfterKiB - idle.polisdBeforeKiB)}, information)`,
    );

    const report = {
      date: new Date().toISOString(),
      runs,
      warmup,
      host: {
        node: process.version,
        kernel: release(),
        crun: await firstLine('crun', ['--version']),
        runc: await firstLine('runc', ['--version']),
      },
      skipped,
      cases: cases.map((c) => ({
        key: c.key,
        name: c.name,
        ...summarize(c.samples),
        samples: c.samples.map((ms) => Math.round(ms * 100) / 100),
      })),
      goals,
      sdkPhases: { representative, medianDurations, all: phases },
      rss,
      idleMemory: idle,
    };
    await writeReport('last.json', report);
  } finally {
    for (const u of undo.reverse())
      await u().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
  }
}

async function all(): Promise<void> {
  assertShippedCli();
  const peers = await preparePeers();
  try {
    await main();
    await pullBench();
    await networkBench();
    await volumeBench();
    await backupBench();
    await cpBench();
    await limitsBench();
    await usernsBench();
    await statsBench();
    await healthBench();
    await metricsBench();
    await lbBench();
    await criBench();
    await grpcBench();
    await buildBench();
    await startupBench();
    await composeBench();
  } finally {
    await peers.stop();
  }
}

all().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
