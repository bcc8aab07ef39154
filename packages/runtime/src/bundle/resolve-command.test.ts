import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolisError } from '@polis/core';
import { classifyStartFailure, commandProblem } from './resolve-command.js';

const ROOT = { uid: 0, gid: 0 };
const PATH = ['PATH=/usr/local/bin:/usr/bin:/bin'];

async function withRootfs(fn: (rootfs: string) => Promise<void>): Promise<void> {
  const rootfs = await mkdtemp(join(tmpdir(), 'polis-resolve-'));
  try {
    for (const dir of ['bin', 'usr/bin', 'usr/local/bin', 'opt/tool', 'etc', 'work']) {
      await mkdir(join(rootfs, dir), { recursive: true });
    }
    await writeFile(join(rootfs, 'bin/busybox'), '#!\n', { mode: 0o755 });
    await symlink('busybox', join(rootfs, 'bin/sh'));
    await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0::/:/bin/sh\n', { mode: 0o644 });
    await writeFile(join(rootfs, 'usr/bin/owneronly'), '#!\n', { mode: 0o700 });
    await chmod(join(rootfs, 'usr/bin/owneronly'), 0o700);
    // Absolute and climbing links resolve inside the rootfs, never on the host (which has /usr/bin/env).
    await symlink('/usr/bin/env', join(rootfs, 'bin/abs-env'));
    await symlink('../../../../../../usr/bin/env', join(rootfs, 'bin/climb-env'));
    await symlink('/bin', join(rootfs, 'usr/local/bin/linked'));
    await writeFile(join(rootfs, 'work/run.sh'), '#!\n', { mode: 0o755 });
    await fn(rootfs);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

const proc = (args: string[], more: { env?: string[]; cwd?: string; user?: typeof ROOT } = {}) => ({
  args,
  env: more.env ?? PATH,
  cwd: more.cwd ?? '/',
  user: more.user ?? ROOT,
});

test('a command found along PATH or by path, through links inside the rootfs, is fine', () =>
  withRootfs(async (rootfs) => {
    assert.equal(await commandProblem(rootfs, proc(['sh', '-c', 'true'])), undefined);
    assert.equal(await commandProblem(rootfs, proc(['/bin/sh'])), undefined);
    assert.equal(await commandProblem(rootfs, proc(['/usr/local/bin/linked/busybox'])), undefined);
    assert.equal(await commandProblem(rootfs, proc(['./run.sh'], { cwd: '/work' })), undefined);
    assert.equal(await commandProblem(rootfs, proc(['../bin/sh'], { cwd: '/work' })), undefined);
  }));

test('a missing command is command_not_found, links do not reach the host', () =>
  withRootfs(async (rootfs) => {
    const notFound = 'container.command_not_found';
    assert.equal(await commandProblem(rootfs, proc(['nosuch'])), notFound);
    assert.equal(await commandProblem(rootfs, proc(['/nosuch/sh'])), notFound);
    assert.equal(await commandProblem(rootfs, proc(['/bin/abs-env'])), notFound);
    assert.equal(await commandProblem(rootfs, proc(['/bin/climb-env'])), notFound);
    assert.equal(await commandProblem(rootfs, proc(['/etc/passwd/x'])), notFound);
    // PATH comes from the process's env: without /bin in it, `sh` is not found.
    assert.equal(await commandProblem(rootfs, proc(['sh'], { env: ['PATH=/usr/bin'] })), notFound);
    assert.equal(await commandProblem(rootfs, proc([])), notFound);
  }));

test('a directory, a file without x bits or one the user may not run is command_not_executable', () =>
  withRootfs(async (rootfs) => {
    const notExecutable = 'container.command_not_executable';
    assert.equal(await commandProblem(rootfs, proc(['/etc/passwd'])), notExecutable);
    assert.equal(await commandProblem(rootfs, proc(['/opt/tool'])), notExecutable);
    assert.equal(await commandProblem(rootfs, proc(['owneronly'])), undefined);
    // Someone who is neither the files' owner nor in their group (whoever runs the test owns them).
    const owner = await stat(join(rootfs, 'usr/bin/owneronly'));
    const other = { uid: owner.uid + 1, gid: owner.gid + 1 };
    assert.equal(await commandProblem(rootfs, proc(['owneronly'], { user: other })), notExecutable);
    assert.equal(await commandProblem(rootfs, proc(['sh'], { user: other })), undefined);
  }));

test('a path through a mount the runtime adds cannot be judged from the rootfs', () =>
  withRootfs(async (rootfs) => {
    const mounts = [{ destination: '/tools', type: 'bind', source: '/srv/tools' }];
    assert.equal(await commandProblem(rootfs, proc(['/tools/x']), mounts), undefined);
    assert.equal(await commandProblem(rootfs, proc(['/nosuch/x']), mounts), 'container.command_not_found');
  }));

test("the runtime's failure gets the lookup's code and Docker's exit code, and keeps its message", () => {
  const failed = new PolisError('container.start_failed', 'crun: executable file `x` not found', {
    context: { id: 'c1' },
  });
  const notFound = classifyStartFailure(failed, 'container.command_not_found');
  assert.equal(notFound.code, 'container.command_not_found');
  assert.equal(notFound.message, failed.message);
  assert.deepEqual(notFound.context, { id: 'c1', exitCode: 127 });
  assert.equal(classifyStartFailure(failed, 'container.command_not_executable').context.exitCode, 126);
  assert.equal(classifyStartFailure(failed, undefined), failed);
  // A failure that is not the runtime's (the network, a mount) keeps its own code.
  const wiring = new PolisError('network.setup_failed', 'no such file or directory');
  assert.equal(classifyStartFailure(wiring, 'container.command_not_found'), wiring);
});
