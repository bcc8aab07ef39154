// Shared by the examples: REST by default, gRPC with POLIS_TRANSPORT=grpc (socket: POLIS_GRPC_SOCKET).
import { connect } from '@polis/sdk';

export function connectFromEnv() {
  if (process.env.POLIS_TRANSPORT === 'grpc') {
    return connect({
      transport: 'grpc',
      socketPath: process.env.POLIS_GRPC_SOCKET ?? '/run/polis/polis-grpc.sock',
    });
  }
  return connect(process.env.POLIS_HOST ? { host: process.env.POLIS_HOST } : {});
}

/** True when the module is the script node was asked to run. */
export function isMain(url) {
  return process.argv[1] !== undefined && new URL(url).pathname === process.argv[1];
}
