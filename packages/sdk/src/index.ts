export * from './engine.js';
export { connect, type ConnectOptions } from './api/connect.js';
export { RestPolis, type RestOptions } from './api/rest.js';
export { GrpcPolis, errorFromGrpc, DEFAULT_GRPC_SOCKET, type GrpcOptions } from './api/grpc.js';
export type * from './api/types.js';
