import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { isErrorCode, PolisError } from '@polis/core';
import type { Router } from '../http/router.js';
import { serverStream, unary } from './call.js';
import { filtersQuery, type FilterMap, type Json, type Ref } from './messages.js';
import { callRoute } from './route-call.js';

interface PullRequest {
  reference: string;
  platform: string;
  authJson: string;
}

interface ProgressLine {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message: string };
  polisCode?: string;
}

const seg = encodeURIComponent;

/** `polis.v1.Images`: each call is the REST handler's, run in-process (pull streams its progress lines). */
export function imagesService(router: Router): UntypedServiceImplementation {
  return {
    Pull: serverStream(async (call: ServerWritableStream<PullRequest, unknown>, signal) => {
      const r = call.request;
      let failure: PolisError | undefined;
      await callRoute(router, {
        method: 'POST',
        path: '/images/create',
        query: { fromImage: r.reference, platform: r.platform || undefined },
        headers: r.authJson ? { 'x-registry-auth': Buffer.from(r.authJson).toString('base64url') } : {},
        signal,
        onLine: (value) => {
          const line = value as ProgressLine;
          if (line.errorDetail || line.error) {
            const message = line.errorDetail?.message ?? line.error ?? 'pull failed';
            const code = line.polisCode && isErrorCode(line.polisCode) ? line.polisCode : 'request.failed';
            failure = new PolisError(code, message);
            return;
          }
          call.write({
            id: line.id ?? '',
            status: line.status ?? '',
            current: line.progressDetail?.current ?? 0,
            total: line.progressDetail?.total ?? 0,
            image: '',
          });
        },
      });
      // A failure after the first line is an `errorDetail` line in REST; here it is the call's status.
      if (failure !== undefined) throw failure;
      if (!signal.aborted) call.write({ id: '', status: 'done', current: 0, total: 0, image: r.reference });
    }),
    List: unary(async (r: { all: boolean; filters: FilterMap }, signal): Promise<Json> => {
      const { body } = await callRoute(router, {
        method: 'GET',
        path: '/images/json',
        query: { all: r.all, filters: filtersQuery(r.filters) },
        signal,
      });
      return { json: JSON.stringify(body) };
    }),
    Inspect: unary(async (r: Ref, signal): Promise<Json> => {
      const { body } = await callRoute(router, { method: 'GET', path: `/images/${seg(r.id)}/json`, signal });
      return { json: JSON.stringify(body) };
    }),
    Remove: unary(async (r: { name: string; force: boolean }, signal): Promise<Json> => {
      const { body } = await callRoute(router, {
        method: 'DELETE',
        path: `/images/${seg(r.name)}`,
        query: { force: r.force },
        signal,
      });
      return { json: JSON.stringify(body) };
    }),
  };
}
