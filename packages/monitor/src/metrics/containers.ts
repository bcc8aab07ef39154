import { Gauge, type Registry } from 'prom-client';
import type { ContainerRecord } from '@polis/core';
import { OpenFiles, type FileReader } from '../stats/files.js';
import { labelValue } from './labels.js';
import { readContainer, type ContainerReading } from './reading.js';

export const CONTAINER_STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
const HEALTH_STATES = ['starting', 'healthy', 'unhealthy'];

/** Reads one running container through FILES (kept open between scrapes); unit tests give a fake. */
export type SampleReader = (pid: number, files: FileReader) => ContainerReading | undefined;

export interface ContainerSource {
  list(options: { all: boolean }): ContainerRecord[];
  /** The pid of a running (or paused) container's first process, else undefined. */
  runningPid(id: string): number | undefined;
}

type Family = readonly [name: string, type: 'counter' | 'gauge', help: string];
const CPU: Family = ['polis_container_cpu_seconds_total', 'counter', 'CPU time used by the container.'];
const MEM: Family = [
  'polis_container_memory_usage_bytes',
  'gauge',
  'Memory charged to the container (cgroup usage).',
];
const LIMIT: Family = [
  'polis_container_memory_limit_bytes',
  'gauge',
  'Memory limit of the container; absent when unlimited.',
];
const RX: Family = [
  'polis_container_network_receive_bytes_total',
  'counter',
  'Bytes received on every interface but lo.',
];
const TX: Family = [
  'polis_container_network_transmit_bytes_total',
  'counter',
  'Bytes sent on every interface but lo.',
];
const BLK_R: Family = ['polis_container_blkio_read_bytes_total', 'counter', 'Bytes read from block devices.'];
const BLK_W: Family = [
  'polis_container_blkio_write_bytes_total',
  'counter',
  'Bytes written to block devices.',
];
const PIDS: Family = ['polis_container_pids', 'gauge', 'Processes and threads in the container.'];
const RESTARTS: Family = ['polis_container_restarts_total', 'counter', 'Restarts by the restart policy.'];
const OOMS: Family = ['polis_container_oom_kills_total', 'counter', 'OOM kills seen since polisd started.'];
const HEALTH: Family = [
  'polis_container_health_status',
  'gauge',
  '1 for the health status the container is in.',
];
const FAMILIES = [CPU, MEM, LIMIT, RX, TX, BLK_R, BLK_W, PIDS, RESTARTS, OOMS, HEALTH];

/** The exposition format's label value escapes: backslash, double quote, newline. */
function escape(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** `id="…",name="…",…` for one container, made once and shared by all its series. */
function labelsOf(r: ContainerRecord): string {
  const labels = r.spec.basic.labels ?? {};
  const pairs: [string, string | undefined][] = [
    ['id', r.id],
    ['name', r.name.replace(/^\//, '')],
    ['image', r.imageRef],
    ['compose_project', labels['com.docker.compose.project']],
    ['compose_service', labels['com.docker.compose.service']],
  ];
  return pairs.map(([k, v]) => `${k}="${escape(labelValue(v))}"`).join(',');
}

/** The health status the record carries, if any (health checks add `state.health`). */
function healthOf(r: ContainerRecord): string | undefined {
  const health = (r.state as { health?: { status?: unknown } }).health;
  return typeof health?.status === 'string' ? health.status : undefined;
}

/**
 * Per-container series, rebuilt at each scrape from the records and one reading of each running
 * container's files (no process spawned). They are written as exposition text directly: through
 * prom-client's labelled metrics (a label hash per series, then formatting) 100 containers cost tens
 * of milliseconds of the event loop per scrape; this costs about one.
 */
export class ContainerMetrics {
  private readonly byState: Gauge;
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
    this.byState = new Gauge({
      name: 'polis_containers',
      help: 'Containers by state.',
      labelNames: ['state'],
      registers: [registry],
    });
  }

  /** An `oom` event of the container. */
  countOom(id: string): void {
    this.oomCounts.set(id, (this.oomCounts.get(id) ?? 0) + 1);
  }

  /** Rebuilds every series (the state counts in the registry); returns the per-container families' text. */
  refresh(): string {
    const lines = new Map<Family, string[]>(FAMILIES.map((f) => [f, []]));
    const add = (f: Family, labels: string, value: number): void => {
      lines.get(f)!.push(`${f[0]}{${labels}} ${value}`);
    };
    const states = new Map(CONTAINER_STATES.map((s) => [s, 0]));
    const known = new Set<string>();
    const read = new Set<string>();
    for (const r of this.source.list({ all: true })) {
      known.add(r.id);
      states.set(r.state.status, (states.get(r.state.status) ?? 0) + 1);
      const labels = labelsOf(r);
      add(RESTARTS, labels, r.restartCount);
      add(OOMS, labels, this.oomCounts.get(r.id) ?? 0);
      const health = healthOf(r);
      if (health !== undefined) {
        for (const status of HEALTH_STATES)
          add(HEALTH, `${labels},status="${status}"`, status === health ? 1 : 0);
      }
      const pid = this.source.runningPid(r.id);
      const s = pid === undefined ? undefined : this.read(pid, this.filesOf(r.id, pid));
      if (s === undefined) continue;
      read.add(r.id);
      add(CPU, labels, s.cpuNs / 1e9);
      add(MEM, labels, s.memoryUsage);
      if (s.memoryLimit !== undefined) add(LIMIT, labels, s.memoryLimit);
      add(RX, labels, s.rxBytes);
      add(TX, labels, s.txBytes);
      add(BLK_R, labels, s.readBytes);
      add(BLK_W, labels, s.writeBytes);
      add(PIDS, labels, s.pids);
    }
    for (const [state, n] of states) this.byState.set({ state }, n);
    for (const id of this.oomCounts.keys()) if (!known.has(id)) this.oomCounts.delete(id);
    for (const [id, f] of this.files) {
      if (!read.has(id)) {
        f.files.close();
        this.files.delete(id);
      }
    }
    let text = '';
    for (const [f, samples] of lines) {
      text += `# HELP ${f[0]} ${f[2]}\n# TYPE ${f[0]} ${f[1]}\n`;
      if (samples.length > 0) text += samples.join('\n') + '\n';
      text += '\n';
    }
    return text;
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
