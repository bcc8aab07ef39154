import { createLogger, type ContainerRecord, type HealthProbeResult } from '@polis/core';
import {
  MAX_OUTPUT,
  healthTimings,
  nextDelayMs,
  probeCommand,
  type ContainerEvent,
  type ContainerService,
} from '@polis/runtime';

const log = createLogger('health');

/** What the monitor needs of the runtime: probes run in the container, results go back to the record. */
export type HealthHost = Pick<
  ContainerService,
  'probe' | 'recordHealth' | 'get' | 'list' | 'kill' | 'restart' | 'stop'
> & { onEvent(listener: (e: ContainerEvent) => void): () => void };

interface Watch {
  timer: NodeJS.Timeout | undefined;
  /** The start it belongs to: a restart makes a new watch. */
  startedAt: string;
  stopped: boolean;
}

/**
 * Runs the health checks of running containers (Docker's health monitor, in polisd): each container
 * with a check gets a timer; a probe runs the check's command in the container through the OCI runtime
 * (`ContainerService.probe`, no conmon), cut at its timeout (killed with everything it started, a failure
 * with exit code -1 as Docker reports it); its result goes to the
 * runtime, which keeps `State.Health` and emits `health_status` events. At start it picks up every
 * running container, so schedules resume after a daemon restart.
 */
export class HealthMonitor {
  private readonly watches = new Map<string, Watch>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly host: HealthHost) {}

  start(): void {
    this.unsubscribe = this.host.onEvent((e) => this.onEvent(e));
    for (const record of this.host.list({ all: false })) this.watch(record);
  }

  close(): void {
    this.unsubscribe?.();
    for (const id of [...this.watches.keys()]) this.unwatch(id);
  }

  /** Containers whose checks are scheduled. */
  get size(): number {
    return this.watches.size;
  }

  private onEvent(e: ContainerEvent): void {
    if (e.action === 'start' || e.action === 'unpause') {
      try {
        this.watch(this.host.get(e.id));
      } catch {
        // removed meanwhile
      }
    } else if (e.action === 'die' || e.action === 'destroy' || e.action === 'pause') {
      this.unwatch(e.id);
    }
  }

  private watch(record: ContainerRecord): void {
    if (record.state.status !== 'running' || !probeCommand(record.spec.health)) return;
    const existing = this.watches.get(record.id);
    if (existing && existing.startedAt === record.state.startedAt) return;
    this.unwatch(record.id);
    const w: Watch = { timer: undefined, startedAt: record.state.startedAt, stopped: false };
    this.watches.set(record.id, w);
    this.schedule(record.id, w, record);
  }

  private unwatch(id: string): void {
    const w = this.watches.get(id);
    if (!w) return;
    w.stopped = true;
    if (w.timer) clearTimeout(w.timer);
    this.watches.delete(id);
  }

  private schedule(id: string, w: Watch, record: ContainerRecord): void {
    if (w.stopped) return;
    const config = record.spec.health!;
    const state = record.state.health ?? { status: 'starting' as const, failingStreak: 0, log: [] };
    w.timer = setTimeout(
      () => void this.probeAndRecord(id, w),
      nextDelayMs(state, config, record.state.startedAt),
    );
  }

  private async probeAndRecord(id: string, w: Watch): Promise<void> {
    if (w.stopped) return;
    let record: ContainerRecord;
    try {
      record = this.host.get(id);
    } catch {
      this.unwatch(id);
      return;
    }
    const result = await this.probe(record);
    if (w.stopped) return;
    const status = await this.host.recordHealth(id, result).catch((err: unknown) => {
      log.warn('recording a health result failed', { id, err });
      return undefined;
    });
    if (status === 'unhealthy') await this.onUnhealthy(record);
    if (w.stopped) return;
    try {
      this.schedule(id, w, this.host.get(id));
    } catch {
      this.unwatch(id);
    }
  }

  /** One run of the check: its exit code and up to 4 KiB of its output. */
  private async probe(record: ContainerRecord): Promise<HealthProbeResult> {
    const config = record.spec.health!;
    const cmd = probeCommand(config)!;
    const timeoutMs = healthTimings(config).timeout / 1e6;
    const start = new Date();
    const done = (exitCode: number, output: string): HealthProbeResult => ({
      start: start.toISOString(),
      end: new Date().toISOString(),
      exitCode,
      output,
    });
    try {
      const result = await this.host.probe(record.id, { cmd, timeoutMs, maxOutput: MAX_OUTPUT });
      if (result.timedOut) return done(-1, `Health check exceeded timeout (${formatSeconds(timeoutMs)})`);
      return done(result.exitCode, result.output.toString('utf8'));
    } catch (err) {
      return done(-1, `Health check failed to run: ${(err as Error).message}`);
    }
  }

  /** podman's `--health-on-failure`; Docker does nothing (restart policies see only exits). */
  private async onUnhealthy(record: ContainerRecord): Promise<void> {
    const action = record.spec.health?.onFailure ?? 'none';
    if (action === 'none') return;
    log.info('container unhealthy: acting', { id: record.id, action });
    try {
      if (action === 'kill') await this.host.kill(record.id, 'SIGKILL');
      else if (action === 'stop') await this.host.stop(record.id);
      else if (action === 'restart') await this.host.restart(record.id);
    } catch (err) {
      log.warn('health-on-failure action failed', { id: record.id, action, err });
    }
  }
}

/** Go's duration text for whole and fractional seconds ("30s", "1.5s", "500ms"). */
function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(3))}s` : `${ms}ms`;
}
