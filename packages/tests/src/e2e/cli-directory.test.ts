/**
 * The directory `polis` runs in is data, never configuration of the CLI itself: Bun's single executable
 * would otherwise load a `.env` there into its environment (a POLIS_HOST or DOCKER_HOST in a project's
 * `.env` would redirect every command) and run a `bunfig.toml`'s `preload` scripts (any checkout could
 * run code in a CLI that holds root-equivalent access to polisd). No daemon is needed to see either.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { POLIS_BIN } from '../harness/paths.js';
import { runCommand } from '../harness/run.js';

describe('polis ignores the .env and bunfig.toml of the directory it runs in', () => {
  let dir: string;
  const marker = join(tmpdir(), `polis-preload-ran-${process.pid}`);
  /** `polis ARGS` run from `dir`, with no POLIS_HOST or DOCKER_HOST of the test's own. */
  const polisIn = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DIR: dir };
    delete env.POLIS_HOST;
    delete env.DOCKER_HOST;
    return runCommand('sh', ['-c', 'cd "$DIR" && exec "$@"', 'sh', POLIS_BIN, ...args], { env });
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'polis-cwd-'));
    await writeFile(
      join(dir, '.env'),
      'POLIS_HOST=unix:///tmp/polis-from-dotenv.sock\nDOCKER_HOST=unix:///tmp/x\n',
    );
    await writeFile(join(dir, 'bunfig.toml'), 'preload = ["./pre.js"]\n');
    await writeFile(
      join(dir, 'pre.js'),
      `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); console.log('PRELOAD RAN');\n`,
    );
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(marker, { force: true });
  });

  it('runs no preload script from bunfig.toml', async () => {
    const res = await polisIn('--version');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^Polis version /);
    assert.doesNotMatch(res.stdout + res.stderr, /PRELOAD RAN/);
    await assert.rejects(rm(marker), { code: 'ENOENT' }, 'the preload script wrote its marker');
  });

  it('takes no POLIS_HOST from .env: the daemon is the default one, or -H', async () => {
    const res = await polisIn('-H', 'unix:///tmp/polis-given-by-flag.sock', 'version');
    assert.match(res.stderr, /polis-given-by-flag\.sock/);
    const plain = await polisIn('version');
    assert.doesNotMatch(plain.stdout + plain.stderr, /polis-from-dotenv/);
  });
});
