import type { AttachOptions } from '@polis/runtime';
import { boolParam, stringParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { MULTIPLEXED, RAW_STREAM, pumpEntries } from '../../stream/frames.js';
import type { ApiDeps } from '../../types.js';

/**
 * `POST /containers/{id}/attach`. With `Upgrade: tcp` the socket is hijacked (101 UPGRADED) and also
 * carries the client's stdin; without, the output comes as a streamed 200 body. The connection ends
 * when the container's output ends.
 */
export function attachRoute(router: Router, deps: ApiDeps): void {
  router.add(
    'POST',
    '/containers/{id}/attach',
    async ({ params, query, reply }) => {
      const id = params.id as string;
      const tty = deps.containers.get(id).spec.basic.tty;
      const options: AttachOptions = {
        logs: boolParam(query, 'logs'),
        stream: boolParam(query, 'stream'),
        stdout: boolParam(query, 'stdout'),
        stderr: boolParam(query, 'stderr'),
      };
      const detachKeys = stringParam(query, 'detachKeys');
      if (detachKeys !== undefined) options.detachKeys = detachKeys;
      const wantsStdin = boolParam(query, 'stdin');
      const out = reply.stream(tty ? RAW_STREAM : MULTIPLEXED);
      if (wantsStdin) options.stdin = reply.input();
      const entries = deps.containers.attach(id, options, reply.signal);
      await pumpEntries(entries, out, { tty, timestamps: false }, reply.signal);
      reply.end();
    },
    { hijack: true },
  );
}
