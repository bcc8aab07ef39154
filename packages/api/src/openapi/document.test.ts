import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { PolisMetrics } from '@polis/monitor';
import { buildRouter } from '../server.js';
import { fakeDeps } from '../testing/fakes.js';
import { ROUTE_DOCS } from './route-docs.js';
import { openApiDocument } from './document.js';
import { fullDocument, OPENAPI_FILE } from '../testing/openapi.js';

describe('OpenAPI document', () => {
  const router = buildRouter({ ...fakeDeps().deps, metrics: {} as PolisMetrics });
  const served = router.table().filter((r) => !r.notImplemented);

  it('describes every route the router serves, and no route it does not', () => {
    const keys = served.map((r) => `${r.method} ${r.pattern}`);
    assert.deepEqual(
      keys.filter((k) => !(k in ROUTE_DOCS)),
      [],
      'routes without a description',
    );
    assert.deepEqual(
      Object.keys(ROUTE_DOCS).filter((k) => !keys.includes(k)),
      [],
      'descriptions of no route',
    );
  });

  it('refuses to build a document for a route without a description', () => {
    assert.throws(
      () =>
        openApiDocument(
          [{ method: 'GET', pattern: '/new/route', hijack: false, notImplemented: false }],
          'x',
        ),
      { code: 'request.failed' },
    );
  });

  it('leaves out the Docker routes answered 501, and keeps greedy names as plain parameters', () => {
    const doc = fullDocument() as { paths: Record<string, Record<string, unknown>> };
    assert.ok(doc.paths['/images/{name}/json']?.get);
    assert.equal(doc.paths['/swarm'], undefined);
    assert.ok(doc.paths['/polis/v1/openapi.json']?.get);
    const operations = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
    assert.equal(operations, served.length);
  });

  it('the checked-in packages/api/openapi.json is the generated one (regenerate: node packages/api/dist/testing/openapi.js)', () => {
    assert.deepEqual(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')), fullDocument());
  });
});
