import { ZERO_TIME, type ContainerRecord, type ContainerState, type ImageRunConfig } from '@polis/core';
import { mountPoints, type VolumeSource } from './host-config.js';
import { humanDuration } from '@polis/core';
import { unixSeconds } from './timestamps.js';
import { portList, type ContainerNetworkView } from './container-network.js';
import { endpointsByName } from './network-shapes.js';

function since(time: string, now: number): string {
  return humanDuration(now - Date.parse(time));
}

function isZero(time: string): boolean {
  return !time || time === ZERO_TIME || Date.parse(time) <= 0 || Number.isNaN(Date.parse(time));
}

/** The STATUS column, as Docker's `State.String()` words it. */
export function statusText(s: ContainerState, now = Date.now()): string {
  switch (s.status) {
    case 'running':
      return s.health
        ? `Up ${since(s.startedAt, now)} (${s.health.status === 'starting' ? 'health: starting' : s.health.status})`
        : `Up ${since(s.startedAt, now)}`;
    case 'paused':
      return `Up ${since(s.startedAt, now)} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${since(s.finishedAt, now)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      if (isZero(s.startedAt)) return 'Created';
      if (isZero(s.finishedAt)) return '';
      return `Exited (${s.exitCode}) ${since(s.finishedAt, now)} ago`;
  }
}

/** `path args…`, arguments with spaces in single quotes, as Docker's list shows the command. */
export function commandText(path: string, args: string[]): string {
  if (args.length === 0) return path;
  return `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/** One entry of `GET /containers/json` (Docker's ContainerSummary). */
export function containerSummary(
  record: ContainerRecord,
  image: ImageRunConfig | undefined,
  now = Date.now(),
  network: ContainerNetworkView = { endpoints: [], ports: [] },
  volumeSource?: VolumeSource,
): Record<string, unknown> {
  return {
    Id: record.id,
    Names: [`/${record.name}`],
    Image: record.imageRef,
    ImageID: record.imageId,
    Command: commandText(record.process.path, record.process.args),
    Created: unixSeconds(record.created),
    Ports: portList(record, image, network),
    Labels: { ...(image?.Labels ?? {}), ...record.spec.basic.labels },
    State: record.state.status,
    Status: statusText(record.state, now),
    HostConfig: { NetworkMode: record.spec.network.mode },
    NetworkSettings: { Networks: endpointsByName(network.endpoints, record.name) },
    Mounts: mountPoints(record, volumeSource),
  };
}
