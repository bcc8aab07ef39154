import { createLogger } from '@polis/core';
import type { WaitCondition, WaitResult } from '@polis/runtime';
import { invalid } from '../../http/errors.js';
import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';

const log = createLogger('api');

export function parseCondition(raw: string | null): WaitCondition {
  if (raw === null || raw === '' || raw === 'not-running') return 'not-running';
  if (raw === 'next-exit' || raw === 'removed') return raw;
  throw invalid(`invalid condition: ${JSON.stringify(raw)}`);
}

type Outcome = { ok: true; value: WaitResult } | { ok: false; error: unknown };

/**
 * `POST /containers/{id}/wait`. Like Docker, the head is sent as soon as the wait is registered, so a
 * client that waits before it starts the container knows it will not miss the exit; the body follows.
 */
export function waitRoute(router: Router, deps: ApiDeps): void {
  router.add('POST', '/containers/{id}/wait', async ({ params, query, reply }) => {
    const condition = parseCondition(query.get('condition'));
    const id = params.id as string;
    deps.containers.get(id);
    let outcome: Outcome | undefined;
    const pending = deps.containers.wait(id, condition, reply.signal).then(
      (value): Outcome => (outcome = { ok: true, value }),
      (error): Outcome => (outcome = { ok: false, error }),
    );
    // A failure the runtime knows at once (gone, invalid) is still a proper HTTP error, not a body.
    await new Promise((resolve) => setImmediate(resolve));
    if (outcome && !outcome.ok) throw outcome.error;
    const out = reply.stream('application/json');
    const result = await pending;
    if (reply.signal.aborted) return;
    if (result.ok) {
      out.end(
        JSON.stringify({ StatusCode: result.value.StatusCode, Error: result.value.Error ?? null }) + '\n',
      );
    } else {
      log.warn('wait failed', { id, error: result.error });
      const message = result.error instanceof Error ? result.error.message : String(result.error);
      out.end(JSON.stringify({ StatusCode: -1, Error: { Message: message } }) + '\n');
    }
  });
}
