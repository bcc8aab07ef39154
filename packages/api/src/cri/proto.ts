import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The vendored Kubernetes CRI proto (`vendor/cri/api.proto`, Apache-2.0; upstream commit in VERSION). */
export const CRI_PROTO = fileURLToPath(new URL('../../vendor/cri/api.proto', import.meta.url));

/**
 * Loaded with camelCase fields, 64-bit integers as strings (nanosecond times pass 2^53) and enums as
 * their names; the wire format is the CRI's whatever the options.
 */
export const CRI_LOAD_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

export interface CriServices {
  RuntimeService: grpc.ServiceClientConstructor;
  ImageService: grpc.ServiceClientConstructor;
}

export function loadCri(): CriServices {
  const definition = protoLoader.loadSync(CRI_PROTO, CRI_LOAD_OPTIONS);
  const root = grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: CriServices } };
  return root.runtime.v1;
}
