import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { emptySpec, type ContainerRecord, type ContainerSpec } from '@polis/core';
import type { CriDeps } from '../deps.js';
import { invalid } from '../errors.js';
import { L, jsonLabel } from '../labels.js';
import { findCri } from '../lookup.js';
import type { PodMetadata } from '../sandbox/shapes.js';
import { resourcesOf, type LinuxResources } from './resources.js';

export interface ContainerConfig {
  metadata?: { name?: string; attempt?: number };
  image?: { image?: string };
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: { key?: string; value?: string }[];
  mounts?: { containerPath?: string; hostPath?: string; readonly?: boolean }[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  /** The CRI's Signal enum by name (`SIGNAL_SIGTERM`…); `SIGNAL_RUNTIME_DEFAULT` leaves the image's. */
  stopSignal?: string;
  linux?: {
    resources?: LinuxResources | null;
    securityContext?: {
      privileged?: boolean;
      capabilities?: { addCapabilities?: string[]; dropCapabilities?: string[] } | null;
      readonlyRootfs?: boolean;
      runAsUser?: { value?: string } | null;
      runAsUsername?: string;
      namespaceOptions?: { pid?: string } | null;
    } | null;
  } | null;
}

/** The container's spec: its own image and process, in the sandbox's network, IPC (and, asked, PID) namespaces. */
export function containerSpec(sandbox: ContainerRecord, config: ContainerConfig): ContainerSpec {
  const name = config.metadata?.name;
  if (!name) throw invalid('ContainerConfig.metadata.name is required');
  const image = config.image?.image;
  if (!image) throw invalid('ContainerConfig.image.image is required');
  const spec = emptySpec(image);
  const b = spec.basic;
  // Kubernetes' command replaces the entrypoint and its args the cmd; a command alone drops the image's cmd.
  if (config.command?.length) {
    spec.basic.entrypoint = config.command;
    b.cmd = config.args ?? [];
  } else if (config.args?.length) b.cmd = config.args;
  b.env = (config.envs ?? []).map((e) => `${e.key ?? ''}=${e.value ?? ''}`);
  if (config.workingDir) b.workingDir = config.workingDir;
  b.tty = config.tty ?? false;
  b.openStdin = config.stdin ?? false;
  b.stdinOnce = config.stdinOnce ?? false;
  b.attachStdin = b.openStdin;
  b.hostname = sandbox.hostname;
  const stop = /^SIGNAL_(SIG[A-Z0-9]+)$/.exec(config.stopSignal ?? '');
  if (stop) b.stopSignal = stop[1];
  const logDirectory = sandbox.spec.basic.labels[L.logDirectory] ?? '';
  const logPath = config.logPath
    ? isAbsolute(config.logPath)
      ? config.logPath
      : join(logDirectory, config.logPath)
    : '';
  b.labels = {
    ...(config.labels ?? {}),
    [L.kind]: 'container',
    [L.sandbox]: sandbox.id,
    [L.metadata]: JSON.stringify({ name, attempt: config.metadata?.attempt ?? 0 }),
    [L.annotations]: JSON.stringify(config.annotations ?? {}),
    [L.logPath]: logPath,
    [L.image]: image,
  };
  if (logPath && isAbsolute(logPath)) spec.logging = { driver: 'k8s-file', options: { path: logPath } };
  const ns = jsonLabel<Record<string, string>>(sandbox, L.namespaces, {});
  spec.network.mode = sandbox.spec.network.mode === 'host' ? 'host' : `container:${sandbox.id}`;
  spec.network.dns = sandbox.spec.network.dns;
  spec.network.dnsSearch = sandbox.spec.network.dnsSearch;
  spec.network.dnsOptions = sandbox.spec.network.dnsOptions;
  spec.security.ipcMode = ns.ipc === 'NODE' ? 'host' : `container:${sandbox.id}`;
  const pid = config.linux?.securityContext?.namespaceOptions?.pid ?? ns.pid;
  if (pid === 'NODE') spec.security.pidMode = 'host';
  else if (pid === 'POD') spec.security.pidMode = `container:${sandbox.id}`;
  const sc = config.linux?.securityContext;
  if (sc?.privileged) spec.security.privileged = true;
  spec.security.capAdd = sc?.capabilities?.addCapabilities ?? [];
  spec.security.capDrop = sc?.capabilities?.dropCapabilities ?? [];
  if (sc?.readonlyRootfs) spec.storage.readonlyRootfs = true;
  if (sc?.runAsUsername) b.user = sc.runAsUsername;
  else if (sc?.runAsUser) b.user = String(sc.runAsUser.value ?? '0');
  spec.storage.binds = (config.mounts ?? []).map((m) => {
    if (!m.containerPath || !m.hostPath) throw invalid('a mount needs container_path and host_path');
    return {
      source: m.hostPath,
      destination: m.containerPath,
      readonly: m.readonly ?? false,
      createSource: true,
    };
  });
  spec.resources = { ...spec.resources, ...resourcesOf(config.linux?.resources) };
  if (sandbox.spec.resources.cgroupParent) spec.resources.cgroupParent = sandbox.spec.resources.cgroupParent;
  return spec;
}

export function containerName(pod: PodMetadata, config: ContainerConfig): string {
  return `k8s_${config.metadata?.name}_${pod.name}_${pod.namespace}_${pod.uid}_${config.metadata?.attempt ?? 0}`;
}

export async function createContainer(
  deps: CriDeps,
  req: { podSandboxId?: string; config?: ContainerConfig },
): Promise<{ containerId: string }> {
  const sandbox = findCri(deps.containers, req.podSandboxId ?? '', 'sandbox');
  const config = req.config ?? {};
  const spec = containerSpec(sandbox, config);
  const logPath = spec.basic.labels[L.logPath];
  if (logPath) await mkdir(dirname(logPath), { recursive: true });
  const pod = jsonLabel<PodMetadata>(sandbox, L.metadata, { name: '', uid: '', namespace: '', attempt: 0 });
  const record = await deps.containers.create(spec, { name: containerName(pod, config) });
  return { containerId: record.id };
}
