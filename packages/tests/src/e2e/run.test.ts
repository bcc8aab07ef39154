import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';

describe('polis run', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('run --rm echo prints hello, exits 0 and leaves no container', async () => {
    const res = await d.polis(['run', '--rm', 'busybox', 'echo', 'hello']);
    assert.equal(ok(res), 'hello');
    assert.equal(res.stdout, 'hello\n');
    assert.equal(ok(await d.polis(['ps', '-a', '-q'])), '');
  });

  it("run --rm passes the container's exit code through", async () => {
    const res = await d.polis(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']);
    assert.equal(res.code, 3, res.stderr);
    assert.equal(ok(await d.polis(['ps', '-a', '-q'])), '');
  });

  it('an unknown image with --pull never exits 125 with one error line naming the image', async () => {
    const res = await d.polis(['run', '--pull', 'never', 'nosuchimage']);
    assert.equal(res.code, 125);
    assert.equal(res.stdout, '');
    // Docker's shape: the error, then a hint line.
    const errorLines = lines(res.stderr);
    assert.deepEqual(errorLines.slice(1), ["See 'polis run --help'."], res.stderr);
    assert.match(errorLines[0]!, /nosuchimage/);
    assert.match(errorLines[0]!, /No such image/);
    assert.equal(ok(await d.polis(['ps', '-a', '-q'])), '');
  });

  it('an unknown image is pulled first; an unreachable registry is a clear error and exit 125', async () => {
    // Port 1 on loopback: nothing listens, so the pull fails at once without leaving the host.
    const res = await d.polis(['run', '127.0.0.1:1/nosuchimage']);
    assert.equal(res.code, 125);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /Unable to find image '127\.0\.0\.1:1\/nosuchimage:latest' locally/);
    assert.match(res.stderr, /127\.0\.0\.1:1/);
    assert.match(res.stderr, /cannot reach|connection refused|ECONNREFUSED/i);
    assert.equal(ok(await d.polis(['ps', '-a', '-q'])), '');
  });

  it('run -d prints the 64-hex id and the container is listed running', async () => {
    const id = ok(await d.polis(['run', '-d', 'busybox', 'sleep', '300']));
    assert.match(id, /^[0-9a-f]{64}$/);
    const ps = lines(ok(await d.polis(['ps', '-q'])));
    assert.ok(ps.includes(id.slice(0, 12)), `ps -q: ${ps.join(',')}`);
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Running}}', id])), 'true');
    ok(await d.polis(['rm', '-f', id]));
  });

  it("stdout and stderr reach the CLI's stdout and stderr", async () => {
    const res = await d.polis(['run', '--rm', 'busybox', 'sh', '-c', 'echo to-out; echo to-err >&2']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'to-out\n');
    assert.equal(res.stderr, 'to-err\n');
  });

  it('-e, -w and -u nobody apply', async () => {
    const res = await d.polis([
      'run',
      '--rm',
      '-e',
      'FOO=bar baz',
      '-w',
      '/tmp',
      '-u',
      'nobody',
      'busybox',
      'sh',
      '-c',
      'echo "$FOO"; pwd; id -u',
    ]);
    assert.deepEqual(lines(ok(res)), ['bar baz', '/tmp', '65534']);
  });

  it('--entrypoint replaces the command start', async () => {
    const res = await d.polis(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'via', 'entrypoint']);
    assert.equal(ok(res), 'via entrypoint');
  });

  it('--hostname sets the hostname', async () => {
    assert.equal(ok(await d.polis(['run', '--rm', '--hostname', 'myhost', 'busybox', 'hostname'])), 'myhost');
  });

  it('--name and -l labels are visible with inspect', async () => {
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'labelled',
        '-l',
        'tier=web',
        '-l',
        'owner=tests',
        'busybox',
        'sleep',
        '300',
      ]),
    );
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.Name}}', 'labelled'])), '/labelled');
    const labels = JSON.parse(ok(await d.polis(['inspect', '-f', '{{json .Config.Labels}}', 'labelled'])));
    assert.deepEqual(labels, { tier: 'web', owner: 'tests' });
    assert.ok(lines(ok(await d.polis(['ps', '--format', '{{.Names}}']))).includes('labelled'));
    ok(await d.polis(['rm', '-f', 'labelled']));
  });

  it('a command not found exits 127 and --rm leaves no container', async () => {
    const res = await d.polis(['run', '--rm', 'busybox', 'nosuchcommand']);
    assert.equal(res.code, 127, res.stderr);
    assert.match(res.stderr, /nosuchcommand/);
    assert.equal(
      ok(await d.polis(['ps', '-a', '-q'])),
      '',
      'run --rm must remove a container that failed to start',
    );
  });

  it('a non-executable file exits 126 and --rm leaves no container', async () => {
    const res = await d.polis(['run', '--rm', 'busybox', '/etc/passwd']);
    assert.equal(res.code, 126, res.stderr);
    assert.match(res.stderr, /permission denied/i);
    assert.equal(
      ok(await d.polis(['ps', '-a', '-q'])),
      '',
      'run --rm must remove a container that failed to start',
    );
  });
});
