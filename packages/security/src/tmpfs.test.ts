import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tmpfsOptions } from './tmpfs.js';

describe('tmpfsOptions', () => {
  it('keeps noexec, nosuid and nodev when the user gives only a size', () => {
    assert.deepEqual(tmpfsOptions(['size=10m']), ['noexec', 'nosuid', 'nodev', 'rprivate', 'size=10m']);
  });

  it('lets the user say exec, suid or dev explicitly', () => {
    assert.deepEqual(tmpfsOptions(['exec', 'size=1m']), ['nosuid', 'nodev', 'rprivate', 'exec', 'size=1m']);
    assert.deepEqual(tmpfsOptions(['suid', 'dev']), ['noexec', 'rprivate', 'suid', 'dev']);
  });

  it('keeps the last of repeated data options and propagation modes', () => {
    assert.deepEqual(tmpfsOptions(['size=1m', 'rshared', 'size=2m']), [
      'noexec',
      'nosuid',
      'nodev',
      'rshared',
      'size=2m',
    ]);
  });

  it('gives the defaults for no options', () => {
    assert.deepEqual(tmpfsOptions([]), ['noexec', 'nosuid', 'nodev', 'rprivate']);
  });

  it('refuses options tmpfs does not know', () => {
    assert.throws(() => tmpfsOptions(['bogus']), { code: 'request.invalid' });
    assert.throws(() => tmpfsOptions(['colour=red']), { code: 'request.invalid' });
  });
});
