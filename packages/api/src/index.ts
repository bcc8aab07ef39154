export { createApiServer, type ServeOptions } from './server.js';
export { listenTcp, listenUnix } from './listen.js';
export { API_VERSION, MIN_API_VERSION } from './types.js';
export type { ApiDeps, SystemInfo, VersionInfo } from './types.js';
export { createGrpcServer, serveGrpc, type GrpcServeOptions, type GrpcServing } from './grpc/serve.js';
