/** `node packages/tests/dist/bench/stats-run.js`: the stats and health check benchmarks alone, with the bench's peers. */
import { preparePeers } from './peers.js';
import { healthBench } from './health-bench.js';
import { statsBench } from './stats-bench.js';

const peers = await preparePeers();
try {
  if (process.env.BENCH_ONLY !== 'health') await statsBench();
  if (process.env.BENCH_ONLY !== 'stats') await healthBench();
} catch (err) {
  console.error(`stats bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await peers.stop();
}
