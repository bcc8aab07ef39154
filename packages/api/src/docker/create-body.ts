import type {
  BasicSpec,
  ContainerSpec,
  LifecycleSpec,
  LoggingSpec,
  NetworkEndpointSpec,
  NetworkSpec,
  RestartPolicyName,
} from '@polis/core';
import { isIPv4 } from 'node:net';
import { invalid } from '../http/errors.js';
import { statBlockDevice, validateLogConfig } from '@polis/runtime';
import { hostCgroupSupport, type CgroupSupport } from './cgroup-support.js';
import { healthFrom } from './healthcheck.js';
import { Fields } from './fields.js';
import { extrasFrom } from './host-extras.js';
import { storageFrom } from './mounts.js';
import { normalizePort, portBindingsFrom } from './ports.js';
import { compact, resourcesFrom } from './resources.js';
import { parseSignal } from './signals.js';
import { securityFrom } from './security-fields.js';

export interface CreateOptions {
  ncpu?: number;
  /** What this host's cgroups enforce; settings it cannot are discarded with Docker's warning. */
  support?: CgroupSupport;
  /** Checks a block device path (blkio per-device settings); throws a 400 when it is none. */
  statDevice?: (path: string) => unknown;
  /** The daemon's cgroup driver (a systemd cgroup parent must be a slice). */
  cgroupDriver?: 'cgroupfs' | 'systemd';
}

/** A create request: the spec, and the `Warnings` the reply carries (settings discarded, and why). */
export interface CreateRequest {
  spec: ContainerSpec;
  warnings: string[];
}

/**
 * Maps the body of `POST /containers/create` (Docker's Config, with HostConfig and NetworkingConfig
 * inside) to a ContainerSpec. Go zero values mean "not set"; invalid values are 400s with Docker's
 * words. Every field's handling is listed in create-fields.ts.
 */
export function createRequestFrom(body: unknown, options: CreateOptions = {}): CreateRequest {
  if (body === undefined || body === null)
    throw invalid('config cannot be empty in order to create a container');
  const config = Fields.of(body, '');
  const host = config.child('HostConfig');
  const image = config.str('Image') ?? '';
  if (image === '') throw invalid('no image specified: Config.Image is required');
  refuseUnsupported(host);

  const network = networkFrom(config, host);
  const extras = extrasFrom(config, host, {
    support: options.support ?? hostCgroupSupport(),
    statDevice: options.statDevice ?? statBlockDevice,
    networkMode: network.mode,
  });
  const limits = resourcesFrom(host, {
    ...(options.ncpu !== undefined ? { ncpu: options.ncpu } : {}),
    support: options.support ?? hostCgroupSupport(),
    ...(options.cgroupDriver ? { cgroupDriver: options.cgroupDriver } : {}),
  });
  // At create, a negative pids limit is Docker's "unlimited", which a fresh cgroup already is.
  if ((limits.resources.pidsLimit ?? 0) < 0) delete limits.resources.pidsLimit;
  const basic = basicFrom(config, host);
  if (extras.consoleSize && basic.tty) basic.consoleSize = extras.consoleSize;
  const spec: ContainerSpec = {
    image,
    basic,
    storage: storageFrom(host, config),
    security: { ...securityFrom(host), ...extras.security },
    resources: { ...limits.resources, ...extras.resources },
    network,
    lifecycle: lifecycleFrom(host),
    logging: loggingFrom(host),
  };
  const health = healthFrom(config);
  if (health) spec.health = health;
  const runtime = host.str('Runtime');
  if (runtime) spec.runtime = runtime;
  return { spec, warnings: [...limits.warnings, ...extras.warnings] };
}

/** The spec of a create body, without its warnings. */
export function specFromCreateBody(body: unknown, options: CreateOptions = {}): ContainerSpec {
  return createRequestFrom(body, options).spec;
}

const HOST_NAME_MAX = 64;
/** No whitespace, slash or control character: the name is written to /etc/hostname and /etc/hosts. */
const HOSTNAME = /^[^\s/\x00-\x1f]+$/;

function basicFrom(config: Fields, host: Fields): BasicSpec {
  const cmd = config.strSlice('Cmd');
  const entrypoint = config.strSlice('Entrypoint');
  const workingDir = config.str('WorkingDir') || undefined;
  if (workingDir !== undefined && !workingDir.startsWith('/')) {
    throw invalid(`the working directory '${workingDir}' is invalid, it needs to be an absolute path`);
  }
  const env = config.strings('Env');
  // Docker's opts.ValidateEnv: a variable needs a name (`=x` and `` have none).
  for (const entry of env) {
    if (entry.split('=', 1)[0] === '') throw invalid(`invalid environment variable: ${entry}`);
  }
  const hostname = config.str('Hostname') || undefined;
  // The kernel's HOST_NAME_MAX: a longer name would only fail at start, inside the runtime.
  if (hostname !== undefined && (hostname.length > HOST_NAME_MAX || !HOSTNAME.test(hostname)))
    throw invalid(`invalid hostname format: ${hostname}`);
  const domainname = config.str('Domainname') || undefined;
  if (domainname !== undefined && domainname.length > HOST_NAME_MAX)
    throw invalid(`invalid domainname format: ${domainname}`);
  const stopSignal = config.str('StopSignal') || undefined;
  const stopTimeout = config.int('StopTimeout');
  return compact({
    // An empty Cmd is "not given" (the image's applies); an empty Entrypoint, [] or [""], clears the image's.
    cmd: cmd && cmd.length > 0 ? cmd : undefined,
    entrypoint:
      entrypoint === null ? undefined : entrypoint.length === 1 && entrypoint[0] === '' ? [] : entrypoint,
    env,
    workingDir,
    user: config.str('User') || undefined,
    hostname,
    domainname,
    labels: config.stringMap('Labels'),
    tty: config.bool('Tty'),
    openStdin: config.bool('OpenStdin'),
    stdinOnce: config.bool('StdinOnce'),
    attachStdin: config.bool('AttachStdin'),
    attachStdout: config.bool('AttachStdout'),
    attachStderr: config.bool('AttachStderr'),
    // Checked here, kept as the user wrote it (Docker shows `Config.StopSignal` unchanged).
    stopSignal: stopSignal === undefined ? undefined : (parseSignal(stopSignal), stopSignal),
    stopTimeout: stopTimeout === undefined || stopTimeout < 0 ? undefined : stopTimeout,
    init: host.bool('Init'),
    exposedPorts: config.keys('ExposedPorts').map(normalizePort),
  });
}

