import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdState, isPolisError, ZERO_TIME, type ContainerState } from '@polis/core';
import { fakeDeps, imageRecord } from '../testing/fakes.js';
import { containerInspect } from './container-inspect.js';
import { commandText, containerSummary, statusText } from './container-summary.js';
import { humanDuration } from '@polis/core';
import { imageHistory, imageInspect, imageSummary } from './image-shapes.js';
import { familiarName, withDefaultTag } from './names.js';
import { parseSignal } from './signals.js';
import { parseTimeParam, rfc3339NanoFixed } from './timestamps.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

test("humanDuration follows go-units' HumanDuration", () => {
  const cases: [number, string][] = [
    [500, 'Less than a second'],
    [1 * S, '1 second'],
    [59 * S, '59 seconds'],
    [60 * S, 'About a minute'],
    [119 * S, 'About a minute'],
    [2 * M, '2 minutes'],
    [59 * M, '59 minutes'],
    [60 * M, 'About an hour'],
    [89 * M, 'About an hour'],
    [90 * M, '2 hours'],
    [47 * H, '47 hours'],
    [48 * H, '2 days'],
    [13 * 24 * H, '13 days'],
    [14 * 24 * H, '2 weeks'],
    [60 * 24 * H, '2 months'],
    [2 * 365 * 24 * H, '2 years'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms}`);
});

test('status text for each state', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  const base: ContainerState = createdState();
  const started = '2024-05-01T11:59:55Z';
  const finished = '2024-05-01T11:58:00Z';
  assert.equal(statusText(base, now), 'Created');
  assert.equal(statusText({ ...base, status: 'running', startedAt: started }, now), 'Up 5 seconds');
  assert.equal(statusText({ ...base, status: 'paused', startedAt: started }, now), 'Up 5 seconds (Paused)');
  assert.equal(
    statusText({ ...base, status: 'exited', exitCode: 3, startedAt: started, finishedAt: finished }, now),
    'Exited (3) 2 minutes ago',
  );
  assert.equal(statusText({ ...base, status: 'removing' }, now), 'Removal In Progress');
  assert.equal(statusText({ ...base, status: 'dead' }, now), 'Dead');
  assert.equal(
    statusText({ ...base, status: 'restarting', exitCode: 1, finishedAt: '2024-05-01T11:59:59Z' }, now),
    'Restarting (1) 1 second ago',
  );
});

test('command text quotes arguments with spaces, as docker ps shows them', () => {
  assert.equal(commandText('sh', []), 'sh');
  assert.equal(commandText('sh', ['-c', 'echo hi']), "sh -c 'echo hi'");
});

test('container summary shape', () => {
  const { containers } = fakeDeps();
  const r = containers.add('web', (r) => {
    r.spec.basic.labels = { app: 'web' };
    r.spec.storage.binds = [{ source: '/h', destination: '/c', readonly: true }];
    r.spec.network.mode = 'bridge';
  });
  const s = containerSummary(
    r,
    { Labels: { from: 'image', app: 'image' } },
    Date.parse('2024-05-01T10:00:10Z'),
  );
  assert.deepEqual(s, {
    Id: r.id,
    Names: ['/web'],
    Image: 'busybox',
    ImageID: r.imageId,
    Command: "sh -c 'echo hi'",
    Created: 1714557600,
    Ports: [],
    Labels: { from: 'image', app: 'web' },
    State: 'created',
    Status: 'Created',
    HostConfig: { NetworkMode: 'bridge' },
    NetworkSettings: { Networks: {} },
    Mounts: [
      { Type: 'bind', Source: '/h', Destination: '/c', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    ],
  });
});

test('container inspect shape: state, merged config, host config defaults', () => {
  const { containers } = fakeDeps();
  const r = containers.add('web', (r) => {
    r.state = { ...r.state, status: 'paused', pid: 77, startedAt: '2024-05-01T10:00:01Z' };
    r.spec.basic.entrypoint = [];
    r.spec.basic.exposedPorts = ['80/tcp'];
    r.spec.basic.stopTimeout = 5;
    r.spec.resources.memory = 1 << 26;
    r.spec.storage.tmpfs = [{ destination: '/run', options: ['size=1m'] }];
    r.spec.basic.init = true;
  });
  const i = containerInspect(r, {
    Cmd: ['sh'],
    Entrypoint: ['/entry'],
    WorkingDir: '/w',
    StopSignal: 'SIGQUIT',
  });
  assert.equal(i.Name, '/web');
  assert.equal(i.Image, r.imageId);
  assert.deepEqual(i.State, {
    Status: 'paused',
    Running: true,
    Paused: true,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 77,
    ExitCode: 0,
    Error: '',
    StartedAt: '2024-05-01T10:00:01Z',
    FinishedAt: ZERO_TIME,
  });
  const config = i.Config as Record<string, unknown>;
  // The entrypoint was cleared, so the image's Cmd applies and its Entrypoint does not.
  assert.deepEqual(config.Cmd, ['sh']);
  assert.equal(config.Entrypoint, null);
  assert.equal(config.Image, 'busybox');
  assert.equal(config.WorkingDir, '/w');
  assert.equal(config.StopSignal, 'SIGQUIT');
  assert.equal(config.StopTimeout, 5);
  assert.deepEqual(config.ExposedPorts, { '80/tcp': {} });
  const host = i.HostConfig as Record<string, unknown>;
  assert.equal(host.Memory, 1 << 26);
  assert.equal(host.ShmSize, 64 * 1024 * 1024);
  assert.deepEqual(host.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(host.LogConfig, { Type: 'k8s-file', Config: {} });
  assert.deepEqual(host.Tmpfs, { '/run': 'size=1m' });
  assert.equal(host.Init, true);
  assert.equal(host.Binds, null);
  assert.equal(host.PidsLimit, null);
  assert.deepEqual(i.GraphDriver, { Name: 'overlay2', Data: { MergedDir: '/d/rootfs' } });
  assert.equal((i.NetworkSettings as Record<string, unknown>).SandboxKey, '');
  assert.equal(i.ExecIDs, null);
  // A user entrypoint drops the image's Cmd (Docker's merge).
  r.spec.basic.entrypoint = ['top'];
  const j = containerInspect(r, { Cmd: ['sh'], Entrypoint: ['/entry'] }).Config as Record<string, unknown>;
  assert.deepEqual([j.Entrypoint, j.Cmd], [['top'], null]);
});

test('image shapes: familiar names, dangling, inspect, history', () => {
  const tagged = imageRecord('docker.io/library/busybox:latest', {
    repoDigests: ['docker.io/library/busybox@sha256:' + 'b'.repeat(64)],
  });
  const s = imageSummary(tagged);
  assert.deepEqual(s.RepoTags, ['busybox:latest']);
  assert.deepEqual(s.RepoDigests, ['busybox@sha256:' + 'b'.repeat(64)]);
  assert.equal(s.Created, 1704164645);
  assert.equal(s.SharedSize, -1);
  assert.equal(s.Containers, -1);
  const dangling = imageSummary(imageRecord('x', { repoTags: [] }));
  assert.deepEqual([dangling.RepoTags, dangling.RepoDigests], [['<none>:<none>'], ['<none>@<none>']]);

  const i = imageInspect(tagged);
  assert.equal(i.Comment, 'Imported from -');
  assert.deepEqual(i.RootFS, { Type: 'layers', Layers: tagged.config.rootfs.diff_ids });
  assert.deepEqual((i.Config as Record<string, unknown>).Cmd, ['sh']);
  assert.equal(i.Created, '2024-01-02T03:04:05Z');
  assert.deepEqual(i.Metadata, { LastTagTime: ZERO_TIME });

  const h = imageHistory(tagged);
  assert.deepEqual(h, [
    {
      Id: tagged.id,
      Created: 1704164645,
      CreatedBy: 'import',
      Tags: ['busybox:latest'],
      Size: tagged.size,
      Comment: 'Imported from -',
    },
  ]);
});

test('names, signals, times', () => {
  assert.equal(familiarName('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarName('docker.io/me/app:1'), 'me/app:1');
  assert.equal(familiarName('localhost:5000/app:1'), 'localhost:5000/app:1');
  assert.equal(withDefaultTag('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.equal(withDefaultTag('app:1'), 'app:1');

  assert.equal(parseSignal('kill'), 'SIGKILL');
  assert.equal(parseSignal('SIGHUP'), 'SIGHUP');
  assert.equal(parseSignal('9'), '9');
  assert.equal(parseSignal('SIGRTMIN+3'), 'SIGRTMIN+3');
  assert.throws(
    () => parseSignal('99'),
    (e) => isPolisError(e, 'request.invalid'),
  );
  assert.throws(() => parseSignal('SIGNOPE'), /invalid signal: SIGNOPE/);

  const q = (v: string): URLSearchParams => new URLSearchParams({ since: v });
  assert.equal(parseTimeParam(q('1714557600'), 'since'), 1714557600);
  assert.equal(parseTimeParam(q('1714557600.5'), 'since'), 1714557600.5);
  assert.equal(parseTimeParam(q('2024-05-01T10:00:00.25Z'), 'since'), 1714557600.25);
  assert.equal(parseTimeParam(q('2024-05-01T12:00:00+02:00'), 'since'), 1714557600);
  assert.equal(parseTimeParam(q('0'), 'since'), undefined);
  assert.throws(
    () => parseTimeParam(q('yesterday'), 'since'),
    (e) => isPolisError(e, 'request.invalid'),
  );

  assert.equal(rfc3339NanoFixed('2024-05-01T12:00:00.5+02:00'), '2024-05-01T10:00:00.500000000Z');
  assert.equal(rfc3339NanoFixed('2024-05-01T10:00:00Z'), '2024-05-01T10:00:00.000000000Z');
  assert.equal(rfc3339NanoFixed('2024-05-01T10:00:00.123456789Z'), '2024-05-01T10:00:00.123456789Z');
});
