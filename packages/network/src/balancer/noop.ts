import type { BalancerBackend, BalancerCounters, BalancerFrontend, ServiceBalancer } from './types.js';

/**
 * PLACEHOLDER until the real balancer lands (issue 13, item 3): remembers the sets and forwards nothing.
 * The orchestrator is wired against the ServiceBalancer contract; this file is replaced, not extended.
 */
export class PlaceholderBalancer implements ServiceBalancer {
  private readonly sets = new Map<string, { frontend: BalancerFrontend; backends: BalancerBackend[] }>();

  setBackends(serviceKey: string, frontend: BalancerFrontend, backends: BalancerBackend[]): Promise<void> {
    this.sets.set(serviceKey, { frontend, backends });
    return Promise.resolve();
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  counters(serviceKey: string): Promise<BalancerCounters[]> {
    return Promise.resolve(
      (this.sets.get(serviceKey)?.backends ?? []).map((b) => ({
        containerId: b.containerId,
        connections: 0,
      })),
    );
  }

  remove(serviceKey: string): Promise<void> {
    this.sets.delete(serviceKey);
    return Promise.resolve();
  }

  list(): string[] {
    return [...this.sets.keys()];
  }
}

export interface BalancerOptions {
  /** polisd's exec root (run-time state such as a proxy's sockets or pid files). */
  execRoot: string;
}

/** The balancer polisd uses; the real implementation replaces this factory's body (options may grow, optional). */

export function createServiceBalancer(_options: BalancerOptions): ServiceBalancer {
  return new PlaceholderBalancer();
}
