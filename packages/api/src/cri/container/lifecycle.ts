import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, isPolisError } from '@polis/core';
import type { CriDeps } from '../deps.js';
import { matchesSelector, userLabels, L } from '../labels.js';
import { criRecords, findCri, maybeCri } from '../lookup.js';
import { resourcesOf, type LinuxResources } from './resources.js';
import { criContainer, criContainerStatus } from './shapes.js';

export async function startContainer(deps: CriDeps, req: { containerId?: string }): Promise<object> {
  const record = findCri(deps.containers, req.containerId ?? '', 'container');
  await deps.containers.start(record.id);
  return {};
}

/** StopContainer: SIGTERM (or the image's stop signal), SIGKILL after `timeout` seconds; idempotent. */
export async function stopContainer(
  deps: CriDeps,
  req: { containerId?: string; timeout?: string },
): Promise<object> {
  const record = maybeCri(deps.containers, req.containerId ?? '', 'container');
  if (!record) return {};
  await deps.containers.stop(record.id, { timeout: Number(req.timeout ?? 0) }).catch((err) => {
    if (isPolisError(err) && (err.kind === 'not_modified' || err.code === 'container.not_running')) return;
    throw err;
  });
  return {};
}

export async function removeContainer(deps: CriDeps, req: { containerId?: string }): Promise<object> {
  const record = maybeCri(deps.containers, req.containerId ?? '', 'container');
  if (record) await deps.containers.remove(record.id, { force: true });
  return {};
}

interface ContainerFilter {
  id?: string;
  state?: { state?: string } | null;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

export function listContainers(deps: CriDeps, req: { filter?: ContainerFilter | null }): object {
  const f = req.filter ?? {};
  const containers = criRecords(deps.containers, 'container')
    .filter((r) => !f.id || r.id.startsWith(f.id))
    .filter((r) => !f.podSandboxId || (r.spec.basic.labels[L.sandbox] ?? '').startsWith(f.podSandboxId))
    .filter((r) => matchesSelector(userLabels(r), f.labelSelector))
    .map(criContainer)
    .filter((c) => !f.state || c.state === f.state.state);
  return { containers };
}

export function containerStatus(deps: CriDeps, req: { containerId?: string; verbose?: boolean }): object {
  const record = findCri(deps.containers, req.containerId ?? '', 'container');
  return {
    status: criContainerStatus(record),
    info: req.verbose
      ? { pid: String(record.state.pid), sandboxId: record.spec.basic.labels[L.sandbox] ?? '' }
      : {},
  };
}

export async function updateContainerResources(
  deps: CriDeps,
  req: { containerId?: string; linux?: LinuxResources | null },
): Promise<object> {
  const record = findCri(deps.containers, req.containerId ?? '', 'container');
  await deps.containers.update(record.id, { resources: resourcesOf(req.linux) });
  return {};
}

/**
 * ReopenContainerLog: kubelet renamed the log file and asks for a new one at the path. conmon reopens its
 * log on `2 0 0` in its control FIFO (the path stays the container's log_path).
 */
export async function reopenContainerLog(deps: CriDeps, req: { containerId?: string }): Promise<object> {
  const record = findCri(deps.containers, req.containerId ?? '', 'container');
  if (record.state.status !== 'running') {
    throw new PolisError('container.not_running', `container ${record.id} is not running`, {
      context: { id: record.id },
    });
  }
  const fifo = await open(
    join(deps.execRoot, 'containers', record.id, 'ctl'),
    constants.O_WRONLY | constants.O_NONBLOCK,
  );
  try {
    await fifo.write('2 0 0\n');
  } finally {
    await fifo.close();
  }
  return {};
}
