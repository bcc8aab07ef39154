import { release } from 'node:os';
import type { Router } from '../http/router.js';
import { API_VERSION, MIN_API_VERSION, type ApiDeps } from '../types.js';

/** Go's names for Node's architectures, as Docker's `/version` reports them. */
export function goArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[arch] ?? arch;
}

/** `GET /version`: the daemon's identity plus the constants of this server. */
export function versionBody(deps: ApiDeps): Record<string, unknown> {
  const v = deps.system.version();
  const common = {
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: v.GitCommit,
    GoVersion: `node ${process.version}`,
    Os: 'linux',
    Arch: goArch(),
    KernelVersion: v.KernelVersion || release(),
    BuildTime: v.BuildTime,
  };
  return {
    Platform: { Name: 'Polis Engine' },
    Components: [{ Name: 'Engine', Version: v.Version, Details: common }],
    ...common,
    ...v,
  };
}

/** Fields of `GET /info` that are the same for every Polis daemon; the daemon's own values win. */
function infoDefaults(): Record<string, unknown> {
  return {
    DriverStatus: [],
    Plugins: { Volume: [], Network: [], Authorization: null, Log: ['k8s-file'] },
    MemoryLimit: true,
    SwapLimit: true,
    KernelMemory: false,
    KernelMemoryTCP: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    OomKillDisable: false,
    IPv4Forwarding: false,
    BridgeNfIptables: false,
    BridgeNfIp6tables: false,
    Debug: false,
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    NEventsListener: 0,
    OSVersion: '',
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: [],
      InsecureRegistryCIDRs: [],
      IndexConfigs: {},
      Mirrors: [],
    },
    GenericResources: null,
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Labels: [],
    ExperimentalBuild: false,
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: false,
    Isolation: '',
    InitBinary: '',
    ContainerdCommit: { ID: '', Expected: '' },
    RuncCommit: { ID: '', Expected: '' },
    InitCommit: { ID: '', Expected: '' },
    Warnings: [],
  };
}

const PING_HEADERS = {
  'Content-Type': 'text/plain; charset=utf-8',
  OSType: 'linux',
  'Docker-Experimental': 'false',
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
};

export function systemRoutes(router: Router, deps: ApiDeps): void {
  router.add(['GET', 'HEAD'], '/_ping', ({ reply }) => reply.text(200, 'OK', PING_HEADERS));
  router.add('GET', '/version', ({ reply }) => reply.json(200, versionBody(deps)));
  router.add('GET', '/info', async ({ reply }) =>
    reply.json(200, { ...infoDefaults(), ...(await deps.system.info()) }),
  );
}
