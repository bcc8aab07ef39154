import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proc, which, type ContainerSpec } from '@polis/core';
import { createApiServer } from './server.js';
import { listenUnix } from './listen.js';
import { fakeNetworkDeps } from './testing/fakes.js';
import { closeServer, tempDir, tempSocket } from './testing/http.js';

/**
 * The real docker CLI's network commands, `port` and the network flags of `create` against the server
 * with fake services: the network shapes must decode in Docker's own Go types.
 */
const docker = which('docker');

test(
  'the docker CLI manages networks and reads ports against the server',
  { skip: docker ? false : 'docker CLI not installed' },
  async () => {
    const { deps, containers, networks } = fakeNetworkDeps();
    const server = createApiServer(deps);
    const socket = tempSocket();
    await listenUnix(server, socket);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DOCKER_CONFIG: tempDir('polis-docker-config-'),
      DOCKER_HOST: `unix://${socket}`,
    };
    delete env.DOCKER_CONTEXT;
    const run = (args: string[], okCodes = [0]) =>
      proc.run(docker as string, args, { env, timeoutMs: 20_000, okCodes });

    try {
      const id = (
        await run([
          'network',
          'create',
          '--subnet',
          '10.77.0.0/24',
          '--gateway',
          '10.77.0.1',
          '--label',
          'tier=web',
          'app',
        ])
      ).stdout.trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      const ls = await run(['network', 'ls']);
      assert.match(ls.stdout, /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/m);
      assert.match(ls.stdout, new RegExp(`^${id.slice(0, 12)}\\s+app\\s+bridge\\s+local$`, 'm'));
      assert.match(ls.stdout, /^[0-9a-f]{12}\s+bridge\s+bridge\s+local$/m);
      assert.equal(
        (await run(['network', 'ls', '-q', '--filter', 'label=tier=web'])).stdout,
        `${id.slice(0, 12)}\n`,
      );
      assert.equal(
        (
          await run([
            'network',
            'inspect',
            '-f',
            '{{.Name}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}',
            'app',
          ])
        ).stdout,
        'app bridge 10.77.0.0/24 10.77.0.1\n',
      );
      const dup = await run(['network', 'create', 'app'], [1]);
      assert.match(dup.stderr, /already exists/);
      const bad = await run(['network', 'create', '--subnet', '10.1.0.0/40', 'bad'], [1]);
      assert.match(bad.stderr, /invalid CIDR address/);

      // The network flags of create reach the spec; the network layer is the runtime's to drive.
      const cid = (
        await run([
          'create',
          '--name',
          'web',
          '--network',
          'app',
          '--network-alias',
          'www',
          '--ip',
          '10.77.0.9',
          '-p',
          '8080:80',
          '--dns',
          '1.1.1.1',
          '--add-host',
          'db:10.0.0.5',
          'busybox',
        ])
      ).stdout.trim();
      const spec = containers.calls.find((c) => c.verb === 'create')?.args[0] as ContainerSpec;
      assert.equal(spec.network.mode, 'app');
      assert.deepEqual(spec.network.endpoints, [{ network: 'app', aliases: ['www'], ip: '10.77.0.9' }]);
      assert.deepEqual(spec.network.portBindings, { '80/tcp': [{ hostIp: '', hostPort: '8080' }] });
      assert.deepEqual(spec.network.dns, ['1.1.1.1']);
      assert.deepEqual(spec.network.extraHosts, ['db:10.0.0.5']);

      // As the runtime would: record the endpoint at create, wire it and publish at start.
      await networks.connect(cid, { network: 'app', aliases: ['www'], ip: '10.77.0.9' });
      await containers.start(cid);
      await networks.attach(
        { id: cid, name: 'web', hostname: 'web', portBindings: {}, publishAll: false, exposedPorts: [] },
        { pid: 4242 },
      );
      networks.ports.set(cid, [{ protocol: 'tcp', containerPort: 80, hostIp: '', hostPort: 8080 }]);

      assert.equal((await run(['port', 'web'])).stdout, '80/tcp -> 0.0.0.0:8080\n');
      assert.equal((await run(['port', 'web', '80'])).stdout, '0.0.0.0:8080\n');
      assert.match((await run(['ps'])).stdout, /0\.0\.0\.0:8080->80\/tcp\s+web$/m);
      assert.equal(
        (
          await run([
            'inspect',
            '-f',
            '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v.IPAddress}} {{$v.Aliases}}{{end}}',
            'web',
          ])
        ).stdout,
        'app 10.77.0.9 [www]\n',
      );
      assert.match(
        (
          await run([
            'network',
            'inspect',
            '-f',
            '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}',
            'app',
          ])
        ).stdout,
        /^web 10\.77\.0\.9\/24$/m,
      );

      await run(['network', 'create', 'other']);
      await run(['network', 'connect', '--alias', 'side', 'other', 'web']);
      assert.deepEqual(
        networks.endpointsOf(cid).map((e) => [e.network.name, e.aliases]),
        [
          ['app', ['www']],
          ['other', ['side']],
        ],
      );
      await run(['network', 'disconnect', '-f', 'other', 'web']);
      const inUse = await run(['network', 'rm', 'app'], [1]);
      assert.match(inUse.stderr, /has active endpoints/);
      assert.equal((await run(['network', 'rm', 'other'])).stdout, 'other\n');
      const missing = await run(['network', 'inspect', 'other'], [1]);
      assert.match(missing.stderr, /network other not found/);

      await run(['network', 'create', 'spare']);
      assert.match((await run(['network', 'prune', '-f'])).stdout, /Deleted Networks:\nspare\n/);
    } finally {
      await closeServer(server);
    }
  },
);
