/**
 * The stats part of `npm run bench`: the CPU the daemon spends while a client streams the stats of
 * BENCH_STATS_CONTAINERS (default 80; 0 skips) running containers for BENCH_STATS_SECONDS (default 30),
 * one stream per container as `docker stats` opens them, for polisd and for the bench's own dockerd
 * (with its containerd, which dockerd asks for the counters) in the same run.
 */
import { request } from 'node:http';
import { cpuMs } from './cpu.js';
import { envInt, layout, writeReport } from './common.js';
import { withDockerFleet, withPolisFleet } from './fleet.js';

interface Streams {
  /** Stats objects received, all streams together. */
  received(): number;
  close(): void;
}

/** One streaming `GET /containers/{id}/stats` per container over SOCKET, counting the objects. */
function openStreams(socket: string, ids: string[]): Streams {
  let objects = 0;
  const requests = ids.map((id) => {
    const req = request({ socketPath: socket, path: `/containers/${id}/stats?stream=true`, method: 'GET' });
    req.on('response', (res) => {
      res.on('data', (chunk: Buffer) => {
        for (const b of chunk) if (b === 10) objects++;
      });
      res.on('error', () => undefined);
    });
    req.on('error', () => undefined);
    req.end();
    return req;
  });
  return { received: () => objects, close: () => requests.forEach((r) => r.destroy()) };
}

interface Outcome {
  engine: string;
  cpuPercentOfOneCore: number;
  objectsPerSecond: number;
}

async function measure(
  engine: string,
  socket: string,
  ids: string[],
  pids: () => number[],
  seconds: number,
): Promise<Outcome> {
  const streams = openStreams(socket, ids);
  // Let every stream get going before the clock starts.
  await new Promise((r) => setTimeout(r, 3000));
  const before = await cpuMs(pids());
  const got0 = streams.received();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = performance.now() - t0;
  const after = await cpuMs(pids());
  const got = streams.received() - got0;
  streams.close();
  return {
    engine,
    cpuPercentOfOneCore: ((after - before) / elapsed) * 100,
    objectsPerSecond: (got / elapsed) * 1000,
  };
}

export async function statsBench(): Promise<void> {
  const count = envInt('BENCH_STATS_CONTAINERS', 80, 0);
  if (count === 0) {
    console.log('stats bench: skipped (BENCH_STATS_CONTAINERS=0)');
    return;
  }
  const seconds = envInt('BENCH_STATS_SECONDS', 30, 1);
  const outcomes: Outcome[] = [];
  const skipped: string[] = [];
  outcomes.push(
    await withPolisFleet(count, [], (f) => measure('polisd', f.socket, f.ids, () => f.daemonPids(), seconds)),
  );
  const dockerOutcome = await withDockerFleet(count, [], (f) =>
    measure('dockerd + containerd', f.socket, f.ids, () => f.daemonPids(), seconds),
  );
  if ('skipped' in dockerOutcome) skipped.push(dockerOutcome.skipped);
  else outcomes.push(dockerOutcome);

  const rows = [['daemon', '% of one core', 'stats objects/s']];
  for (const o of outcomes)
    rows.push([o.engine, o.cpuPercentOfOneCore.toFixed(1), o.objectsPerSecond.toFixed(1)]);
  console.log(`\nstats bench: ${count} containers, one stream each, ${seconds} s\n${layout(rows)}`);
  for (const s of skipped) console.log(`  skipped: ${s}`);
  const polis = outcomes.find((o) => o.engine === 'polisd');
  const docker = outcomes.find((o) => o.engine !== 'polisd');
  if (polis) {
    console.log(
      `  goal: polisd under 5% of one core: ${polis.cpuPercentOfOneCore < 5 ? 'met' : 'NOT met'}` +
        (docker
          ? `; ratio to dockerd: ${(polis.cpuPercentOfOneCore / docker.cpuPercentOfOneCore).toFixed(3)}×`
          : ''),
    );
  }
  await writeReport('stats.json', { count, seconds, outcomes, skipped });
}
