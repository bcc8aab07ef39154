import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../flags.js';
import { execBody, spec } from './exec.js';

const body = (argv: string[], env: NodeJS.ProcessEnv = {}, files: Record<string, string> = {}) =>
  execBody(parseArgs(spec, argv), env, (f) => {
    const text = files[f];
    if (text === undefined) throw new Error(`open ${f}: no such file or directory`);
    return text;
  });

test('a plain exec attaches stdout and stderr only; the command is everything after the container', () => {
  assert.deepEqual(body(['web', 'sh', '-c', 'echo -u']), {
    Cmd: ['sh', '-c', 'echo -u'],
    Env: [],
    Tty: false,
    Privileged: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
  });
});

test('-it, -u, -w, --privileged and --detach-keys', () => {
  const b = body([
    '-it',
    '-u',
    'nobody',
    '-w',
    '/tmp',
    '--privileged',
    '--detach-keys',
    'ctrl-x',
    'web',
    'sh',
  ]);
  assert.equal(b.Tty, true);
  assert.equal(b.AttachStdin, true);
  assert.equal(b.User, 'nobody');
  assert.equal(b.WorkingDir, '/tmp');
  assert.equal(b.Privileged, true);
  assert.equal(b.DetachKeys, 'ctrl-x');
});

test('-d attaches nothing, even with -i', () => {
  const b = body(['-d', '-i', 'web', 'touch', '/f']);
  assert.deepEqual([b.AttachStdin, b.AttachStdout, b.AttachStderr], [false, false, false]);
});

test('--env-file entries come first, -e entries after them; a bare -e name takes the local value', () => {
  const b = body(
    ['--env-file', 'vars', '-e', 'B=4', '-e', 'HOME', '-e', 'UNSET', 'web', 'env'],
    { HOME: '/root' },
    {
      vars: '# comment\nA=1\nB=3\n',
    },
  );
  assert.deepEqual(b.Env, ['A=1', 'B=3', 'B=4', 'HOME=/root', 'UNSET']);
});

test('a missing env file is an error', () => {
  assert.throws(() => body(['--env-file', 'nope', 'web', 'env']), /no such file/);
});
