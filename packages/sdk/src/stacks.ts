import type { Transport } from './transport.js';

const enc = encodeURIComponent;

/** What `polis compose` sends to have polisd load compose files (paths as the user named them). */
export interface ComposeLoadBody {
  files: { path: string; content: string }[];
  workingDir: string;
  env: Record<string, string | undefined>;
  dotenv?: string;
  projectName?: string;
  profiles?: string[];
}

/** The normalised project (see @polis/orchestrator's ProjectModel); kept opaque on the client. */
export interface StackProject {
  name: string;
  services: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface StackServiceStatus {
  service: string;
  desired: number;
  running: number;
  healthy: number;
  pending?: string;
  updating?: string;
  paused?: string;
  lastError?: string;
  containers: {
    id: string;
    name: string;
    number: number;
    status: string;
    health?: string;
    exitCode: number;
    current: boolean;
  }[];
}

/** Polis's `/polis/v1/stacks` endpoints: compose projects whose desired state polisd keeps. */
export class Stacks {
  constructor(private readonly http: Transport) {}

  load(body: ComposeLoadBody): Promise<StackProject> {
    return this.http.json('POST', '/polis/v1/compose/load', { json: body });
  }

  /** The normalised project as YAML (`compose config`). */
  async loadYaml(body: ComposeLoadBody): Promise<string> {
    const res = await this.http.send('POST', '/polis/v1/compose/load', {
      json: body,
      query: { format: 'yaml' },
    });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Replaces a service's `x-polis-autoscale` (compose's keys); an empty policy removes it. */
  autoscale(name: string, service: string, policy: Record<string, unknown>): Promise<void> {
    return this.http.empty('POST', `/polis/v1/stacks/${enc(name)}/services/${enc(service)}/autoscale`, {
      json: policy,
    });
  }

  /** The project as Kubernetes manifests, multi-document YAML (`compose convert --to kubernetes`). */
  async convert(body: ComposeLoadBody, options: { namespace?: string } = {}): Promise<string> {
    const res = await this.http.send('POST', '/polis/v1/compose/convert', {
      json: body,
      query: { to: 'kubernetes', ...(options.namespace ? { namespace: options.namespace } : {}) },
    });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  list(): Promise<{ Name: string; Services: string[]; Stopped: boolean; UpdatedAt: string }[]> {
    return this.http.json('GET', '/polis/v1/stacks');
  }

  inspect(name: string): Promise<{ Name: string; Project?: StackProject; Services: StackServiceStatus[] }> {
    return this.http.json('GET', `/polis/v1/stacks/${enc(name)}`);
  }

  apply(
    project: StackProject,
    options: { scale?: Record<string, number>; removeOrphans?: boolean } = {},
  ): Promise<StackServiceStatus[]> {
    return this.http.json('PUT', `/polis/v1/stacks/${enc(project.name)}`, { json: { project, ...options } });
  }

  remove(name: string, options: { volumes?: boolean } = {}): Promise<void> {
    return this.http.empty('DELETE', `/polis/v1/stacks/${enc(name)}`, {
      query: { volumes: options.volumes ? '1' : '0' },
    });
  }

  scale(name: string, service: string, replicas: number): Promise<void> {
    return this.http.empty('POST', `/polis/v1/stacks/${enc(name)}/services/${enc(service)}/scale`, {
      json: { replicas },
    });
  }

  rollback(name: string, service: string): Promise<void> {
    return this.http.empty('POST', `/polis/v1/stacks/${enc(name)}/services/${enc(service)}/rollback`);
  }

  stop(name: string): Promise<void> {
    return this.http.empty('POST', `/polis/v1/stacks/${enc(name)}/stop`);
  }

  start(name: string): Promise<void> {
    return this.http.empty('POST', `/polis/v1/stacks/${enc(name)}/start`);
  }
}
