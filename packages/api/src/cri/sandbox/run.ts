import { emptySpec, toPolisError, type ContainerSpec } from '@polis/core';
import { createLogger } from '@polis/core';
import type { CriDeps } from '../deps.js';
import { invalid } from '../errors.js';
import { L, NETWORK_ANNOTATION } from '../labels.js';
import { ensureSandboxImage } from './image.js';
import type { PodMetadata } from './shapes.js';

const log = createLogger('cri');

interface PortMapping {
  protocol?: string;
  containerPort?: number;
  hostPort?: number;
  hostIp?: string;
}

export interface PodSandboxConfig {
  metadata?: PodMetadata;
  hostname?: string;
  logDirectory?: string;
  dnsConfig?: { servers?: string[]; searches?: string[]; options?: string[] };
  portMappings?: PortMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: {
    cgroupParent?: string;
    sysctls?: Record<string, string>;
    securityContext?: { namespaceOptions?: { network?: string; pid?: string; ipc?: string } };
  };
}

/** Polis's container name for a pod's sandbox, in the shape kubelet's dockershim used. */
export function sandboxName(m: PodMetadata): string {
  return `k8s_POD_${m.name}_${m.namespace}_${m.uid}_${m.attempt}`;
}

/** The sandbox container's spec: catatonit in a network namespace of its own on the pod's network. */
export function sandboxSpec(config: PodSandboxConfig, imageId: string, handler: string): ContainerSpec {
  const m = config.metadata;
  if (!m?.name || !m.namespace) throw invalid('PodSandboxConfig.metadata needs name and namespace');
  const ns = config.linux?.securityContext?.namespaceOptions ?? {};
  const spec = emptySpec(imageId);
  const annotations = config.annotations ?? {};
  spec.basic.labels = {
    ...(config.labels ?? {}),
    [L.kind]: 'sandbox',
    [L.metadata]: JSON.stringify({
      name: m.name,
      uid: m.uid ?? '',
      namespace: m.namespace,
      attempt: m.attempt ?? 0,
    }),
    [L.annotations]: JSON.stringify(annotations),
    [L.logDirectory]: config.logDirectory ?? '',
    [L.handler]: handler,
    [L.namespaces]: JSON.stringify({
      network: ns.network ?? 'POD',
      pid: ns.pid ?? 'CONTAINER',
      ipc: ns.ipc ?? 'POD',
    }),
  };
  if (config.hostname) spec.basic.hostname = config.hostname;
  const hostNetwork = ns.network === 'NODE';
  spec.network.mode = hostNetwork ? 'host' : (annotations[NETWORK_ANNOTATION] ?? 'bridge');
  spec.network.dns = config.dnsConfig?.servers ?? [];
  spec.network.dnsSearch = config.dnsConfig?.searches ?? [];
  spec.network.dnsOptions = config.dnsConfig?.options ?? [];
  if (!hostNetwork) {
    for (const p of config.portMappings ?? []) {
      if (!p.containerPort) throw invalid('a port mapping needs container_port');
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      if (proto !== 'tcp' && proto !== 'udp')
        throw invalid(`port mapping protocol ${p.protocol} is not supported`);
      const key = `${p.containerPort}/${proto}`;
      spec.basic.exposedPorts = [...spec.basic.exposedPorts, key];
      (spec.network.portBindings[key] ??= []).push({
        hostIp: p.hostIp ?? '',
        hostPort: p.hostPort ? String(p.hostPort) : '',
      });
    }
  }
  // The pod's IPC namespace is the sandbox's; its containers join it.
  spec.security.ipcMode = ns.ipc === 'NODE' ? 'host' : 'shareable';
  if (ns.pid === 'NODE') spec.security.pidMode = 'host';
  if (config.linux?.sysctls && Object.keys(config.linux.sysctls).length > 0) {
    spec.security.sysctls = config.linux.sysctls;
  }
  if (config.linux?.cgroupParent) spec.resources.cgroupParent = config.linux.cgroupParent;
  spec.basic.stopTimeout = 10;
  return spec;
}

/** RunPodSandbox: creates and starts the sandbox; a failed start leaves nothing behind. */
export async function runPodSandbox(
  deps: CriDeps,
  req: { config?: PodSandboxConfig; runtimeHandler?: string },
): Promise<{ podSandboxId: string }> {
  const config = req.config ?? {};
  const imageId = await ensureSandboxImage(deps.images, deps.dataRoot);
  const spec = sandboxSpec(config, imageId, req.runtimeHandler ?? '');
  const record = await deps.containers.create(spec, { name: sandboxName(config.metadata!) });
  try {
    await deps.containers.start(record.id);
  } catch (err) {
    await deps.containers
      .remove(record.id, { force: true })
      .catch((e) => log.warn('undo sandbox', { err: toPolisError(e) }));
    throw err;
  }
  return { podSandboxId: record.id };
}
