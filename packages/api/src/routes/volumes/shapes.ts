import { nowNanos, type DockerEvent } from '@polis/monitor';
import type { VolumeEvent, VolumeRecord } from '@polis/storage';

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

/** A volume event as Docker sends it: the name as the actor, the driver (and the container's use) as attributes. */
export function volumeEvent(e: VolumeEvent, nowNano = nowNanos()): DockerEvent {
  return {
    Type: 'volume',
    Action: e.action,
    Actor: { ID: e.name, Attributes: e.attributes },
    scope: 'local',
    time: Math.floor(nowNano / 1e9),
    timeNano: nowNano,
  };
}
