import { Counter, Gauge, type Registry } from 'prom-client';
import type { ContainerRecord } from '@polis/core';
import { OpenFiles, type FileReader } from '../stats/files.js';
import { labelValue } from './labels.js';
import { readContainer, type ContainerReading } from './reading.js';

const LABELS = ['id', 'name', 'image', 'compose_project', 'compose_service'] as const;
type Labels = Record<(typeof LABELS)[number], string>;

export const CONTAINER_STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
const HEALTH_STATES = ['starting', 'healthy', 'unhealthy'];

/** Reads one running container through FILES (kept open between scrapes); unit tests give a fake. */
export type SampleReader = (pid: number, files: FileReader) => ContainerReading | undefined;

export interface ContainerSource {
  list(options: { all: boolean }): ContainerRecord[];
  /** The pid of a running (or paused) container's first process, else undefined. */
  runningPid(id: string): number | undefined;
}

function labelsOf(r: ContainerRecord): Labels {
  const labels = r.spec.basic.labels ?? {};
  return {
    id: r.id,
    name: labelValue(r.name.replace(/^\//, '')),
    image: labelValue(r.imageRef),
    compose_project: labelValue(labels['com.docker.compose.project']),
    compose_service: labelValue(labels['com.docker.compose.service']),
  };
}

/** The health status the record carries, if any (health checks add `state.health`). */
function healthOf(r: ContainerRecord): string | undefined {
  const health = (r.state as { health?: { status?: unknown } }).health;
  return typeof health?.status === 'string' ? health.status : undefined;
}

/**
 * Per-container series, rebuilt at each scrape from the records and one reading of each running
 * container's files (no process spawned).
 */
export class ContainerMetrics {
  private readonly byState: Gauge;
  private readonly cpu: Counter;
  private readonly memUsage: Gauge;
  private readonly memLimit: Gauge;
  private readonly netRx: Counter;
  private readonly netTx: Counter;
  private readonly blkRead: Counter;
  private readonly blkWrite: Counter;
  private readonly pids: Gauge;
  private readonly restarts: Counter;
  private readonly ooms: Counter;
  private readonly health: Gauge;
  /** OOM kills seen in the event log since polisd started, by container id. */
  private readonly oomCounts = new Map<string, number>();
  /**
   * Each running container's files, kept open between scrapes and re-read with pread (one system call
   * per file: seven descriptors per container); dropped when its process changes or it stops.
   */
  private readonly files = new Map<string, { pid: number; files: OpenFiles }>();

  constructor(
    registry: Registry,
    private readonly source: ContainerSource,
    private readonly read: SampleReader = (pid, files) => readContainer(pid, files),
  ) {
    const reg = [registry];
    const labelNames = [...LABELS];
    this.byState = new Gauge({
      name: 'polis_containers',
      help: 'Containers by state.',
      labelNames: ['state'],
      registers: reg,
    });
    const counter = (name: string, help: string): Counter =>
      new Counter({ name, help, labelNames, registers: reg });
    const gauge = (name: string, help: string, extra: string[] = []): Gauge =>
      new Gauge({ name, help, labelNames: [...labelNames, ...extra], registers: reg });
    this.cpu = counter('polis_container_cpu_seconds_total', 'CPU time used by the container.');
    this.memUsage = gauge(
      'polis_container_memory_usage_bytes',
      'Memory charged to the container (cgroup usage).',
    );
    this.memLimit = gauge(
      'polis_container_memory_limit_bytes',
      'Memory limit of the container; absent when unlimited.',
    );
    this.netRx = counter(
      'polis_container_network_receive_bytes_total',
      'Bytes received on every interface but lo.',
    );
    this.netTx = counter(
      'polis_container_network_transmit_bytes_total',
      'Bytes sent on every interface but lo.',
    );
    this.blkRead = counter('polis_container_blkio_read_bytes_total', 'Bytes read from block devices.');
    this.blkWrite = counter('polis_container_blkio_write_bytes_total', 'Bytes written to block devices.');
    this.pids = gauge('polis_container_pids', 'Processes and threads in the container.');
    this.restarts = counter('polis_container_restarts_total', 'Restarts by the restart policy.');
    this.ooms = counter('polis_container_oom_kills_total', 'OOM kills seen since polisd started.');
    this.health = gauge('polis_container_health_status', '1 for the health status the container is in.', [
      'status',
    ]);
  }

  /** An `oom` event of the container. */
  countOom(id: string): void {
    this.oomCounts.set(id, (this.oomCounts.get(id) ?? 0) + 1);
  }

  /** Rebuilds every series; called once per scrape. */
  refresh(): void {
    for (const m of [this.byState, this.cpu, this.memUsage, this.memLimit, this.netRx, this.netTx]) m.reset();
    for (const m of [this.blkRead, this.blkWrite, this.pids, this.restarts, this.ooms, this.health])
      m.reset();
    const states = new Map(CONTAINER_STATES.map((s) => [s, 0]));
    const records = this.source.list({ all: true });
    const known = new Set<string>();
    const read = new Set<string>();
    for (const r of records) {
      known.add(r.id);
      states.set(r.state.status, (states.get(r.state.status) ?? 0) + 1);
      const labels = labelsOf(r);
      this.restarts.inc(labels, r.restartCount);
      this.ooms.inc(labels, this.oomCounts.get(r.id) ?? 0);
      const health = healthOf(r);
      if (health !== undefined) {
        for (const status of HEALTH_STATES) this.health.set({ ...labels, status }, status === health ? 1 : 0);
      }
      const pid = this.source.runningPid(r.id);
      const s = pid === undefined ? undefined : this.read(pid, this.filesOf(r.id, pid));
      if (s === undefined) continue;
      read.add(r.id);
      this.cpu.inc(labels, s.cpuNs / 1e9);
      this.memUsage.set(labels, s.memoryUsage);
      if (s.memoryLimit !== undefined) this.memLimit.set(labels, s.memoryLimit);
      this.netRx.inc(labels, s.rxBytes);
      this.netTx.inc(labels, s.txBytes);
      this.blkRead.inc(labels, s.readBytes);
      this.blkWrite.inc(labels, s.writeBytes);
      this.pids.set(labels, s.pids);
    }
    for (const [state, n] of states) this.byState.set({ state }, n);
    for (const id of this.oomCounts.keys()) if (!known.has(id)) this.oomCounts.delete(id);
    for (const [id, f] of this.files) {
      if (!read.has(id)) {
        f.files.close();
        this.files.delete(id);
      }
    }
  }

  private filesOf(id: string, pid: number): OpenFiles {
    let f = this.files.get(id);
    if (f !== undefined && f.pid !== pid) {
      // A restart: new process, new /proc paths (and a new cgroup behind the same path).
      f.files.close();
      f = undefined;
    }
    if (f === undefined) {
      f = { pid, files: new OpenFiles() };
      this.files.set(id, f);
    }
    return f.files;
  }

  close(): void {
    for (const f of this.files.values()) f.files.close();
    this.files.clear();
  }
}
