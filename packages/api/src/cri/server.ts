import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { PolisError, createLogger, toPolisError } from '@polis/core';
import type { CriDeps } from './deps.js';
import { grpcError } from './errors.js';
import { loadCri } from './proto.js';
import { version, status } from './runtime-info.js';
import { runPodSandbox } from './sandbox/run.js';
import { removePodSandbox, stopPodSandbox } from './sandbox/lifecycle.js';
import { listPodSandbox, podSandboxStatus } from './sandbox/status.js';
import { createContainer } from './container/create.js';
import {
  containerStatus,
  listContainers,
  removeContainer,
  reopenContainerLog,
  startContainer,
  stopContainer,
  updateContainerResources,
} from './container/lifecycle.js';
import { execSync } from './container/exec-sync.js';
import { attachUrl, execUrl, portForwardUrl } from './streaming/urls.js';
import { containerStats, listContainerStats, listPodSandboxStats, podSandboxStats } from './stats.js';
import { imageFsInfo, imageStatus, listImages, pullImage, removeImage } from './image/service.js';

const log = createLogger('cri');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (req: any, signal: AbortSignal) => unknown;

/** A unary gRPC method from an async handler: errors go through core's one error table. */
function unary(name: string, handler: Handler): grpc.handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    const abort = new AbortController();
    let done = false;
    // Only a call still at work is aborted: grpc-js may report a cancel after the reply too.
    call.on('cancelled', () => {
      if (!done) abort.abort();
    });
    Promise.resolve()
      .then(() => handler(call.request, abort.signal))
      .finally(() => (done = true))
      .then(
        (reply) => callback(null, reply),
        (err) => {
          const e = grpcError(err);
          if (e.code === grpc.status.INTERNAL) log.error(name, { err: toPolisError(err) });
          else log.debug(name, { code: e.code, details: e.details });
          callback(e);
        },
      );
  };
}

function methods(table: Record<string, Handler>): grpc.UntypedServiceImplementation {
  return Object.fromEntries(Object.entries(table).map(([name, h]) => [name, unary(name, h)]));
}

export interface CriServer {
  close(): Promise<void>;
}

/** Serves runtime.v1's RuntimeService and ImageService on a unix socket (0660 root, as polisd's own). */
export async function serveCri(deps: CriDeps, socketPath: string, runtimeBinary: string): Promise<CriServer> {
  const { RuntimeService, ImageService } = loadCri();
  const server = new grpc.Server();
  server.addService(
    RuntimeService.service,
    methods({
      Version: () => version(),
      Status: () => status(deps, runtimeBinary),
      RunPodSandbox: (r) => runPodSandbox(deps, r),
      StopPodSandbox: (r) => stopPodSandbox(deps, r),
      RemovePodSandbox: (r) => removePodSandbox(deps, r),
      PodSandboxStatus: (r) => podSandboxStatus(deps, r),
      ListPodSandbox: (r) => listPodSandbox(deps, r),
      CreateContainer: (r) => createContainer(deps, r),
      StartContainer: (r) => startContainer(deps, r),
      StopContainer: (r) => stopContainer(deps, r),
      RemoveContainer: (r) => removeContainer(deps, r),
      ListContainers: (r) => listContainers(deps, r),
      ContainerStatus: (r) => containerStatus(deps, r),
      UpdateContainerResources: (r) => updateContainerResources(deps, r),
      ReopenContainerLog: (r) => reopenContainerLog(deps, r),
      ExecSync: (r) => execSync(deps, r),
      Exec: (r) => execUrl(deps, r),
      Attach: (r) => attachUrl(deps, r),
      PortForward: (r) => portForwardUrl(deps, r),
      ContainerStats: (r) => containerStats(deps, r),
      ListContainerStats: (r) => listContainerStats(deps, r),
      PodSandboxStats: (r) => podSandboxStats(deps, r),
      ListPodSandboxStats: (r) => listPodSandboxStats(deps, r),
      UpdateRuntimeConfig: () => ({}),
    }),
  );
  server.addService(
    ImageService.service,
    methods({
      ListImages: (r) => listImages(deps, r),
      ImageStatus: (r) => imageStatus(deps, r),
      PullImage: (r, signal) => pullImage(deps, r, signal),
      RemoveImage: (r) => removeImage(deps, r),
      ImageFsInfo: () => imageFsInfo(deps),
    }),
  );
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o711 });
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(new PolisError('request.invalid', `CRI socket ${socketPath}: ${err.message}`)) : resolve(),
    ),
  );
  await chmod(socketPath, 0o660);
  log.info('CRI listening', { socket: socketPath });
  return {
    async close() {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
      await deps.streaming.close();
    },
  };
}
