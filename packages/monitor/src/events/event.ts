import type { ContainerEvent } from '@polis/runtime';

export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon';

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

/** Wall-clock nanoseconds, strictly increasing so that events keep their order. */
export function nowNanos(): number {
  const now = Date.now() * 1e6 + Number(process.hrtime.bigint() % 1_000_000n);
  last = now > last ? now : last + 1;
  return last;
}
