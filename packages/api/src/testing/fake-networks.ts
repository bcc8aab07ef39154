import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { generateId, PolisError } from '@polis/core';
import type {
  AttachResult,
  ContainerNetworkInfo,
  CreateNetworkOptions,
  EndpointRecord,
  EndpointRequest,
  NetnsTarget,
  NetworkFilters,
  NetworkRecord,
  NetworkService,
  PortBinding,
} from '@polis/network';

type Endpoint = EndpointRecord & { network: NetworkRecord };

const toInt = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** `10.1.0.0/16` → first and last address; `network.invalid` for anything else than an IPv4 CIDR. */
function cidrRange(cidr: string): { first: number; last: number; prefix: number } {
  const [ip = '', bits = ''] = cidr.split('/');
  const prefix = Number(bits);
  if (!isIPv4(ip) || !/^\d+$/.test(bits) || prefix > 32) {
    throw new PolisError('network.invalid', `invalid CIDR address: ${cidr}`);
  }
  const size = 2 ** (32 - prefix);
  const first = Math.floor(toInt(ip) / size) * size;
  return { first, last: first + size - 1, prefix };
}

/**
 * An in-memory network layer for API unit tests: the contract's rules (unique names, subnets that do
 * not overlap, in-use networks kept, one endpoint per network and container) without any plumbing.
 */
export class FakeNetworks implements NetworkService {
  readonly networks: NetworkRecord[] = [];
  readonly endpoints: EndpointRecord[] = [];
  /** Published ports per container id, as a test sets them. */
  readonly ports = new Map<string, PortBinding[]>();
  readonly calls: { verb: string; args: unknown[] }[] = [];
  private nextSubnet = 18;

  constructor() {
    this.networks.push(this.record({ name: 'bridge', subnet: '172.17.0.0/16' }, true));
  }

  async init(): Promise<void> {}

  private record(options: CreateNetworkOptions, isDefault = false): NetworkRecord {
    const subnet = options.subnet ?? `172.${this.nextSubnet++}.0.0/16`;
    const range = cidrRange(subnet);
    const gateway = options.gateway ?? toIp(range.first + 1);
    const id = isDefault ? createHash('sha256').update('bridge').digest('hex') : generateId();
    return {
      id,
      name: options.name,
      driver: 'bridge',
      isDefault,
      subnet: `${toIp(range.first)}/${range.prefix}`,
      gateway,
      ...(options.ipRange ? { ipRange: options.ipRange } : {}),
      internal: options.internal ?? false,
      labels: options.labels ?? {},
      options: options.options ?? {},
      bridge: isDefault ? 'polis0' : `pl-${id.slice(0, 12)}`,
      created: '2024-05-01T10:00:00.000000001Z',
    };
  }

  async create(options: CreateNetworkOptions): Promise<NetworkRecord> {
    this.calls.push({ verb: 'create', args: [options] });
    if (options.driver !== undefined && options.driver !== 'bridge') {
      throw new PolisError('network.invalid', `plugin "${options.driver}" not found`);
    }
    if (this.networks.some((n) => n.name === options.name)) {
      throw new PolisError('network.exists', `network with name ${options.name} already exists`);
    }
    const record = this.record(options);
    const range = cidrRange(record.subnet);
    if (options.gateway !== undefined && !isIPv4(options.gateway)) {
      throw new PolisError('network.invalid', `invalid gateway address: ${options.gateway}`);
    }
    for (const other of this.networks) {
      const r = cidrRange(other.subnet);
      if (range.first <= r.last && r.first <= range.last) {
        throw new PolisError('network.subnet_overlap', `Pool overlaps with other one on this address space`);
      }
    }
    this.networks.push(record);
    return record;
  }

  list(filters: NetworkFilters = {}): NetworkRecord[] {
    return this.networks.filter((n) =>
      Object.entries(filters).every(([key, values]) =>
        values.some((v) => {
          if (key === 'name') return n.name.includes(v);
          if (key === 'id') return n.id.startsWith(v);
          if (key === 'driver') return v === n.driver;
          if (key === 'type') return v === (n.isDefault ? 'builtin' : 'custom');
          if (key === 'dangling') return (v === 'true') === (!n.isDefault && !this.inUse(n.id));
          if (key === 'label') {
            const [k = '', val] = v.split('=');
            return k in n.labels && (val === undefined || n.labels[k] === val);
          }
          throw new PolisError('request.invalid', `invalid filter '${key}'`);
        }),
      ),
    );
  }

  get(reference: string): NetworkRecord {
    const found =
      this.networks.find((n) => n.id === reference) ??
      this.networks.find((n) => n.name === reference) ??
      this.networks.find((n) => reference.length > 0 && n.id.startsWith(reference));
    if (!found) throw new PolisError('network.not_found', `network ${reference} not found`);
    return found;
  }

