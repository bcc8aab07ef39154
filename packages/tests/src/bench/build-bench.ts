/**
 * The build part of `npm run bench` (issue 16, Measure): a 5-step Dockerfile (FROM, ENV, COPY, RUN, CMD)
 * built cold (no cache) and cached by `polis build`, by `docker build` with the classic builder
 * (DOCKER_BUILDKIT=0) on the bench's dockerd, and by `podman build`, interleaved round by round, all
 * with RUN on no network. BENCH_BUILD_RUNS (default 3; 0 skips) rounds after one unmeasured one. A peer
 * that cannot build is printed as "missing" with the reason.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { runCommand, type CommandResult } from '../harness/run.js';
import { envInt, layout, writeReport } from './common.js';
import { probeDocker, probePodman, type ExternalEngine, type Probe } from './engines.js';
import { median } from './stats.js';

const dockerfile = (image: string): string =>
  `FROM ${image}\nENV GREETING=hello\nCOPY data.txt /data.txt\nRUN cp /data.txt /copy.txt && wc -c /copy.txt\nCMD ["cat", "/copy.txt"]\n`;

interface Builder {
  name: string;
  /** One build; `cold` with the cache off. */
  build: (cold: boolean) => Promise<CommandResult>;
}

export async function buildBench(): Promise<void> {
  const runs = envInt('BENCH_BUILD_RUNS', 3, 0);
  if (runs === 0) {
    console.log('build bench: skipped (BENCH_BUILD_RUNS=0)');
    return;
  }
  const work = await mkdtemp(join(tmpdir(), 'polis-bench-build-'));
  let daemon: TestDaemon | undefined;
  const engines: ExternalEngine[] = [];
  const missing: Record<string, string> = {};
  try {
    daemon = await TestDaemon.start();
    const d = daemon;
    await d.importBusybox();
    const rootfs = await busyboxTar();
    const contextFor = async (name: string, image: string): Promise<string> => {
      const dir = join(work, name);
      await runCommand('mkdir', ['-p', dir]);
      await writeFile(join(dir, 'Dockerfile'), dockerfile(image));
      await writeFile(join(dir, 'data.txt'), 'x'.repeat(1 << 20));
      return dir;
    };
    const long = { timeoutMs: 600_000 };
    const polisCtx = await contextFor('polis', 'busybox');
    const builders: Builder[] = [
      {
        name: 'polis build',
        build: (cold) =>
          d.polis(
            [
              'build',
              '-q',
              '--network',
              'none',
              ...(cold ? ['--no-cache'] : []),
              '-t',
              'bench-build',
              polisCtx,
            ],
            long,
          ),
      },
    ];
    const peers: [string, Probe][] = [
      ['docker build (classic)', await probeDocker(rootfs)],
      ['podman build', await probePodman(rootfs)],
    ];
    for (const [name, probe] of peers) {
      if ('skipped' in probe) {
        missing[name] = probe.skipped;
        continue;
      }
      const e = probe.engine;
      engines.push(e);
      const ctx = await contextFor(e.command, e.image);
      const env = { ...e.env, DOCKER_BUILDKIT: '0' };
      const builder: Builder = {
        name,
        build: (cold) =>
          runCommand(
            e.command,
            [
              ...e.base,
              'build',
              '-q',
              '--network',
              'none',
              ...(cold ? ['--no-cache'] : []),
              '-t',
              'bench-build',
              ctx,
            ],
            { env, ...long },
          ),
      };
      // A peer whose first build fails is missing, with its words.
      const trial = await builder.build(true);
      if (trial.code !== 0)
        missing[name] = `${e.command} build failed: ${trial.stderr.trim().split('\n').slice(-2).join(' ')}`;
      else builders.push(builder);
    }
    const samples: Record<string, { cold: number[]; cached: number[] }> = Object.fromEntries(
      builders.map((b) => [b.name, { cold: [], cached: [] }]),
    );
    for (let round = 0; round < runs + 1; round++) {
      for (const b of builders) {
        for (const cold of [true, false]) {
          const t0 = performance.now();
          const res = await b.build(cold);
          if (res.code !== 0) throw new Error(`${b.name} exited ${res.code}: ${res.stderr.trim()}`);
          if (round > 0) samples[b.name]![cold ? 'cold' : 'cached'].push(performance.now() - t0);
        }
      }
    }
    // The image must be what the Dockerfile says, or the time means nothing.
    const check = await d.polis(['run', '--rm', '--network', 'none', 'bench-build']);
    if (check.stdout.length !== 1 << 20)
      throw new Error(`polis's image printed ${check.stdout.length} bytes`);
    const polis = samples['polis build']!;
    const rows = [['5-step build', 'cold ms', 'cached ms', 'cold vs polis', 'cached vs polis']];
    for (const name of ['polis build', 'docker build (classic)', 'podman build']) {
      const s = samples[name];
      if (!s) {
        rows.push([name, 'missing', 'missing', '', '']);
        continue;
      }
      const cold = median(s.cold);
      const cached = median(s.cached);
      rows.push([
        name,
        cold.toFixed(0),
        cached.toFixed(0),
        name === 'polis build' ? '' : `${(median(polis.cold) / cold).toFixed(2)}x`,
        name === 'polis build' ? '' : `${(median(polis.cached) / cached).toFixed(2)}x`,
      ]);
    }
    console.log(
      `\nbuild of a 5-step Dockerfile, cold and cached, ${runs} rounds (ratio: polis time / peer time)\n${layout(rows)}`,
    );
    for (const [name, why] of Object.entries(missing)) console.log(`${name}: missing (${why})`);
    await writeReport('build.json', { runs, samples, missing });
  } finally {
    for (const e of engines) {
      await runCommand(e.command, [...e.base, 'rmi', '--force', 'bench-build'], { env: e.env }).catch(
        () => undefined,
      );
      await e.cleanup();
    }
    await daemon?.cleanup();
    await rm(work, { recursive: true, force: true });
  }
}
