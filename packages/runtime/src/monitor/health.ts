import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { healthy, proc, unhealthy, type HealthCheck, type HealthResult } from '@polis/core';
import type { RuntimeContext } from '../context.js';
import { LOST_SUPERVISOR } from './supervisor-lost.js';

/** `--version` answers are kept this long: a binary does not change by the second, and spawning costs. */
const VERSION_CACHE_MS = 60_000;
const VERSION_TIMEOUT_MS = 2000;

const versions = new Map<string, { at: number; result: Promise<HealthResult> }>();

function answers(path: string): Promise<HealthResult> {
  const cached = versions.get(path);
  if (cached && Date.now() - cached.at < VERSION_CACHE_MS) return cached.result;
  const result = proc
    .run(path, ['--version'], { timeoutMs: VERSION_TIMEOUT_MS })
    .then((r) => healthy(`${path}: ${(r.stdout.split('\n')[0] ?? '').trim()}`))
    .catch((err: unknown) =>
      unhealthy(
        `${path} --version failed: ${(err as Error).message}`,
        `install ${basename(path)} (Debian: apt-get install ${basename(path)}) or fix its path in the daemon config`,
      ),
    );
  versions.set(path, { at: Date.now(), result });
  return result;
}

/**
 * Every running container's conmon is the process recorded at its start; a container whose conmon
 * was lost (the supervisor watch records it within a second) stays listed until it is started again
 * or removed, since its logs and exit code of that run are gone.
 */
function supervisors(ctx: RuntimeContext): HealthResult {
  const bad: string[] = [];
  let live = 0;
  for (const r of ctx.store.shared()) {
    const s = r.state.status;
    if (s === 'running' || s === 'paused') {
      live++;
      if (ctx.supervised.has(r.id) && !ctx.supervised.alive(r.id)) bad.push(r.name);
    } else if (r.state.error === LOST_SUPERVISOR) {
      bad.push(r.name);
    }
  }
  if (bad.length === 0) return healthy(`${live} running containers supervised`);
  const names = bad.join(', ');
  return unhealthy(
    `container supervisor (conmon) lost: ${names}`,
    `its process was killed and its last logs lost: polis start or polis rm -f ${names}`,
  );
}

/** Mount points of this mount namespace (octal escapes undone). */
async function mountPoints(): Promise<Set<string>> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const out = new Set<string>();
  for (const line of info.split('\n')) {
    const field = line.split(' ')[4];
    if (field) out.add(field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

/** Every running container's root file system (its overlay) is mounted where its bundle points. */
async function rootfsMounts(ctx: RuntimeContext): Promise<HealthResult> {
  const live = ctx.store
    .shared()
    .filter(
      (r) => (r.state.status === 'running' || r.state.status === 'paused') && !ctx.launching?.has(r.id),
    );
  if (live.length === 0) return healthy('no running container');
  const mounted = await mountPoints();
  const bad = live.filter((r) => !mounted.has(r.paths.rootfs)).map((r) => r.name);
  if (bad.length === 0) return healthy(`${live.length} running containers have their rootfs mounted`);
  return unhealthy(
    `rootfs not mounted for running containers: ${bad.join(', ')}`,
    `restart them: polis restart ${bad.join(' ')}`,
  );
}

export function runtimeHealthChecks(ctx: RuntimeContext): HealthCheck[] {
  const runtimes = [...new Set([ctx.config.defaultRuntime])].map((name): HealthCheck => ({
    component: 'runtime',
    name: `oci-runtime-${name}`,
    run: () => answers(ctx.config.runtimes[name]),
  }));
  return [
    ...runtimes,
    { component: 'runtime', name: 'conmon', run: () => answers(ctx.config.conmonPath) },
    { component: 'runtime', name: 'supervisors', run: () => supervisors(ctx) },
    { component: 'storage', name: 'rootfs-mounts', run: () => rootfsMounts(ctx) },
  ];
}
