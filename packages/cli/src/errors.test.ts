import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolisError } from '@polis/core/errors';
import { describe } from './errors.js';

test('error lines: daemon answers, in-band stream errors, a lost connection', () => {
  assert.equal(
    describe(new PolisError('image.not_found', 'No such image: x', { context: { status: 404 } })),
    'Error response from daemon: No such image: x',
  );
  assert.equal(
    describe(new PolisError('internal', 'digest mismatch', { context: { inBand: true } })),
    'digest mismatch',
  );
  assert.match(describe(new Error('aborted')), /connection to the daemon was lost.*\(aborted\)/);
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  assert.match(describe(reset), /connection to the daemon was lost/);
  assert.equal(describe(new Error('other')), 'Error: other');
});
