/**
 * CLI start-up and the CLI's own run/exec paths against the peers', interleaved round by round:
 * `polis --version` (start-up alone) and `polis version` (a request to polisd) against `node -e 0`,
 * `podman version` and `docker version` (against the bench's dockerd); the same `polis version` as the
 * one-file bundle and as tsc's output under node (what the single executable saves); then
 * `polis run --rm busybox true` and `polis exec CTR true` against podman's, default network (podman with
 * `--ulimit nofile=1024:1024 --ulimit nproc=1024:1024`, these VMs' hard limits). BENCH_STARTUP_RUNS
 * (default 15; 0 skips) rounds after 2 warm-up ones. A peer that cannot be measured is printed as missing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { POLIS_BIN, REPO_ROOT } from '../harness/paths.js';
import { runCommand } from '../harness/run.js';
import { envInt, layout, writeReport } from './common.js';
import { benchDockerSocket } from './docker-socket.js';
import { summarize } from './stats.js';

interface Case {
  key: string;
  name: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** Untimed, after each run: Polis lets go of a `--rm` container's mounts and netns after answering. */
  settle?: () => Promise<void>;
  samples: number[];
}

const PODMAN_LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
// Its own name: another bench's `podman rmi --force` of a shared name would remove our containers too.
const PODMAN_IMAGE = `polis-startup-bench-${process.pid}:latest`;

async function tries(argv: string[], env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const res = await runCommand(argv[0] as string, argv.slice(1), {
      ...(env ? { env } : {}),
      timeoutMs: 60_000,
    });
    return res.code === 0 ? undefined : `exit ${res.code}: ${res.stderr.trim().split('\n').pop() ?? ''}`;
  } catch (err) {
    return String(err);
  }
}

/** podman's cases (version, run, exec), or why there are none; `undo` removes what was made. */
async function podmanCases(tar: string, notes: string[], undo: (() => Promise<unknown>)[]): Promise<Case[]> {
  const version: Case = {
    key: 'podman-version',
    name: 'podman version',
    argv: ['podman', 'version'],
    samples: [],
  };
  const why = await tries(version.argv);
  if (why !== undefined) {
    notes.push(`podman: ${why}`);
    return [];
  }
  let image = 'busybox';
  if ((await tries(['podman', 'image', 'inspect', 'busybox'])) !== undefined) {
    const failed = await tries(['podman', 'import', tar, PODMAN_IMAGE]);
    if (failed !== undefined) {
      notes.push(`podman: cannot import busybox: ${failed}`);
      return [version];
    }
    image = PODMAN_IMAGE;
    undo.push(() => runCommand('podman', ['rmi', '--force', PODMAN_IMAGE]));
  }
  const run: Case = {
    key: 'podman-run',
    name: 'podman run --rm busybox true',
    argv: ['podman', 'run', '--rm', ...PODMAN_LIMITS, image, 'true'],
    samples: [],
  };
  const runFailed = await tries(run.argv);
  if (runFailed !== undefined) notes.push(`podman run: ${runFailed}`);
  const started = await runCommand('podman', ['run', '-d', ...PODMAN_LIMITS, image, 'sleep', '3600']);
  const id = started.stdout.trim();
  if (started.code !== 0 || id === '') {
    notes.push(`podman exec: cannot start a target: ${started.stderr.trim()}`);
    return runFailed === undefined ? [version, run] : [version];
  }
  undo.push(() => runCommand('podman', ['rm', '--force', id]));
  const exec: Case = {
    key: 'podman-exec',
    name: 'podman exec CTR true',
    argv: ['podman', 'exec', id, 'true'],
    samples: [],
  };
  return [version, ...(runFailed === undefined ? [run] : []), exec];
}

function dockerCase(notes: string[]): Case[] {
  const socket = benchDockerSocket();
  if (socket === undefined || !existsSync(socket)) {
    notes.push('docker: the bench has no dockerd (run through `npm run bench`)');
    return [];
  }
  const env = { ...process.env };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  return [
    {
      key: 'docker-version',
      name: 'docker version',
      argv: ['docker', '-H', `unix://${socket}`, 'version'],
      env,
      samples: [],
    },
  ];
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? 'missing' : ms.toFixed(1);
}

