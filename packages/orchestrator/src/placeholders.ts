import type { Autoscaler, AutoscalePolicy } from './autoscale/types.js';
import type { HostCapacity, PlacementRequest, Scheduler } from './scheduler/types.js';

/*
 * PLACEHOLDERS until the real scheduler and autoscaler land (issue 13, items 4 and 5): the controller is
 * wired against the contracts; these factories' bodies are replaced, not extended.
 */

export function createScheduler(_capacity: HostCapacity): Scheduler {
  const placed = new Map<string, PlacementRequest>();
  return {
    admit: (request) => {
      placed.set(request.key, request);
      return { admitted: true };
    },
    release: (key) => void placed.delete(key),
    placed: () => [...placed.values()],
  };
}

export function createAutoscaler(_policy: AutoscalePolicy): Autoscaler {
  return { observe: () => undefined, decide: () => null };
}
