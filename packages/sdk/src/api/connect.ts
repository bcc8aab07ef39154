import { GrpcPolis, type GrpcOptions } from './grpc.js';
import { RestPolis, type RestOptions } from './rest.js';
import type { PolisApi } from './types.js';

export type ConnectOptions = ({ transport?: 'rest' } & RestOptions) | ({ transport: 'grpc' } & GrpcOptions);

/**
 * The typed client over either transport, with the same methods: `connect()` (REST on the default
 * socket), `connect({ transport: 'grpc', socketPath })`, `connect({ host: 'tcp://h:2376', tls })`.
 */
export function connect(options: ConnectOptions = {}): PolisApi {
  return options.transport === 'grpc' ? new GrpcPolis(options) : new RestPolis(options);
}