export async function startupBench(): Promise<void> {
  const runs = envInt('BENCH_STARTUP_RUNS', 15, 0);
  if (runs === 0) return;
  const warmup = 2;
  const notes: string[] = [];
  const undo: (() => Promise<unknown>)[] = [];
  try {
    const tar = await busyboxTar();
    const daemon = await TestDaemon.start();
    undo.push(() => daemon.cleanup());
    await daemon.importBusybox();
    const env = daemon.env();
    const target = (await daemon.polis(['run', '-d', 'busybox', 'sleep', '3600'])).stdout.trim();
    const node = process.execPath;
    const exe = join(REPO_ROOT, 'build', 'polis');
    if (!existsSync(exe))
      notes.push('build/polis is not built: bin/polis runs the bundle or tsc output under node');
    const cases: Case[] = [
      { key: 'node', name: 'node -e 0', argv: [node, '-e', '0'], samples: [] },
      {
        key: 'polis-v',
        name: 'polis --version (start-up alone)',
        argv: [POLIS_BIN, '--version'],
        samples: [],
      },
      { key: 'polis-version', name: 'polis version', argv: [POLIS_BIN, 'version'], env, samples: [] },
      {
        key: 'bundle-version',
        name: 'node build/polis.mjs version (bundle)',
        argv: [node, join(REPO_ROOT, 'build', 'polis.mjs'), 'version'],
        env,
        samples: [],
      },
      {
        key: 'tsc-version',
        name: 'node packages/cli/dist/main.js version',
        argv: [node, join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js'), 'version'],
        env,
        samples: [],
      },
      {
        key: 'polis-run',
        name: 'polis run --rm busybox true',
        argv: [POLIS_BIN, 'run', '--rm', 'busybox', 'true'],
        env,
        settle: () => daemon.cleanupsSettled(),
        samples: [],
      },
      {
        key: 'polis-exec',
        name: 'polis exec CTR true',
        argv: [POLIS_BIN, 'exec', target, 'true'],
        env,
        samples: [],
      },
      ...(await podmanCases(tar, notes, undo)),
      ...dockerCase(notes),
    ].filter((c) => c.key !== 'bundle-version' || existsSync(c.argv[1] as string));

    console.log(
      `\nCLI start-up bench: ${runs} rounds (+${warmup} warm-up) of ${cases.length} cases, interleaved`,
    );
    for (let round = 0; round < warmup + runs; round++) {
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(round + i) % cases.length] as Case;
        const t0 = performance.now();
        const failed = await tries(c.argv, c.env);
        const ms = performance.now() - t0;
        if (failed !== undefined) throw new Error(`${c.argv.join(' ')}: ${failed}`);
        await c.settle?.();
        if (round >= warmup) c.samples.push(ms);
      }
    }
    const med = (key: string): number | undefined => {
      const c = cases.find((x) => x.key === key);
      return c ? summarize(c.samples).median : undefined;
    };
    const nodeMs = med('node') as number;
    const rows = [['case', 'median ms', 'p90 ms', 'vs node -e 0']];
    for (const c of cases) {
      const s = summarize(c.samples);
      rows.push([c.name, s.median.toFixed(1), s.p90.toFixed(1), `${(s.median / nodeMs).toFixed(2)}×`]);
    }
    console.log(layout(rows));
    for (const n of notes) console.log(`  missing: ${n}`);
    const goal = (text: string, ours: string, peer: string, limit: number): string => {
      const a = med(ours);
      const b = med(peer);
      if (a === undefined || b === undefined) return `  ?    ${text}: missing (${peer} not measured)`;
      const r = a / b;
      const verdict = limit === Infinity ? 'info' : r <= limit ? 'met ' : 'MISS';
      return `  ${verdict} ${text}: ${fmt(a)} / ${fmt(b)} ms = ${r.toFixed(2)}×`;
    };
    console.log('goals (medians):');
    console.log(goal('polis version ≤ 0.4× node -e 0', 'polis-version', 'node', 0.4));
    console.log(
      goal('polis --version ≤ 0.4× node -e 0 (start-up alone, information)', 'polis-v', 'node', 0.4),
    );
    console.log(
      goal('polis run --rm busybox true ≤ 0.3× podman, default network', 'polis-run', 'podman-run', 0.3),
    );
    console.log(goal('polis exec ≤ 0.6× podman exec', 'polis-exec', 'podman-exec', 0.6));
    console.log(
      goal('polis version vs podman version (information)', 'polis-version', 'podman-version', Infinity),
    );
    console.log(
      goal('polis version vs docker version (information)', 'polis-version', 'docker-version', Infinity),
    );
    await writeReport('startup.json', {
      date: new Date().toISOString(),
      runs,
      notes,
      cases: cases.map((c) => ({ key: c.key, name: c.name, ...summarize(c.samples) })),
    });
  } finally {
    for (const u of undo.reverse())
      await u().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
  }
}
