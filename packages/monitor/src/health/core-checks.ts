import { statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  degraded,
  healthy,
  unhealthy,
  type DaemonConfig,
  type HealthCheck,
  type HealthResult,
} from '@polis/core';

/**
 * Free-space thresholds: below 10 % free is degraded (time to prune), below 2 % or 100 MB unhealthy
 * (pulls, container writes and the state database start failing).
 */
export const SPACE_DEGRADED_RATIO = 0.1;
export const SPACE_UNHEALTHY_RATIO = 0.02;
export const SPACE_UNHEALTHY_BYTES = 100 * 1024 * 1024;

const mb = (n: number): string => `${Math.round(n / (1024 * 1024))} MB`;

/** Judges a file system's free space (pure, for tests). */
export function judgeSpace(what: string, path: string, free: number, total: number): HealthResult {
  const ratio = total > 0 ? free / total : 1;
  const text = `${what} ${path}: ${mb(free)} free of ${mb(total)} (${(ratio * 100).toFixed(1)}%)`;
  const remedy = `free space on ${path}: polis system prune, polis image prune, remove unused volumes`;
  if (ratio < SPACE_UNHEALTHY_RATIO || free < SPACE_UNHEALTHY_BYTES) return unhealthy(text, remedy);
  if (ratio < SPACE_DEGRADED_RATIO) return degraded(text, remedy);
  return healthy(text);
}

async function space(what: string, path: string): Promise<HealthResult> {
  const s = await statfs(path);
  return judgeSpace(what, path, s.bavail * s.bsize, s.blocks * s.bsize);
}

/** The config the daemon runs with makes sense (it was parsed at start; this catches what changed since). */
function configValid(config: DaemonConfig): HealthResult {
  const problems: string[] = [];
  if (!config.dataRoot.startsWith('/')) problems.push('data root is not absolute');
  if (!config.execRoot.startsWith('/')) problems.push('exec root is not absolute');
  if (!(config.defaultRuntime in config.runtimes))
    problems.push(`unknown default runtime ${config.defaultRuntime}`);
  if (config.logMaxSize <= 0 || config.logMaxFiles <= 0) problems.push('log bounds must be positive');
  return problems.length === 0
    ? healthy(`default runtime ${config.defaultRuntime}, data root ${config.dataRoot}`)
    : unhealthy(problems.join('; '), 'fix the daemon configuration and restart polisd');
}

async function writable(dataRoot: string): Promise<HealthResult> {
  const probe = join(dataRoot, `.health-${process.pid}-${Date.now()}`);
  try {
    await writeFile(probe, 'ok');
    await unlink(probe);
    return healthy(`${dataRoot} is writable`);
  } catch (err) {
    await unlink(probe).catch(() => undefined);
    return unhealthy(
      `${dataRoot} is not writable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'check that the file system is mounted read-write and not full',
    );
  }
}

export function coreHealthChecks(config: DaemonConfig): HealthCheck[] {
  return [
    { component: 'core', name: 'configuration', run: () => configValid(config) },
    { component: 'core', name: 'data-root-writable', run: () => writable(config.dataRoot) },
    { component: 'core', name: 'data-root-space', run: () => space('data root', config.dataRoot) },
    { component: 'core', name: 'exec-root-space', run: () => space('exec root', config.execRoot) },
  ];
}
