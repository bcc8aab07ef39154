import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Router } from '../http/router.js';
import type { ApiDeps } from '../types.js';
import { API_VERSION } from '../types.js';
import { serverStream, unary } from './call.js';
import { filtersQuery, type FilterMap, type Json, type Ref } from './messages.js';
import { callRoute } from './route-call.js';

const seg = encodeURIComponent;

/** `polis.v1.Networks` and `polis.v1.Volumes`: the REST handlers, run in-process. */
export function networksService(router: Router): UntypedServiceImplementation {
  return {
    List: unary(async (r: { filters: FilterMap }, signal): Promise<Json> => {
      const q = { filters: filtersQuery(r.filters) };
      const { body } = await callRoute(router, { method: 'GET', path: '/networks', query: q, signal });
      return { json: JSON.stringify(body) };
    }),
    Inspect: unary(async (r: Ref, signal): Promise<Json> => {
      const { body } = await callRoute(router, { method: 'GET', path: `/networks/${seg(r.id)}`, signal });
      return { json: JSON.stringify(body) };
    }),
    Create: unary(async (r: Json, signal) => {
      const { body } = await callRoute(router, {
        method: 'POST',
        path: '/networks/create',
        body: r.json,
        signal,
      });
      const created = body as { Id: string; Warning?: string };
      return { id: created.Id, warning: created.Warning ?? '' };
    }),
    Remove: unary(async (r: Ref, signal) => {
      await callRoute(router, { method: 'DELETE', path: `/networks/${seg(r.id)}`, signal });
      return {};
    }),
  };
}

export function volumesService(router: Router): UntypedServiceImplementation {
  return {
    List: unary(async (r: { filters: FilterMap }, signal): Promise<Json> => {
      const q = { filters: filtersQuery(r.filters) };
      const { body } = await callRoute(router, { method: 'GET', path: '/volumes', query: q, signal });
      return { json: JSON.stringify(body) };
    }),
    Inspect: unary(async (r: Ref, signal): Promise<Json> => {
      const { body } = await callRoute(router, { method: 'GET', path: `/volumes/${seg(r.id)}`, signal });
      return { json: JSON.stringify(body) };
    }),
    Create: unary(async (r: Json, signal): Promise<Json> => {
      const { body } = await callRoute(router, {
        method: 'POST',
        path: '/volumes/create',
        body: r.json,
        signal,
      });
      return { json: JSON.stringify(body) };
    }),
    Remove: unary(async (r: { name: string; force: boolean }, signal) => {
      const q = { force: r.force };
      await callRoute(router, { method: 'DELETE', path: `/volumes/${seg(r.name)}`, query: q, signal });
      return {};
    }),
  };
}

interface EventsRequest {
  filters: FilterMap;
  since: number;
  until: number;
}

interface DockerEventLine {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  timeNano?: number;
}

/** Docker's `since`/`until` text (seconds with a fraction) from nanoseconds. */
function secondsText(ns: number): string | undefined {
  if (!ns) return undefined;
  return `${Math.floor(ns / 1e9)}.${String(ns % 1e9).padStart(9, '0')}`;
}

/** `polis.v1.System`: version, and events through `GET /events` (same filters, history and live bus). */
export function systemService(deps: ApiDeps, router: Router): UntypedServiceImplementation {
  return {
    Version: unary(async (_r: unknown, signal) => {
      const { body } = await callRoute(router, { method: 'GET', path: '/version', signal });
      return { version: deps.system.version().Version, apiVersion: API_VERSION, json: JSON.stringify(body) };
    }),
    Events: serverStream(async (call: ServerWritableStream<EventsRequest, unknown>, signal) => {
      const r = call.request;
      await callRoute(router, {
        method: 'GET',
        path: '/events',
        query: { filters: filtersQuery(r.filters), since: secondsText(r.since), until: secondsText(r.until) },
        signal,
        onLine: (value) => {
          const e = value as DockerEventLine;
          call.write({
            type: e.Type ?? '',
            action: e.Action ?? '',
            actorId: e.Actor?.ID ?? '',
            attributes: e.Actor?.Attributes ?? {},
            timeNano: e.timeNano ?? 0,
            json: JSON.stringify(value),
          });
        },
      });
    }),
  };
}
