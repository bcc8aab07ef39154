import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, logFailure, type ContainerRecord } from '@polis/core';
import {
  containerNetnsName,
  hostResolvConfText,
  hostsFile,
  NETNS_DIR,
  resolvConf,
  type AttachResult,
  type ContainerNetworkInfo,
  type NetnsTarget,
} from '@polis/network';
import { settleCleanups, type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';

/** The modes that put a container on a Polis network (the default `bridge` or a named one). */
export function isNetworked(mode: string): boolean {
  return mode !== 'none' && mode !== 'host' && !mode.startsWith('container:');
}

/** `default` is Docker's other name for `bridge`. */
export function networkName(mode: string): string {
  return mode === 'default' ? 'bridge' : mode;
}

/** What the network layer needs to know of a container to wire it. */
export function networkInfo(ctx: RuntimeContext, record: ContainerRecord): ContainerNetworkInfo {
  const image = ctx.images.get(record.imageId);
  const exposed = new Set([
    ...Object.keys(image.config.config?.ExposedPorts ?? {}),
    ...record.spec.basic.exposedPorts,
  ]);
  return {
    id: record.id,
    name: record.name,
    hostname: record.hostname,
    portBindings: record.spec.network.portBindings,
    publishAll: record.spec.network.publishAll,
    exposedPorts: [...exposed],
  };
}

/** Checks a network mode before anything is made; records the container's endpoints after insert. */
export function checkNetworkMode(ctx: RuntimeContext, mode: string): void {
  if (mode === 'none' || mode === 'host') return;
  if (mode.startsWith('container:')) {
    resolveContainer(ctx.store, mode.slice('container:'.length));
    return;
  }
  if (!ctx.networks) {
    if (mode === 'bridge' || mode === 'default') return;
    throw new PolisError('network.not_found', `network ${mode} not found`, { context: { network: mode } });
  }
  ctx.networks.get(networkName(mode));
}

/** Records the endpoints of a new container: its network mode's network, plus any extra ones asked for. */
export async function connectOnCreate(ctx: RuntimeContext, record: ContainerRecord): Promise<void> {
  const mode = record.spec.network.mode;
  if (!ctx.networks || !isNetworked(mode)) return;
  const own = networkName(mode);
  const requests = (record.spec.network.endpoints ?? []).map((r) => ({
    ...r,
    network: networkName(r.network),
  }));
  const first = requests.find((r) => r.network === own);
  await ctx.networks.connect(record.id, { ...first, network: own });
  for (const request of requests) {
    if (request !== first) await ctx.networks.connect(record.id, request);
  }
}

/**
 * The named netns a container is wired into before it is created, so that its network is made while
 * its rootfs is mounted and conmon starts instead of after `create`: a container on Polis's networks
 * without a user namespace (under one, the runtime must make the netns inside it, so that the
 * container's root owns it: sysctls, its own `ip`). Undefined otherwise: wired after create, by pid.
 */
export function ownNetns(ctx: RuntimeContext, record: ContainerRecord): string | undefined {
  // POLIS_OWN_NETNS=0 turns it off (wired by pid after create, as under a user namespace).
  if (process.env.POLIS_OWN_NETNS === '0') return undefined;
  if (!ctx.networks || !isNetworked(record.spec.network.mode) || record.idMappings) return undefined;
  return containerNetnsName(record.id);
}

/**
 * The OCI network namespace for a launch: the host's, a fresh one, the named one wired for it before
 * create (`ownNetns`), or another container's.
 */
export function netnsFor(
  ctx: RuntimeContext,
  record: ContainerRecord,
  own?: string,
): 'host' | 'none' | { path: string } {
  const mode = record.spec.network.mode;
  if (mode === 'host') return 'host';
  if (own !== undefined) return { path: join(NETNS_DIR, own) };
  if (!mode.startsWith('container:')) return 'none';
  const other = resolveContainer(ctx.store, mode.slice('container:'.length));
  if (other.state.status !== 'running' || other.state.pid <= 0) {
    throw new PolisError(
      'container.not_running',
      `cannot join network namespace of a non running container: container ${other.id} is ${other.state.status}`,
    );
  }
  return { path: `/proc/${other.state.pid}/ns/net` };
}

/**
 * Wires a container into its networks (the netns of its created init, or its own named netns before
 * create), then rewrites its /etc/hosts and /etc/resolv.conf with what that gave (addresses, the
 * embedded DNS). The files exist already (and may be bind-mounted), so they are rewritten in place.
 */
export async function attachNetworks(
  ctx: RuntimeContext,
  record: ContainerRecord,
  netns: NetnsTarget,
  etcFiles: Promise<unknown> = Promise.resolve(),
  onNetns?: () => void,
): Promise<void> {
  const networks = ctx.networks;
  if (!networks || !isNetworked(record.spec.network.mode)) return;
  // A `--rm` container answered removed may still hold a port, an address or a DNS name this one asks for.
  await settleCleanups(ctx, 'network');
  const result = await networks.attach(networkInfo(ctx, record), netns, onNetns ? { onNetns } : {});
  try {
    await etcFiles;
    await writeNetworkFiles(record, result);
  } catch (err) {
    await networks.detach(record.id).catch(logFailure(ctx.log, 'detaching the networks', { id: record.id }));
    throw err;
  }
}

function hostsText(record: ContainerRecord, endpoints: AttachResult['endpoints']): string {
  const addresses = endpoints
    .filter((e) => e.ipAddress !== '')
    .map((e) => ({
      ip: e.ipAddress,
      names: e.network.isDefault ? [record.hostname] : [record.hostname, record.name, ...e.aliases],
    }));
  return hostsFile({
    hostname: record.hostname,
    addresses,
    extraHosts: record.spec.network.extraHosts,
    ...(endpoints[0] ? { hostGateway: endpoints[0].network.gateway } : {}),
  });
}

/** After a live connect or disconnect: /etc/hosts lists the container's current addresses. */
export async function rewriteHosts(
  record: ContainerRecord,
  endpoints: AttachResult['endpoints'],
): Promise<void> {
  await rewrite(record.paths.hostsPath, hostsText(record, endpoints));
}

export async function writeNetworkFiles(record: ContainerRecord, result: AttachResult): Promise<void> {
  const writes = [rewrite(record.paths.hostsPath, hostsText(record, result.endpoints))];
  // Without an embedded DNS server (the default bridge) the resolv.conf written before create holds.
  if (result.nameservers.length > 0) {
    const { network } = record.spec;
    const resolv = resolvConf({
      host: await hostResolvConfText(),
      nameservers: result.nameservers,
      dns: network.dns,
      dnsSearch: network.dnsSearch,
      dnsOptions: network.dnsOptions,
    });
    writes.push(rewrite(record.paths.resolvConfPath, resolv));
  }
  await Promise.all(writes);
}

/** Truncates and writes in place: a rename would leave the bind mount on the old file. */
async function rewrite(path: string, text: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.truncate(0);
    await fh.write(text, 0);
  } finally {
    await fh.close();
  }
}

/** Unwires a container whose run ended; failures are logged, never fatal to the exit bookkeeping. */
export async function detachNetworks(ctx: RuntimeContext, id: string): Promise<void> {
  await ctx.networks?.detach(id).catch((err: unknown) => ctx.log.warn('detaching networks', { id, err }));
}
