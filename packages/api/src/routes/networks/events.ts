import { nowNanos, type DockerEvent } from '@polis/monitor';
import type { NetworkRecord } from '@polis/network';

export type NetworkAction = 'create' | 'destroy' | 'connect' | 'disconnect';

/**
 * A network event as Docker sends it: the network's id as the actor, its name and driver as `name` and
 * `type`, the container's id as `container` for connect and disconnect. No legacy top-level fields.
 */
export function networkEvent(
  action: NetworkAction,
  network: Pick<NetworkRecord, 'id' | 'name' | 'driver'>,
  containerId?: string,
  nowNano = nowNanos(),
): DockerEvent {
  const attributes: Record<string, string> = { name: network.name, type: network.driver };
  if (containerId !== undefined) attributes.container = containerId;
  return {
    Type: 'network',
    Action: action,
    Actor: { ID: network.id, Attributes: attributes },
    scope: 'local',
    time: Math.floor(nowNano / 1e9),
    timeNano: nowNano,
  };
}
