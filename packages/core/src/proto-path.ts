import { fileURLToPath } from 'node:url';

/**
 * The Polis gRPC API (`polis.v1`) lives in core's `proto/` so that the server (api) and the client (sdk)
 * load one file without either depending on the other.
 */
export const POLIS_PROTO_DIR = fileURLToPath(new URL('../proto', import.meta.url));
export const POLIS_PROTO_FILE = 'polis/v1/polis.proto';
