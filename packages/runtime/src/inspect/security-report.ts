import { createHash } from 'node:crypto';
import { readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Spec } from '@polis/core';
import { readCgroupLimits, type CgroupLimits } from './cgroup-limits.js';
import { mountAt, parseMountinfo } from './mountinfo.js';
import { parseProcStatus } from './proc-status.js';

export interface IdMapLine {
  containerId: number;
  hostId: number;
  size: number;
}

/** What the kernel says about a running container's first process. */
export interface SecurityReport {
  pid: number;
  capabilities: { effective: string[]; permitted: string[]; bounding: string[] };
  seccomp: { mode: number; modeName: 'disabled' | 'strict' | 'filter'; profileDigest: string | null };
  noNewPrivileges: boolean;
  /** By type: `private`, or `host` when it is the host's (same inode as PID 1's). */
  namespaces: Record<string, 'private' | 'host'>;
  uidMap: IdMapLine[];
  gidMap: IdMapLine[];
  readonlyRootfs: boolean;
  /** All of the host's capabilities effective and no seccomp filter: what `--privileged` gives. */
  privileged: boolean;
  /** Each path of the bundle's maskedPaths: covered by a mount, absent in the container, or visible. */
  maskedPaths: { path: string; state: 'masked' | 'absent' | 'visible' }[];
  limits: CgroupLimits;
}

const NAMESPACES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts'] as const;
const SECCOMP_MODES = ['disabled', 'strict', 'filter'] as const;

export interface ReportSources {
  /** The bundle's config.json, for the seccomp section Polis wrote and the masked paths it asked for. */
  configPath: string;
  /** The daemon's bounding set: "all capabilities" on this host. */
  hostCapabilities: readonly string[];
  procRoot?: string;
  cgroupRoot?: string;
}

function idMap(text: string): IdMapLine[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every(Number.isFinite))
    .map(([containerId, hostId, size]) => ({
      containerId: containerId as number,
      hostId: hostId as number,
      size: size as number,
    }));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Reads a running container's security state from the kernel: /proc/PID/status (capabilities, seccomp,
 * NoNewPrivs), /proc/PID/ns against PID 1's (or polisd's), the id maps, mountinfo (root and masked paths), and its
 * cgroup's limit files. Only the seccomp digest and the list of paths to check come from the bundle.
 */
export async function readSecurityReport(pid: number, sources: ReportSources): Promise<SecurityReport> {
  const procRoot = sources.procRoot ?? '/proc';
  const dir = join(procRoot, String(pid));
  const [statusText, uidText, gidText, mountText, configText] = await Promise.all([
    readFile(join(dir, 'status'), 'utf8'),
    readFile(join(dir, 'uid_map'), 'utf8').catch(() => ''),
    readFile(join(dir, 'gid_map'), 'utf8').catch(() => ''),
    readFile(join(dir, 'mountinfo'), 'utf8'),
    readFile(sources.configPath, 'utf8').catch(() => '{}'),
  ]);
  const status = parseProcStatus(statusText);
  const config = JSON.parse(configText) as Spec;
  const namespaces: Record<string, 'private' | 'host'> = {};
  for (const ns of NAMESPACES) {
    const [mine, host] = await Promise.all([
      readlink(join(dir, 'ns', ns)).catch(() => undefined),
      // PID 1's namespaces are the host's; where PID 1 may not be looked at (a sandbox that withholds
      // it), the daemon's own stand in: a container "shares the host's" when it shares polisd's.
      readlink(join(procRoot, '1', 'ns', ns)).catch(() =>
        readlink(join(procRoot, 'self', 'ns', ns)).catch(() => undefined),
      ),
    ]);
    if (mine !== undefined) namespaces[ns] = mine === host ? 'host' : 'private';
  }
  const mounts = parseMountinfo(mountText);
  const maskedPaths = await Promise.all(
    (config.linux?.maskedPaths ?? []).map(async (path) => ({
      path,
      state: mountAt(mounts, path)
        ? ('masked' as const)
        : (await exists(join(dir, 'root', path)))
          ? ('visible' as const)
          : ('absent' as const),
    })),
  );
  const seccomp = config.linux?.seccomp;
  return {
    pid,
    capabilities: { effective: status.capEff, permitted: status.capPrm, bounding: status.capBnd },
    seccomp: {
      mode: status.seccomp,
      modeName: SECCOMP_MODES[status.seccomp] ?? 'disabled',
      profileDigest: seccomp
        ? `sha256:${createHash('sha256').update(JSON.stringify(seccomp)).digest('hex')}`
        : null,
    },
    noNewPrivileges: status.noNewPrivs,
    namespaces,
    uidMap: idMap(uidText),
    gidMap: idMap(gidText),
    readonlyRootfs: mountAt(mounts, '/')?.options.includes('ro') ?? false,
    privileged: status.seccomp === 0 && sources.hostCapabilities.every((c) => status.capEff.includes(c)),
    maskedPaths,
    limits: await readCgroupLimits(pid, sources.cgroupRoot, procRoot),
  };
}
