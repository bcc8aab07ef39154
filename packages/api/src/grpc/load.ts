import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { POLIS_PROTO_DIR, POLIS_PROTO_FILE } from '@polis/core/proto-path';

/** Loader options shared with the SDK: camelCase fields, enums as names, int64 as numbers, oneof names. */
export const LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [POLIS_PROTO_DIR],
};

export type PolisServiceName = 'Containers' | 'Images' | 'Networks' | 'Volumes' | 'System';

let loaded: GrpcObject | undefined;

/** The service definitions of `polis.v1`, parsed once. */
export function polisService(name: PolisServiceName): ServiceDefinition {
  loaded ??= loadPackageDefinition(loadSync(POLIS_PROTO_FILE, LOADER_OPTIONS));
  const v1 = (loaded.polis as GrpcObject).v1 as GrpcObject;
  return (v1[name] as unknown as { service: ServiceDefinition }).service;
}
