import { PolisError, type ContainerRecord, type ContainerSpec, type SpecStep } from '@polis/core';
import type { NamespaceOptions } from '@polis/security';
import type { RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';

const CONTAINER = 'container:';

/** What `/dev/shm` is: the container's own tmpfs, none (`--ipc none`), or a bind of the one it shares. */
export type ShmChoice = { kind: 'private' } | { kind: 'none' } | { kind: 'bind'; source: string };

export interface NamespaceModes {
  pid?: NamespaceOptions['pid'];
  ipc?: NamespaceOptions['ipc'];
  uts?: 'host';
  shm: ShmChoice;
}

/** The other container of `container:X`, which must be running (Docker's words). */
function donor(ctx: RuntimeContext, kind: 'pid' | 'ipc', mode: string): ContainerRecord {
  const other = resolveContainer(ctx.store, mode.slice(CONTAINER.length));
  if (other.state.status !== 'running' || other.state.pid <= 0) {
    throw new PolisError(
      'container.not_running',
      `cannot join ${kind.toUpperCase()} namespace of a non running container: container ${other.id} is ${other.state.status}`,
      { context: { id: other.id } },
    );
  }
  return other;
}

/** Checked at create, as Docker does, so a bad mode is a 400 (or a 404 for a missing container). */
export function checkNamespaceModes(ctx: RuntimeContext, spec: ContainerSpec): void {
  const { pidMode = '', ipcMode = '', utsMode = '', usernsMode = '' } = spec.security;
  if (!['', 'host'].includes(pidMode) && !pidMode.startsWith(CONTAINER))
    throw new PolisError('request.invalid', `invalid PID mode: ${pidMode}`);
  if (!['', 'private', 'shareable', 'host', 'none'].includes(ipcMode) && !ipcMode.startsWith(CONTAINER))
    throw new PolisError('request.invalid', `invalid IPC mode: ${ipcMode}`);
  if (!['', 'host'].includes(utsMode))
    throw new PolisError('request.invalid', `invalid UTS mode: ${utsMode}`);
  if (!['', 'host'].includes(usernsMode))
    throw new PolisError('request.invalid', `invalid USER mode: ${usernsMode}`);
  if (utsMode === 'host' && spec.basic.hostname)
    throw new PolisError('request.invalid', 'conflicting options: hostname and the UTS mode');
  for (const mode of [pidMode, ipcMode]) {
    if (mode.startsWith(CONTAINER)) resolveContainer(ctx.store, mode.slice(CONTAINER.length));
  }
}

/** The namespaces a container joins at start, resolved against the containers running now. */
export function namespaceModes(ctx: RuntimeContext, record: ContainerRecord): NamespaceModes {
  const { pidMode = '', ipcMode = '', utsMode = '' } = record.spec.security;
  const out: NamespaceModes = { shm: { kind: 'private' } };
  if (pidMode === 'host') out.pid = 'host';
  else if (pidMode.startsWith(CONTAINER))
    out.pid = { path: `/proc/${donor(ctx, 'pid', pidMode).state.pid}/ns/pid` };
  if (ipcMode === 'host') {
    out.ipc = 'host';
    out.shm = { kind: 'bind', source: '/dev/shm' };
  } else if (ipcMode === 'none') out.shm = { kind: 'none' };
  else if (ipcMode.startsWith(CONTAINER)) {
    const other = donor(ctx, 'ipc', ipcMode);
    if (other.spec.security.ipcMode !== 'shareable' && other.spec.security.ipcMode !== 'host') {
      throw new PolisError(
        'request.invalid',
        `cannot join IPC of container ${other.id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`,
      );
    }
    // SysV shared memory, semaphores and message queues live in the IPC namespace and are shared.
    // The donor's /dev/shm is a tmpfs inside its mount namespace, which the kernel will not bind
    // from outside it (EINVAL), so the joiner keeps a /dev/shm of its own (see docs/architecture.md).
    out.ipc = { path: `/proc/${other.state.pid}/ns/ipc` };
  }
  if (utsMode === 'host') out.uts = 'host';
  return out;
}

/** `/dev/shm` as the IPC mode wants it: the default tmpfs, none at all, or a bind of a shared one. */
export function withShm(choice: ShmChoice): SpecStep {
  if (choice.kind === 'private') return (spec) => spec;
  return (spec) => {
    const mounts = (spec.mounts ?? []).filter((m) => m.destination !== '/dev/shm');
    if (choice.kind === 'bind') {
      mounts.push({
        destination: '/dev/shm',
        type: 'bind',
        source: choice.source,
        options: ['rbind', 'rprivate', 'rw'],
      });
    }
    return { ...spec, mounts };
  };
}

/** A UTS namespace shared with the host has the host's name: the spec may not set one. */
export function withoutHostname(uts: 'host' | undefined): SpecStep {
  if (uts !== 'host') return (spec) => spec;
  return (spec) => {
    const { hostname: _h, domainname: _d, ...rest } = spec;
    return rest;
  };
}

/** A privileged container's /sys and /sys/fs/cgroup are writable, as Docker mounts them. */
export function withWritableSys(privileged: boolean): SpecStep {
  if (!privileged) return (spec) => spec;
  return (spec) => ({
    ...spec,
    mounts: (spec.mounts ?? []).map((m) =>
      m.destination === '/sys' || m.destination === '/sys/fs/cgroup'
        ? { ...m, options: (m.options ?? []).map((o) => (o === 'ro' ? 'rw' : o)) }
        : m,
    ),
  });
}
