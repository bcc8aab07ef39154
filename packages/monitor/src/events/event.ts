import type { ContainerEvent } from '@polis/runtime';

export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon' | 'alert' | 'stack';

/** An event in the Docker Engine API's shape (`GET /events`), with the legacy top-level fields. */
export interface DockerEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

export function containerEvent(e: ContainerEvent, nowNano = nowNanos()): DockerEvent {
  const attributes = { ...e.attributes, name: e.name, image: e.image };
  return {
    status: e.action,
    id: e.id,
    from: e.image,
    Type: 'container',
    Action: e.action,
    Actor: { ID: e.id, Attributes: attributes },
    scope: 'local',
    time: Math.floor(nowNano / 1e9),
    timeNano: nowNano,
  };
}

export function imageEvent(
  action: string,
  id: string,
  attributes: Record<string, string>,
  nowNano = nowNanos(),
): DockerEvent {
  return {
    status: action,
    id,
    Type: 'image',
    Action: action,
    Actor: { ID: id, Attributes: attributes },
    scope: 'local',
    time: Math.floor(nowNano / 1e9),
    timeNano: nowNano,
  };
}

let last = 0;
/** timeNano exceeds 2^53: steps of a microsecond are the finest a double keeps exactly at this size. */
const STEP = 1000;

/** Wall-clock nanoseconds at microsecond resolution, strictly increasing so events keep their order. */
export function nowNanos(): number {
  const micros = Math.floor(performance.timeOrigin * 1000 + performance.now() * 1000);
  const now = micros * STEP;
  last = now > last ? now : last + STEP;
  return last;
}
