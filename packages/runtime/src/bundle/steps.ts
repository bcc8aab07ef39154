import type { BindMount, Mount, ResolvedProcess, Spec, SpecStep, TmpfsMount } from '@polis/core';
import { tmpfsOptions } from '@polis/security';
import type { ResolvedUser } from './user.js';

/** The empty OCI config every container starts from. */
export function baseSpec(rootfs: string, readonlyRootfs: boolean): Spec {
  return {
    ociVersion: '1.0.2',
    root: { path: rootfs, readonly: readonlyRootfs },
    process: { user: { uid: 0, gid: 0 }, args: [], cwd: '/' },
    mounts: [],
    linux: {},
  };
}

export function withProcess(
  p: ResolvedProcess,
  user: ResolvedUser,
  tty: boolean,
  hostname: string,
  consoleSize?: [number, number],
): SpecStep {
  return (spec) => {
    const env = [...p.env];
    if (!env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${hostname}`);
    if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`);
    if (tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
    return {
      ...spec,
      process: {
        ...spec.process,
        terminal: tty,
        // The terminal's first size, so the program sees the client's before its first resize.
        ...(tty && consoleSize && consoleSize[0] > 0 && consoleSize[1] > 0
          ? { consoleSize: { height: consoleSize[0], width: consoleSize[1] } }
          : {}),
        user: {
          uid: user.uid,
          gid: user.gid,
          ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}),
        },
        args: [p.path, ...p.args],
        env,
        cwd: p.workingDir,
      },
    };
  };
}

export function withHostname(hostname: string, domainname?: string): SpecStep {
  return (spec) => ({ ...spec, hostname, ...(domainname ? { domainname } : {}) });
}

/** The kernel file systems every container sees, as Docker mounts them. */
export function withDefaultMounts(shmSize: number): SpecStep {
  const mounts: Mount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['ro', 'nosuid', 'noexec', 'nodev'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`],
    },
  ];
  return (spec) => ({ ...spec, mounts: [...(spec.mounts ?? []), ...mounts] });
}

/** /etc/hosts, /etc/hostname and /etc/resolv.conf, written by Polis and bind-mounted in. */
export function withEtcFiles(files: { hosts: string; hostname: string; resolvConf: string }): SpecStep {
  const bind = (source: string, destination: string): Mount => ({
    destination,
    type: 'bind',
    source,
    options: ['rbind', 'rprivate', 'rw'],
  });
  return (spec) => ({
    ...spec,
    mounts: [
      ...(spec.mounts ?? []),
      bind(files.resolvConf, '/etc/resolv.conf'),
      bind(files.hostname, '/etc/hostname'),
      bind(files.hosts, '/etc/hosts'),
    ],
  });
}

export function withBinds(binds: BindMount[]): SpecStep {
  return (spec) => ({
    ...spec,
    mounts: [
      ...(spec.mounts ?? []),
      ...binds.map((b) => ({
        destination: b.destination,
        type: 'bind',
        source: b.source,
        options: ['rbind', b.propagation ?? 'rprivate', b.readonly ? 'ro' : 'rw'],
      })),
    ],
  });
}

export function withTmpfs(mounts: TmpfsMount[]): SpecStep {
  return (spec) => ({
    ...spec,
    mounts: [
      ...(spec.mounts ?? []).filter((m) => !mounts.some((t) => t.destination === m.destination)),
      ...mounts.map((t) => ({
        destination: t.destination,
        type: 'tmpfs',
        source: 'tmpfs',
        // Docker's noexec,nosuid,nodev stay unless the user's options say otherwise.
        options: tmpfsOptions(t.options),
      })),
    ],
  });
}

export function withCgroupsPath(path: string): SpecStep {
  return (spec) => ({ ...spec, linux: { ...spec.linux, cgroupsPath: path } });
}

export function withAnnotations(annotations: Record<string, string>): SpecStep {
  return (spec) => ({ ...spec, annotations: { ...spec.annotations, ...annotations } });
}

export const INIT_PATH = '/sbin/polis-init';

/** `--init`: a small init (catatonit) as PID 1 that reaps zombies and forwards signals. */
export function withInit(hostInit: string): SpecStep {
  return (spec) => ({
    ...spec,
    process: spec.process && { ...spec.process, args: [INIT_PATH, '--', ...spec.process.args] },
    mounts: [
      ...(spec.mounts ?? []),
      { destination: INIT_PATH, type: 'bind', source: hostInit, options: ['rbind', 'ro', 'rprivate'] },
    ],
  });
}
