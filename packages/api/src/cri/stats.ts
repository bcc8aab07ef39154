import type { ContainerRecord } from '@polis/core';
import type { StatsSample } from '@polis/monitor';
import type { CriDeps } from './deps.js';
import { L, jsonLabel, matchesSelector, userLabels } from './labels.js';
import { containersOf, criRecords, findCri } from './lookup.js';
import { msToNs, nowNs } from './time.js';

const u64 = (n: number | undefined) => ({ value: String(Math.max(0, Math.round(n ?? 0))) });

/** kubelet's working set: usage less the inactive file cache (cgroup v2 `inactive_file`, v1 `total_inactive_file`). */
function workingSet(s: StatsSample): number {
  const inactive = s.memory.stats.inactive_file ?? s.memory.stats.total_inactive_file ?? 0;
  return Math.max(0, s.memory.usage - inactive);
}

function cpuAndMemory(sample: StatsSample | undefined) {
  const ts = sample ? msToNs(sample.readAt) : nowNs();
  return {
    cpu: { timestamp: ts, usageCoreNanoSeconds: u64(sample?.cpu.totalNs) },
    memory: {
      timestamp: ts,
      workingSetBytes: u64(sample ? workingSet(sample) : 0),
      usageBytes: u64(sample?.memory.usage),
      rssBytes: u64(sample ? (sample.memory.stats.anon ?? sample.memory.stats.total_rss ?? 0) : 0),
      ...(sample?.memory.limit !== undefined
        ? { availableBytes: u64(sample.memory.limit - sample.memory.usage) }
        : {}),
    },
  };
}

function containerStatsOf(deps: CriDeps, record: ContainerRecord): Record<string, unknown> {
  return {
    attributes: {
      id: record.id,
      metadata: jsonLabel(record, L.metadata, { name: '', attempt: 0 }),
      labels: userLabels(record),
      annotations: jsonLabel<Record<string, string>>(record, L.annotations, {}),
    },
    ...cpuAndMemory(deps.stats.readNow(record.id)),
    writableLayer: {
      timestamp: nowNs(),
      fsId: { mountpoint: deps.dataRoot },
      usedBytes: u64(0),
      inodesUsed: u64(0),
    },
  };
}

export function containerStats(deps: CriDeps, req: { containerId?: string }): object {
  return { stats: containerStatsOf(deps, findCri(deps.containers, req.containerId ?? '', 'container')) };
}

interface StatsFilter {
  id?: string;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

export function listContainerStats(deps: CriDeps, req: { filter?: StatsFilter | null }): object {
  const f = req.filter ?? {};
  const stats = criRecords(deps.containers, 'container')
    .filter((r) => r.state.status === 'running')
    .filter((r) => !f.id || r.id.startsWith(f.id))
    .filter((r) => !f.podSandboxId || (r.spec.basic.labels[L.sandbox] ?? '').startsWith(f.podSandboxId))
    .filter((r) => matchesSelector(userLabels(r), f.labelSelector))
    .map((r) => containerStatsOf(deps, r));
  return { stats };
}

/** A pod's stats: the sum of its containers' cpu and memory, and the sandbox's network (the pod's netns). */
function podStatsOf(deps: CriDeps, sandbox: ContainerRecord): Record<string, unknown> {
  const containers = containersOf(deps.containers, sandbox.id).filter((c) => c.state.status === 'running');
  const sandboxSample = deps.stats.readNow(sandbox.id);
  const samples = [sandboxSample, ...containers.map((c) => deps.stats.readNow(c.id))].filter(
    (s): s is StatsSample => s !== undefined,
  );
  const sum = (f: (s: StatsSample) => number) => samples.reduce((a, s) => a + f(s), 0);
  const ts = nowNs();
  const interfaces = Object.entries(sandboxSample?.networks ?? {}).map(([name, n]) => ({
    name,
    rxBytes: u64(n.rxBytes),
    rxErrors: u64(n.rxErrors),
    txBytes: u64(n.txBytes),
    txErrors: u64(n.txErrors),
  }));
  return {
    attributes: {
      id: sandbox.id,
      metadata: jsonLabel(sandbox, L.metadata, {}),
      labels: userLabels(sandbox),
      annotations: jsonLabel<Record<string, string>>(sandbox, L.annotations, {}),
    },
    linux: {
      cpu: { timestamp: ts, usageCoreNanoSeconds: u64(sum((s) => s.cpu.totalNs)) },
      memory: {
        timestamp: ts,
        workingSetBytes: u64(sum(workingSet)),
        usageBytes: u64(sum((s) => s.memory.usage)),
      },
      network: {
        timestamp: ts,
        defaultInterface: interfaces.find((i) => i.name === 'eth0') ?? null,
        interfaces,
      },
      process: { timestamp: ts, processCount: u64(sum((s) => s.pids.current)) },
      containers: containers.map((c) => containerStatsOf(deps, c)),
    },
  };
}

export function podSandboxStats(deps: CriDeps, req: { podSandboxId?: string }): object {
  return { stats: podStatsOf(deps, findCri(deps.containers, req.podSandboxId ?? '', 'sandbox')) };
}

export function listPodSandboxStats(deps: CriDeps, req: { filter?: StatsFilter | null }): object {
  const f = req.filter ?? {};
  const stats = criRecords(deps.containers, 'sandbox')
    .filter((r) => r.state.status === 'running')
    .filter((r) => !f.id || r.id.startsWith(f.id))
    .filter((r) => matchesSelector(userLabels(r), f.labelSelector))
    .map((r) => podStatsOf(deps, r));
  return { stats };
}
