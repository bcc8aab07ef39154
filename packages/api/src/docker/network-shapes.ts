import { createHash } from 'node:crypto';
import type { EndpointRecord, NetworkRecord } from '@polis/network';

export type Endpoint = EndpointRecord & { network: NetworkRecord };

/** A container as `GET /networks/{id}` lists it: its name and its endpoint on that network. */
export interface AttachedContainer {
  id: string;
  name: string;
  endpoint: EndpointRecord;
}

/** A wired endpoint has an address; a container that is not running has none. */
export function isWired(e: EndpointRecord): boolean {
  return e.ipAddress !== '';
}

/**
 * Docker's endpoint id (64 hex). Polis keeps none of its own: one container has one endpoint per network,
 * so the pair names it, stably across restarts.
 */
export function endpointId(e: EndpointRecord): string {
  return createHash('sha256').update(`${e.networkId}/${e.containerId}`).digest('hex');
}

/** One element of `GET /networks` (Docker's NetworkResource); `Containers` is only filled by inspect. */
export function networkResource(
  n: NetworkRecord,
  containers: AttachedContainer[] = [],
): Record<string, unknown> {
  const config: Record<string, string> = { Subnet: n.subnet, Gateway: n.gateway };
  if (n.ipRange) config.IPRange = n.ipRange;
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [config] },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      containers.map((c) => [
        c.id,
        {
          Name: c.name,
          EndpointID: endpointId(c.endpoint),
          MacAddress: c.endpoint.macAddress,
          IPv4Address: `${c.endpoint.ipAddress}/${c.endpoint.prefixLength}`,
          IPv6Address: '',
        },
      ]),
    ),
    Options: n.options,
    Labels: n.labels,
  };
}

/**
 * Docker's EndpointSettings of a container on one network. Address fields stay empty until the
 * endpoint is wired (the container runs), as Docker leaves them for a created container.
 */
export function endpointSettings(e: Endpoint, containerName: string): Record<string, unknown> {
  const wired = isWired(e);
  // Docker lists the user's aliases and the short id on user networks; the name is implied.
  const aliases = e.network.isDefault ? [] : e.aliases.filter((a) => a !== containerName);
  return {
    IPAMConfig: e.staticIp ? { IPv4Address: e.staticIp } : null,
    Links: null,
    Aliases: aliases.length > 0 ? aliases : null,
    NetworkID: e.network.id,
    EndpointID: wired ? endpointId(e) : '',
    Gateway: wired ? e.network.gateway : '',
    IPAddress: e.ipAddress,
    IPPrefixLen: e.prefixLength,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: e.macAddress,
    DriverOpts: null,
  };
}

/** `NetworkSettings.Networks`: the container's networks by name. */
export function endpointsByName(endpoints: Endpoint[], containerName: string): Record<string, unknown> {
  return Object.fromEntries(endpoints.map((e) => [e.network.name, endpointSettings(e, containerName)]));
}
