import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { totalmem } from 'node:os';
import type { Server } from 'node:http';
import {
  PolisError,
  createLogger,
  mappedRoot,
  setLogLevel,
  toPolisError,
  which,
  type DaemonConfig,
} from '@polis/core';
import { LocalImageService } from '@polis/image';
import { EmbeddedDns, NetworkManager, NetworkNames, createServiceBalancer } from '@polis/network';
import {
  StackController,
  autoscalePolicyOf,
  createAutoscaler,
  createScheduler,
  hostCapacity,
  dockerEngine,
  unixSocketRequest,
} from '@polis/orchestrator';
import { SqliteStackStore } from './stack-store.js';
import { ContainerManager, prepareHybridCgroups } from '@polis/runtime';
import { VolumeManager, storageHealthChecks } from '@polis/storage';
import {
  AlertEngine,
  AlertStore,
  EventLog,
  HealthMonitor,
  PolisMetrics,
  StatsSampler,
  containerEvent,
  coreHealthChecks,
  monitorHealthChecks,
  parseRule,
  runHealthChecks,
} from '@polis/monitor';
import { securityHealthChecks } from '@polis/security';
import { BuildService } from '../build/builder.js';
import { DEFAULT_MAX_CONTEXT_BYTES } from '../build/context.js';
import { API_VERSION, createApiServer, listenTcp, listenUnix, type ApiDeps } from '../index.js';
import { listenFd, systemdFds } from '../listen.js';
import { volumeEvent } from '../routes/volumes/shapes.js';
import { planListeners } from './hosts.js';
import { serveMetrics } from './metrics-addr.js';
import { serveDashboardAddr } from './dashboard-addr.js';
import { startCri } from './cri.js';
import { timedContainers, timedImages, timedNetworks, type StepTimings } from './timed-services.js';
import { DEFAULT_SOCKET_GROUP, resolveSocketGroup } from './socket-group.js';
import { serverTlsOptions } from './tls-options.js';
import { serveGrpc } from '../grpc/serve.js';
import { grpcPlan } from '../grpc/plan.js';
import { systemInfo, versionInfo } from './system.js';
import { USAGE, parseFlags } from './flags.js';
import { openStateDb } from './state-db.js';
import { checkRemappedAccess, resolveUsernsRemap } from './userns-remap.js';

const log = createLogger('polisd');

/** Resolves runtime and conmon binaries to absolute paths and checks that the default runtime exists. */
function resolveBinaries(config: DaemonConfig): DaemonConfig {
  const runtimes = { ...config.runtimes };
  for (const name of ['crun', 'runc'] as const) runtimes[name] = which(runtimes[name]) ?? runtimes[name];
  if (!runtimes[config.defaultRuntime].startsWith('/')) {
    throw new PolisError('runtime.unavailable', `OCI runtime ${config.defaultRuntime} not found on PATH`);
  }
  const conmonPath = which(config.conmonPath);
  if (!conmonPath) throw new PolisError('runtime.unavailable', `conmon not found (${config.conmonPath})`);
  return { ...config, runtimes, conmonPath };
}

export interface RunningDaemon {
  config: DaemonConfig;
  close(): Promise<void>;
}

