import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proc, which } from '@polis/core';
import { createApiServer } from './server.js';
import { listenUnix } from './listen.js';
import { fakeDeps } from './testing/fakes.js';
import { closeServer, tempDir, tempSocket } from './testing/http.js';

/**
 * The real docker CLI (client 28) against the server with fake services: the best check that the
 * response shapes decode in Docker's own Go types.
 */
const docker = which('docker');

test(
  'the docker CLI works against the server',
  { skip: docker ? false : 'docker CLI not installed' },
  async () => {
    const { deps, containers } = fakeDeps();
    const server = createApiServer(deps);
    const socket = tempSocket();
    await listenUnix(server, socket);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DOCKER_CONFIG: tempDir('polis-docker-config-'),
      DOCKER_HOST: `unix://${socket}`,
    };
    delete env.DOCKER_CONTEXT;
    const run = (args: string[], input?: string | Buffer) =>
      proc.run(docker as string, args, { env, timeoutMs: 20_000, ...(input === undefined ? {} : { input }) });

    // A started container prints two lines and exits 3, as the runtime would report it.
    const start = containers.start.bind(containers);
    containers.start = async (reference) => {
      const record = await start(reference);
      setTimeout(() => {
        containers.attachFeed.push('stdout', 'hello from polis\n');
        containers.attachFeed.push('stderr', 'to stderr\n');
        containers.attachFeed.end();
        containers.exit(record.id, 3);
      }, 50);
      return record;
    };

    try {
      const version = await run(['version']);
      assert.match(version.stdout, /Server: Polis Engine/);
      assert.match(version.stdout, /API version:\s+1\.41 \(minimum version 1\.24\)/);

      const info = await run(['info']);
      assert.match(info.stdout, /Server Version: 0\.1\.0/);
      assert.match(info.stdout, /Storage Driver: overlay2/);
      assert.match(info.stdout, /Default Runtime: crun/);
      assert.match(info.stdout, /Docker Root Dir: \/var\/lib\/polis/);

      const images = await run(['images']);
      assert.match(images.stdout, /^busybox\s+latest\s+[0-9a-f]{12}\s+/m);
      const imported = await run(['import', '-', 'mine:1'], Buffer.alloc(1024, 7));
      assert.match(imported.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
      await run(['tag', 'busybox', 'busybox:copy']);
      assert.match(
        (await run(['image', 'inspect', '--format', '{{.Os}} {{.RootFS.Type}}', 'busybox'])).stdout,
        /^linux layers$/m,
      );
      assert.match((await run(['history', 'busybox'])).stdout, /Imported from -/);

      const id = (
        await run([
          'create',
          '--name',
          'web',
          '-e',
          'A=1',
          '--restart',
          'on-failure:2',
          '-m',
          '64m',
          'busybox',
          'echo',
          'a b',
        ])
      ).stdout.trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      const ps = await run(['ps', '-a']);
      assert.match(
        ps.stdout,
        new RegExp(`^${id.slice(0, 12)}\\s+busybox\\s+"echo 'a b'"\\s+.*Created\\s+web$`, 'm'),
      );
      type Inspected = { Name: string; HostConfig: { RestartPolicy: { Name: string }; Memory: number } };
      const [inspected] = JSON.parse((await run(['inspect', id])).stdout) as Inspected[];
      assert.equal(inspected?.Name, '/web');
      assert.equal(inspected?.HostConfig.RestartPolicy.Name, 'on-failure');
      assert.equal(inspected?.HostConfig.Memory, 64 * 1024 * 1024);
      assert.equal(
        (
          await run([
            'inspect',
            '--format',
            '{{.State.Status}} {{.Config.Image}} {{.HostConfig.NetworkMode}}',
            'web',
          ])
        ).stdout.trim(),
        'created busybox bridge',
      );

      // run = create, attach (hijacked), wait, start; the exit code comes back through wait.
      const ran = await proc.run(
        docker as string,
        ['run', '--name', 'runner', 'busybox', 'sh', '-c', 'echo hi'],
        {
          env,
          timeoutMs: 20_000,
          okCodes: [3],
        },
      );
      assert.equal(ran.stdout, 'hello from polis\n');
      assert.equal(ran.stderr, 'to stderr\n');

      containers.logEntries = [
        { stream: 'stdout', time: '2024-05-01T10:00:00.5Z', data: Buffer.from('logged\n') },
      ];
      assert.equal((await run(['logs', '-t', 'runner'])).stdout, '2024-05-01T10:00:00.500000000Z logged\n');

      await run(['rename', 'runner', 'done']);
      assert.match(
        (await run(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).stdout,
        /^done Exited \(3\) Less than a second ago$/m,
      );
      await run(['rm', 'done', 'web']);
      assert.equal((await run(['ps', '-aq'])).stdout, '');
      await run(['rmi', 'mine:1']);

      const missing = await proc.run(docker as string, ['inspect', 'nothing'], { env, okCodes: [1] });
      assert.match(missing.stderr, /No such object: nothing/);
      // The fake image service refuses references containing "missing", as a registry would.
      const pull = await proc.run(docker as string, ['pull', 'localhost:5000/missing'], {
        env,
        okCodes: [1],
      });
      assert.match(pull.stderr, /manifest for localhost:5000\/missing:latest not found: manifest unknown/);
    } finally {
      await closeServer(server);
    }
  },
);
