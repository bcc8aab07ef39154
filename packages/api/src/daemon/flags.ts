import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_FILE, readConfigFile, type ConfigFile } from './config-file.js';
import { planListeners } from './hosts.js';
import { parseMetricsAddr } from './metrics-addr.js';
import { DEFAULT_SOCKET_GROUP } from './socket-group.js';
import { checkPool, parsePool, type AddressPool } from '@polis/network';
import {
  PolisError,
  defaultConfig,
  defaultSocket,
  parseBytes,
  type DaemonConfig,
  type RuntimeName,
} from '@polis/core';

export const USAGE = `Usage: polisd [OPTIONS]

A container engine with the Docker Engine API.

Options:
      --data-root string   Root directory of persistent state (default "/var/lib/polis")
      --exec-root string   Root directory for execution state files (default "/run/polis")
  -H, --host string        Daemon socket to listen on, repeatable: unix:///PATH, tcp://ADDRESS:PORT, fd://
                           (default "unix:///run/polis/polis.sock")
  -G, --group string       Group of the unix sockets, which are 0660 (default "polis", created if
                           missing; "" for root's group)
      --tlsverify          Serve every tcp:// host with mutual TLS: clients need a certificate
                           signed by --tlscacert (required for tcp:// off loopback)
      --tlscacert path     CA that signs client certificates
      --tlscert path       Server certificate (PEM)
      --tlskey path        Server key (PEM)
      --readonly-client CN|sha256:FINGERPRINT
                           Client certificate that may only read (GET/HEAD; repeatable);
                           certificates with OU=polis-readonly are read-only too
      --insecure-tcp-loopback
                           Allow plain HTTP on a loopback tcp:// host (127.0.0.1, ::1); every
                           local user can then act as root
      --runtime string     Default OCI runtime: crun or runc (default "crun")
      --runtime-path name=path
                           Path of a runtime binary (repeatable)
      --conmon string      Path of conmon (default "conmon")
      --log-level string   debug, info, warn or error (default "info")
      --log-max-size bytes Default bound on each container's log file (default 10m)
      --log-opt k=v        Default log options: max-size=SIZE, max-file=N (default 10m, 2)
      --insecure-registry host[:port]|CIDR
                           Registry that may use plain HTTP (repeatable; loopback always may)
      --registry-mirror url
                           Docker Hub mirror to pull from first (repeatable)
      --bip CIDR           Subnet of the default bridge network (default 172.17.0.0/16, or the
                           first free pool if that overlaps a host route)
      --default-address-pool base=CIDR,size=N
                           Pool that networks without --subnet are cut from (repeatable, in
                           order; default 172.17-31.0.0/16, then 192.168.0.0/16 in /20s)
      --exec-opt k=v       native.cgroupdriver=cgroupfs|systemd (systemd needs systemd as PID 1)
      --config-file path   daemon.json with dockerd's keys (data-root, exec-root, hosts,
                           default-runtime, log-level, log-opts, insecure-registries,
                           registry-mirrors, bip, default-address-pools, group, tlsverify, tlscacert, tlscert, tlskey,
                           readonly-clients, insecure-tcp-loopback, exec-opts, userns-remap,
                           metrics-addr, cri-socket, alerts); flags win; alerts: Polis's rules as
                           polis alert add takes them
                           (default "/etc/polis/daemon.json")
      --metrics-addr 127.0.0.1:PORT
                           Also serve GET /metrics (Prometheus) over plain HTTP on this
                           loopback address
      --dashboard-addr 127.0.0.1:PORT
                           Also serve the web dashboard at /dashboard/ on this loopback
                           address; the login URL with its token is printed at start
      --cri-socket PATH    Serve the Kubernetes CRI (runtime.v1) here (default
                           <exec-root>/cri.sock, so /run/polis/cri.sock; none: off)
      --userns-remap default|USER[:GROUP]
                           Run containers' root as USER's subordinate ids (/etc/subuid,
                           /etc/subgid); default: the user polis, made if missing
  -h, --help               Print usage
  -v, --version            Print version`;

export type FlagResult = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; config: DaemonConfig };

