import { writeFileSync } from 'node:fs';
import type { PolisMetrics } from '@polis/monitor';
import { buildRouter } from '../server.js';
import { openApiDocument } from '../openapi/document.js';
import { fakeDeps } from './fakes.js';

/** The document of a daemon with every optional part (metrics included), at a fixed version. */
export function fullDocument(): Record<string, unknown> {
  const { deps } = fakeDeps();
  const router = buildRouter({ ...deps, metrics: {} as PolisMetrics });
  return openApiDocument(router.table(), '0.1.0');
}

export const OPENAPI_FILE = new URL('../../openapi.json', import.meta.url);

// `node packages/api/dist/testing/openapi.js && npx prettier --write packages/api/openapi.json` regenerates it.
if (process.argv[1] === new URL(import.meta.url).pathname) {
  writeFileSync(OPENAPI_FILE, JSON.stringify(fullDocument(), null, 2) + '\n');
}
