import { join } from 'node:path';
import type { DaemonConfig } from '@polis/core';
import type { CriDeps } from '../cri/deps.js';
import { serveCri, type CriServer } from '../cri/server.js';
import { StreamingServer } from '../cri/streaming/server.js';

/** The CRI socket: `--cri-socket` (or daemon.json `cri-socket`), else `<exec root>/cri.sock` (/run/polis/cri.sock); `none` turns it off. */
export function criSocketPath(config: DaemonConfig): string | undefined {
  const given = config.criSocket?.replace(/^unix:\/\//, '');
  if (given === 'none' || given === '') return undefined;
  return given ?? join(config.execRoot, 'cri.sock');
}

/** Starts the CRI (gRPC on its socket, the streaming server on loopback) unless it is turned off. */
export async function startCri(
  config: DaemonConfig,
  parts: Omit<CriDeps, 'streaming' | 'dataRoot' | 'execRoot'>,
): Promise<CriServer | undefined> {
  const socket = criSocketPath(config);
  if (!socket) return undefined;
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
}
