/**
 * How Polis handles every field of the Engine API 1.41 create body (`ContainerConfig`, `HostConfig`
 * and `NetworkingConfig` in moby's api/docs/v1.41.yaml). No field is silently dropped:
 *
 * - `applied`: reaches the container (the place says where); some are discarded with Docker's own
 *   warning when this host's cgroups cannot enforce them, as Docker does.
 * - `warned`: accepted, discarded, and named in the reply's `Warnings` (Docker's words where it has them).
 * - `refused`: a 400 at create (Docker's words where it refuses too), instead of running something else.
 * - `no-op`: a field Docker's daemon also does nothing with on Linux (client-side or Windows-only).
 *
 * create-fields.test.ts holds a sample value for each row and checks the row's handling.
 */
export type Handling = 'applied' | 'warned' | 'refused' | 'no-op';

export interface CreateField {
  /** `Hostname` (Config), `HostConfig.Memory`, `NetworkingConfig`. */
  field: string;
  handling: Handling;
  /** Where it is applied, or what the warning or refusal says. */
  how: string;
}

const f = (field: string, handling: Handling, how: string): CreateField => ({ field, handling, how });

const WARN_UNSUPPORTED =
  'applied; on a host without the cgroup file, discarded with Docker\'s "Your kernel does not support …" warning';

