/** `node packages/tests/dist/bench/stats-run.js`: the stats benchmark alone, with the bench's peers. */
import { preparePeers } from './peers.js';
import { statsBench } from './stats-bench.js';

const peers = await preparePeers();
try {
  await statsBench();
} catch (err) {
  console.error(`stats bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await peers.stop();
}
