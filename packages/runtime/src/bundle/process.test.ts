import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptySpec, type ImageRecord } from '@polis/core';
import { mergeEnv, resolveProcess } from './process.js';

function image(config: NonNullable<ImageRecord['config']['config']>): ImageRecord {
  return {
    id: 'sha256:' + 'a'.repeat(64),
    repoTags: [],
    repoDigests: [],
    manifestDigest: '',
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config },
    size: 0,
    created: '',
    chainIds: [],
  };
}

test('the request cmd replaces the image cmd, the image entrypoint stays', () => {
  const spec = emptySpec('x');
  spec.basic.cmd = ['echo', 'hi'];
  const p = resolveProcess(spec, image({ Entrypoint: ['/init'], Cmd: ['sh'] }));
  assert.equal(p.path, '/init');
  assert.deepEqual(p.args, ['echo', 'hi']);
});

test('an overridden entrypoint drops the image cmd', () => {
  const spec = emptySpec('x');
  spec.basic.entrypoint = ['/bin/date'];
  const p = resolveProcess(spec, image({ Entrypoint: ['/init'], Cmd: ['sh'] }));
  assert.equal(p.path, '/bin/date');
  assert.deepEqual(p.args, []);
});

test('an empty entrypoint clears the image entrypoint', () => {
  const spec = emptySpec('x');
  spec.basic.entrypoint = [''];
  spec.basic.cmd = ['ls'];
  const p = resolveProcess(spec, image({ Entrypoint: ['/init'], Cmd: ['sh'] }));
  assert.equal(p.path, 'ls');
});

test('no command at all is invalid', () => {
  assert.throws(() => resolveProcess(emptySpec('x'), image({})), { code: 'request.invalid' });
});

test('env: request overrides image by key; PATH always present; workdir and user fall back to the image', () => {
  const spec = emptySpec('x');
  spec.basic.cmd = ['sh'];
  spec.basic.env = ['A=2', 'B=3'];
  const p = resolveProcess(spec, image({ Env: ['A=1', 'C=4'], WorkingDir: '/srv', User: 'nobody' }));
  assert.deepEqual(p.env, [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'A=2',
    'C=4',
    'B=3',
  ]);
  assert.equal(p.workingDir, '/srv');
  assert.equal(p.user, 'nobody');
});

test('mergeEnv keeps one entry per key, the last value in the first place', () => {
  assert.deepEqual(mergeEnv(['A=1', 'B=1'], ['A=2']), ['A=2', 'B=1']);
});
