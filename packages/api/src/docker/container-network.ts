import type { ContainerRecord, ImageRunConfig } from '@polis/core';
import type { NetworkService, PortBinding } from '@polis/network';
import { endpointSettings, endpointsByName, type Endpoint } from './network-shapes.js';

/** What the network layer knows of one container: its endpoints, and its published ports while it runs. */
export interface ContainerNetworkView {
  endpoints: Endpoint[];
  ports: PortBinding[];
}

const EMPTY: ContainerNetworkView = { endpoints: [], ports: [] };

function isLive(record: ContainerRecord): boolean {
  const s = record.state.status;
  return s === 'running' || s === 'paused' || s === 'restarting';
}

export function networkView(
  networks: NetworkService | undefined,
  record: ContainerRecord,
): ContainerNetworkView {
  if (!networks) return EMPTY;
  return {
    endpoints: networks.endpointsOf(record.id),
    ports: isLive(record) ? networks.portsOf(record.id) : [],
  };
}

/** `8000-8002/tcp` → `8000/tcp`, `8001/tcp`, `8002/tcp`. */
function expandPortKey(key: string): string[] {
  const [ports = '', proto = 'tcp'] = key.split('/');
  const [first = 0, last = first] = ports.split('-').map(Number);
  const out: string[] = [];
  for (let p = first; p <= last; p++) out.push(`${p}/${proto}`);
  return out;
}

/** The container's ports, in order: the image's and its own exposed ones, and every published one. */
function exposedPorts(record: ContainerRecord, image: ImageRunConfig | undefined): string[] {
  const keys = [
    ...Object.keys(image?.ExposedPorts ?? {}),
    ...record.spec.basic.exposedPorts,
    ...Object.keys(record.spec.network.portBindings),
  ];
  const byNumber = (a: string, b: string): number =>
    Number.parseInt(a) - Number.parseInt(b) || a.localeCompare(b);
  return [...new Set(keys.flatMap(expandPortKey))].sort(byNumber);
}

const hostIpOf = (b: PortBinding): string => b.hostIp || '0.0.0.0';

/**
 * `NetworkSettings.Ports` of a running container: each port to its host bindings, `null` for one that is
 * exposed and not published. Empty while the container does not run, as Docker's.
 */
export function portMap(
  record: ContainerRecord,
  image: ImageRunConfig | undefined,
  view: ContainerNetworkView,
): Record<string, { HostIp: string; HostPort: string }[] | null> {
  if (!isLive(record) || view.endpoints.length === 0) return {};
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of exposedPorts(record, image)) out[key] = null;
  for (const b of view.ports) {
    (out[`${b.containerPort}/${b.protocol}`] ??= []).push({
      HostIp: hostIpOf(b),
      HostPort: String(b.hostPort),
    });
  }
  return out;
}

/** `Ports` of `GET /containers/json`: published ports with their host side, exposed ones without. */
export function portList(
  record: ContainerRecord,
  image: ImageRunConfig | undefined,
  view: ContainerNetworkView,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [key, bindings] of Object.entries(portMap(record, image, view))) {
    const [port = '', type = 'tcp'] = key.split('/');
    if (bindings === null) out.push({ PrivatePort: Number(port), Type: type });
    else
      for (const b of bindings)
        out.push({ IP: b.HostIp, PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: type });
  }
  return out;
}

/**
 * Docker's NetworkSettings. The top-level address fields describe the endpoint on the default `bridge`
 * network only, as Docker fills them; every network is under `Networks`.
 */
export function networkSettings(
  record: ContainerRecord,
  image: ImageRunConfig | undefined,
  view: ContainerNetworkView,
): Record<string, unknown> {
  const bridge = view.endpoints.find((e) => e.network.isDefault);
  const top = bridge ? endpointSettings(bridge, record.name) : undefined;
  const sandbox = isLive(record) && record.state.pid > 0 && view.endpoints.length > 0;
  return {
    Bridge: '',
    SandboxID: '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: portMap(record, image, view),
    // The container's network namespace, reachable while its init runs (`nsenter --net=…`).
    SandboxKey: sandbox ? `/proc/${record.state.pid}/ns/net` : '',
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: top?.EndpointID ?? '',
    Gateway: top?.Gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: top?.IPAddress ?? '',
    IPPrefixLen: top?.IPPrefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: top?.MacAddress ?? '',
    Networks: endpointsByName(view.endpoints, record.name),
  };
}
