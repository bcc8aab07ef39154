import { join } from 'node:path';

/** The repository root (packages/tests/dist/harness → ../../../..). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
export const POLIS_BIN = join(REPO_ROOT, 'bin', 'polis');
export const POLISD_BIN = join(REPO_ROOT, 'bin', 'polisd');
