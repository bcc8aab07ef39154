/** `node packages/tests/dist/bench/metrics-run.js`: the metrics benchmark alone. */
import { metricsBench } from './metrics-bench.js';

try {
  await metricsBench();
} catch (err) {
  console.error(`metrics bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
}
