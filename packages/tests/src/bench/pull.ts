/**
 * `node packages/tests/dist/bench/pull.js`: the pull benchmark alone (see pull-bench.ts); `npm run bench`
 * runs it after the run/exec benchmark.
 */
import { pullBench } from './pull-bench.js';

pullBench().catch((err: unknown) => {
  console.error(`pull bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
