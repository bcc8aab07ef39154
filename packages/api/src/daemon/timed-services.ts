import type { ImageService, PullOptions } from '@polis/image';
import type { PolisMetrics } from '@polis/monitor';
import type { ContainerService } from '@polis/runtime';

/** The container verbs whose time is worth a histogram (the inner steps of `run`, `stop`, `rm`). */
const TIMED = new Set(['create', 'start', 'stop', 'kill', 'restart', 'pause', 'unpause', 'remove', 'commit']);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * The container service with its lifecycle verbs timed into `polis_operation_duration_seconds`: one
 * wrapper at the edge instead of timers threaded through the runtime.
 */
export function timedContainers(containers: ContainerService, metrics: PolisMetrics): ContainerService {
  return new Proxy(containers, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (typeof key !== 'string' || !TIMED.has(key)) return fn.bind(target);
      return async (...args: unknown[]) => {
        const start = process.hrtime.bigint();
        try {
          const out = await fn.apply(target, args);
          metrics.observeOperation(`container_${key}`, seconds(start), true);
          return out;
        } catch (err) {
          metrics.observeOperation(`container_${key}`, seconds(start), false);
          throw err;
        }
      };
    },
  });
}

/** The image service with pulls timed and their downloaded bytes counted (from the progress stream). */
export function timedImages(images: ImageService, metrics: PolisMetrics): ImageService {
  return new Proxy(images, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (key !== 'pull') return fn.bind(target);
      return async (reference: string, options: PullOptions = {}) => {
        const start = process.hrtime.bigint();
        // A layer's progress reports how much of it has come so far; the last report is its size.
        const downloaded = new Map<string, number>();
        const onProgress: PullOptions['onProgress'] = (e) => {
          if (e.id !== undefined && e.status === 'Downloading' && e.current !== undefined) {
            downloaded.set(e.id, e.current);
          }
          options.onProgress?.(e);
        };
        let ok = false;
        try {
          const out = await target.pull(reference, { ...options, onProgress });
          ok = true;
          return out;
        } finally {
          const s = seconds(start);
          metrics.observeOperation('image_pull', s, ok);
          metrics.observePull(
            [...downloaded.values()].reduce((a, b) => a + b, 0),
            s,
          );
        }
      };
    },
  });
}

/** Where inner steps made before the registry exists (images, networks are built first) are told. */
export interface StepTimings {
  metrics?: PolisMetrics;
}

/** The network service the runtime uses, with each container's attach timed (`network_attach`). */
export function timedNetworks<T extends object>(networks: T, timings: StepTimings): T {
  return new Proxy(networks, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (key !== 'attach') return fn.bind(target);
      return async (...args: unknown[]) => {
        const start = process.hrtime.bigint();
        let ok = false;
        try {
          const out = await fn.apply(target, args);
          ok = true;
          return out;
        } finally {
          timings.metrics?.observeOperation('network_attach', seconds(start), ok);
        }
      };
    },
  });
}
