import type { Writable } from 'node:stream';
import { PolisError, toPolisError } from '@polis/core';
import { declaredLength, normalizeReference, hostPlatform } from '@polis/image';
import { imageEvent } from '@polis/monitor';
import type { BuildMessage } from '../build/output.js';
import { invalid } from '../http/errors.js';
import { boolParam } from '../http/query.js';
import type { Router } from '../http/router.js';
import type { ApiDeps } from '../types.js';
import { jsonLine } from './images/create.js';

/**
 * `POST /build` (Docker's classic builder: a tar context as the body, JSON lines back) and
 * `POST /build/prune`. A failure before the first line is a plain error reply with its status; after
 * it, Docker's `errorDetail` line (with the exit code of a failed RUN).
 */
export function buildRoutes(router: Router, deps: ApiDeps): void {
  router.add('POST', '/build', async ({ req, query, reply }) => {
    const builds = deps.builds;
    if (!builds) throw new PolisError('request.not_implemented', 'this daemon has no builder');
    if ((query.get('remote') ?? '') !== '')
      throw invalid('remote build contexts are not supported by Polis: send the context as a tar body');
    const tags = query.getAll('t').filter((t) => t !== '');
    // Checked before anything is built, so a bad name is a 400 and not a failure at the end.
    for (const t of tags) normalizeReference(t);
    const platform = query.get('platform') ?? '';
    if (platform !== '' && !samePlatform(platform))
      throw invalid(
        `platform ${platform} cannot be built on this ${hostPlatform().os}/${hostPlatform().architecture} host`,
      );
    let out: Writable | undefined;
    const write = (m: BuildMessage): void => {
      out ??= reply.stream('application/json');
      out.write(jsonLine(m));
    };
    try {
      const id = await builds.build({
        context: req,
        ...lengthOf(req.headers['content-length']),
        dockerfile: query.get('dockerfile') || 'Dockerfile',
        tags,
        buildArgs: jsonObject(query, 'buildargs') as Record<string, string | null>,
        labels: jsonObject(query, 'labels') as Record<string, string>,
        ...(query.get('target') ? { target: query.get('target') as string } : {}),
        noCache: boolParam(query, 'nocache'),
        pull: boolParam(query, 'pull'),
        network: query.get('networkmode') || 'default',
        quiet: boolParam(query, 'q'),
        signal: reply.signal,
        write,
      });
      for (const t of tags) deps.events?.publish(imageEvent('tag', id, { name: t }));
    } catch (err) {
      if (out === undefined) throw err;
      const e = toPolisError(err);
      const code = e.context.exitCode;
      write({
        errorDetail: { message: e.message, ...(typeof code === 'number' ? { code } : {}) },
        error: e.message,
      });
    }
    out ??= reply.stream('application/json');
    out.end();
  });
  router.add('POST', '/build/prune', async ({ query, reply }) => {
    const builds = deps.builds;
    if (!builds) throw new PolisError('request.not_implemented', 'this daemon has no builder');
    reply.json(200, await builds.prune(boolParam(query, 'all')));
  });
}

function lengthOf(header: string | undefined): { contextLength?: number } {
  const n = declaredLength(header);
  return n === undefined ? {} : { contextLength: n };
}

function jsonObject(query: URLSearchParams, name: string): Record<string, unknown> {
  const text = query.get(name);
  if (text === null || text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(`${name} is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(`${name} must be a JSON object`);
  for (const v of Object.values(value)) {
    if (v !== null && typeof v !== 'string') throw invalid(`${name} values must be strings`);
  }
  return value as Record<string, unknown>;
}

function samePlatform(platform: string): boolean {
  const host = hostPlatform();
  const [os, arch] = platform.toLowerCase().split('/');
  return os === host.os && (arch === undefined || arch === host.architecture);
}
