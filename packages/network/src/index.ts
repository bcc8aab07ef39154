export type * from './types.js';
export { hostNames } from './naming.js';
export { hostsFile, extraHostLines, type HostsInput } from './etc/hosts.js';
export { resolvConf, upstreamServers, parseResolvConf } from './etc/resolv.js';
export type { ResolvInput, ResolvConf } from './etc/resolv.js';
export { hostResolvConfText } from './etc/host-resolv.js';
export { resolveBindings, parsePublish } from './ports/bindings.js';
export type { PublishSpec } from './ports/parse.js';
export { wireEndpoints, unwireEndpoints, macFor, hostVethName, type WireRequest } from './endpoint/wire.js';