/** dockerd-style flags → daemon configuration. */
export function parseFlags(argv: string[]): FlagResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        'data-root': { type: 'string' },
        'exec-root': { type: 'string' },
        host: { type: 'string', short: 'H', multiple: true },
        runtime: { type: 'string' },
        'config-file': { type: 'string' },
        'default-runtime': { type: 'string' },
        'runtime-path': { type: 'string', multiple: true },
        conmon: { type: 'string' },
        'log-level': { type: 'string', short: 'l' },
        'log-max-size': { type: 'string' },
        'log-opt': { type: 'string', multiple: true },
        'insecure-registry': { type: 'string', multiple: true },
        'registry-mirror': { type: 'string', multiple: true },
        bip: { type: 'string' },
        'default-address-pool': { type: 'string', multiple: true },
        group: { type: 'string', short: 'G' },
        tls: { type: 'boolean' },
        tlsverify: { type: 'boolean' },
        tlscacert: { type: 'string' },
        tlscert: { type: 'string' },
        tlskey: { type: 'string' },
        'readonly-client': { type: 'string', multiple: true },
        'insecure-tcp-loopback': { type: 'boolean' },
        'exec-opt': { type: 'string', multiple: true },
        'userns-remap': { type: 'string' },
        'metrics-addr': { type: 'string' },
        'dashboard-addr': { type: 'string' },
        'cri-socket': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new PolisError('request.invalid', (err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help' };
  if (v.version) return { kind: 'version' };
  const explicitFile = v['config-file'];
  const file = readConfigFile(explicitFile ?? DEFAULT_CONFIG_FILE, explicitFile !== undefined);
  const runtime = v['default-runtime'] ?? v.runtime ?? file['default-runtime'] ?? 'crun';
  if (runtime !== 'crun' && runtime !== 'runc') {
    throw new PolisError('runtime.unknown', `unknown runtime "${runtime}": use crun or runc`);
  }
  const execRoot = v['exec-root'] ?? file['exec-root'] ?? '/run/polis';
  const base = defaultConfig({ execRoot });
  const runtimes = { ...base.runtimes };
  for (const entry of v['runtime-path'] ?? []) {
    const [name, path] = entry.split('=');
    if ((name !== 'crun' && name !== 'runc') || !path) {
      throw new PolisError('request.invalid', `--runtime-path wants crun=PATH or runc=PATH, got "${entry}"`);
    }
    runtimes[name] = path;
  }
  const logLevel = (v['log-level'] ?? file['log-level'] ?? 'info') as DaemonConfig['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new PolisError('request.invalid', `invalid log level "${logLevel}"`);
  }
  let logMaxSize = v['log-max-size'] ? parseBytes(v['log-max-size']) : base.logMaxSize;
  let logMaxFiles = base.logMaxFiles;
  const fileOpts = Object.entries(file['log-opts'] ?? {}).map(([k, value]) => `${k}=${value}`);
  for (const opt of [...fileOpts, ...(v['log-opt'] ?? [])]) {
    const [key, value = ''] = opt.split('=');
    if (key === 'max-size') logMaxSize = parseBytes(value);
    else if (key === 'max-file' && /^[1-9]\d*$/.test(value)) logMaxFiles = Number(value);
    else
      throw new PolisError('request.invalid', `invalid --log-opt "${opt}": use max-size=SIZE or max-file=N`);
  }
  const cgroupDriver = cgroupDriverOf([...(file['exec-opts'] ?? []), ...(v['exec-opt'] ?? [])]);
  const hosts = v.host?.length ? v.host : file.hosts?.length ? file.hosts : [defaultSocket(execRoot)];
  const tls = tlsFiles(v, file);
  const insecureTcpLoopback = v['insecure-tcp-loopback'] ?? file['insecure-tcp-loopback'] ?? false;
  // Refused here, before anything is opened, so a bad -H costs nothing.
  planListeners(hosts, { tls: tls !== undefined, insecureTcpLoopback });
  const metricsAddr = v['metrics-addr'] ?? file['metrics-addr'];
  return {
    kind: 'run',
    config: {
      ...base,
      dataRoot: v['data-root'] ?? file['data-root'] ?? base.dataRoot,
      execRoot,
      hosts,
      defaultRuntime: runtime as RuntimeName,
      runtimes,
      conmonPath: v.conmon ?? base.conmonPath,
      logLevel,
      logMaxSize,
      logMaxFiles,
      insecureRegistries: [...(file['insecure-registries'] ?? []), ...(v['insecure-registry'] ?? [])],
      registryMirrors: [...(file['registry-mirrors'] ?? []), ...(v['registry-mirror'] ?? [])].map(
        checkMirror,
      ),
      ...((v.bip ?? file.bip) ? { defaultSubnet: (v.bip ?? file.bip) as string } : {}),
      ...addressPoolsOf(v['default-address-pool'], file['default-address-pools']),
      socketGroup: v.group ?? file.group ?? DEFAULT_SOCKET_GROUP,
      ...(tls ? { tls } : {}),
      insecureTcpLoopback,
      readonlyClients: [...(file['readonly-clients'] ?? []), ...(v['readonly-client'] ?? [])],
      ...(cgroupDriver ? { cgroupDriver } : {}),
      ...usernsRemapOf(v['userns-remap'] ?? file['userns-remap']),
      ...(metricsAddr ? { metricsAddr: parseMetricsAddr(metricsAddr) } : {}),
      ...(file.alerts ? { alerts: file.alerts } : {}),
      ...((v['cri-socket'] ?? file['cri-socket']) !== undefined
        ? { criSocket: (v['cri-socket'] ?? file['cri-socket']) as string }
        : {}),
      ...(v['dashboard-addr']
        ? { dashboardAddr: parseMetricsAddr(v['dashboard-addr'], '--dashboard-addr') }
        : {}),
    },
  };
}

interface TlsFlagValues {
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

/** `--tlsverify` and its three files, or nothing; TLS without client verification is not offered. */
function tlsFiles(v: TlsFlagValues, file: ConfigFile): DaemonConfig['tls'] {
  const verify = v.tlsverify ?? file.tlsverify ?? false;
  const caFile = v.tlscacert ?? file.tlscacert;
  const certFile = v.tlscert ?? file.tlscert;
  const keyFile = v.tlskey ?? file.tlskey;
  if (!verify) {
    if (v.tls || caFile !== undefined || certFile !== undefined || keyFile !== undefined) {
      throw new PolisError(
        'request.invalid',
        'polisd serves TLS only with client certificates: add --tlsverify (with --tlscacert, --tlscert and --tlskey)',
      );
    }
    return undefined;
  }
  if (caFile === undefined || certFile === undefined || keyFile === undefined) {
    throw new PolisError('request.invalid', '--tlsverify needs --tlscacert, --tlscert and --tlskey');
  }
  return { caFile, certFile, keyFile };
}

/** dockerd's `--exec-opt native.cgroupdriver=…` (the last one wins); other options are refused. */
function cgroupDriverOf(opts: string[]): DaemonConfig['cgroupDriver'] {
  let driver: DaemonConfig['cgroupDriver'];
  for (const opt of opts) {
    const [key = '', value = ''] = opt.split('=');
    if (key.trim().toLowerCase() !== 'native.cgroupdriver') {
      throw new PolisError(
        'request.invalid',
        `invalid --exec-opt "${opt}": only native.cgroupdriver is known`,
      );
    }
    if (value !== 'cgroupfs' && value !== 'systemd') {
      throw new PolisError('request.invalid', `native.cgroupdriver option ${value} is not supported`);
    }
    driver = value;
  }
  return driver;
}

/** Flags replace daemon.json's pools (as dockerd's flags win); each is checked before anything starts. */
function addressPoolsOf(
  flags: string[] | undefined,
  file: ConfigFile['default-address-pools'],
): { defaultAddressPools?: AddressPool[] } {
  if (flags?.length) return { defaultAddressPools: flags.map(parsePool) };
  if (file?.length) return { defaultAddressPools: file.map(checkPool) };
  return {};
}

function checkMirror(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new PolisError('request.invalid', `invalid --registry-mirror "${url}": an http(s) URL is needed`);
}

/** `--userns-remap`: empty is none (dockerd's default); `USER[:GROUP]` names are checked when resolved at start. */
function usernsRemapOf(value: string | undefined): { usernsRemap?: string } {
  if (value === undefined || value === '') return {};
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(value)) {
    throw new PolisError('request.invalid', `invalid --userns-remap "${value}": use default or USER[:GROUP]`);
  }
  return { usernsRemap: value };
}
