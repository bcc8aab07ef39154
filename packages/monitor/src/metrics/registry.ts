import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DockerEvent } from '../events/event.js';
import { ContainerMetrics, type ContainerSource, type SampleReader } from './containers.js';
import { eventAction, labelValue, statusClass } from './labels.js';

/** Counts of the engine's objects, read at scrape time. */
export interface EngineCounts {
  images(): number;
  volumes(): number;
  networks(): number;
}

export interface PolisMetricsOptions {
  containers: ContainerSource;
  counts: EngineCounts;
  /** Subscribes to the event log (events per type and action, OOM kills). */
  subscribe?: (listener: (e: DockerEvent) => void) => () => void;
  /** Reads a running container (unit tests give a fake). */
  read?: SampleReader;
  /** prom-client's process metrics (RSS, heap, event-loop lag); off in unit tests. */
  processMetrics?: boolean;
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * polisd's Prometheus registry: per container series and engine counts rebuilt at each scrape, and
 * counters and histograms the API and the daemon feed as things happen.
 */
export class PolisMetrics {
  readonly registry = new Registry();
  private readonly containers: ContainerMetrics;
  private readonly requests: Histogram;
  private readonly errors: Counter;
  private readonly events: Counter;
  private readonly operations: Histogram;
  private readonly pullBytes: Counter;
  private readonly pullSeconds: Counter;
  private readonly unpackBytes: Histogram;
  private readonly objects: Gauge;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(private readonly options: PolisMetricsOptions) {
    const registers = [this.registry];
    if (options.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'polis_' });
    this.containers = new ContainerMetrics(this.registry, options.containers, options.read);
    const labelNames = ['method', 'route', 'status_class'];
    this.requests = new Histogram({
      name: 'polis_api_request_duration_seconds',
      help: 'API requests by route template, until the answer is complete (streams: until they end).',
      labelNames,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.errors = new Counter({
      name: 'polis_api_request_errors_total',
      help: 'API requests answered with a 4xx or 5xx status, by route template.',
      labelNames,
      registers,
    });
    this.events = new Counter({
      name: 'polis_events_total',
      help: 'Events published, by type and action.',
      labelNames: ['type', 'action'],
      registers,
    });
    this.operations = new Histogram({
      name: 'polis_operation_duration_seconds',
      help: 'Time of inner steps: container create/start/stop/…, network attach, image pull, layer unpack.',
      labelNames: ['operation', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.pullBytes = new Counter({
      name: 'polis_image_pull_bytes_total',
      help: 'Layer bytes downloaded by image pulls.',
      registers,
    });
    this.pullSeconds = new Counter({
      name: 'polis_image_pull_seconds_total',
      help: 'Time spent in image pulls.',
      registers,
    });
    this.unpackBytes = new Histogram({
      name: 'polis_image_layer_unpack_bytes',
      help: 'Uncompressed size of each layer unpacked (its time is operation="image_layer_unpack").',
      labelNames: ['outcome'],
      buckets: [1 << 10, 1 << 16, 1 << 20, 1 << 22, 1 << 24, 1 << 26, 1 << 28, 1 << 30, 1 << 32],
      registers,
    });
    this.objects = new Gauge({
      name: 'polis_objects',
      help: 'Images, volumes and networks the engine holds.',
      labelNames: ['kind'],
      registers,
    });
    this.unsubscribe = options.subscribe?.((e) => this.countEvent(e));
  }

  countEvent(e: DockerEvent): void {
    this.events.inc({ type: e.Type, action: eventAction(e.Action) });
    if (e.Type === 'container' && e.Action === 'oom') this.containers.countOom(e.Actor.ID);
  }

  /** One API request, its route as a template (`GET /containers/{id}/json`, never a raw id). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = {
      method: labelValue(method),
      route: labelValue(route),
      status_class: statusClass(status),
    };
    this.requests.observe(labels, seconds);
    if (status >= 400) this.errors.inc(labels);
  }

  /** One inner step and how it ended. */
  observeOperation(operation: string, seconds: number, ok: boolean): void {
    this.operations.observe({ operation, outcome: ok ? 'ok' : 'error' }, seconds);
  }

  observePull(bytes: number, seconds: number): void {
    this.pullBytes.inc(bytes);
    this.pullSeconds.inc(seconds);
  }

  /** One layer unpacked: its time beside the other inner steps, its size in its own histogram. */
  observeLayerUnpack(bytes: number, seconds: number, ok: boolean): void {
    this.observeOperation('image_layer_unpack', seconds, ok);
    this.unpackBytes.observe({ outcome: ok ? 'ok' : 'error' }, bytes);
  }

  /** The exposition text; reads each running container once. */
  async render(): Promise<string> {
    const perContainer = this.containers.refresh();
    const counts = this.options.counts;
    this.objects.set({ kind: 'image' }, safeCount(counts.images));
    this.objects.set({ kind: 'volume' }, safeCount(counts.volumes));
    this.objects.set({ kind: 'network' }, safeCount(counts.networks));
    return (await this.registry.metrics()) + '\n' + perContainer;
  }

  close(): void {
    this.unsubscribe?.();
    this.containers.close();
  }
}

/** A store that cannot answer must not fail the whole scrape. */
function safeCount(count: () => number): number {
  try {
    return count();
  } catch {
    return Number.NaN;
  }
}
