import { degraded, healthy, unhealthy, type HealthCheck, type HealthResult } from '@polis/core';
import type { VolumeManager } from './manager.js';

async function volumeMounts(volumes: VolumeManager): Promise<HealthResult> {
  const { missing, stray } = await volumes.mountProblems();
  if (missing.length > 0) {
    return unhealthy(
      `volumes not mounted though a running container uses them: ${missing.join(', ')}`,
      'restart the containers using them (polis restart), or restart polisd to reconcile mounts',
    );
  }
  if (stray.length > 0) {
    return degraded(
      `volumes mounted with no running user: ${stray.join(', ')}`,
      'restart polisd to reconcile mounts (it unmounts unused volumes at start)',
    );
  }
  return healthy('volume mounts match their running users');
}

export function storageHealthChecks(volumes: VolumeManager): HealthCheck[] {
  return [{ component: 'storage', name: 'volume-mounts', run: () => volumeMounts(volumes) }];
}
