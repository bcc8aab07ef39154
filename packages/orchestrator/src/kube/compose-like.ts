/**
 * The part of a Compose Specification document (after interpolation, as plain JSON) that the Kubernetes
 * conversion reads. Every field is optional and unknown fields are tolerated: the loader has validated
 * the document already, and this view only says what shapes to expect.
 */
export interface ComposeLike {
  name?: string;
  services?: Record<string, ComposeServiceLike | null>;
  volumes?: Record<string, ComposeVolumeLike | null>;
  networks?: Record<string, unknown>;
  [extra: string]: unknown;
}

export type StringOrList = string | string[];

export interface ComposePortLike {
  target?: number | string;
  published?: number | string;
  protocol?: string;
  host_ip?: string;
  mode?: string;
  [extra: string]: unknown;
}

export interface ComposeVolumeMountLike {
  type?: 'volume' | 'bind' | 'tmpfs' | string;
  source?: string;
  target?: string;
  read_only?: boolean;
  [extra: string]: unknown;
}

export interface ComposeResourcesLike {
  cpus?: number | string;
  memory?: number | string;
  [extra: string]: unknown;
}

export interface ComposeServiceLike {
  image?: string;
  build?: unknown;
  command?: StringOrList | null;
  entrypoint?: StringOrList | null;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | ComposePortLike)[];
  expose?: (string | number)[];
  volumes?: (string | ComposeVolumeMountLike)[];
  tmpfs?: StringOrList;
  working_dir?: string;
  user?: string;
  cap_add?: string[];
  cap_drop?: string[];
  privileged?: boolean;
  read_only?: boolean;
  stop_grace_period?: string | number;
  healthcheck?: {
    test?: StringOrList;
    interval?: string | number;
    timeout?: string | number;
    retries?: number | string;
    start_period?: string | number;
    disable?: boolean;
    [extra: string]: unknown;
  };
  deploy?: {
    replicas?: number | string;
    resources?: {
      limits?: ComposeResourcesLike;
      reservations?: ComposeResourcesLike;
      [extra: string]: unknown;
    };
    update_config?: { parallelism?: number | string; order?: string; [extra: string]: unknown };
    [extra: string]: unknown;
  };
  depends_on?: string[] | Record<string, { condition?: string; [extra: string]: unknown }>;
  restart?: string;
  [extra: string]: unknown;
}

export interface ComposeVolumeLike {
  name?: string;
  external?: boolean | { name?: string };
  'x-polis-size'?: string | number;
  [extra: string]: unknown;
}
