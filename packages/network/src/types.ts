/** A network Polis manages: a Linux bridge with a subnet, as Docker's bridge driver. */
export interface NetworkRecord {
  /** 64 hex characters, as Docker's network ids. */
  id: string;
  name: string;
  driver: 'bridge';
  /** The default `bridge` network: no embedded DNS, host resolvers, legacy behaviour (as Docker's). */
  isDefault: boolean;
  /** CIDR, e.g. `172.18.0.0/16`; IPv6 CIDRs parse too (the IPAM uses bigints). */
  subnet: string;
  gateway: string;
  /** A CIDR inside `subnet` that container addresses are taken from; default the whole subnet. */
  ipRange?: string;
  /** No route out: no masquerade, forwarding only inside the bridge. */
  internal: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** The Linux bridge device (`polis0` for the default network, `pl-<id 12>` otherwise). */
  bridge: string;
  /** RFC 3339. */
  created: string;
}

export interface CreateNetworkOptions {
  name: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  /** Docker's CheckDuplicate: refuse a second network of the same name (always on in Polis). */
  checkDuplicate?: boolean;
}

/** A container's place on one network. */
export interface EndpointRecord {
  networkId: string;
  containerId: string;
  /** The address in CIDR form (`172.18.0.2/16`) and without (`172.18.0.2`). */
  ipAddress: string;
  prefixLength: number;
  macAddress: string;
  /** Names the embedded DNS answers for this container on this network (name, aliases, short id). */
  aliases: string[];
  /** The interface inside the container (`eth0`, `eth1`…). */
  interfaceName: string;
  /** The host end of the veth pair. */
  hostVeth: string;
  /** An address asked for with `--ip`, kept across restarts. */
  staticIp?: string;
}

/** One published port, after defaults are applied (`hostIp` '' means all host addresses). */
export interface PortBinding {
  protocol: 'tcp' | 'udp';
  containerPort: number;
  hostIp: string;
  hostPort: number;
}
