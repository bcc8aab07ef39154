import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { PolisError } from '@polis/core';
import type { StatsSample } from '@polis/monitor';
import type { Router } from '../http/router.js';
import { dockerStats } from '../docker/stats-shape.js';
import type { ApiDeps } from '../types.js';
import { serverStream, unary } from './call.js';
import { attachCall, execCall } from './exec.js';
import { filtersQuery, type FilterMap, type Json, type Output, type Ref } from './messages.js';
import { callRoute } from './route-call.js';

const seg = encodeURIComponent;

interface LogsRequest {
  id: string;
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  tail?: number;
  since?: number;
  until?: number;
}

/** `polis.v1.Containers`: the unary calls run the REST handlers in-process; streams use the managers. */
export function containersService(deps: ApiDeps, router: Router): UntypedServiceImplementation {
  const c = deps.containers;
  const route = (method: string, path: string, signal: AbortSignal, more: object = {}) =>
    callRoute(router, { method, path, signal, ...more });
  return {
    Create: unary(async (r: { bodyJson: string; name: string }, signal) => {
      const { body } = await route('POST', '/containers/create', signal, {
        body: r.bodyJson,
        query: { name: r.name || undefined },
      });
      const created = body as { Id: string; Warnings: string[] };
      return { id: created.Id, warnings: created.Warnings };
    }),
    Start: unary(async (r: Ref, signal) => {
      await route('POST', `/containers/${seg(r.id)}/start`, signal);
      return {};
    }),
    Stop: unary(async (r: { id: string; timeout?: number; signal?: string }, signal) => {
      await route('POST', `/containers/${seg(r.id)}/stop`, signal, {
        query: { t: r.timeout, signal: r.signal },
      });
      return {};
    }),
    Kill: unary(async (r: { id: string; signal?: string }, signal) => {
      await route('POST', `/containers/${seg(r.id)}/kill`, signal, { query: { signal: r.signal } });
      return {};
    }),
    Remove: unary(async (r: { id: string; force: boolean; volumes: boolean }, signal) => {
      await route('DELETE', `/containers/${seg(r.id)}`, signal, { query: { force: r.force, v: r.volumes } });
      return {};
    }),
    Inspect: unary(async (r: Ref, signal): Promise<Json> => {
      const { body } = await route('GET', `/containers/${seg(r.id)}/json`, signal);
      return { json: JSON.stringify(body) };
    }),
    List: unary(async (r: { all: boolean; limit: number; filters: FilterMap }, signal): Promise<Json> => {
      const { body } = await route('GET', '/containers/json', signal, {
        query: { all: r.all, limit: r.limit || undefined, filters: filtersQuery(r.filters) },
      });
      return { json: JSON.stringify(body) };
    }),
    Wait: unary(async (r: { id: string; condition: string }, signal) => {
      const { body } = await route('POST', `/containers/${seg(r.id)}/wait`, signal, {
        query: { condition: r.condition || undefined },
      });
      const result = body as { StatusCode: number; Error: { Message: string } | null };
      return { statusCode: result.StatusCode, error: result.Error?.Message ?? '' };
    }),
    Logs: serverStream(async (call: ServerWritableStream<LogsRequest, Output>, signal) => {
      const r = call.request;
      if (!r.stdout && !r.stderr)
        throw new PolisError('request.invalid', 'Bad parameters: you must choose at least one stream');
      const entries = c.logs(
        r.id,
        {
          stdout: r.stdout,
          stderr: r.stderr,
          follow: r.follow,
          ...(r.tail !== undefined && r.tail > 0 ? { tail: r.tail } : {}),
          ...(r.since !== undefined ? { since: r.since } : {}),
          ...(r.until !== undefined ? { until: r.until } : {}),
        },
        signal,
      );
      for await (const e of entries) {
        if (signal.aborted) return;
        call.write({ stream: e.stream === 'stderr' ? 'STDERR' : 'STDOUT', data: e.data, time: e.time });
      }
    }),
    Stats: serverStream((call: ServerWritableStream<Ref, unknown>, signal) =>
      streamStats(deps, call, signal),
    ),
    Exec: execCall(c),
    Attach: attachCall(c),
  };
}

/** Samples from the shared sampler until the call ends; its end unsubscribes, so sampling stops. */
async function streamStats(deps: ApiDeps, call: ServerWritableStream<Ref, unknown>, signal: AbortSignal) {
  const sampler = deps.stats;
  if (!sampler) throw new PolisError('request.not_implemented', 'stats are not available');
  const record = deps.containers.get(call.request.id);
  const who = { id: record.id, name: record.name };
  await new Promise<void>((resolve) => {
    const deliver = (sample: StatsSample | undefined, previous: StatsSample | undefined): void => {
      if (signal.aborted) return;
      call.write({
        json: JSON.stringify(dockerStats(who, sample, previous)),
        cpuPercent: cpuPercent(sample, previous),
        memoryUsage: sample?.memory.usage ?? 0,
        memoryLimit: sample?.memory.limit ?? 0,
        pids: sample?.pids.current ?? 0,
      });
    };
    const unsubscribe = sampler.subscribe(record.id, deliver);
    signal.addEventListener(
      'abort',
      () => {
        unsubscribe();
        resolve();
      },
      { once: true },
    );
  });
}

/** docker stats' CPU %: the container's share of the host's CPU time since the previous reading. */
function cpuPercent(sample: StatsSample | undefined, previous: StatsSample | undefined): number {
  if (!sample || !previous) return 0;
  const cpu = sample.cpu.totalNs - previous.cpu.totalNs;
  const system = sample.systemCpuNs - previous.systemCpuNs;
  return cpu > 0 && system > 0 ? (cpu / system) * sample.onlineCpus * 100 : 0;
}
