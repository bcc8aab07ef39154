import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPolisError } from '@polis/core';
import { interpolateString, parseEnvFile } from './interpolate.js';
import { loadProject, type LoadInput } from './load.js';

const load = (content: string, extra: Partial<LoadInput> = {}) =>
  loadProject({ files: [{ path: 'compose.yml', content }], workingDir: '/srv/My App', env: {}, ...extra });

const failure = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(isPolisError(err, 'stack.invalid'), String(err));
    return err.message;
  }
  assert.fail('expected stack.invalid');
};

describe('interpolation', () => {
  const env = { A: 'a', EMPTY: '' };
  it('substitutes $VAR and ${VAR}, and $$ is a dollar', () => {
    assert.equal(interpolateString('$A-${A}-$$A-$$$$', env), 'a-a-$A-$$');
  });
  it(':- takes the default when unset or empty; - only when unset', () => {
    assert.equal(interpolateString('${EMPTY:-d} ${EMPTY-d} ${NONE-d} ${NONE:-${A}}', env), 'd  d a');
  });
  it(':? fails with the message when unset or empty; ? only when unset', () => {
    assert.throws(() => interpolateString('${EMPTY:?need it}', env), /EMPTY is missing a value: need it/);
    assert.equal(interpolateString('${EMPTY?need it}', env), '');
  });
  it(':+ and + give the alternative when set', () => {
    assert.equal(interpolateString('${A:+x}${EMPTY:+y}${EMPTY+z}', env), 'xz');
  });
  it('a bad form is an error naming it', () => {
    assert.throws(() => interpolateString('${A B}', env), /invalid interpolation format/);
    assert.throws(() => interpolateString('${A', env), /unclosed/);
  });
  it('.env files: comments, export, quotes', () => {
    assert.deepEqual(parseEnvFile('# c\nexport A=1\nB="two words"\nC=\'$x\'\nD=3 # note\n'), {
      A: '1',
      B: 'two words',
      C: '$x',
      D: '3',
    });
  });
});

describe('loading and validation', () => {
  it('the environment wins over .env; values are interpolated before validation', () => {
    const p = load('services:\n  web:\n    image: busybox:${TAG}\n    deploy: {replicas: "${N}"}\n', {
      dotenv: 'TAG=1\nN=2',
      env: { TAG: '2' },
    });
    assert.equal(p.services['web']!.image, 'busybox:2');
  });
  it('a YAML error names file, line and column', () => {
    assert.match(
      failure(() => load('services:\n  web:\n   image: x\n  - b\n')),
      /^compose\.yml:4:\d+: /,
    );
  });
  it('a schema error names the field and its line', () => {
    assert.match(
      failure(() => load('services:\n  web:\n    image: x\n    portz: [1]\n')),
      /^compose\.yml:3: services\.web: additional property "portz" is not allowed/,
    );
    assert.match(
      failure(() => load('services:\n  web:\n    image: x\n    ports: {a: 1}\n')),
      /compose\.yml:4: services\.web\.ports/,
    );
  });
  it('undefined volumes, networks and dependencies, and cycles, are refused', () => {
    assert.match(
      failure(() => load('services:\n  a:\n    image: x\n    volumes: [v:/d]\n')),
      /undefined volume v/,
    );
    assert.match(
      failure(() => load('services:\n  a:\n    image: x\n    networks: [n]\n')),
      /network "n" is not declared/,
    );
    assert.match(
      failure(() => load('services:\n  a:\n    image: x\n    depends_on: [b]\n')),
      /undefined service "b"/,
    );
    assert.match(
      failure(() => load('services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n')),
      /circular dependency/,
    );
  });
  it('-f a -f b: the later file overrides; lists such as ports are merged', () => {
    const p = loadProject({
      files: [
        { path: 'a.yml', content: 'services:\n  web:\n    image: a\n    command: one\n    ports: ["80"]\n' },
        {
          path: 'b.yml',
          content: 'services:\n  web:\n    image: b\n    command: [two, three]\n    ports: ["81"]\n',
        },
      ],
      workingDir: '/p',
      env: {},
    });
    assert.equal(p.services['web']!.image, 'b');
    assert.deepEqual(p.services['web']!.command, ['two', 'three']);
    assert.deepEqual(
      p.services['web']!.ports.map((x) => x.target),
      [80, 81],
    );
  });
  it('profiles: a service with profiles runs only when one is enabled', () => {
    const text = 'services:\n  web: {image: x}\n  debug: {image: x, profiles: [dev]}\n';
    assert.deepEqual(Object.keys(load(text).services), ['web']);
    assert.deepEqual(Object.keys(load(text, { profiles: ['dev'] }).services), ['web', 'debug']);
  });
});

