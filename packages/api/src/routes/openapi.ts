import type { Router } from '../http/router.js';
import { openApiDocument } from '../openapi/document.js';
import type { ApiDeps } from '../types.js';

/** `GET /polis/v1/openapi.json`: the OpenAPI 3 document, made from this router's own table. */
export function openApiRoute(router: Router, deps: ApiDeps): void {
  router.add('GET', '/polis/v1/openapi.json', ({ reply }) => {
    reply.json(200, openApiDocument(router.table(), deps.system.version().Version));
  });
}
