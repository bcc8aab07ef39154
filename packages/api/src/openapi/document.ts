import { PolisError } from '@polis/core';
import type { RouteEntry } from '../http/router.js';
import { API_VERSION, MIN_API_VERSION } from '../types.js';
import { ROUTE_DOCS, type RouteDoc } from './route-docs.js';

const CONTENT: Record<NonNullable<RouteDoc['type']>, string> = {
  json: 'application/json',
  text: 'text/plain',
  jsonl: 'application/json',
  stream: 'application/vnd.docker.multiplexed-stream',
  tar: 'application/x-tar',
};

/** `/images/{name*}/json` → `/images/{name}/json` (OpenAPI has no greedy parameter; the name may hold `/`). */
function openApiPath(pattern: string): string {
  return pattern.replace(/\{([a-zA-Z]+)\*\}/g, '{$1}');
}

function operation(entry: RouteEntry, doc: RouteDoc): Record<string, unknown> {
  const params = [...entry.pattern.matchAll(/\{([a-zA-Z]+)(\*?)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
    ...(m[2] ? { description: 'may hold slashes (a registry path)' } : {}),
  }));
  const success: Record<string, unknown> = {
    description: doc.type === 'jsonl' ? 'JSON objects, one per line, as they come' : doc.summary,
    ...(doc.type
      ? { content: { [CONTENT[doc.type]]: { schema: doc.type === 'json' ? {} : { type: 'string' } } } }
      : {}),
  };
  return {
    tags: [doc.tag],
    summary: doc.summary,
    operationId: `${entry.method.toLowerCase()} ${entry.pattern}`,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(entry.hijack
      ? { 'x-polis-hijack': 'answers 101 UPGRADED to `Upgrade: tcp` and streams on the raw connection' }
      : {}),
    responses: {
      [String(doc.status)]: success,
      default: { $ref: '#/components/responses/Error' },
    },
  };
}

/**
 * The OpenAPI 3 document of what the router serves: every route of its table except Docker's routes
 * Polis answers 501 for, each described by its row in `ROUTE_DOCS`. A route without a row is an error,
 * so the document cannot silently fall behind the table.
 */
export function openApiDocument(table: readonly RouteEntry[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const entry of table) {
    if (entry.notImplemented) continue;
    const key = `${entry.method} ${entry.pattern}`;
    const doc = ROUTE_DOCS[key];
    if (!doc) throw new PolisError('request.failed', `route ${key} has no OpenAPI description`);
    const path = openApiPath(entry.pattern);
    paths[path] ??= {};
    paths[path][entry.method.toLowerCase()] = operation(entry, doc);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Polis Engine API',
      version,
      description:
        `Docker Engine API ${API_VERSION} (paths may carry /v${MIN_API_VERSION} to /v${API_VERSION}) and Polis's own ` +
        'routes under /polis/v1. Docker routes Polis lacks answer 501 and are not listed. Errors are ' +
        '`{"message", "code"}` with a stable Polis code. The same operations are served over gRPC ' +
        '(polis.v1, core/proto/polis/v1/polis.proto).',
    },
    servers: [
      { url: 'http://localhost', description: 'unix:///run/polis/polis.sock, or tcp:// with mutual TLS' },
    ],
    paths,
    components: {
      responses: {
        Error: {
          description: "an error: the status from the error's kind, the code stable",
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['message', 'code'],
                properties: {
                  message: { type: 'string' },
                  code: { type: 'string', example: 'container.not_found' },
                },
              },
            },
          },
        },
      },
    },
  };
}
