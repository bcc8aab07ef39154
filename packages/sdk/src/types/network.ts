/** Docker Engine API v1.41 shapes for networks and a container's place on them. */

export interface IPAMPool {
  Subnet?: string;
  Gateway?: string;
  IPRange?: string;
}

export interface IPAM {
  Driver?: string;
  Options?: Record<string, string> | null;
  Config?: IPAMPool[];
}

/** A container on a network, as `GET /networks/{id}` lists it. */
export interface NetworkContainer {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  /** `172.18.0.2/16`. */
  IPv4Address: string;
  IPv6Address: string;
}

/** One element of `GET /networks`, and `GET /networks/{id}` (with `Containers` filled). */
export interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv6: boolean;
  IPAM: IPAM;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom?: { Network: string };
  ConfigOnly?: boolean;
  Containers: Record<string, NetworkContainer> | null;
  Options: Record<string, string> | null;
  Labels: Record<string, string> | null;
}

export interface NetworkCreateBody {
  Name: string;
  CheckDuplicate?: boolean;
  /** `bridge` (the default). */
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  IPAM?: IPAM;
  Options?: Record<string, string>;
  Labels?: Record<string, string>;
}

export interface NetworkCreateResponse {
  Id: string;
  Warning: string;
}

/** What a container asks of one network: at create (`NetworkingConfig`) and on connect. */
export interface EndpointConfig {
  Aliases?: string[];
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null;
}

/** A container's endpoint on one network (`NetworkSettings.Networks[name]`). */
export interface EndpointSettings extends EndpointConfig {
  Links?: string[] | null;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway?: string;
  GlobalIPv6Address?: string;
  GlobalIPv6PrefixLen?: number;
  MacAddress: string;
  DriverOpts?: Record<string, string> | null;
}

export interface NetworkConnectBody {
  /** Container id or name. */
  Container: string;
  EndpointConfig?: EndpointConfig;
}

export interface NetworkDisconnectBody {
  Container: string;
  Force?: boolean;
}

export interface NetworkPruneResponse {
  NetworksDeleted: string[] | null;
}

export interface NetworkListOptions {
  /** driver, id, label, name, scope, type (custom|builtin), dangling. */
  filters?: Record<string, string[]>;
}

/** One host binding of a container port (`NetworkSettings.Ports`). */
export interface HostBinding {
  HostIp: string;
  HostPort: string;
}

/** A published port of a container: `80/tcp` → `0.0.0.0:8080`. */
export interface PortMapping {
  /** `80/tcp`. */
  port: string;
  hostIp: string;
  hostPort: string;
}
