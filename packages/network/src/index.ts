export type * from './types.js';
export { hostNames } from './naming.js';
export { hostsFile, extraHostLines, type HostsInput } from './etc/hosts.js';
export { resolvConf, upstreamServers, parseResolvConf } from './etc/resolv.js';
export type { ResolvInput, ResolvConf } from './etc/resolv.js';
export { hostResolvConfText } from './etc/host-resolv.js';
export { resolveBindings, parsePublish } from './ports/bindings.js';
export type { PublishSpec } from './ports/parse.js';
export {
  wireEndpoints,
  unwireEndpoints,
  macFor,
  hostVethName,
  containerNetnsName,
  NETNS_DIR,
  type WireRequest,
} from './endpoint/wire.js';
export { EmbeddedDns, type DnsRecordSource, type EmbeddedDnsOptions } from './dns/server.js';
export { NetworkManager, type NetworkManagerOptions } from './manager.js';
export type { DnsHooks, HostOps } from './networks/context.js';
export { renderFirewall, type FirewallState } from './firewall/render.js';
export { applyFirewall, removeFirewall } from './firewall/apply.js';
export { checkPool, parsePool, DOCKER_DEFAULT_POOLS, type AddressPool } from './ipam/pools.js';
export { parseCidr, parseAddress, formatAddress, formatCidr, overlaps, type Cidr } from './ipam/cidr.js';
export { NetworkNames } from './names.js';
export * from './balancer/index.js';
