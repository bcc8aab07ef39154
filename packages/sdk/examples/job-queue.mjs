// A small job queue: each job is a container; at most `concurrency` run at once.
//   node job-queue.mjs 2 "echo a" "sleep 1; echo b" "echo c"
import { connectFromEnv, isMain } from './connect-from-env.mjs';

/** Runs every shell script in JOBS in its own container, CONCURRENCY at a time; results in job order. */
export async function runJobs(api, image, jobs, { concurrency = 2, signal } = {}) {
  const results = new Array(jobs.length);
  let next = 0;
  let running = 0;
  let maxRunning = 0;
  async function worker() {
    while (next < jobs.length) {
      const index = next++;
      const { Id } = await api.containers.create(
        { Image: image, Cmd: ['sh', '-c', jobs[index]] },
        { signal },
      );
      try {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await api.containers.start(Id, { signal });
        const { StatusCode } = await api.containers.wait(Id, { signal });
        let output = '';
        for await (const chunk of api.containers.logs(Id, { signal })) output += chunk.data.toString();
        results[index] = { job: jobs[index], exitCode: StatusCode, output };
      } finally {
        running--;
        await api.containers.remove(Id, { force: true });
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return { results, maxRunning };
}

if (isMain(import.meta.url)) {
  const [concurrency = '2', ...jobs] = process.argv.slice(2);
  const api = connectFromEnv();
  const { results } = await runJobs(
    api,
    'busybox',
    jobs.length ? jobs : ['echo one', 'echo two', 'echo three'],
    {
      concurrency: Number(concurrency),
    },
  );
  for (const r of results) console.log(`[${r.exitCode}] ${r.job}: ${r.output.trim()}`);
  api.close();
}