/** Opens the state, reconciles containers, and serves the API until closed. */
export async function startDaemon(input: DaemonConfig): Promise<RunningDaemon> {
  let config = resolveBinaries(input);
  // A bad rule in daemon.json is refused before anything is opened.
  const configRules = (input.alerts ?? []).map((r) => parseRule(r, 'config'));
  setLogLevel(config.logLevel);
  if (process.getuid?.() !== 0) throw new PolisError('runtime.unavailable', 'polisd must run as root');
  // Who may connect is settled before any state is touched: a bad -H or TLS file costs nothing.
  const listeners = planListeners(config.hosts, {
    tls: config.tls !== undefined,
    insecureTcpLoopback: config.insecureTcpLoopback ?? false,
  });
  const tls = config.tls ? await serverTlsOptions(config.tls) : undefined;
  if (config.usernsRemap) {
    config = { ...config, idMappings: await resolveUsernsRemap(config.usernsRemap) };
    log.info('user namespace remapping', { remap: config.usernsRemap, root: mappedRoot(config.idMappings!) });
  }
  await mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(config.execRoot, { recursive: true, mode: 0o711 });
  if (config.idMappings) await checkRemappedAccess(config.dataRoot, mappedRoot(config.idMappings));
  // As runc's and crun's systemd driver: without systemd as PID 1 there is no one to make the scopes.
  if (config.cgroupDriver === 'systemd' && !existsSync('/run/systemd/system')) {
    throw new PolisError(
      'request.invalid',
      'the systemd cgroup driver needs systemd as PID 1 (no /run/systemd/system); use native.cgroupdriver=cgroupfs',
    );
  }
  if (config.defaultRuntime === 'crun') await prepareHybridCgroups();

  const db = openStateDb(config.dataRoot);

  // The registry reads the containers, so it comes after them; steps before that are told through this.
  const timings: StepTimings = {};
  const images = new LocalImageService({
    db,
    dataRoot: config.dataRoot,
    onLayerUnpacked: (u) => timings.metrics?.observeLayerUnpack(u.bytes, u.seconds, u.ok),
    registry: { insecureRegistries: config.insecureRegistries, mirrors: config.registryMirrors },
  });
  await images.init();
  const events = new EventLog(db);
  const names = new NetworkNames();
  const dns = new EmbeddedDns({ source: names });
  names.serveWith(dns);
  const networks = new NetworkManager({
    db,
    dataRoot: config.dataRoot,
    dns: names,
    ...(config.defaultSubnet ? { defaultSubnet: config.defaultSubnet } : {}),
    ...(config.defaultAddressPools ? { addressPools: config.defaultAddressPools } : {}),
  });
  await networks.init();
  const volumes = new VolumeManager({
    db,
    dataRoot: config.dataRoot,
    ...(config.idMappings ? { owner: mappedRoot(config.idMappings) } : {}),
  });
  volumes.onEvent((e) => events.publish(volumeEvent(e)));
  await volumes.init();
  const containers = new ContainerManager({
    db,
    config,
    images,
    networks: timedNetworks(networks, timings),
    volumes,
  });
  containers.onEvent((e) => events.publish(containerEvent(e)));
  await containers.init();
  const stats = new StatsSampler({ pidOf: (id) => containers.runningPid(id) });
  // After the containers' recovery: checks of containers that kept running resume here.
  const health = new HealthMonitor(containers);
  health.start();
  const metrics = new PolisMetrics({
    containers,
    counts: {
      images: () => images.list({ all: true }).length,
      volumes: () => volumes.list().length,
      networks: () => networks.list().length,
    },
    subscribe: (listener) => events.subscribe(listener),
  });
  timings.metrics = metrics;

  const componentChecks = () => [
    ...coreHealthChecks(config),
    ...containers.healthChecks(),
    ...networks.healthChecks(dns),
    ...securityHealthChecks(),
    ...storageHealthChecks(volumes),
    ...monitorHealthChecks({ stats, events }),
  ];
  const alerts = new AlertEngine({
    store: new AlertStore(db),
    configRules,
    host: {
      subscribe: (listener) => events.subscribe(listener),
      publish: (e) => events.publish(e),
      running: () =>
        containers
          .list({ all: false })
          .map((c) => ({ id: c.id, name: c.name.replace(/^\//, ''), image: c.imageRef })),
      readStats: (id) => stats.readNow(id),
      exists: (id) => containers.list({ all: true }).some((c) => c.id === id),
      hostMemory: totalmem(),
      dataRoot: config.dataRoot,
      components: () => runHealthChecks(componentChecks()),
    },
  });
  alerts.start();

  const builds = new BuildService({
    db,
    dataRoot: config.dataRoot,
    images,
    containers,
    maxContextBytes: Number(process.env.POLIS_BUILD_MAX_CONTEXT ?? DEFAULT_MAX_CONTEXT_BYTES),
  });
  await builds.init();
  // Stacks: the controller is one more client of this daemon's own socket (set once it listens).
  const stackStore = new SqliteStackStore(db);
  const unixListener = listeners.find((l) => l.kind === 'unix');
  const cpuSeen = new Map<string, { cpuNs: number; systemNs: number }>();
  const stacks = new StackController({
    engine: dockerEngine(unixSocketRequest(unixListener?.kind === 'unix' ? unixListener.path : '')),
    store: stackStore,
    balancer: createServiceBalancer({ execRoot: config.execRoot }),
    scheduler: createScheduler(hostCapacity()),
    autoscaler: createAutoscaler,
    autoscalePolicy: autoscalePolicyOf,
    // How often the autoscaler samples (default 10 s); tests shorten it to see a stack grow and shrink.
    ...(Number(process.env.POLIS_AUTOSCALE_INTERVAL_MS) > 0
      ? { autoscaleEveryMs: Number(process.env.POLIS_AUTOSCALE_INTERVAL_MS) }
      : {}),
    publish: (e) =>
      events.publish({
        Type: 'stack',
        Action: e.action,
        Actor: {
          ID: e.service ? `${e.stack}/${e.service}` : e.stack,
          Attributes: {
            name: e.stack,
            // The compose project label as containers carry it: one label filter selects a stack's events.
            'com.docker.compose.project': e.stack,
            ...(e.service ? { service: e.service } : {}),
            ...e.attributes,
          },
        },
        scope: 'local',
        time: Math.floor(Date.now() / 1000),
        timeNano: Date.now() * 1e6,
      }),
    sample: (id) => {
      const s = stats.readNow(id);
      if (!s) return undefined;
      const before = cpuSeen.get(id);
      cpuSeen.set(id, { cpuNs: s.cpu.totalNs, systemNs: s.systemCpuNs });
      const cpuPercent =
        before && s.systemCpuNs > before.systemNs
          ? ((s.cpu.totalNs - before.cpuNs) / (s.systemCpuNs - before.systemNs)) * s.onlineCpus * 100
          : undefined;
      return {
        ...(cpuPercent !== undefined ? { cpuPercent } : {}),
        ...(s.memory.limit ? { memoryPercent: (s.memory.usage / s.memory.limit) * 100 } : {}),
      };
    },
  });

  const deps: ApiDeps = {
    builds,
    stacks: { controller: stacks, store: stackStore },
    containers: timedContainers(containers, metrics),
    images: timedImages(images, metrics),
    metrics,
    networks,
    volumes,
    events,
    stats,
    ...(config.cgroupDriver ? { cgroupDriver: config.cgroupDriver } : {}),
    alerts,
    health: componentChecks,
    system: {
      info: () => systemInfo(config, containers, images),
      version: () => versionInfo(),
    },
  };
  const cri = startCri(config, { containers: deps.containers, images: deps.images, networks, stats });
  const gid = listeners.some((l) => l.kind === 'unix')
    ? await resolveSocketGroup(config.socketGroup ?? DEFAULT_SOCKET_GROUP)
    : undefined;
  // One server per listener: a node server listens once, and each decides plain HTTP or mutual TLS.
  const servers: Server[] = [];
  for (const listener of listeners) {
    if (listener.kind === 'fd') {
      const fds = systemdFds(process.env, process.pid);
      if (fds.length === 0) {
        throw new PolisError(
          'request.invalid',
          '-H fd:// needs sockets passed by systemd (LISTEN_FDS and LISTEN_PID); none were passed',
        );
      }
      // Taken once: a child of polisd must not think the sockets are its own.
      delete process.env['LISTEN_FDS'];
      delete process.env['LISTEN_PID'];
      delete process.env['LISTEN_FDNAMES'];
      for (const fd of fds) {
        const server = createApiServer(deps, { dashboard: {} });
        servers.push(server);
        await listenFd(server, fd);
        log.info('API listening', { host: listener.host, fd });
      }
    } else if (listener.kind === 'unix') {
      const server = createApiServer(deps, { dashboard: {} });
      servers.push(server);
      await listenUnix(server, listener.path, gid);
      log.info('API listening', { host: listener.host, gid });
    } else {
      const secure = listener.tls && tls ? { tls, readonlyClients: config.readonlyClients ?? [] } : {};
      const server = createApiServer(deps, secure);
      servers.push(server);
      await listenTcp(server, listener.address, listener.port);
      if (listener.tls) log.info('API listening', { host: listener.host, tls: 'mutual' });
      else log.warn('API listening on plain TCP: every local user can act as root', { host: listener.host });
    }
  }
  const grpc = await serveGrpc(
    deps,
    grpcPlan(
      config.execRoot,
      listeners,
      tls,
      gid ?? (await resolveSocketGroup(config.socketGroup ?? DEFAULT_SOCKET_GROUP)),
      config.readonlyClients,
    ),
  );
  if (unixListener) await stacks.start();
  if (config.metricsAddr) servers.push(await serveMetrics(metrics, config.metricsAddr));
  if (config.dashboardAddr) servers.push(await serveDashboardAddr(deps, config.dashboardAddr));
  return {
    config,
    async close() {
      stacks.close();
      health.close();
      await cri.close();
      await alerts.close();
      stats.close();
      metrics.close();
      await containers.settled();
      containers.close();
      await dns.closeAll();
      await grpc.close();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      db.close();
    },
  };
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  let parsed;
  try {
    parsed = parseFlags(argv);
  } catch (err) {
    process.stderr.write(`polisd: ${toPolisError(err).message}\n\n${USAGE}\n`);
    process.exit(125);
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (parsed.kind === 'version') {
    const v = versionInfo();
    process.stdout.write(`Polis version ${v.Version}, API ${API_VERSION}\n`);
    return;
  }
  let daemon: RunningDaemon;
  try {
    daemon = await startDaemon(parsed.config);
  } catch (err) {
    process.stderr.write(`polisd: ${toPolisError(err).message}\n`);
    process.exit(1);
  }
  log.info('polisd started', {
    dataRoot: daemon.config.dataRoot,
    execRoot: daemon.config.execRoot,
    pid: process.pid,
  });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    // Containers keep running under conmon; only the daemon goes away.
    log.info('shutting down', { signal });
    daemon.close().then(
      () => process.exit(0),
      (err) => {
        log.error('shutdown', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
