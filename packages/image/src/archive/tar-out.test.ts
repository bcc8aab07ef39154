import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proc } from '@polis/core';
import { TAR_END, dirHeader, fileHeader, smallFile } from './tar-out.js';

test('GNU tar reads the streamed members, and a pax size past the octal field', async () => {
  const data = Buffer.from('hello');
  const archive = Buffer.concat([dirHeader('d/', 0), smallFile('d/f', data, 1_700_000_000), TAR_END]);
  const listing = await proc.run('tar', ['-t', '-v', '--numeric-owner', '-f', '-'], { input: archive });
  assert.match(listing.stdout, /^drwxr-xr-x 0\/0\s+0 .* d\/\n-rw-r--r-- 0\/0\s+5 .* d\/f\n$/);
  const content = await proc.run('tar', ['-x', '-O', '-f', '-', 'd/f'], { input: archive });
  assert.equal(content.stdout, 'hello');

  // 9 GB does not fit 11 octal digits; tar must take the size from the pax record (the data is absent).
  const big = Buffer.concat([fileHeader('big', 9_000_000_000, 0), TAR_END]);
  const bigListing = await proc.run('tar', ['-t', '-v', '-f', '-'], { input: big, okCodes: [0, 2] });
  assert.match(bigListing.stdout, /\s9000000000 .* big\n/);
});
