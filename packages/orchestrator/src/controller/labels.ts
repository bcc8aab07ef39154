import { createHash } from 'node:crypto';
import type { ProjectModel, ServiceModel } from '../compose/model.js';

/** docker-compose's labels, so `docker-compose ps` and Polis see the same containers. */
export const L = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  version: 'com.docker.compose.version',
  hash: 'com.docker.compose.config-hash',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/** The docker-compose release whose naming and labels Polis follows. */
export const COMPOSE_VERSION = '1.29.2';

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * sha256 of the service's configuration, the fields that shape a container: replicas, autoscaling, update
 * and rollback settings change how many and how, not what, so they do not recreate replicas.
 */
export function configHash(service: ServiceModel, project: ProjectModel): string {
  const { replicas: _r, updateConfig: _u, rollbackConfig: _b, profiles: _p, ...rest } = service;
  // The autoscale policy says how many, like replicas (and `polis service autoscale` changes it in place).
  const { 'x-polis-autoscale': _a, ...extensions } = service.extensions;
  const shape = { ...rest, extensions };
  const networks = Object.keys(service.networks).map((k) => project.networks[k]?.name ?? k);
  const volumes = service.volumes.map((m) =>
    m.type === 'volume' && m.source ? project.volumes[m.source]?.name : m.source,
  );
  return createHash('sha256')
    .update(JSON.stringify(canonical({ shape, networks, volumes })))
    .digest('hex');
}

export function containerName(project: string, service: string, n: number): string {
  return `${project}_${service}_${n}`;
}

export function containerLabels(
  project: ProjectModel,
  service: ServiceModel,
  n: number,
  hash: string,
): Record<string, string> {
  return {
    ...service.labels,
    [L.project]: project.name,
    [L.service]: service.name,
    [L.number]: String(n),
    [L.oneoff]: 'False',
    [L.version]: COMPOSE_VERSION,
    [L.hash]: hash,
    [L.workingDir]: project.workingDir,
    [L.configFiles]: project.configFiles.join(','),
  };
}

export function networkLabels(
  project: string,
  key: string,
  extra: Record<string, string>,
): Record<string, string> {
  return { ...extra, [L.project]: project, [L.network]: key, [L.version]: COMPOSE_VERSION };
}

export function volumeLabels(
  project: string,
  key: string,
  extra: Record<string, string>,
): Record<string, string> {
  return { ...extra, [L.project]: project, [L.volume]: key, [L.version]: COMPOSE_VERSION };
}
