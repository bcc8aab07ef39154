import { PolisError, type ContainerSpec, type ImageRecord, type ResolvedProcess } from '@polis/core';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Merges env lists: a later entry replaces an earlier one with the same key in its place (as Docker). */
export function mergeEnv(...lists: string[][]): string[] {
  const out = new Map<string, string>();
  for (const list of lists) {
    for (const entry of list) {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? entry : entry.slice(0, eq);
      out.set(key, entry);
    }
  }
  return [...out.values()];
}

/**
 * The process a container runs, as Docker decides it: the request's entrypoint and cmd override the
 * image's; an overridden entrypoint drops the image's cmd; an empty entrypoint (`--entrypoint ""`)
 * clears it.
 */
export function resolveProcess(spec: ContainerSpec, image: ImageRecord): ResolvedProcess {
  const img = image.config.config ?? {};
  const reqEntrypoint = spec.basic.entrypoint;
  const entrypointCleared = reqEntrypoint !== undefined && reqEntrypoint.every((s) => s === '');
  const entrypoint =
    reqEntrypoint === undefined ? (img.Entrypoint ?? []) : entrypointCleared ? [] : reqEntrypoint;
  const cmd = spec.basic.cmd ?? (reqEntrypoint === undefined ? (img.Cmd ?? []) : []);
  const argv = [...entrypoint, ...cmd];
  if (argv.length === 0) {
    throw new PolisError('request.invalid', 'no command specified', { context: { image: spec.image } });
  }
  const env = mergeEnv(img.Env ?? [`PATH=${DEFAULT_PATH}`], spec.basic.env);
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(`PATH=${DEFAULT_PATH}`);
  return {
    path: argv[0] as string,
    args: argv.slice(1),
    env,
    workingDir: spec.basic.workingDir || img.WorkingDir || '/',
    user: spec.basic.user ?? img.User ?? '',
  };
}
