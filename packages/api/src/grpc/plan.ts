import { join } from 'node:path';
import type { TlsOptions } from 'node:tls';
import type { Listener } from '../daemon/hosts.js';
import type { GrpcServeOptions } from './serve.js';

export const GRPC_SOCKET = 'polis-grpc.sock';

/**
 * Where gRPC listens, from the REST plan: always `<exec-root>/polis-grpc.sock`; on TCP only beside the
 * first mutual-TLS REST listener, at its port + 1 (2376 → 2377), with the same certificates. Plain TCP
 * (`--insecure-tcp-loopback`) gets no gRPC twin: it is a development escape hatch, not a second API.
 */
export function grpcPlan(
  execRoot: string,
  listeners: readonly Listener[],
  tls: TlsOptions | undefined,
  gid: number | undefined,
  readonlyClients: readonly string[] = [],
): GrpcServeOptions {
  const secure = listeners.find((l) => l.kind === 'tcp' && l.tls);
  return {
    socketPath: join(execRoot, GRPC_SOCKET),
    ...(gid !== undefined ? { gid } : {}),
    ...(secure?.kind === 'tcp' && tls
      ? { tcp: { address: secure.address, port: secure.port + 1, tls, readonlyClients } }
      : {}),
  };
}
