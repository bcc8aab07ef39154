/**
 * The SDK's REST client of the engine (Docker Engine API over a unix socket or mutual-TLS TCP) and its
 * types: everything of `@polis/sdk` but the transport-neutral API (`connect`, `RestPolis`, `GrpcPolis`).
 * The CLI imports this entry (`@polis/sdk/engine`) so its commands never load @grpc/grpc-js, whose
 * module set cost `polis version` ~30 ms of its ~80 ms in the single executable.
 */
export { PolisClient, type PolisClientOptions } from './client.js';
export { Containers, AttachedContainer, type PendingWait } from './containers.js';
export { Images } from './images.js';
export { Networks } from './networks.js';
export { Volumes } from './volumes.js';
export { Execs } from './exec.js';
export { EventStream, eventTimeParam } from './events.js';
export { DEFAULT_HOST, defaultHost, parseHost, type Endpoint } from './host.js';
export { resolveTls, tlsRequestOptions, type ClientTls, type TlsFlags } from './tls.js';
export { API_VERSION } from './transport.js';
export { ProgressStream, progressError } from './stream/progress.js';
export {
  DEFAULT_DOMAIN,
  familiarName,
  fullName,
  parseReference,
  referenceString,
  splitReference,
  withDefaultTag,
  type ImageReference,
} from './reference.js';
export { encodeRegistryAuth, decodeRegistryAuth, type RegistryAuth } from './auth/registry-auth.js';
export {
  DOCKER_HUB_SERVER,
  DockerConfigFile,
  configPath,
  hostnameOf,
  serverKey,
  serverOfImage,
} from './auth/config-file.js';
export {
  FrameDemuxer,
  demuxTo,
  ContainerOutput,
  multiplexedFromContentType,
  STDIN,
  STDOUT,
  STDERR,
  SYSTEMERR,
  type ContainerStreams,
  type OutputSink,
} from './stream/demux.js';
export type * from './types/container.js';
export {
  GO_MODE_DIR,
  GO_MODE_SYMLINK,
  isDirMode,
  isSymlinkMode,
  type ContainerPathStat,
  type PutArchiveOptions,
} from './types/archive.js';
export type * from './types/event.js';
export type * from './types/exec.js';
export type * from './types/image.js';
export type * from './types/network.js';
export type * from './types/stats.js';
export type * from './types/logs.js';
export type * from './types/system.js';
export type * from './types/volume.js';
export {
  Alerts,
  type AlertRuleBody,
  type AlertRuleInfo,
  type AlertHistoryEntry,
  type AlertTestResult,
} from './alerts.js';
export { PolisError, isPolisError, type ErrorCode, type ErrorKind } from '@polis/core/errors';
export type { BuildMessage, ImageBuildOptions } from './images.js';
export type { ComposeLoadBody, StackProject, StackServiceStatus } from './stacks.js';