export const CREATE_FIELDS: readonly CreateField[] = [
  // Config
  f(
    'Hostname',
    'applied',
    'OCI hostname, /etc/hostname, /etc/hosts; over 64 characters: 400 "invalid hostname format"',
  ),
  f('Domainname', 'applied', 'OCI domainname'),
  f('User', 'applied', 'process.user, resolved in the image'),
  f('AttachStdin', 'applied', 'kept for attach and run'),
  f('AttachStdout', 'applied', 'kept for attach and run'),
  f('AttachStderr', 'applied', 'kept for attach and run'),
  f('ExposedPorts', 'applied', 'Config.ExposedPorts, -P publishes them'),
  f('Tty', 'applied', 'process.terminal'),
  f('OpenStdin', 'applied', 'conmon keeps stdin open'),
  f('StdinOnce', 'applied', 'stdin closes after the first attach'),
  f('Env', 'applied', 'process.env; a nameless entry (`=x`, ``) is a 400 "invalid environment variable"'),
  f('Cmd', 'applied', 'process.args'),
  f(
    'Healthcheck',
    'applied',
    "Test, Interval, Timeout, StartPeriod, StartInterval, Retries (+ Polis's OnFailure); merged with the image's at create",
  ),
  f('ArgsEscaped', 'no-op', 'Windows-only; Docker ignores it on Linux'),
  f('Image', 'applied', 'the rootfs'),
  f('Volumes', 'applied', 'an anonymous volume per path no other mount covers'),
  f('WorkingDir', 'applied', 'process.cwd'),
  f('Entrypoint', 'applied', 'process.args'),
  f('NetworkDisabled', 'applied', 'network mode none'),
  f(
    'MacAddress',
    'warned',
    'the network derives the MAC from the IP; "MacAddress is not supported by Polis …"',
  ),
  f('OnBuild', 'no-op', 'image build triggers; Docker never runs them for a container'),
  f('Labels', 'applied', 'Config.Labels, filters'),
  f('StopSignal', 'applied', 'stop and kill'),
  f('StopTimeout', 'applied', 'stop'),
  f('Shell', 'no-op', 'build only; Docker ignores it for a container'),
  // HostConfig: resources
  f('HostConfig.CpuShares', 'applied', 'linux.resources.cpu.shares'),
  f('HostConfig.Memory', 'applied', 'linux.resources.memory.limit'),
  f(
    'HostConfig.CgroupParent',
    'applied',
    'linux.cgroupsPath under that parent (a slice with the systemd driver); `..` is a 400',
  ),
  f('HostConfig.BlkioWeight', 'applied', `linux.resources.blockIO.weight; ${WARN_UNSUPPORTED}`),
  f(
    'HostConfig.BlkioWeightDevice',
    'applied',
    `blockIO.weightDevice (major:minor from the node); ${WARN_UNSUPPORTED}`,
  ),
  f('HostConfig.BlkioDeviceReadBps', 'applied', `blockIO.throttleReadBpsDevice; ${WARN_UNSUPPORTED}`),
  f('HostConfig.BlkioDeviceWriteBps', 'applied', `blockIO.throttleWriteBpsDevice; ${WARN_UNSUPPORTED}`),
  f('HostConfig.BlkioDeviceReadIOps', 'applied', `blockIO.throttleReadIOPSDevice; ${WARN_UNSUPPORTED}`),
  f('HostConfig.BlkioDeviceWriteIOps', 'applied', `blockIO.throttleWriteIOPSDevice; ${WARN_UNSUPPORTED}`),
  f('HostConfig.CpuPeriod', 'applied', 'linux.resources.cpu.period'),
  f('HostConfig.CpuQuota', 'applied', 'linux.resources.cpu.quota'),
  f('HostConfig.CpuRealtimePeriod', 'applied', 'cpu.realtimePeriod; 400 without the real-time scheduler'),
  f('HostConfig.CpuRealtimeRuntime', 'applied', 'cpu.realtimeRuntime; 400 beyond what the cgroup parent has'),
  f('HostConfig.CpusetCpus', 'applied', 'linux.resources.cpu.cpus; CPUs the host lacks are a 400'),
  f('HostConfig.CpusetMems', 'applied', 'linux.resources.cpu.mems; unavailable nodes are a 400'),
  f(
    'HostConfig.Devices',
    'applied',
    'linux.devices (the node, or every node under a directory) and a device cgroup allow rule; a missing node is a 400',
  ),
  f('HostConfig.DeviceCgroupRules', 'applied', 'allow rules in linux.resources.devices'),
  f('HostConfig.DeviceRequests', 'refused', '"HostConfig.DeviceRequests is not supported yet"'),
  f(
    'HostConfig.KernelMemory',
    'warned',
    '"Specifying a kernel memory limit is deprecated …" (Docker\'s); discarded',
  ),
  f(
    'HostConfig.KernelMemoryTCP',
    'warned',
    '"Specifying a kernel memory TCP limit is deprecated …"; discarded',
  ),
  f('HostConfig.MemoryReservation', 'applied', 'linux.resources.memory.reservation'),
  f('HostConfig.MemorySwap', 'applied', `linux.resources.memory.swap; ${WARN_UNSUPPORTED}`),
  f('HostConfig.MemorySwappiness', 'applied', `linux.resources.memory.swappiness; ${WARN_UNSUPPORTED}`),
  f('HostConfig.NanoCpus', 'applied', 'cpu.quota over a 100 ms period'),
  f(
    'HostConfig.OomKillDisable',
    'applied',
    "memory.disableOOMKiller (+ Docker's warning without a memory limit)",
  ),
  f('HostConfig.Init', 'applied', 'catatonit as PID 1'),
  f('HostConfig.PidsLimit', 'applied', `linux.resources.pids.limit; ${WARN_UNSUPPORTED}`),
  f('HostConfig.Ulimits', 'applied', 'process.rlimits'),
  f('HostConfig.CpuCount', 'warned', '"linux does not support CPU count. Count discarded."'),
  f(
    'HostConfig.CpuPercent',
    'warned',
    '"linux does not support CPU percent. Percent discarded." (Docker\'s)',
  ),
  f(
    'HostConfig.IOMaximumIOps',
    'refused',
    '"invalid option: QoS maximum IOPs configuration is not supported on linux" (Docker\'s)',
  ),
  f(
    'HostConfig.IOMaximumBandwidth',
    'refused',
    '"invalid option: QoS maximum bandwidth configuration is not supported on linux" (Docker\'s)',
  ),
  // HostConfig: the rest
  f('HostConfig.Binds', 'applied', 'bind mounts; a mount over / is a 400'),
  f('HostConfig.ContainerIDFile', 'no-op', 'the CLI writes the file; the daemon ignores it'),
  f(
    'HostConfig.LogConfig',
    'applied',
    'k8s-file/local (conmon), json-file, syslog (relayed), journald, none',
  ),
  f('HostConfig.NetworkMode', 'applied', 'network namespace and endpoint'),
  f(
    'HostConfig.PortBindings',
    'applied',
    'nftables DNAT; with host networking, Docker\'s "Published ports are discarded" warning',
  ),
  f('HostConfig.RestartPolicy', 'applied', 'the supervisor'),
  f('HostConfig.AutoRemove', 'applied', 'removal on exit'),
  f('HostConfig.VolumeDriver', 'applied', 'the driver of the volumes the create makes (only local exists)'),
  f('HostConfig.VolumesFrom', 'applied', "the other container's binds and volumes, ro/rw as asked"),
  f('HostConfig.Mounts', 'applied', 'bind, volume and tmpfs mounts'),
  f('HostConfig.CapAdd', 'applied', 'process.capabilities'),
  f('HostConfig.CapDrop', 'applied', 'process.capabilities'),
  f(
    'HostConfig.CgroupnsMode',
    'applied',
    'host: no cgroup namespace; private: its own; else 400 "invalid cgroup namespace mode"',
  ),
  f('HostConfig.Dns', 'applied', '/etc/resolv.conf'),
  f('HostConfig.DnsOptions', 'applied', '/etc/resolv.conf'),
  f('HostConfig.DnsSearch', 'applied', '/etc/resolv.conf'),
  f('HostConfig.ExtraHosts', 'applied', '/etc/hosts'),
  f('HostConfig.GroupAdd', 'applied', "process.user.additionalGids (names from the image's /etc/group)"),
  f(
    'HostConfig.IpcMode',
    'applied',
    'private/shareable: its own IPC namespace; host; none (no /dev/shm); container:X (a shareable donor); else 400',
  ),
  f('HostConfig.Cgroup', 'refused', '"HostConfig.Cgroup is not supported yet"'),
  f('HostConfig.Links', 'refused', '"HostConfig.Links is not supported yet"'),
  f('HostConfig.OomScoreAdj', 'applied', "process.oomScoreAdj; outside [-1000, 1000] a 400 (Docker's words)"),
  f(
    'HostConfig.PidMode',
    'applied',
    'host: no PID namespace; container:X: joins its; else 400 "invalid PID mode"',
  ),
  f('HostConfig.Privileged', 'applied', 'capabilities, devices, seccomp, paths'),
  f('HostConfig.PublishAllPorts', 'applied', 'random host ports for ExposedPorts'),
  f('HostConfig.ReadonlyRootfs', 'applied', 'root.readonly'),
  f(
    'HostConfig.SecurityOpt',
    'applied',
    'seccomp (profile JSON), no-new-privileges; apparmor=/label= only where the host has the module (else 400, unconfined/disable are no-ops)',
  ),
  f(
    'HostConfig.StorageOpt',
    'refused',
    "\"--storage-opt is supported only for overlay over xfs with 'pquota' mount option\" (Docker's overlay2)",
  ),
  f('HostConfig.Tmpfs', 'applied', "tmpfs mounts with Docker's noexec,nosuid,nodev under the user's options"),
  f('HostConfig.UTSMode', 'applied', "host: no UTS namespace, the host's name; with Hostname a 400"),
  f(
    'HostConfig.UsernsMode',
    'applied',
    'host: kept out of user-namespace remapping; else 400 "invalid USER mode"',
  ),
  f('HostConfig.ShmSize', 'applied', '/dev/shm size'),
  f(
    'HostConfig.Sysctls',
    'applied',
    "linux.sysctl; non-namespaced keys, and net.* on the host network, are a 400 (runc's words)",
  ),
  f('HostConfig.Runtime', 'applied', 'the OCI runtime (crun, runc)'),
  f('HostConfig.ConsoleSize', 'applied', 'process.consoleSize with Tty'),
  f('HostConfig.Isolation', 'refused', "\"invalid isolation (…): linux only supports 'default'\" (Docker's)"),
  f('HostConfig.MaskedPaths', 'applied', 'linux.maskedPaths'),
  f('HostConfig.ReadonlyPaths', 'applied', 'linux.readonlyPaths'),
  // NetworkingConfig
  f(
    'NetworkingConfig',
    'applied',
    'EndpointsConfig: the network joined, Aliases, IPAMConfig.IPv4Address; IPv6Address, LinkLocalIPs and Links are 400s; MacAddress and DriverOpts are warned and discarded',
  ),
];
