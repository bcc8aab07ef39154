import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from './errors.js';
import { parseBytes } from './bytes.js';

test('parseBytes takes sizes as docker does (go-units RAMInBytes)', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['100', 100],
    ['100b', 100],
    ['64k', 64 * 1024],
    ['64K', 64 * 1024],
    ['512m', 512 * 1024 ** 2],
    ['512mb', 512 * 1024 ** 2],
    ['10 MB', 10 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1.5G', 1.5 * 1024 ** 3],
    ['2GiB', 2 * 1024 ** 3],
    ['2t', 2 * 1024 ** 4],
    ['1p', 1024 ** 5],
    ['0.5k', 512],
    ['1.0001k', 1024],
  ];
  for (const [text, want] of cases) assert.equal(parseBytes(text), want, text);
});

test('parseBytes refuses what is not a size, with a typed error', () => {
  for (const bad of ['', 'lots', '5x', '-1', '1.2.3m', ' 10m', '10m ', '1e3', '.5m', '10  m', 'm']) {
    assert.throws(
      () => parseBytes(bad),
      (err: unknown) => isPolisError(err, 'request.invalid') && err.message === `invalid size: '${bad}'`,
      JSON.stringify(bad),
    );
  }
});
