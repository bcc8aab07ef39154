import type { ContainerRecord, ContainerState, ImageRunConfig } from '@polis/core';
import { containerConfigOf } from './container-config.js';
import { hostConfigOf, mountPoints, type VolumeSource } from './host-config.js';
import { networkSettings, type ContainerNetworkView } from './container-network.js';

function stateOf(s: ContainerState): Record<string, unknown> {
  const live = s.status === 'running' || s.status === 'paused' || s.status === 'restarting';
  return {
    Status: s.status,
    // Docker counts paused and restarting containers as running.
    Running: live,
    Paused: s.status === 'paused',
    Restarting: s.status === 'restarting',
    OOMKilled: s.oomKilled,
    Dead: s.status === 'dead',
    Pid: live ? s.pid : 0,
    ExitCode: s.exitCode,
    Error: s.error,
    StartedAt: s.startedAt,
    FinishedAt: s.finishedAt,
    ...(s.health
      ? {
          Health: {
            Status: s.health.status,
            FailingStreak: s.health.failingStreak,
            Log: s.health.log.map((r) => ({
              Start: r.start,
              End: r.end,
              ExitCode: r.exitCode,
              Output: r.output,
            })),
          },
        }
      : {}),
  };
}

/** `GET /containers/{id}/json` in Docker's ContainerInspectResponse shape. */
export function containerInspect(
  record: ContainerRecord,
  image: ImageRunConfig | undefined,
  network: ContainerNetworkView = { endpoints: [], ports: [] },
  volumeSource?: VolumeSource,
): Record<string, unknown> {
  return {
    Id: record.id,
    Created: record.created,
    Path: record.process.path,
    Args: record.process.args,
    State: stateOf(record.state),
    Image: record.imageId,
    ResolvConfPath: record.paths.resolvConfPath,
    HostnamePath: record.paths.hostnamePath,
    HostsPath: record.paths.hostsPath,
    LogPath: record.paths.logPath,
    Name: `/${record.name}`,
    RestartCount: record.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfigOf(record),
    GraphDriver: { Name: 'overlay2', Data: { MergedDir: record.paths.rootfs } },
    Mounts: mountPoints(record, volumeSource),
    Config: containerConfigOf(record, image),
    NetworkSettings: networkSettings(record, image, network),
  };
}
