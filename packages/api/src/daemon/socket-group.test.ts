import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolisError, isPolisError } from '@polis/core';
import { resolveSocketGroup, type Exec } from './socket-group.js';

/** A host with these groups; groupadd adds one unless `canAdd` is false. */
function fakeHost(groups: Record<string, number>, canAdd = true): { exec: Exec; calls: string[] } {
  const calls: string[] = [];
  const exec: Exec = async (command, args) => {
    calls.push([command, ...args].join(' '));
    const name = args[args.length - 1] as string;
    if (command === 'getent') {
      const gid = groups[name];
      if (gid === undefined) {
        throw new PolisError('process.failed', 'getent failed (exit code 2)', { context: { exitCode: 2 } });
      }
      return { stdout: `${name}:x:${gid}:\n` };
    }
    if (command === 'groupadd' && canAdd) {
      groups[name] = 997;
      return { stdout: '' };
    }
    throw new PolisError('process.failed', `${command} failed (exit code 10)`, { context: { exitCode: 10 } });
  };
  return { exec, calls };
}

test('an existing group is used as it is, without groupadd', async () => {
  const host = fakeHost({ polis: 990, staff: 50 });
  assert.equal(await resolveSocketGroup('polis', host.exec), 990);
  assert.equal(await resolveSocketGroup('staff', host.exec), 50);
  assert.deepEqual(host.calls, ['getent group polis', 'getent group staff']);
});

test('a missing polis group is created as a system group', async () => {
  const host = fakeHost({});
  assert.equal(await resolveSocketGroup('polis', host.exec), 997);
  assert.deepEqual(host.calls, ['getent group polis', 'groupadd --system polis', 'getent group polis']);
});

test('when polis cannot be created the sockets fall back to root (gid 0)', async () => {
  assert.equal(await resolveSocketGroup('polis', fakeHost({}, false).exec), 0);
});

test('another missing group is an error, never created; "" is root and a number is a gid', async () => {
  const host = fakeHost({});
  await assert.rejects(
    resolveSocketGroup('dockr', host.exec),
    (err: unknown) => isPolisError(err, 'request.invalid') && /group "dockr" not found/.test(err.message),
  );
  assert.deepEqual(host.calls, ['getent group dockr']);
  assert.equal(await resolveSocketGroup('', host.exec), 0);
  assert.equal(await resolveSocketGroup('1234', host.exec), 1234);
});