  private inUse(networkId: string): boolean {
    return this.endpoints.some((e) => e.networkId === networkId);
  }

  async remove(reference: string): Promise<void> {
    const n = this.get(reference);
    if (n.isDefault) {
      throw new PolisError('network.predefined', `${n.name} is a pre-defined network and cannot be removed`);
    }
    if (this.inUse(n.id)) {
      throw new PolisError(
        'network.in_use',
        `error while removing network: network ${n.name} id ${n.id} has active endpoints`,
      );
    }
    this.networks.splice(this.networks.indexOf(n), 1);
  }

  async prune(filters: NetworkFilters = {}): Promise<string[]> {
    const gone = this.list(filters).filter((n) => !n.isDefault && !this.inUse(n.id));
    for (const n of gone) this.networks.splice(this.networks.indexOf(n), 1);
    return gone.map((n) => n.name);
  }

  async connect(containerId: string, request: EndpointRequest): Promise<EndpointRecord> {
    this.calls.push({ verb: 'connect', args: [containerId, request] });
    const n = this.get(request.network);
    if (this.endpoints.some((e) => e.networkId === n.id && e.containerId === containerId)) {
      throw new PolisError(
        'network.already_connected',
        `endpoint with name ${containerId} already exists in network ${n.name}`,
      );
    }
    const endpoint: EndpointRecord = {
      networkId: n.id,
      containerId,
      ipAddress: '',
      prefixLength: 0,
      macAddress: '',
      aliases: request.aliases ?? [],
      interfaceName: `eth${this.endpointsOf(containerId).length}`,
      hostVeth: '',
      ...(request.ip ? { staticIp: request.ip } : {}),
    };
    this.endpoints.push(endpoint);
    return endpoint;
  }

  async disconnect(containerId: string, network: string, force = false): Promise<void> {
    this.calls.push({ verb: 'disconnect', args: [containerId, network, force] });
    const n = this.get(network);
    const i = this.endpoints.findIndex((e) => e.networkId === n.id && e.containerId === containerId);
    if (i < 0) {
      throw new PolisError(
        'network.not_connected',
        `container ${containerId} is not connected to network ${n.name}`,
      );
    }
    this.endpoints.splice(i, 1);
  }

  endpointsOf(containerId: string): Endpoint[] {
    return this.endpoints
      .filter((e) => e.containerId === containerId)
      .map((e) => ({ ...e, network: this.get(e.networkId) }));
  }

  /** Wires every endpoint of the container: addresses from the subnet in order, MACs from them. */
  async attach(container: ContainerNetworkInfo, netns: NetnsTarget): Promise<AttachResult> {
    this.calls.push({ verb: 'attach', args: [container.id, netns] });
    for (const e of this.endpoints.filter((x) => x.containerId === container.id)) this.wire(e);
    return { endpoints: this.endpointsOf(container.id), ports: this.portsOf(container.id), nameservers: [] };
  }

  private wire(e: EndpointRecord): void {
    const n = this.get(e.networkId);
    const range = cidrRange(n.subnet);
    const taken = this.endpoints.filter((x) => x.networkId === n.id && x.ipAddress !== '').length;
    e.ipAddress = e.staticIp ?? toIp(range.first + 2 + taken);
    e.prefixLength = range.prefix;
    e.macAddress = `02:42:${e.ipAddress
      .split('.')
      .map((b) => Number(b).toString(16).padStart(2, '0'))
      .join(':')}`;
    e.hostVeth = `veth${e.containerId.slice(0, 7)}`;
  }

  async detach(containerId: string): Promise<void> {
    for (const e of this.endpoints.filter((x) => x.containerId === containerId)) {
      Object.assign(e, { ipAddress: '', prefixLength: 0, macAddress: '', hostVeth: '' });
    }
    this.ports.delete(containerId);
  }

  async forget(containerId: string): Promise<void> {
    for (let i = this.endpoints.length - 1; i >= 0; i--) {
      if (this.endpoints[i]?.containerId === containerId) this.endpoints.splice(i, 1);
    }
  }

  portsOf(containerId: string): PortBinding[] {
    return this.ports.get(containerId) ?? [];
  }

  async attachOne(
    container: ContainerNetworkInfo,
    pid: number,
    request: EndpointRequest,
  ): Promise<AttachResult> {
    this.calls.push({ verb: 'attachOne', args: [container.id, pid, request] });
    this.wire(await this.connect(container.id, request));
    return { endpoints: this.endpointsOf(container.id), ports: this.portsOf(container.id), nameservers: [] };
  }

  async detachOne(containerId: string, network: string): Promise<void> {
    await this.disconnect(containerId, network, true);
  }

  async reconcile(): Promise<void> {}
}
