/**
 * `npm run bench`: the time of a `run --rm busybox true` through the Polis CLI and SDK, against raw crun,
 * `node -e 0` and (when present and working) podman and docker, interleaved round by round; then the
 * goals, a per-phase breakdown of the SDK path and the resident memory of polisd and conmon.
 * BENCH_RUNS (default 20) rounds are measured after BENCH_WARMUP (default 2) unmeasured ones.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { POLIS_BIN, REPO_ROOT } from '../harness/paths.js';
import { runCommand } from '../harness/run.js';
import { RawBundle, type RawRuntime } from './bundle.js';
import { probeDocker, probePodman, type ExternalEngine } from './engines.js';
import {
  evaluateGoals,
  formatGoals,
  formatPhases,
  formatTable,
  phaseDurations,
  type CaseKey,
  type CaseResult,
} from './report.js';
import { conmonRssKiB, vmRssKiB } from './rss.js';
import { sdkRunRm, PHASE_NAMES, type SdkPhases } from './sdk-run.js';
import { median, representativeIndex, summarize } from './stats.js';

interface Case {
  key: CaseKey;
  name: string;
  /** One run; throws when it did not succeed. */
  once: () => Promise<void>;
  samples: number[];
}

function envInt(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${text}`);
  return n;
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
  const id = (await daemon.polis(['run', '-d', 'busybox', 'sleep', '60'])).stdout.trim();
  try {
    return await RawBundle.fromPolisConfig(tar, join(daemon.dataRoot, 'containers', id, 'config.json'));
  } finally {
    await daemon.polis(['rm', '-f', id]);
  }
}

async function main(): Promise<void> {
  const runs = envInt('BENCH_RUNS', 20, 1);
  const warmup = envInt('BENCH_WARMUP', 2, 0);
  const undo: (() => Promise<unknown>)[] = [];
  let interrupted = false;
  process.once('SIGINT', () => (interrupted = true));
  try {
    const tar = await busyboxTar();
    undo.push(() => rm(tar, { force: true }));
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

    const client = daemon.client;
    const runcClient = runcDaemon.client;
    const phases: SdkPhases[] = [];
    const cases: Case[] = [
      {
        key: 'cli',
        name: 'polis run --rm (CLI)',
        once: () => succeed(process.execPath, [POLIS_BIN, 'run', '--rm', 'busybox', 'true'], daemon.env()),
        samples: [],
      },
      {
        key: 'sdk',
        name: 'polis SDK create/attach/wait/start',
        once: async () => void phases.push(await sdkRunRm(client, 'busybox')),
        samples: [],
      },
      rawCase(bundle, 'crun', 'crun'),
      rawCase(secureBundle, 'crun', 'crun-secure', "bundle + Polis's security"),
      rawCase(polisBundle, 'crun', 'crun-polis', "Polis's own config.json"),
      { key: 'node', name: 'node -e 0', once: () => succeed(process.execPath, ['-e', '0']), samples: [] },
    ];
    const skipped: string[] = [];
    for (const [key, probe] of [
      ['podman', probePodman],
      ['docker', probeDocker],
    ] as const) {
      const found = await probe(tar);
      if ('skipped' in found) skipped.push(found.skipped);
      else {
        undo.push(() => found.engine.cleanup());
        cases.push(engineCase(key, found.engine));
      }
    }
    cases.push(rawCase(bundle, 'runc', 'runc'), {
      key: 'sdk-runc',
      name: 'polis SDK, --runtime runc',
      once: async () => void (await sdkRunRm(runcClient, 'busybox')),
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
    const goals = evaluateGoals(results);
    const sdkSamples = cases.find((c) => c.key === 'sdk')?.samples ?? [];
    const representative = phases[representativeIndex(sdkSamples)] as SdkPhases;
    const durations = phases.map(phaseDurations);
    const medianDurations = Object.fromEntries(
      PHASE_NAMES.map((n) => [n, median(durations.map((d) => d[n]))]),
    ) as Record<keyof SdkPhases, number>;

    const rss = {
      polisdKiB: vmRssKiB(daemon.child?.pid ?? 0),
      polisdRuncKiB: vmRssKiB(runcDaemon.child?.pid ?? 0),
      conmonKiB: await conmonRssKiB(daemon, 'busybox'),
    };

    console.log(`\n${formatTable(results)}\n`);
    console.log(`goals (medians):\n${formatGoals(goals)}\n`);
    console.log(`SDK path, one representative run (total nearest the median), phases in order:`);
    console.log(`${formatPhases(representative, medianDurations)}\n`);
    const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
    console.log(
      `memory (VmRSS): polisd ${mib(rss.polisdKiB)} after the runs (runc daemon ${mib(rss.polisdRuncKiB)}),`,
    );
    console.log(`                conmon ${mib(rss.conmonKiB)} supervising one running container (sleep 30)`);

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
    };
    const out = join(REPO_ROOT, '.bench');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'last.json'), JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwritten: ${join(out, 'last.json')}`);
  } finally {
    for (const u of undo.reverse())
      await u().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
