import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary, ImageSummary } from '@polis/sdk/engine';
import { containerRow, DEFAULT_PS_FORMAT, displayablePorts, PS_HEADER } from './container-rows.js';
import { DEFAULT_IMAGES_FORMAT, IMAGES_HEADER, imageRows } from './image-rows.js';
import { render } from './render.js';

const now = 1_700_000_100_000;
const container: ContainerSummary = {
  Id: '4f66ad9a0b2e8e35a2c8b8f1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1',
  Names: ['/eager_euclid'],
  Image: 'busybox',
  ImageID: 'sha256:aaaaaaaaaaaa0000',
  Command: "sh -c 'sleep 1000; echo done'",
  Created: 1_700_000_000,
  Ports: [],
  Labels: { b: '2', a: '1' },
  State: 'running',
  Status: 'Up 3 seconds',
};

test('ps default table is laid out as docker lays it out', () => {
  const out = render(DEFAULT_PS_FORMAT, [containerRow(container, true, now)], PS_HEADER);
  assert.equal(
    out,
    'CONTAINER ID   IMAGE     COMMAND                  CREATED              STATUS         PORTS     NAMES\n' +
      '4f66ad9a0b2e   busybox   "sh -c \'sleep 1000; …"   About a minute ago   Up 3 seconds             eager_euclid\n',
  );
});

test('ps with no containers prints the header only', () => {
  assert.equal(
    render(DEFAULT_PS_FORMAT, [], PS_HEADER),
    'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n',
  );
});

test('custom, table and json formats', () => {
  const row = containerRow(container, false, now);
  assert.equal(
    render('{{.Names}}: {{.State}} {{.Labels}} {{.Label "a"}}', [row], PS_HEADER),
    'eager_euclid: running a=1,b=2 1\n',
  );
  assert.equal(
    render('table {{.ID}}\\t{{.Names}}', [containerRow(container, true, now)], PS_HEADER),
    'CONTAINER ID   NAMES\n4f66ad9a0b2e   eager_euclid\n',
  );
  const json = JSON.parse(render('json', [row], PS_HEADER)) as Record<string, string>;
  assert.equal(json.ID, container.Id);
  assert.equal(json.Command, JSON.stringify(container.Command));
  assert.equal(json.RunningFor, 'About a minute ago');
  assert.equal(json.Size, '0B');
  assert.equal(json.Label, undefined);
  assert.deepEqual(Object.keys(json), [...Object.keys(json)].sort());
});

test('ports are grouped and mapped as docker shows them', () => {
  assert.equal(
    displayablePorts([
      { PrivatePort: 80, PublicPort: 8080, IP: '0.0.0.0', Type: 'tcp' },
      { PrivatePort: 443, Type: 'tcp' },
      { PrivatePort: 444, Type: 'tcp' },
      { PrivatePort: 53, Type: 'udp' },
    ]),
    '53/udp, 443-444/tcp, 0.0.0.0:8080->80/tcp',
  );
});

test('images table: one row per tag, familiar names, sizes', () => {
  const img: ImageSummary = {
    Id: 'sha256:2bd29714875d9206777f9e8876033cbcd58edd14f2c0f1203435296b3f31c5f7',
    ParentId: '',
    RepoTags: ['docker.io/library/busybox:latest', 'busybox:1.36', 'localhost:5000/me/app:v1'],
    RepoDigests: [],
    Created: 1_700_000_000 - 3 * 7 * 24 * 3600,
    Size: 4_261_234,
    SharedSize: -1,
    Labels: null,
    Containers: -1,
  };
  const dangling = { ...img, Id: 'sha256:ffff00001111', RepoTags: [], Size: 999 };
  const out = render(
    DEFAULT_IMAGES_FORMAT,
    imageRows([img, dangling], { trunc: true, digests: false }, now),
    IMAGES_HEADER,
  );
  assert.equal(
    out,
    [
      'REPOSITORY              TAG       IMAGE ID       CREATED       SIZE',
      'busybox                 latest    2bd29714875d   3 weeks ago   4.26MB',
      'busybox                 1.36      2bd29714875d   3 weeks ago   4.26MB',
      'localhost:5000/me/app   v1        2bd29714875d   3 weeks ago   4.26MB',
      '<none>                  <none>    ffff00001111   3 weeks ago   999B',
      '',
    ].join('\n'),
  );
});
