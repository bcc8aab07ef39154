import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import type { CommandResult } from '../harness/run.js';
import { waitFor } from '../harness/wait.js';

/** `app` is built from ./app (no image: named `<project>_app`); `named` is built and tagged by its image. */
const STACK = `services:
  app:
    build: ./app
  named:
    image: stackbuild/named:v1
    build:
      context: ./app
      dockerfile: Dockerfile.named
`;

describe('polis compose up --build', () => {
  let d: TestDaemon;
  let dir: string;
  const project = `bd${process.pid}`;

  const polisCompose = (verb: string, args: string[] = []): Promise<CommandResult> =>
    d.polis(['compose', verb, '-f', join(dir, 'compose.yml'), '-p', project, ...args], {
      timeoutMs: 180_000,
    });

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    dir = mkdtempSync(join(tmpdir(), 'polis-stacks-build-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'compose.yml'), STACK);
    writeFileSync(join(dir, 'app', 'message'), 'built-by-compose\n');
    writeFileSync(
      join(dir, 'app', 'Dockerfile'),
      'FROM busybox\nCOPY message /message\nCMD ["sh", "-c", "cat /message; exec sleep 3600"]\n',
    );
    writeFileSync(
      join(dir, 'app', 'Dockerfile.named'),
      'FROM busybox\nRUN echo named-build > /message\nCMD ["sh", "-c", "cat /message; exec sleep 3600"]\n',
    );
  });

  after(async () => {
    if (d && dir) await polisCompose('down').catch(() => undefined);
    await d?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds the build: services through POST /build, tags them and runs them', async () => {
    ok(await polisCompose('up', ['-d', '--build']), 'polis compose up -d --build');
    assert.equal(
      ok(await d.polis(['inspect', '-f', '{{.Config.Image}}', `${project}_app_1`])),
      `${project}_app`,
    );
    assert.equal(
      ok(await d.polis(['inspect', '-f', '{{.Config.Image}}', `${project}_named_1`])),
      'stackbuild/named:v1',
    );
    await waitFor(
      'both replicas printed their built file',
      async () =>
        /built-by-compose/.test(ok(await d.polis(['logs', `${project}_app_1`]))) &&
        /named-build/.test(ok(await d.polis(['logs', `${project}_named_1`]))),
      30_000,
      250,
    );
    // A changed context is rebuilt by the next `up --build`, and only the changed service is recreated.
    const namedId = ok(await d.polis(['inspect', '-f', '{{.Id}}', `${project}_named_1`]));
    writeFileSync(join(dir, 'app', 'message'), 'rebuilt\n');
    ok(await polisCompose('up', ['-d', '--build']), 'second up --build');
    await waitFor(
      'the app replica running the rebuilt image',
      // The old replica goes before its replacement takes the name: between the two there is none.
      async () => {
        const logs = await d.polis(['logs', `${project}_app_1`]);
        return logs.code === 0 && /rebuilt/.test(logs.stdout);
      },
      60_000,
      250,
    );
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.Id}}', `${project}_named_1`])), namedId);

    // A Dockerfile that fails stops `up` with the builder's error, and nothing of the stack is made.
    writeFileSync(join(dir, 'app', 'Dockerfile.named'), 'FROM busybox\nRUN exit 3\n');
    const failed = await d.polis([
      'compose',
      'up',
      '-d',
      '--build',
      '-f',
      join(dir, 'compose.yml'),
      '-p',
      'bdfail',
    ]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /named/);
    assert.deepEqual(
      await d.client.containers.list({
        all: true,
        filters: { label: ['com.docker.compose.project=bdfail'] },
      }),
      [],
    );
    ok(await polisCompose('down'), 'down');
  });
});