describe('normalisation', () => {
  const p = load(
    `name: Shop
services:
  web:
    image: busybox
    command: sh -c 'echo "a b"'
    environment: [A=1, FROM_ENV]
    ports: ["8080:80", "127.0.0.1:9000-9001:90-91/udp", {target: 443, published: "8443"}]
    volumes: [data:/data:ro, ./site:/site, /anon, {type: tmpfs, target: /t}]
    networks:
      front: {aliases: [www]}
    depends_on:
      db: {condition: service_healthy}
    healthcheck: {test: wget -q localhost, interval: 1m30s, retries: 2}
    stop_grace_period: 1500ms
    ulimits: {nofile: {soft: 10, hard: 20}, nproc: 5}
    deploy:
      replicas: 3
      resources: {limits: {cpus: "0.5", memory: 64m}, reservations: {memory: 1g}}
      update_config: {parallelism: 2, delay: 2s, order: start-first, failure_action: rollback}
  db:
    image: busybox
networks:
  front: {}
  ext: {external: true, name: shared}
volumes:
  data: {}
`,
    { env: { FROM_ENV: 'e' } },
  );
  const web = p.services['web']!;
  it('derives the project name as docker-compose does, and resource names from it', () => {
    assert.equal(p.name, 'shop');
    assert.equal(p.networks['front']!.name, 'shop_front');
    assert.equal(p.networks['ext']!.name, 'shared');
    assert.equal(p.networks['default']!.name, 'shop_default');
    assert.equal(p.volumes['data']!.name, 'shop_data');
    assert.equal(load('services: {a: {image: x}}').name, 'myapp');
  });
  it('expands short syntax: command, environment, ports, volumes', () => {
    assert.deepEqual(web.command, ['sh', '-c', 'echo "a b"']);
    assert.deepEqual(web.environment, { A: '1', FROM_ENV: 'e' });
    assert.deepEqual(web.ports, [
      { target: 80, published: 8080, protocol: 'tcp' },
      { target: 90, published: 9000, hostIp: '127.0.0.1', protocol: 'udp' },
      { target: 91, published: 9001, hostIp: '127.0.0.1', protocol: 'udp' },
      { target: 443, published: 8443, protocol: 'tcp' },
    ]);
    assert.deepEqual(web.volumes, [
      { type: 'volume', source: 'data', target: '/data', readOnly: true },
      { type: 'bind', source: '/srv/My App/site', target: '/site', readOnly: false },
      { type: 'volume', target: '/anon', readOnly: false },
      { type: 'tmpfs', target: '/t', readOnly: false },
    ]);
  });
  it('durations, sizes, healthcheck, deploy and dependencies', () => {
    assert.deepEqual(web.healthcheck, {
      test: ['CMD-SHELL', 'wget -q localhost'],
      intervalNs: 90e9,
      retries: 2,
    });
    assert.equal(web.stopGracePeriodS, 1.5);
    assert.deepEqual(web.ulimits, { nofile: { soft: 10, hard: 20 }, nproc: { soft: 5, hard: 5 } });
    assert.equal(web.replicas, 3);
    assert.deepEqual(web.resources, {
      limits: { cpus: 0.5, memoryBytes: 64 * 1024 ** 2 },
      reservations: { memoryBytes: 1024 ** 3 },
    });
    assert.deepEqual(web.updateConfig, {
      parallelism: 2,
      delayMs: 2000,
      order: 'start-first',
      failureAction: 'rollback',
      monitorMs: 5000,
    });
    assert.deepEqual(web.dependsOn, { db: 'service_healthy' });
    assert.deepEqual(web.networks, { front: { aliases: ['www'] } });
    assert.equal(web.restart, 'always');
    assert.equal(p.services['db']!.restart, 'no');
  });
});
