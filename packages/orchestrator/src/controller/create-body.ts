import type { ProjectModel, ServiceModel } from '../compose/model.js';

const nanos = (n: number | undefined): number | undefined => (n === undefined ? undefined : n);

/**
 * The `POST /containers/create` body docker-compose 1.29 sends for one replica. Published ports are bound
 * by the container itself only when the balancer does not own them (`balanced` false).
 */
export function createBody(
  project: ProjectModel,
  service: ServiceModel,
  labels: Record<string, string>,
  options: { balanced: boolean; cpuset?: string },
): Record<string, unknown> {
  const netKeys = Object.keys(service.networks);
  const first = netKeys[0];
  const exposed: Record<string, object> = {};
  for (const p of service.ports) exposed[`${p.target}/${p.protocol}`] = {};
  for (const e of service.expose) exposed[e.includes('/') ? e : `${e}/tcp`] = {};
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  if (!options.balanced) {
    for (const p of service.ports) {
      (portBindings[`${p.target}/${p.protocol}`] ??= []).push({
        HostIp: p.hostIp ?? '',
        HostPort: p.published === undefined ? '' : String(p.published),
      });
    }
  }
  const h = service.healthcheck;
  const limits = service.resources.limits;
  return {
    Image: service.image,
    ...(service.command ? { Cmd: service.command } : {}),
    ...(service.entrypoint ? { Entrypoint: service.entrypoint } : {}),
    Env: Object.entries(service.environment).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    ...(service.user ? { User: service.user } : {}),
    ...(service.workingDir ? { WorkingDir: service.workingDir } : {}),
    ...(service.hostname ? { Hostname: service.hostname } : {}),
    ExposedPorts: exposed,
    ...(h
      ? {
          Healthcheck: {
            Test: h.test,
            ...(h.intervalNs !== undefined ? { Interval: nanos(h.intervalNs) } : {}),
            ...(h.timeoutNs !== undefined ? { Timeout: nanos(h.timeoutNs) } : {}),
            ...(h.startPeriodNs !== undefined ? { StartPeriod: nanos(h.startPeriodNs) } : {}),
            ...(h.retries !== undefined ? { Retries: h.retries } : {}),
          },
        }
      : {}),
    ...(service.stopGracePeriodS !== undefined ? { StopTimeout: Math.ceil(service.stopGracePeriodS) } : {}),
    HostConfig: {
      Mounts: service.volumes.map((m) => ({
        Type: m.type,
        ...(m.source ? { Source: m.type === 'volume' ? project.volumes[m.source]!.name : m.source } : {}),
        Target: m.target,
        ReadOnly: m.readOnly,
      })),
      Tmpfs: Object.fromEntries(service.tmpfs.map((t) => [t.split(':')[0]!, t.split(':')[1] ?? ''])),
      PortBindings: portBindings,
      ...(first ? { NetworkMode: project.networks[first]!.name } : {}),
      // The controller replaces replicas itself (with back-off), so the runtime does not restart them.
      RestartPolicy: { Name: 'no' },
      ...(service.init !== undefined ? { Init: service.init } : {}),
      CapAdd: service.capAdd,
      CapDrop: service.capDrop,
      Ulimits: Object.entries(service.ulimits).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard })),
      ...(limits.cpus !== undefined ? { NanoCpus: Math.round(limits.cpus * 1e9) } : {}),
      ...(limits.memoryBytes !== undefined ? { Memory: limits.memoryBytes } : {}),
      ...(limits.pids !== undefined ? { PidsLimit: limits.pids } : {}),
      ...(options.cpuset ? { CpusetCpus: options.cpuset } : {}),
    },
    NetworkingConfig: first
      ? {
          EndpointsConfig: {
            [project.networks[first]!.name]: { Aliases: [service.name, ...service.networks[first]!.aliases] },
          },
        }
      : {},
  };
}
