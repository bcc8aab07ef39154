import type { RegistryAuth } from './auth/registry-auth.js';
import { Alerts } from './alerts.js';
import { Stacks } from './stacks.js';
import { Containers } from './containers.js';
import { EventStream } from './events.js';
import { Execs } from './exec.js';
import { defaultHost, parseHost } from './host.js';
import { Images } from './images.js';
import { Networks } from './networks.js';
import { Volumes } from './volumes.js';
import { readBody, Transport } from './transport.js';
import { resolveTls, tlsRequestOptions, type ClientTls } from './tls.js';
import type { EventsOptions } from './types/event.js';
import type { AuthResponse } from './types/image.js';
import type { DiskUsageResponse, HealthReport, InfoResponse, VersionResponse } from './types/system.js';

export interface PolisClientOptions {
  /** `unix:///path.sock` or `tcp://host:port`; default: POLIS_HOST, DOCKER_HOST, `unix:///run/polis/polis.sock`. */
  host?: string;
  /**
   * TLS for a tcp:// host (ignored for a unix socket); false for none. Default: from the environment as
   * docker reads it (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH; POLIS_ names first), see `resolveTls`.
   */
  tls?: ClientTls | false;
}

/** The typed client of the Polis (Docker Engine) API. */
export class PolisClient {
  readonly host: string;
  readonly containers: Containers;
  readonly images: Images;
  readonly networks: Networks;
  readonly volumes: Volumes;
  /** Processes run inside running containers (`docker exec`). */
  readonly exec: Execs;
  /** Polis's alert rules and history (`/polis/v1/alerts`). */
  readonly alerts: Alerts;
  /** Compose stacks kept by polisd (`/polis/v1/stacks`). */
  readonly stacks: Stacks;
  private readonly http: Transport;

  constructor(options: PolisClientOptions = {}) {
    const tls = options.tls === undefined ? resolveTls() : options.tls || undefined;
    const endpoint = parseHost(options.host ?? defaultHost(), tls !== undefined);
    this.host = endpoint.host;
    const secure = tls && endpoint.socketPath === undefined ? tlsRequestOptions(tls) : undefined;
    this.http = new Transport(endpoint, secure);
    this.containers = new Containers(this.http);
    this.images = new Images(this.http);
    this.networks = new Networks(this.http);
    this.volumes = new Volumes(this.http);
    this.exec = new Execs(this.http);
    this.alerts = new Alerts(this.http);
    this.stacks = new Stacks(this.http);
  }

  /** `GET /_ping`: the daemon's answer (`OK`). */
  async ping(): Promise<string> {
    return readBody(await this.http.send('GET', '/_ping'));
  }

  version(): Promise<VersionResponse> {
    return this.http.json('GET', '/version');
  }

  info(): Promise<InfoResponse> {
    return this.http.json('GET', '/info');
  }

  /** `GET /system/df`: images, containers and volumes with the space each takes. */
  df(): Promise<DiskUsageResponse> {
    return this.http.json('GET', '/system/df');
  }

  /** `GET /polis/v1/health`: component health; answered with 200 whatever the verdict. */
  health(): Promise<HealthReport> {
    return this.http.json('GET', '/polis/v1/health');
  }

  /** `POST /auth`: checks credentials against a registry (through the daemon); 401 when refused. */
  auth(credentials: RegistryAuth): Promise<AuthResponse> {
    return this.http.json('POST', '/auth', { json: credentials });
  }

  /**
   * `GET /events`: past events from `since`, then live ones until `until` (or until closed). Iterate it
   * with `for await`; `close()` or the options' signal ends it.
   */
  events(options: EventsOptions = {}): EventStream {
    return new EventStream(this.http, options);
  }

  /** Closes idle connections. */
  close(): void {
    this.http.close();
  }
}
