import { healthy, unhealthy, type HealthCheck, type HealthResult } from '@polis/core';
import type { EventLog } from '../events/log.js';
import type { StatsSampler } from '../stats/sampler.js';

/** A sampler with watchers whose last tick is older than this has stopped. */
const STALE_MS = 5000;

function sampler(s: StatsSampler, now = Date.now()): HealthResult {
  if (s.size === 0) return healthy(`idle (no stats client); ${s.ticks} samples so far`);
  // A sampler just started has not ticked yet: give it one staleness window from its first watcher.
  const age = s.lastTickAt === 0 ? 0 : now - s.lastTickAt;
  if (age > STALE_MS) {
    return unhealthy(
      `stats sampler of ${s.size} containers last sampled ${Math.round(age / 1000)} s ago`,
      'restart polisd; see its log for errors from the stats sampler',
    );
  }
  return healthy(`sampling ${s.size} containers; last sample ${age} ms ago`);
}

function eventLog(events: EventLog): HealthResult {
  return events.lastWriteError === undefined
    ? healthy('event history is being written')
    : unhealthy(
        `event history not written: ${events.lastWriteError}`,
        'free space on the data root; events still reach live listeners',
      );
}

export function monitorHealthChecks(deps: { stats?: StatsSampler; events?: EventLog }): HealthCheck[] {
  const out: HealthCheck[] = [];
  const { stats, events } = deps;
  if (stats) out.push({ component: 'monitor', name: 'stats-sampler', run: () => sampler(stats) });
  if (events) out.push({ component: 'monitor', name: 'event-log', run: () => eventLog(events) });
  return out;
}
