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
  /** The leased address (`172.18.0.2`), its prefix length and MAC; '' and 0 while not wired. */
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

/** Docker's network list filters: driver, id, label, name, type (custom|builtin), dangling. */
export type NetworkFilters = Record<string, string[]>;

/** What a container asks of one network (from `--network`, `--network-alias`, `--ip`, connect). */
export interface EndpointRequest {
  /** Network name or id. */
  network: string;
  aliases?: string[];
  /** A fixed IPv4 address inside the network's subnet. */
  ip?: string;
}

/** A container as the network layer sees it when wiring it. */
export interface ContainerNetworkInfo {
  id: string;
  /** Without the leading slash. */
  name: string;
  hostname: string;
  /** Published ports, as in the container spec: `80/tcp` → bindings (hostPort '' = random). */
  portBindings: Record<string, { hostIp: string; hostPort: string }[]>;
  /** `-P`: publish these (the image's ExposedPorts plus `--expose`) on random ports. */
  publishAll: boolean;
  exposedPorts: string[];
}

/** What `attach` set up, for inspect and for the files written into the container. */
export interface AttachResult {
  endpoints: (EndpointRecord & { network: NetworkRecord })[];
  ports: PortBinding[];
  /** The nameservers the container's resolv.conf should list (embedded DNS on user networks). */
  nameservers: string[];
}

/** The network layer as runtime and api use it. */
/**
 * The network namespace a container's endpoints go into: a running process's (`pid`), or a named one
 * (`/run/netns/NAME`, as `ip netns` keeps them) that the wiring makes, before the container exists.
 */
export type NetnsTarget = { pid: number } | { name: string };

export interface AttachOptions {
  /** Called once a named netns exists (before its links are made): a runtime may create the container in it. */
  onNetns?: () => void;
}

export interface NetworkService {
  init(): Promise<void>;
  create(options: CreateNetworkOptions): Promise<NetworkRecord>;
  list(filters?: NetworkFilters): NetworkRecord[];
  /** By full id, unique id prefix, or name; `network.not_found` (404) otherwise. */
  get(reference: string): NetworkRecord;
  /** `network.in_use` (409) while containers are connected; the default network cannot be removed. */
  remove(reference: string): Promise<void>;
  prune(filters?: NetworkFilters): Promise<string[]>;

  /** Records that a container belongs to a network (create, `network connect` of a stopped one). */
  connect(containerId: string, request: EndpointRequest): Promise<EndpointRecord>;
  /** Removes the container from a network (detaching it first if it is wired). */
  disconnect(containerId: string, network: string, force?: boolean): Promise<void>;
  /** The container's endpoints (connected networks), wired or not. */
  endpointsOf(containerId: string): (EndpointRecord & { network: NetworkRecord })[];

  /**
   * Wires a container into each of its networks: veth pairs, addresses, routes, published ports, DNS
   * names. Into the netns of its created (not yet started) init process, or into a named netns made
   * here before the container is created, which it then joins. Undoes itself on failure.
   */
  attach(container: ContainerNetworkInfo, netns: NetnsTarget, options?: AttachOptions): Promise<AttachResult>;
  /** Unwires a container that stopped or is being removed: ports, leases, DNS names. Idempotent. */
  detach(containerId: string): Promise<void>;
  /** Forgets a removed container's endpoints. */
  forget(containerId: string): Promise<void>;
  /** Published ports of a running container. */
  portsOf(containerId: string): PortBinding[];
  /** Connects a running container (`network connect`): records the endpoint and wires it now. */
  attachOne(container: ContainerNetworkInfo, pid: number, request: EndpointRequest): Promise<AttachResult>;
  /** Disconnects a running container from one network: unwires and forgets that endpoint. */
  detachOne(containerId: string, network: string): Promise<void>;
  /**
   * At daemon start: `running` maps each running container to its pid. Endpoints of containers that
   * are no longer running are detached (leases released once); the firewall is rebuilt from state.
   */
  reconcile(running: Map<string, number>): Promise<void>;
}
