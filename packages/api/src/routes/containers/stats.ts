import { PolisError } from '@polis/core';
import type { StatsSample } from '@polis/monitor';
import { boolParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { dockerStats } from '../../docker/stats-shape.js';
import type { ApiDeps } from '../../types.js';

/**
 * Each reading serialised once, however many streams of the same container it goes to (the sampler
 * hands the same object, with the same previous one, to every watcher in an interval).
 */
const serialised = new WeakMap<StatsSample, string>();

function line(
  who: { id: string; name: string },
  sample: StatsSample | undefined,
  previous: StatsSample | undefined,
): string {
  if (sample === undefined) return `${JSON.stringify(dockerStats(who, sample, previous))}\n`;
  let text = serialised.get(sample);
  if (text === undefined) {
    text = `${JSON.stringify(dockerStats(who, sample, previous))}\n`;
    serialised.set(sample, text);
  }
  return text;
}

/**
 * `GET /containers/{id}/stats`: Docker's stats objects from the shared sampler, one per second while
 * `stream` (the default) holds; `stream=false` waits for a second reading so that `precpu_stats` (and
 * with it the CPU %) is filled, as dockerd does, unless `one-shot=true` asks for the first at once.
 */
export function statsRoute(router: Router, deps: ApiDeps): void {
  router.add('GET', '/containers/{id}/stats', async ({ params, query, reply }) => {
    const sampler = deps.stats;
    if (!sampler) throw new PolisError('request.not_implemented', 'stats are not available');
    const record = deps.containers.get(params.id as string);
    const stream = boolParam(query, 'stream', true);
    const oneShot = boolParam(query, 'one-shot', false);
    if (oneShot && stream)
      throw new PolisError('request.invalid', 'cannot have stream=true and one-shot=true');
    const who = { id: record.id, name: record.name };
    if (oneShot) {
      reply.json(200, dockerStats(who, sampler.readNow(record.id), undefined));
      return;
    }
    const out = reply.stream('application/json');
    await new Promise<void>((resolve) => {
      let unsubscribe: (() => void) | undefined;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        unsubscribe?.();
        resolve();
      };
      const deliver = (sample: StatsSample | undefined, previous: StatsSample | undefined): void => {
        if (done) return;
        // Without stream, dockerd answers once it has two readings (or at once for a stopped container).
        if (!stream && sample !== undefined && previous === undefined) return;
        out.write(line(who, sample, previous));
        if (!stream) finish();
      };
      reply.signal.addEventListener('abort', finish, { once: true });
      const stop = sampler.subscribe(record.id, deliver);
      if (done) stop();
      else unsubscribe = stop;
    });
    out.end();
  });
}
