import { join } from 'node:path';
import type { IdMappings } from './idmap.js';

export type RuntimeName = 'crun' | 'runc';

/** Daemon configuration: everything lives under dataRoot and execRoot so daemons can run side by side. */
export interface DaemonConfig {
  dataRoot: string;
  execRoot: string;
  /** Listen addresses: `unix:///path`, `tcp://ADDRESS:PORT` (see `tls`, `insecureTcpLoopback`). */
  hosts: string[];
  defaultRuntime: RuntimeName;
  /** Paths of the runtime binaries, by name. */
  runtimes: Record<RuntimeName, string>;
  conmonPath: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Per-container log bound (bytes) unless the container says otherwise. */
  logMaxSize: number;
  /** Log files kept per container (the current one and rotated ones) unless it says otherwise. */
  logMaxFiles: number;
  /** Registries (`host:port` or CIDR) that may use plain HTTP or unverified TLS; loopback always may. */
  insecureRegistries: string[];
  /** Docker Hub mirrors, tried in order before Docker Hub for pulls. */
  registryMirrors: string[];
  /** The default `bridge` network's subnet (CIDR), or its gateway as `ip/len` like dockerd's `--bip`. */
  defaultSubnet?: string;
  /** `--default-address-pool base=CIDR,size=N`: pools networks without a subnet are cut from, in order. */
  defaultAddressPools?: { base: string; size: number }[];
  /** Group owning the unix sockets (`-G`): a name or gid, '' for root's; default `polis`, made if missing. */
  socketGroup?: string;
  /** Mutual TLS for every tcp:// host (`--tlsverify`): PEM files of the clients' CA, the server's cert and key. */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /** `--metrics-addr`: a loopback address where plain HTTP serves `GET /metrics` only. */
  metricsAddr?: { address: string; port: number };
  /** daemon.json's `alerts`: rule objects as written, checked by monitor's parseRule at start. */
  alerts?: unknown[];
  /** `--dashboard-addr`: serve the web dashboard (token-protected) on this loopback address. */
  dashboardAddr?: { address: string; port: number };
  /** Plain HTTP allowed on a loopback tcp:// host (`--insecure-tcp-loopback`); never elsewhere. */
  insecureTcpLoopback?: boolean;
  /** Client certificates (subject CN or SHA-256 fingerprint) that may only read. */
  readonlyClients?: string[];
  /** `--exec-opt native.cgroupdriver=`: cgroupfs (the default) or systemd (needs systemd as PID 1). */
  cgroupDriver?: 'cgroupfs' | 'systemd';
  /** `--userns-remap`: `default` or `USER[:GROUP]`, whose subordinate ids containers' root maps to. */
  usernsRemap?: string;
  /** `--cri-socket`: the Kubernetes CRI's unix socket; `<exec root>/cri.sock` when absent, `none` for no CRI. */
  criSocket?: string;
  /** The remapping resolved from /etc/subuid and /etc/subgid at start; absent without `usernsRemap`. */
  idMappings?: IdMappings;
}

export const DEFAULT_DATA_ROOT = '/var/lib/polis';
export const DEFAULT_EXEC_ROOT = '/run/polis';

export function defaultSocket(execRoot: string): string {
  return `unix://${join(execRoot, 'polis.sock')}`;
}

export function defaultConfig(overrides: Partial<DaemonConfig> = {}): DaemonConfig {
  const execRoot = overrides.execRoot ?? DEFAULT_EXEC_ROOT;
  return {
    dataRoot: DEFAULT_DATA_ROOT,
    execRoot,
    hosts: [defaultSocket(execRoot)],
    defaultRuntime: 'crun',
    runtimes: { crun: 'crun', runc: 'runc' },
    conmonPath: 'conmon',
    logLevel: 'info',
    logMaxSize: 10 * 1024 * 1024,
    logMaxFiles: 2,
    insecureRegistries: [],
    registryMirrors: [],
    ...overrides,
  };
}

/** `unix:///run/x.sock` (or a bare `/run/x.sock`) → `/run/x.sock`; undefined for other schemes (`tcp://`). */
export function unixSocketPath(host: string): string | undefined {
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  if (host.startsWith('/')) return host;
  return undefined;
}
