/**
 * The compose part of `npm run bench` (issue 13, Measure): `up -d` of a 10-service stack by `polis compose`,
 * by docker-compose 1.29 against polisd, and by docker-compose against the bench's dockerd (peers.ts),
 * interleaved round by round; each `up` is timed until it returns, then the stack is taken down (not timed).
 * BENCH_COMPOSE_RUNS (default 3; 0 skips) rounds after one unmeasured one. A peer that cannot be measured
 * is printed as "missing".
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { runCommand, type CommandResult } from '../harness/run.js';
import { envInt, layout, writeReport } from './common.js';
import { benchDockerSocket } from './docker-socket.js';
import { median } from './stats.js';

const SERVICES = 10;

function stackFile(): string {
  let text = 'services:\n';
  for (let i = 1; i <= SERVICES; i++)
    text += `  s${i}:\n    image: busybox\n    command: sleep 3600\n    init: true\n`;
  return text;
}

export async function composeBench(): Promise<void> {
  const runs = envInt('BENCH_COMPOSE_RUNS', 3, 0);
  if (runs === 0) {
    console.log('compose bench: skipped (BENCH_COMPOSE_RUNS=0)');
    return;
  }
  const work = await mkdtemp(join(tmpdir(), 'polis-bench-compose-'));
  let daemon: TestDaemon | undefined;
  try {
    daemon = await TestDaemon.start();
    const d = daemon;
    await d.importBusybox();
    const file = join(work, 'compose.yml');
    await writeFile(file, stackFile());
    const long = { timeoutMs: 600_000 };
    const dockerSocket = benchDockerSocket();
    const dockerEnv = (): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${dockerSocket}` };
      delete env.DOCKER_CONTEXT;
      return env;
    };
    const hasCompose =
      (await runCommand('docker-compose', ['version']).catch(() => ({ code: 127 }))).code === 0;
    const missing: string[] = [];
    if (!hasCompose) missing.push('docker-compose (not installed)');
    if (dockerSocket && hasCompose) {
      const loaded = await runCommand('docker', ['import', await busyboxTar(), 'busybox:latest'], {
        env: dockerEnv(),
        ...long,
      });
      if (loaded.code !== 0) {
        missing.push(`docker-compose → dockerd (busybox import failed: ${loaded.stderr.trim()})`);
      }
    } else if (!dockerSocket) missing.push("docker-compose → dockerd (the bench's dockerd did not start)");
    const dc = (env: NodeJS.ProcessEnv, args: string[]): Promise<CommandResult> =>
      runCommand('docker-compose', ['--no-ansi', '-f', file, '-p', 'benchstack', ...args], { env, ...long });
    const cases: Record<string, { up: () => Promise<CommandResult>; down: () => Promise<CommandResult> }> = {
      'polis compose': {
        up: () => d.polis(['compose', 'up', '-d', '-f', file, '-p', 'benchstack'], long),
        down: () => d.polis(['compose', 'down', '-f', file, '-p', 'benchstack'], long),
      },
      ...(hasCompose
        ? {
            'docker-compose → polisd': {
              up: () => dc(d.env(), ['up', '-d']),
              down: () => dc(d.env(), ['down', '-t', '0']),
            },
          }
        : {}),
      ...(hasCompose && dockerSocket && !missing.some((m) => m.startsWith('docker-compose → dockerd'))
        ? {
            'docker-compose → dockerd': {
              up: () => dc(dockerEnv(), ['up', '-d']),
              down: () => dc(dockerEnv(), ['down', '-t', '0']),
            },
          }
        : {}),
    };
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (let round = 0; round < runs + 1; round++) {
      for (const [name, c] of Object.entries(cases)) {
        const t0 = performance.now();
        await must(`${name} up`, await c.up());
        if (round > 0) samples[name]!.push(performance.now() - t0);
        await must(`${name} down`, await c.down());
      }
    }
    const peer = samples['docker-compose → dockerd'];
    const base = peer && peer.length ? median(peer) : undefined;
    const rows = [[`up -d of ${SERVICES} services`, 'median ms', 'vs docker-compose → dockerd']];
    for (const [name, xs] of Object.entries(samples)) {
      const m = median(xs);
      rows.push([name, m.toFixed(0), base === undefined ? 'missing' : `${(m / base).toFixed(2)}x`]);
    }
    for (const m of missing) rows.push([m, 'missing', '']);
    console.log(`\ncompose up of a ${SERVICES}-service stack, ${runs} rounds\n${layout(rows)}`);
    await writeReport('compose.json', { services: SERVICES, runs, samples, missing });
  } finally {
    await daemon?.cleanup();
    await rm(work, { recursive: true, force: true });
  }
}

async function must(what: string, res: CommandResult): Promise<void> {
  if (res.code !== 0) throw new Error(`${what} exited ${res.code}: ${res.stderr.trim()}`);
}
