import { join } from 'node:path';
import { createLogger, toPolisError, type DaemonConfig } from '@polis/core';
import type { CriDeps } from '../cri/deps.js';

const log = createLogger('cri');

/** The CRI socket: `--cri-socket` (or daemon.json `cri-socket`), else `<exec root>/cri.sock` (/run/polis/cri.sock); `none` turns it off. */
export function criSocketPath(config: DaemonConfig): string | undefined {
  const given = config.criSocket?.replace(/^unix:\/\//, '');
  if (given === 'none' || given === '') return undefined;
  return given ?? join(config.execRoot, 'cri.sock');
}

export interface CriHandle {
  /** Resolves once the CRI is served (or has failed, which is logged). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the CRI (gRPC on its socket, the streaming server on loopback) in the background: loading
 * grpc-js and parsing the CRI proto takes a second or two, which the Docker API does not wait for.
 * A CRI that cannot be served is logged; the daemon runs on without it.
 */
export function startCri(
  config: DaemonConfig,
  parts: Omit<CriDeps, 'streaming' | 'dataRoot' | 'execRoot'>,
): CriHandle {
  const socket = criSocketPath(config);
  if (!socket) return { ready: Promise.resolve(), close: async () => undefined };
  const started = (async () => {
    const [{ serveCri }, { StreamingServer }] = await Promise.all([
      import('../cri/server.js'),
      import('../cri/streaming/server.js'),
    ]);
    const streaming = new StreamingServer();
    await streaming.listen('127.0.0.1', 0);
    try {
      const runtimeBinary = config.runtimes[config.defaultRuntime];
      return await serveCri(
        { ...parts, streaming, dataRoot: config.dataRoot, execRoot: config.execRoot },
        socket,
        runtimeBinary,
      );
    } catch (err) {
      await streaming.close();
      throw err;
    }
  })().catch((err: unknown) => {
    log.error('CRI not served', { socket, err: toPolisError(err) });
    return undefined;
  });
  return {
    ready: started.then(() => undefined),
    close: async () => (await started)?.close(),
  };
}
