import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HelpRequested, parseArgs, type CommandSpec } from './flags.js';
import { UsageError } from './errors.js';

const spec: CommandSpec = {
  name: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  summary: 'x',
  interspersed: false,
  minArgs: 1,
  flags: [
    { name: 'detach', short: 'd', type: 'bool', help: '' },
    { name: 'interactive', short: 'i', type: 'bool', help: '' },
    { name: 'tty', short: 't', type: 'bool', help: '' },
    { name: 'env', short: 'e', type: 'list', help: '' },
    { name: 'name', type: 'string', help: '' },
    { name: 'hostname', short: 'h', type: 'string', help: '' },
    { name: 'stop-timeout', type: 'int', help: '' },
  ],
};

test('long, short, combined and attached values', () => {
  const p = parseArgs(spec, [
    '-dit',
    '-e',
    'A=1',
    '-eB=2',
    '-e=C=3',
    '--env=D',
    '--name',
    'web',
    '-h',
    'box',
    '--stop-timeout=5',
    'busybox',
  ]);
  assert.equal(p.values.detach, true);
  assert.equal(p.values.interactive, true);
  assert.equal(p.values.tty, true);
  assert.deepEqual(p.values.env, ['A=1', 'B=2', 'C=3', 'D']);
  assert.equal(p.values.name, 'web');
  assert.equal(p.values.hostname, 'box');
  assert.equal(p.values['stop-timeout'], 5);
  assert.deepEqual(p.args, ['busybox']);
  assert.deepEqual([...p.changed].sort(), [
    'detach',
    'env',
    'hostname',
    'interactive',
    'name',
    'stop-timeout',
    'tty',
  ]);
});

test('run stops parsing flags at the image: the rest is the command', () => {
  const p = parseArgs(spec, ['--name=x', 'busybox', 'ls', '-la', '--name', 'y']);
  assert.deepEqual(p.args, ['busybox', 'ls', '-la', '--name', 'y']);
  assert.equal(p.values.name, 'x');
});

test('interspersed commands take flags after arguments', () => {
  const rm: CommandSpec = {
    name: 'rm',
    usage: '',
    summary: '',
    flags: [{ name: 'force', short: 'f', type: 'bool', help: '' }],
  };
  const p = parseArgs(rm, ['a', '-f', 'b', '--', '-c']);
  assert.deepEqual(p.args, ['a', 'b', '-c']);
  assert.equal(p.values.force, true);
});

test('errors: unknown flags, missing values, bad ints, argument counts, --help', () => {
  assert.throws(
    () => parseArgs(spec, ['--nope', 'x']),
    (e) => e instanceof UsageError && e.message === 'unknown flag: --nope',
  );
  assert.throws(() => parseArgs(spec, ['-x', 'img']), /unknown shorthand flag: 'x' in -x/);
  assert.throws(() => parseArgs(spec, ['--name']), /flag needs an argument: --name/);
  assert.throws(() => parseArgs(spec, ['--stop-timeout', 'soon', 'img']), /invalid argument "soon"/);
  assert.throws(() => parseArgs(spec, []), /requires at least 1 argument/);
  assert.throws(() => parseArgs(spec, ['--help']), HelpRequested);
});

test('--image gives the positional image by name; --port is --publish', async () => {
  const { spec: create } = await import('./commands/container/create.js');
  const { spec: runSpec } = await import('./commands/container/run.js');
  const p = parseArgs(create, ['--name', 'web', '--image', 'nginx:1', '--port', '8080:80', '-p', '9090:90']);
  assert.deepEqual(p.args, ['nginx:1']);
  assert.deepEqual(p.values['publish'], ['8080:80', '9090:90']);
  assert.equal(p.values['name'], 'web');
  // The same image twice is the docker-style form with a redundant flag; a command follows it.
  assert.deepEqual(parseArgs(runSpec, ['--image', 'busybox', 'busybox', 'echo', 'hi']).args, [
    'busybox',
    'echo',
    'hi',
  ]);
  // After `--`, every positional is the command.
  assert.deepEqual(parseArgs(runSpec, ['--rm', '--image=busybox', '--', 'echo', 'hi']).args, [
    'busybox',
    'echo',
    'hi',
  ]);
  assert.deepEqual(parseArgs(runSpec, ['--port=80', 'busybox']).values['publish'], ['80']);
});

test('--image and a different positional image are a usage error, not a guess', async () => {
  const { spec: runSpec } = await import('./commands/container/run.js');
  assert.throws(
    () => parseArgs(runSpec, ['--image', 'busybox', 'alpine', 'true']),
    (err: unknown) =>
      err instanceof UsageError &&
      !err.showUsage &&
      /conflicting options: --image "busybox" and the positional "alpine"/.test(err.message),
  );
  // Without either, run still wants its image.
  assert.throws(() => parseArgs(runSpec, ['--rm']), /requires at least 1 argument/);
});
