import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { runCommand, type CommandResult } from '../harness/run.js';

const SECRET = 'hunter2-polis-file-modes';
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** Runs a command as `nobody`, the local user who must learn nothing about containers. */
function asNobody(command: string, args: string[]): Promise<CommandResult> {
  return runCommand('setpriv', [...NOBODY, command, ...args]);
}

/** Every regular file under `dir` (as root), leaving out container filesystems (rootfs, layers). */
function filesUnder(dir: string): string[] {
  const skip = new Set(['rootfs', 'upper', 'work', 'diff', 'overlay']);
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !skip.has(entry.name)) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * What polisd writes is root's alone where it holds secrets (database, image blobs, bundles), checked
 * as an unprivileged user, while containers, also those running as another user, still work.
 */
describe('file modes', () => {
  let d: TestDaemon;
  let id = '';
  const secretFiles = (): string[] =>
    [...filesUnder(d.dataRoot), ...filesUnder(d.execRoot)].filter((f) => readFileSync(f).includes(SECRET));

  before(async () => {
    d = await TestDaemon.start();
    // The temp root is 0700; a real data root's parents (/var/lib, /run) let everyone through.
    chmodSync(d.root, 0o755);
    await d.importBusybox();
    id = ok(
      await d.polis(['run', '-d', '--name', 'vault', '-e', `TOKEN=${SECRET}`, 'busybox', 'sleep', '300']),
    );
  });

  after(async () => {
    await d?.cleanup();
  });

  it('nobody reads the database, its WAL, image blobs, a bundle config or a log', async () => {
    const blobs = readdirSync(join(d.dataRoot, 'content', 'blobs', 'sha256')).map((n) =>
      join(d.dataRoot, 'content', 'blobs', 'sha256', n),
    );
    assert.ok(blobs.length >= 2, 'the imported image has blobs');
    const container = join(d.dataRoot, 'containers', id);
    const files = [
      join(d.dataRoot, 'polis.db'),
      join(d.dataRoot, 'polis.db-wal'),
      join(d.dataRoot, 'polis.db-shm'),
      // The bundle lives on the exec root while the container runs (conmon's files with it).
      join(d.execRoot, 'containers', id, 'config.json'),
      join(container, 'ctr.log'),
      ...blobs,
    ];
    for (const file of files) {
      statSync(file); // it exists, so a refusal below is about its mode
      const res = await asNobody('cat', [file]);
      assert.notEqual(res.code, 0, `nobody read ${relative(d.root, file)}`);
      // Logs may be read by root's group (0640, as Docker's json-file logs); the rest is root's alone.
      const closed = file.endsWith('ctr.log') ? 0o037 : 0o077;
      assert.equal(statSync(file).mode & closed, 0, `${relative(d.root, file)} is closed to others`);
    }
    assert.notEqual((await asNobody('ls', [join(d.dataRoot, 'content')])).code, 0, 'nobody lists content/');
  });

  it('every file that holds the container Env is out of reach for nobody', async () => {
    const holders = secretFiles();
    assert.ok(
      holders.some((f) => f.endsWith('config.json')),
      `the bundle holds the Env: ${holders.join(' ')}`,
    );
    for (const file of holders) {
      const res = await asNobody('cat', [file]);
      assert.notEqual(res.code, 0, `nobody read the secret in ${relative(d.root, file)}`);
    }
  });

  it('the API socket is 0660 and nobody cannot connect to it', async () => {
    assert.equal((statSync(d.socket).mode & 0o777).toString(8), '660');
    const res = await asNobody(process.execPath, [
      '-e',
      `require('node:net').connect(${JSON.stringify(d.socket)})
        .on('connect', () => { console.log('connected'); process.exit(0); })
        .on('error', (e) => { console.log(e.code); process.exit(3); });`,
    ]);
    assert.equal(res.stdout.trim(), 'EACCES', res.stderr);
  });

  it('a container running as user 1000 still reads its rootfs and /etc files', async () => {
    const out = ok(
      await d.polis([
        'run',
        '--rm',
        '--user',
        '1000',
        'busybox',
        'sh',
        '-c',
        'id -u; cat /etc/hostname /etc/hosts /etc/resolv.conf >/dev/null && ls /bin/busybox && echo readable',
      ]),
      'run --user 1000',
    );
    assert.deepEqual(out.split('\n'), ['1000', '/bin/busybox', 'readable']);
  });

  it('files an older polisd left readable are closed at the next start', async () => {
    // SIGKILL keeps the WAL and shared-memory files, as a crash would.
    await d.stopProcess('SIGKILL');
    const db = ['polis.db', 'polis.db-wal', 'polis.db-shm'].map((n) => join(d.dataRoot, n));
    for (const f of db) chmodSync(f, 0o644);
    chmodSync(join(d.dataRoot, 'content'), 0o755);
    await d.startProcess();
    for (const f of db) assert.equal((statSync(f).mode & 0o777).toString(8), '600', relative(d.root, f));
    assert.equal((statSync(join(d.dataRoot, 'content')).mode & 0o777).toString(8), '700');
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Running}}', 'vault'])), 'true');
  });
});
