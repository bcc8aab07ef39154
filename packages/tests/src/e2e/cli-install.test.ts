/**
 * Polis as users install it: scripts/install.sh into a temporary PREFIX and ETC, the installed single
 * executable used from another directory against a polisd started by socket activation (-H fd://, as
 * polisd.socket starts it), the architecture's own `create --image --port` example verbatim, then
 * scripts/uninstall.sh leaving nothing behind but the data root.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { REPO_ROOT } from '../harness/paths.js';
import { runCommand } from '../harness/run.js';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name));
}

describe('install.sh and uninstall.sh', () => {
  let d: TestDaemon;
  let root: string;
  let env: NodeJS.ProcessEnv;
  let polis: string;
  /** Runs the installed polis from `elsewhere`, not from the checkout. */
  const installed = (...args: string[]) =>
    runCommand('sh', ['-c', 'cd "$ELSEWHERE" && exec "$@"', 'sh', polis, ...args], { env });

  before(async () => {
    d = await TestDaemon.start({ socketActivated: true });
    await d.importBusybox();
    root = await mkdtemp(join(tmpdir(), 'polis-install-'));
    polis = join(root, 'usr', 'bin', 'polis');
    env = d.env({
      PREFIX: join(root, 'usr'),
      ETC: join(root, 'etc'),
      ELSEWHERE: tmpdir(),
      DATA_ROOT: d.dataRoot,
    });
  });

  after(async () => {
    await runCommand(join(REPO_ROOT, 'scripts', 'uninstall.sh'), [], { env });
    await d.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('installs the executable, a polisd launcher, daemon.json and the completion; twice is the same', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await runCommand(join(REPO_ROOT, 'scripts', 'install.sh'), [], { env, timeoutMs: 300_000 });
      assert.equal(res.code, 0, res.stderr);
      if (!existsSync('/run/systemd/system'))
        assert.match(res.stdout, /systemd is not PID 1 here; no service/);
    }
    // The executable itself, not a script that runs node on the checkout.
    assert.equal(readFileSync(polis).subarray(1, 4).toString(), 'ELF');
    assert.match(readFileSync(join(root, 'usr', 'bin', 'polisd'), 'utf8'), /exec .*node.* .*bin\/polisd/);
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'etc', 'polis', 'daemon.json'), 'utf8')), {
      'data-root': '/var/lib/polis',
      'exec-root': '/run/polis',
    });
    const completion = readFileSync(
      join(root, 'usr', 'share', 'bash-completion', 'completions', 'polis'),
      'utf8',
    );
    assert.match(completion, /complete -F _polis polis/);
  });

  it('the bundle bin/polis falls back to without Bun (build/polis.mjs under node) runs commands too', async () => {
    const bundle = join(REPO_ROOT, 'build', 'polis.mjs');
    const version = await runCommand(process.execPath, [bundle, 'version'], { env: d.env() });
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /Server:/);
    const ps = await runCommand(process.execPath, [bundle, 'ps', '-a', '--format', '{{.ID}}'], {
      env: d.env(),
    });
    assert.equal(ps.code, 0, ps.stderr);
  });

  it('the installed polis works from another directory against a socket-activated polisd', async () => {
    const version = await installed('version');
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /Runtime: +bun .*single executable/);
    assert.match(version.stdout, /Server/);
    assert.equal(ok(await installed('run', '--rm', 'busybox', 'echo', 'ok')), 'ok');
  });

  it('polis create --name web --image IMAGE --port 8080:80 works verbatim', async () => {
    // An image with a command of its own, as IMAGE in the example is.
    ok(await d.polis(['import', '--change', 'CMD ["httpd", "-f"]', await busyboxTar(), 'webimg']));
    const id = ok(await installed('create', '--name', 'web', '--image', 'webimg', '--port', '8080:80'));
    try {
      const inspect = JSON.parse(ok(await d.polis(['inspect', 'web']))) as {
        Id: string;
        Config: { Image: string };
        HostConfig: { PortBindings: Record<string, { HostPort: string }[]> };
      }[];
      assert.equal(inspect[0]?.Id, id);
      assert.equal(inspect[0]?.Config.Image, 'webimg');
      assert.equal(inspect[0]?.HostConfig.PortBindings['80/tcp']?.[0]?.HostPort, '8080');
      const conflict = await installed('run', '--rm', '--image', 'busybox', 'alpine', 'true');
      assert.equal(conflict.code, 125);
      assert.match(conflict.stderr, /conflicting options: --image "busybox" and the positional "alpine"/);
      assert.equal(ok(await installed('run', '--rm', '--image', 'busybox', '--', 'echo', 'hi')), 'hi');
    } finally {
      await d.polis(['rm', '-f', 'web']);
    }
  });

  it('uninstall.sh leaves nothing but the data root', async () => {
    const res = await runCommand(join(REPO_ROOT, 'scripts', 'uninstall.sh'), [], { env });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(await filesUnder(root), []);
    assert.ok(
      existsSync(join(d.dataRoot, 'images')) || (await readdir(d.dataRoot)).length > 0,
      'the data root is left',
    );
    assert.equal(existsSync(polis), false);
  });
});
