import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { runCommand, type CommandResult } from '../harness/run.js';

/**
 * A stack where `writer` puts a page into a named volume, `web` serves it from there and `client` fetches
 * it by service name through the project's network. The client retries: `depends_on` orders the starts
 * but waits for neither the page nor the listening socket (as with Docker).
 */
const COMPOSE_FILE = `version: "3.8"
services:
  writer:
    image: busybox
    command: sh -c 'echo hello-from-volume > /data/index.html'
    volumes:
      - pages:/data
  web:
    image: busybox
    command: busybox httpd -f -p 80 -h /data
    volumes:
      - pages:/data
    depends_on:
      - writer
  client:
    image: busybox
    command: sh -c 'for i in $$(seq 1 40); do wget -qO- http://web/ && exit 0; sleep 0.25; done; exit 1'
    depends_on:
      - web
volumes:
  pages:
`;

/**
 * Two networks: `web` is on `front` only, with the alias `www`; `client` is on both, and `internal`
 * `back` comes first in its resolv.conf, so the lookup of `www` reaches back's resolver, which must answer
 * for all of the client's networks, as Docker's does.
 */
const TWO_NETWORKS = `version: "3.8"
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /srv && echo hello-across-networks > /srv/index.html && exec httpd -f -p 80 -h /srv'
    networks:
      front:
        aliases: [www]
  client:
    image: busybox
    command: sh -c 'for i in $$(seq 1 40); do wget -qO- http://www/ && exit 0; sleep 0.25; done; exit 1'
    networks: [back, front]
    depends_on: [web]
networks:
  front:
  back:
    internal: true
`;

/** Debian's docker-compose 1.29 (python, docker-py) against polisd, as a user would run it. */
describe('docker-compose 1.29 against polisd', () => {
  let d: TestDaemon;
  let dir: string;
  const project = `polis${process.pid}`;
  const projectLabel = `com.docker.compose.project=${project}`;

  const compose = (args: string[], file = 'docker-compose.yml', name = project): Promise<CommandResult> =>
    runCommand('docker-compose', ['--no-ansi', '-f', join(dir, file), ...args], {
      env: d.env({ COMPOSE_PROJECT_NAME: name }),
      timeoutMs: 120_000,
    });

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    dir = mkdtempSync(join(tmpdir(), 'polis-compose-'));
    writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE_FILE);
    writeFileSync(join(dir, 'two-networks.yml'), TWO_NETWORKS);
  });

  after(async () => {
    if (d && dir) await compose(['down', '-v', '-t', '1']).catch(() => undefined);
    if (d && dir)
      await compose(['down', '-t', '1'], 'two-networks.yml', `${project}n`).catch(() => undefined);
    await d?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('up -d: the client fetches the page from the volume by service name; ps, run, down -v', async () => {
    ok(await compose(['up', '-d']), 'docker-compose up -d');

    const client = `${project}_client_1`;
    const exit = await d.client.containers.wait(client);
    const logs = ok(await compose(['logs', '--no-color', 'client']), 'docker-compose logs');
    assert.equal(exit.StatusCode, 0, logs);
    assert.match(logs, /client_1\s+\| hello-from-volume$/m);

    // What compose made carries its labels; the client reached `web` on the project's network.
    const volume = await d.client.volumes.inspect(`${project}_pages`);
    assert.equal(volume.Labels?.['com.docker.compose.project'], project);
    assert.equal(volume.Labels?.['com.docker.compose.volume'], 'pages');
    const network = await d.client.networks.inspect(`${project}_default`);
    assert.equal(network.Labels?.['com.docker.compose.network'], 'default');
    const web = await d.client.containers.inspect(`${project}_web_1`);
    assert.ok(web.NetworkSettings?.Networks?.[`${project}_default`], JSON.stringify(web.NetworkSettings));

    const ps = lines(ok(await compose(['ps']), 'docker-compose ps'));
    assert.match(ps[0]!, /^\s*Name\s+Command\s+State\s+Ports\s*$/);
    const row = (service: string): string => ps.find((l) => l.startsWith(`${project}_${service}_1 `)) ?? '';
    assert.match(row('web'), /\sUp\s*$/, ps.join('\n'));
    assert.match(row('client'), /\sExit 0\s*$/, ps.join('\n'));
    assert.match(row('writer'), /\sExit 0\s*$/, ps.join('\n'));
    assert.deepEqual(lines(ok(await compose(['ps', '--services', '--filter', 'status=running']))), ['web']);

    // A one-off container in the foreground: compose creates it and runs `docker start --attach` (its
    // default; with COMPOSE_INTERACTIVE_NO_CLI its own dockerpty attaches only after the start, and loses
    // early output against any daemon).
    const run = await compose(['run', '--rm', 'client']);
    assert.equal(ok(run, 'docker-compose run'), 'hello-from-volume');

    ok(await compose(['down', '-v', '-t', '1']), 'docker-compose down -v');
    const left = await d.client.containers.list({ all: true, filters: { label: [projectLabel] } });
    assert.deepEqual(
      left.map((c) => c.Names),
      [],
    );
    const networks = await d.client.networks.list();
    assert.ok(!networks.some((n) => n.Name.startsWith(project)), JSON.stringify(networks.map((n) => n.Name)));
    const volumes = (await d.client.volumes.list()).Volumes ?? [];
    assert.deepEqual(
      volumes.map((v) => v.Name),
      [],
    );
  });

  it('a service on two networks reaches an alias on the one it shares, whichever resolver it asks', async () => {
    const name = `${project}n`;
    const file = 'two-networks.yml';
    ok(await compose(['up', '-d'], file, name), 'docker-compose up -d');
    const exit = await d.client.containers.wait(`${name}_client_1`);
    const logs = ok(await compose(['logs', '--no-color', 'client'], file, name), 'docker-compose logs');
    assert.equal(exit.StatusCode, 0, logs);
    assert.match(logs, /hello-across-networks$/m);
    ok(await compose(['down', '-t', '1'], file, name), 'docker-compose down');
    const networks = await d.client.networks.list();
    assert.ok(
      !networks.some((n) => n.Name.startsWith(`${name}_`)),
      JSON.stringify(networks.map((n) => n.Name)),
    );
  });
});
