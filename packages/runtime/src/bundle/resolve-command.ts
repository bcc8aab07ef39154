import { lstat, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { posix } from 'node:path';
import { PolisError, isPolisError, type ErrorCode, type Mount, type Spec } from '@polis/core';

/** Why a container's command cannot run, as Docker tells it apart (exit 127 and 126). */
export type CommandProblem = 'container.command_not_found' | 'container.command_not_executable';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MAX_SYMLINKS = 40;

type Lookup = { kind: 'file'; stats: Stats } | { kind: 'missing' } | { kind: 'unknown' };

/**
 * Looks the process's executable up in the rootfs the way the OCI runtime will (a name with a slash
 * as it is, relative to cwd; a bare name along PATH from the process's env), resolving symlinks inside
 * the rootfs only. Undefined when it is there and executable for the process's user, or when this
 * cannot be told from the rootfs (the path goes through a mount the runtime adds). Only a failure of
 * the runtime is classified with it: the runtime's own message stays the error's text.
 */
export async function commandProblem(
  rootfs: string,
  process: Pick<NonNullable<Spec['process']>, 'args' | 'env' | 'cwd' | 'user'>,
  mounts: Mount[] = [],
): Promise<CommandProblem | undefined> {
  const command = process.args[0];
  if (!command) return 'container.command_not_found';
  const destinations = new Set(mounts.map((m) => posix.normalize(m.destination)));
  const candidates = command.includes('/')
    ? [posix.resolve(process.cwd || '/', command)]
    : searchPath(process.env).map((dir) => posix.join(posix.resolve('/', dir), command));
  let notExecutable = false;
  for (const candidate of candidates) {
    const found = await lookup(rootfs, candidate, destinations);
    if (found.kind === 'unknown') return undefined;
    if (found.kind === 'missing') continue;
    if (executable(found.stats, process.user)) return undefined;
    notExecutable = true;
  }
  return notExecutable ? 'container.command_not_executable' : 'container.command_not_found';
}

/**
 * A failure of the runtime to create or start the process, given the code the lookup found (exit 127 or
 * 126, as Docker); any other failure keeps its code and gets exit 128.
 */
export function classifyStartFailure(err: PolisError, problem: CommandProblem | undefined): PolisError {
  const fromRuntime = isPolisError(err, 'container.start_failed') || isPolisError(err, 'runtime.failed');
  if (!problem || !fromRuntime) return err;
  const exitCode = problem === 'container.command_not_found' ? 127 : 126;
  return new PolisError(problem as ErrorCode, err.message, {
    cause: err,
    context: { ...err.context, exitCode },
  });
}

function searchPath(env: string[] | undefined): string[] {
  const entry = env?.findLast((e) => e.startsWith('PATH='));
  const value = entry === undefined ? DEFAULT_PATH : entry.slice('PATH='.length);
  // An empty PATH element means the working directory to execvp; runtimes resolve from `/` there.
  return value.split(':').map((dir) => dir || '.');
}

/** Walks `path` inside `rootfs` component by component, following symlinks without leaving it. */
async function lookup(rootfs: string, path: string, mounts: Set<string>): Promise<Lookup> {
  const pending = path.split('/').filter(Boolean);
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    resolved.push(part);
    if (mounts.has(`/${resolved.join('/')}`)) return { kind: 'unknown' };
    let stats: Stats;
    try {
      stats = await lstat(posix.join(rootfs, ...resolved));
    } catch {
      return { kind: 'missing' };
    }
    if (stats.isSymbolicLink()) {
      if (++hops > MAX_SYMLINKS) return { kind: 'missing' };
      const target = await readlink(posix.join(rootfs, ...resolved));
      resolved.pop();
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    if (pending.length === 0) return { kind: 'file', stats };
    if (!stats.isDirectory()) return { kind: 'missing' };
  }
  return { kind: 'missing' };
}

/** A regular file with the execute bit that applies to the process's user (root: any of them). */
function executable(stats: Stats, user: { uid: number; gid: number; additionalGids?: number[] }): boolean {
  if (!stats.isFile()) return false;
  if (user.uid === 0) return (stats.mode & 0o111) !== 0;
  if (stats.uid === user.uid) return (stats.mode & 0o100) !== 0;
  if (stats.gid === user.gid || user.additionalGids?.includes(stats.gid)) return (stats.mode & 0o010) !== 0;
  return (stats.mode & 0o001) !== 0;
}
