export { createApiServer } from './server.js';
export { listenUnix } from './listen.js';
export { API_VERSION, MIN_API_VERSION } from './types.js';
export type { ApiDeps, SystemInfo, VersionInfo } from './types.js';
