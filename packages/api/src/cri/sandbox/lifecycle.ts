import { isPolisError } from '@polis/core';
import type { CriDeps } from '../deps.js';
import { containersOf, findCri, maybeCri } from '../lookup.js';

/** StopPodSandbox: stops its containers, then the sandbox (its ports and addresses go with it). */
export async function stopPodSandbox(deps: CriDeps, req: { podSandboxId?: string }): Promise<object> {
  const sandbox = maybeCri(deps.containers, req.podSandboxId ?? '', 'sandbox');
  if (!sandbox) return {};
  await Promise.all(
    containersOf(deps.containers, sandbox.id).map((c) =>
      deps.containers.stop(c.id, { timeout: 0 }).catch(ignoreGone),
    ),
  );
  await deps.containers.stop(sandbox.id, { timeout: 10 }).catch(ignoreGone);
  return {};
}

/** RemovePodSandbox: removes its containers (running ones forcibly), then the sandbox; idempotent. */
export async function removePodSandbox(deps: CriDeps, req: { podSandboxId?: string }): Promise<object> {
  const sandbox = maybeCri(deps.containers, req.podSandboxId ?? '', 'sandbox');
  if (!sandbox) return {};
  for (const c of containersOf(deps.containers, sandbox.id)) {
    await deps.containers.remove(c.id, { force: true }).catch(ignoreGone);
  }
  await deps.containers.remove(sandbox.id, { force: true }).catch(ignoreGone);
  return {};
}

/** Throws unless the sandbox exists; for calls that must name a real one. */
export function requireSandbox(deps: CriDeps, id: string | undefined) {
  return findCri(deps.containers, id ?? '', 'sandbox');
}

function ignoreGone(err: unknown): void {
  if (isPolisError(err) && ['not_found', 'not_modified'].includes(err.kind)) return;
  if (isPolisError(err, 'container.not_running')) return;
  throw err;
}
