/** run/create flags → the `POST /containers/create` request, as docker's `parse` in container/opts.go. */
import { parseMountFlag } from './mount-flag.js';
import type { ContainerCreateBody, EndpointConfig, HostConfig, PortBinding } from '@polis/sdk/engine';
import { bool, int, list, str, type Parsed } from '../flags.js';
import { parseBytes } from '@polis/core/bytes';
import { expandEnv, parseKeyValueFile, toMap } from './kv-file.js';
import { parsePublish, parseRestartPolicy, parseUlimit } from './parse.js';
import { createResources } from './resource-flags.js';
import { securityHostConfig } from './security-flags.js';
import { healthcheckOf } from './health-flags.js';

export interface CreateRequest {
  name?: string;
  body: ContainerCreateBody;
}

export interface CreateDeps {
  env: NodeJS.ProcessEnv;
  readFile: (path: string) => string;
}

/** Builds the create request; throws an Error with docker's wording for a bad value. */
export function buildCreateRequest(p: Parsed, deps: CreateDeps, mode: { detach: boolean }): CreateRequest {
  const [image, ...cmd] = p.args as [string, ...string[]];
  const lookup = (k: string): string | undefined => deps.env[k];

  const env = [
    ...list(p, 'env-file').flatMap((f) => parseKeyValueFile(deps.readFile(f), f, lookup)),
    ...list(p, 'env').map((e) => expandEnv(e, lookup)),
  ];
  const labels = toMap([
    ...list(p, 'label-file').flatMap((f) => parseKeyValueFile(deps.readFile(f), f, () => undefined)),
    ...list(p, 'label'),
  ]);

  const attach = new Set(list(p, 'attach').map((s) => s.toLowerCase()));
  for (const s of attach) {
    if (!['stdin', 'stdout', 'stderr'].includes(s))
      throw new Error(
        `invalid argument "${s}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`,
      );
  }
  const interactive = bool(p, 'interactive');
  const attachStdin = !mode.detach && (interactive || attach.has('stdin'));
  const attachAll = attach.size === 0;

  let entrypoint: string[] | undefined;
  const ep = str(p, 'entrypoint');
  if (ep !== undefined && ep !== '') entrypoint = [ep];
  else if (p.changed.has('entrypoint')) entrypoint = [''];

  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const spec of list(p, 'publish')) {
    for (const { port, binding } of parsePublish(spec)) {
      exposed[port] = {};
      (bindings[port] ??= []).push(binding);
    }
  }
  for (const e of list(p, 'expose')) {
    const [ports, proto = 'tcp'] = e.split('/') as [string, string | undefined];
    const m = /^(\d+)(?:-(\d+))?$/.exec(ports);
    if (!m) throw new Error(`invalid range format for --expose: ${e}`);
    for (let n = Number(m[1]); n <= Number(m[2] ?? m[1]); n++) exposed[`${n}/${proto}`] = {};
  }

  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const v of list(p, 'volume')) {
    if (v.includes(':')) binds.push(v);
    else volumes[v] = {};
  }

  const restart = parseRestartPolicy(str(p, 'restart') ?? 'no');
  const autoRemove = bool(p, 'rm');
  if (autoRemove && restart.Name !== '' && restart.Name !== 'no') {
    throw new Error('conflicting options: cannot specify both --restart and --rm');
  }

  const bytes = (name: string): number | undefined => {
    const v = str(p, name);
    if (v === undefined) return undefined;
    return parseBytes(v);
  };
  const logOpts = list(p, 'log-opt');
  const logDriver = str(p, 'log-driver');
  const tmpfs = Object.fromEntries(
    list(p, 'tmpfs').map((t) => {
      const colon = t.indexOf(':');
      return colon < 0 ? [t, ''] : [t.slice(0, colon), t.slice(colon + 1)];
    }),
  );
  const stopTimeout = int(p, 'stop-timeout');

  const networkMode = str(p, 'network') ?? str(p, 'net');
  const host: HostConfig = {
    Binds: binds.length ? binds : undefined,
    Mounts: orUndefined(list(p, 'mount').map(parseMountFlag)),
    VolumesFrom: orUndefined(list(p, 'volumes-from')),
    VolumeDriver: str(p, 'volume-driver'),
    NetworkMode: networkMode,
    PortBindings: Object.keys(bindings).length ? bindings : undefined,
    PublishAllPorts: bool(p, 'publish-all') || undefined,
    RestartPolicy: restart,
    AutoRemove: autoRemove,
    CapAdd: orUndefined(list(p, 'cap-add')),
    CapDrop: orUndefined(list(p, 'cap-drop')),
    Dns: orUndefined(list(p, 'dns')),
    DnsOptions: orUndefined(list(p, 'dns-option')),
    DnsSearch: orUndefined(list(p, 'dns-search')),
    ExtraHosts: orUndefined(list(p, 'add-host')),
    Privileged: bool(p, 'privileged'),
    ReadonlyRootfs: bool(p, 'read-only'),
    Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    ShmSize: bytes('shm-size'),
    Runtime: str(p, 'runtime'),
    Init: p.changed.has('init') ? bool(p, 'init') : undefined,
    LogConfig:
      logDriver !== undefined || logOpts.length
        ? { Type: logDriver ?? '', Config: toMap(logOpts) }
        : undefined,
    ...createResources(p),
    Ulimits: orUndefined(list(p, 'ulimit').map(parseUlimit)),
    ...securityHostConfig(p, deps),
  };

  const body: ContainerCreateBody = {
    Hostname: str(p, 'hostname'),
    Domainname: str(p, 'domainname'),
    User: str(p, 'user'),
    AttachStdin: attachStdin,
    AttachStdout: !mode.detach && (attachAll || attach.has('stdout')),
    AttachStderr: !mode.detach && (attachAll || attach.has('stderr')),
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Tty: bool(p, 'tty'),
    OpenStdin: interactive,
    StdinOnce: attachStdin && interactive,
    Env: env,
    Cmd: cmd.length ? cmd : undefined,
    Image: image,
    Volumes: Object.keys(volumes).length ? volumes : undefined,
    WorkingDir: str(p, 'workdir'),
    Entrypoint: entrypoint,
    Labels: labels,
    StopSignal: str(p, 'stop-signal'),
    StopTimeout: stopTimeout,
    Healthcheck: healthcheckOf(p),
    HostConfig: host,
    NetworkingConfig: networkingConfig(p, networkMode),
  };
  const name = str(p, 'name');
  return name === undefined ? { body } : { name, body };
}

/**
 * `--network-alias` and `--ip` belong to the network of `--network` (docker keys them under `default`
 * when none is given, and the daemon refuses them there).
 */
function networkingConfig(p: Parsed, mode: string | undefined): ContainerCreateBody['NetworkingConfig'] {
  const aliases = list(p, 'network-alias');
  const ip = str(p, 'ip');
  if (aliases.length === 0 && ip === undefined) return undefined;
  const endpoint: EndpointConfig = {
    ...(aliases.length > 0 ? { Aliases: aliases } : {}),
    ...(ip !== undefined ? { IPAMConfig: { IPv4Address: ip } } : {}),
  };
  return { EndpointsConfig: { [mode || 'default']: endpoint } };
}

function orUndefined<T>(xs: T[]): T[] | undefined {
  return xs.length ? xs : undefined;
}