function networkFrom(config: Fields, host: Fields): NetworkSpec {
  const endpointsConfig = config.child('NetworkingConfig').child('EndpointsConfig');
  const endpoints = config.child('NetworkingConfig').keys('EndpointsConfig');
  if (endpoints.length > 1) {
    throw invalid(`Container cannot be connected to network endpoints: ${endpoints.join(', ')}`);
  }
  const requested = host.str('NetworkMode') ?? '';
  // The daemon's default network is the bridge.
  const mode = config.bool('NetworkDisabled')
    ? 'none'
    : requested === '' || requested === 'default'
      ? 'bridge'
      : requested;
  const extraHosts = host.strings('ExtraHosts');
  for (const entry of extraHosts) {
    if (!/^[^:=\s]+[:=]\S+$/.test(entry))
      throw invalid(`invalid IP address in add-host: ${JSON.stringify(entry)}`);
  }
  const requests = endpoints.map((name) => endpointSpecFrom(name, endpointsConfig.child(name), mode));
  return {
    mode,
    ...(requests.length > 0 ? { endpoints: requests } : {}),
    dns: host.strings('Dns'),
    dnsSearch: host.strings('DnsSearch'),
    dnsOptions: host.strings('DnsOptions'),
    extraHosts,
    portBindings: portBindingsFrom(host),
    publishAll: host.bool('PublishAllPorts'),
  };
}

/** Modes without a user-defined network: no aliases and no fixed address there (Docker's rule). */
const BUILTIN_MODES = new Set(['bridge', 'default', 'host', 'none']);

/** One entry of `NetworkingConfig.EndpointsConfig`: aliases and a fixed IPv4 address. */
export function endpointSpecFrom(network: string, endpoint: Fields, mode: string): NetworkEndpointSpec {
  const aliases = endpoint.strings('Aliases');
  const ipam = endpoint.child('IPAMConfig');
  const ip = ipam.str('IPv4Address') || undefined;
  // Polis's networks are IPv4 only and have no links: refuse rather than join without them.
  if (ipam.str('IPv6Address')) throw invalid(`${ipam.name('IPv6Address')}: IPv6 is not supported yet`);
  if (ipam.strings('LinkLocalIPs').length > 0)
    throw invalid(`${ipam.name('LinkLocalIPs')}: link-local addresses are not supported yet`);
  if (endpoint.strings('Links').length > 0) throw invalid(`${endpoint.name('Links')} is not supported yet`);
  const builtin = BUILTIN_MODES.has(network) || mode.startsWith('container:');
  if (aliases.length > 0 && builtin) {
    throw invalid('network-scoped alias is supported only for containers in user defined networks');
  }
  if (ip !== undefined) {
    if (builtin) throw invalid('user specified IP address is supported on user defined networks only');
    if (!isIPv4(ip)) throw invalid(`invalid IPv4 address: ${ip}`);
  }
  return compact({ network, aliases: aliases.length > 0 ? aliases : undefined, ip });
}

const POLICIES: readonly string[] = ['no', 'always', 'on-failure', 'unless-stopped'];

function lifecycleFrom(host: Fields): LifecycleSpec {
  const restartPolicy = restartPolicyFrom(host);
  const autoRemove = host.bool('AutoRemove');
  if (autoRemove && restartPolicy.name !== 'no') {
    throw invalid(
      'conflicting options: cannot specify both a restart policy and AutoRemove (--restart and --rm)',
    );
  }
  return { autoRemove, restartPolicy };
}

/** `HostConfig.RestartPolicy`, checked as Docker checks it (create and update share it). */
export function restartPolicyFrom(host: Fields): LifecycleSpec['restartPolicy'] {
  const policy = host.child('RestartPolicy');
  const name = policy.str('Name') || 'no';
  const retries = policy.int('MaximumRetryCount') ?? 0;
  if (!POLICIES.includes(name)) {
    throw invalid(
      `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
    );
  }
  if (retries < 0) throw invalid('invalid restart policy: maximum retry count cannot be negative');
  if (retries > 0 && name !== 'on-failure') {
    throw invalid("invalid restart policy: maximum retry count can only be used with 'on-failure'");
  }
  return { name: name as RestartPolicyName, maximumRetryCount: retries };
}

function loggingFrom(host: Fields): LoggingSpec {
  const log = host.child('LogConfig');
  const driver = log.str('Type') || 'k8s-file';
  const options = log.stringMap('Config');
  return { driver: validateLogConfig(driver, options), options };
}

/** Settings Polis cannot honour yet: refusing them is better than silently running something else. */
function refuseUnsupported(host: Fields): void {
  for (const key of ['DeviceRequests', 'Links']) {
    const value = host.raw(key);
    if (Array.isArray(value) && value.length > 0) throw invalid(`HostConfig.${key} is not supported yet`);
  }
}
