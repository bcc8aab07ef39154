/**
 * `node packages/tests/dist/bench/network.js`: the network benchmark alone (see network-bench.ts);
 * `npm run bench` runs it after the pull benchmark.
 */
import { networkBench } from './network-bench.js';

networkBench().catch((err: unknown) => {
  console.error(`network bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
