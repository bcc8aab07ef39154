import { nowNanos, type DockerEvent } from '@polis/monitor';
import type { VolumeRecord } from '@polis/storage';

/** Docker's `Volume` object (volume inspect, list, create). */
export function volumeResource(v: VolumeRecord): Record<string, unknown> {
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: Object.keys(v.options).length > 0 ? v.options : null,
    Scope: 'local',
  };
}

/** A volume event as Docker sends it: the name as the actor, the driver as an attribute. */
export function volumeEvent(
  action: 'create' | 'destroy',
  v: VolumeRecord,
  nowNano = nowNanos(),
): DockerEvent {
  return {
    Type: 'volume',
    Action: action,
    Actor: { ID: v.name, Attributes: { driver: v.driver } },
    scope: 'local',
    time: Math.floor(nowNano / 1e9),
    timeNano: nowNano,
  };
}
