/**
 * What the controller needs of the engine, in Docker Engine API terms: polisd serves it to itself over
 * its own socket (loopback.ts), so stacks are made by exactly the calls docker-compose 1.29 makes.
 */
export interface EngineContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  status: string;
  running: boolean;
  exitCode: number;
  /** 'healthy' | 'unhealthy' | 'starting' when the container has a healthcheck. */
  health?: string;
  startedAt: string;
  /** Network name → IPv4 address. */
  ips: Record<string, string>;
}

export interface Engine {
  containers(project: string): Promise<EngineContainer[]>;
  create(name: string, body: Record<string, unknown>): Promise<string>;
  connect(id: string, network: string, aliases: string[]): Promise<void>;
  start(id: string): Promise<void>;
  stop(id: string, timeoutS: number): Promise<void>;
  remove(id: string): Promise<void>;
  ensureNetwork(name: string, body: Record<string, unknown>): Promise<void>;
  removeNetwork(name: string): Promise<void>;
  ensureVolume(name: string, body: Record<string, unknown>): Promise<void>;
  removeVolume(name: string): Promise<void>;
}

export type Request = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; json: unknown }>;

const q = encodeURIComponent;

/** The Engine over a Docker-API request function. */
export function dockerEngine(request: Request): Engine {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    okStatus: number[] = [],
  ): Promise<unknown> => {
    const r = await request(method, path, body);
    if (r.status >= 300 && !okStatus.includes(r.status)) {
      const message = (r.json as { message?: string } | null)?.message ?? `status ${r.status}`;
      throw Object.assign(new Error(`${method} ${path}: ${message}`), { status: r.status });
    }
    return r.json;
  };
  return {
    async containers(project) {
      // One list call, not an inspect per container: the summary has state, health (in Status), labels and IPs.
      const filters = q(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }));
      const list = (await call('GET', `/containers/json?all=1&filters=${filters}`)) as Array<{
        Id: string;
        Names: string[];
        Labels?: Record<string, string>;
        State: string;
        Status: string;
        Created: number;
        NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> };
      }>;
      return list.map((c) => {
        const health = /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1];
        const exit = /^Exited \((\d+)\)/.exec(c.Status)?.[1];
        return {
          id: c.Id,
          name: (c.Names[0] ?? '').replace(/^\//, ''),
          labels: c.Labels ?? {},
          status: c.State,
          running: c.State === 'running',
          exitCode: exit === undefined ? 0 : Number(exit),
          ...(health ? { health: health === 'health: starting' ? 'starting' : health } : {}),
          startedAt: new Date(c.Created * 1000).toISOString(),
          ips: Object.fromEntries(
            Object.entries(c.NetworkSettings?.Networks ?? {}).map(([n, e]) => [n, e.IPAddress ?? '']),
          ),
        };
      });
    },
    async create(name, body) {
      const r = (await call('POST', `/containers/create?name=${q(name)}`, body)) as { Id: string };
      return r.Id;
    },
    async connect(id, network, aliases) {
      await call('POST', `/networks/${q(network)}/connect`, {
        Container: id,
        EndpointConfig: { Aliases: aliases },
      });
    },
    async start(id) {
      await call('POST', `/containers/${id}/start`, undefined, [304]);
    },
    async stop(id, timeoutS) {
      await call('POST', `/containers/${id}/stop?t=${timeoutS}`, undefined, [304, 404]);
    },
    async remove(id) {
      await call('DELETE', `/containers/${id}?force=1&v=0`, undefined, [404]);
    },
    async ensureNetwork(name, body) {
      const r = await request('GET', `/networks/${q(name)}`);
      if (r.status === 200) return;
      await call('POST', '/networks/create', { Name: name, CheckDuplicate: true, ...body });
    },
    async removeNetwork(name) {
      await call('DELETE', `/networks/${q(name)}`, undefined, [404]);
    },
    async ensureVolume(name, body) {
      const r = await request('GET', `/volumes/${q(name)}`);
      if (r.status === 200) return;
      await call('POST', '/volumes/create', { Name: name, ...body });
    },
    async removeVolume(name) {
      await call('DELETE', `/volumes/${q(name)}`, undefined, [404]);
    },
  };
}
