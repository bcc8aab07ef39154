/**
 * The contract between the orchestrator and the service load balancer (issue 13, item 3). The orchestrator
 * calls it as replicas come, go and turn healthy or unhealthy; network implements it (nftables DNAT with
 * numgen/jhash maps changed in place where the kernel can, a userspace L4 proxy where it cannot).
 */

/** One replica that can take traffic: its address on the service's network and the port it listens on. */
export interface BalancerBackend {
  containerId: string;
  ip: string;
  port: number;
}

/** A service's published port: the single entry point on the host. */
export interface BalancerFrontend {
  /** Host address to listen on; '' or '0.0.0.0' means every address. */
  hostIp: string;
  hostPort: number;
  protocol: 'tcp' | 'udp';
  /**
   * How new connections pick a replica. Default: 'round-robin' for TCP, 'source-hash' (client address and
   * port, so a UDP flow that idles out comes back to the same replica) for UDP. 'client-affinity' hashes
   * the client address alone. 'least-connections' needs the userspace proxy.
   */
  algorithm?: 'round-robin' | 'source-hash' | 'client-affinity' | 'least-connections';
  /** Forces a path; by default the kernel (nftables) path wherever it can serve the frontend. */
  mode?: 'kernel' | 'proxy';
  /**
   * `endpoint_mode: vip`: hostIp is a virtual IP reserved on a network (see ServiceVips) and this is that
   * network's bridge; the balancer puts the address on the bridge (so the bridge answers ARP for it) and
   * takes it off again on remove.
   */
  vipBridge?: string;
}

export interface BalancerCounters {
  containerId: string;
  /** Connections (TCP) or flows (UDP) sent to this backend since it joined the rotation. */
  connections: number;
  /** Connections open now, where the implementation can tell (userspace proxy); undefined otherwise. */
  active?: number;
}

export interface ServiceBalancer {
  /**
   * Creates the entry point of `serviceKey` (e.g. `<stack>/<service>/<port>`) or replaces its backend set in
   * place: connections already open are not cut; new ones go to the new set. An empty set keeps the entry
   * point and refuses new connections.
   */
  setBackends(serviceKey: string, frontend: BalancerFrontend, backends: BalancerBackend[]): Promise<void>;
  /**
   * Takes one backend out of the rotation for new connections and resolves when its open connections have
   * ended or `timeoutMs` has passed (then they may be cut by the caller stopping the replica).
   */
  drain(serviceKey: string, containerId: string, timeoutMs: number): Promise<void>;
  /** Per-backend counters, for requests-per-second autoscaling and for `compose ps`. */
  counters(serviceKey: string): Promise<BalancerCounters[]>;
  /** Removes the entry point and every rule it made. */
  remove(serviceKey: string): Promise<void>;
  /** Entry points that exist, to clean up after a daemon restart. */
  list(): string[];
  /** Which path serves an entry point (undefined when it does not exist). */
  modeOf?(serviceKey: string): 'kernel' | 'proxy' | undefined;
  /** Stops the userspace proxies' listeners (daemon shutdown); kernel rules stay, as published ports do. */
  close?(): Promise<void>;
}
