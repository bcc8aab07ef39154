import { encodeFilters } from './filters.js';
import type { Transport } from './transport.js';
import type {
  NetworkConnectBody,
  NetworkCreateBody,
  NetworkCreateResponse,
  NetworkDisconnectBody,
  NetworkListOptions,
  NetworkPruneResponse,
  NetworkResource,
} from './types/network.js';

const enc = encodeURIComponent;

/** `/networks/...` endpoints. Networks are named by full id, unique id prefix or name. */
export class Networks {
  constructor(private readonly http: Transport) {}

  list(options: NetworkListOptions = {}): Promise<NetworkResource[]> {
    return this.http.json('GET', '/networks', { query: { filters: encodeFilters(options.filters) } });
  }

  /** The network with the running containers on it (`Containers`). */
  inspect(id: string): Promise<NetworkResource> {
    return this.http.json('GET', `/networks/${enc(id)}`);
  }

  /** Fails with a conflict when the name is taken or the subnet overlaps another network's. */
  create(body: NetworkCreateBody): Promise<NetworkCreateResponse> {
    return this.http.json('POST', '/networks/create', { json: body });
  }

  /** Fails with a conflict while containers are connected. */
  remove(id: string): Promise<void> {
    return this.http.empty('DELETE', `/networks/${enc(id)}`);
  }

  /** Connects a container; a running one is wired at once, a stopped one at its next start. */
  connect(id: string, body: NetworkConnectBody): Promise<void> {
    return this.http.empty('POST', `/networks/${enc(id)}/connect`, { json: body });
  }

  disconnect(id: string, body: NetworkDisconnectBody): Promise<void> {
    return this.http.empty('POST', `/networks/${enc(id)}/disconnect`, { json: body });
  }

  /** Removes the custom networks no container is connected to; resolves with their names. */
  async prune(filters?: Record<string, string[]>): Promise<string[]> {
    const res = await this.http.json<NetworkPruneResponse>('POST', '/networks/prune', {
      query: { filters: encodeFilters(filters) },
    });
    return res.NetworksDeleted ?? [];
  }
}
