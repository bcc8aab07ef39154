/** `node packages/tests/dist/bench/startup-run.js`: the CLI start-up benchmark alone, with the peers. */
import { assertShippedCli } from './common.js';
import { preparePeers } from './peers.js';
import { startupBench } from './startup-bench.js';

assertShippedCli();
const peers = await preparePeers();
try {
  await startupBench();
} catch (err) {
  console.error(`startup bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await peers.stop();
}
