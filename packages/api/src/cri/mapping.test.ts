import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { ContainerRecord } from '@polis/core';
import { isoToNs } from './time.js';
import { sandboxSpec } from './sandbox/run.js';
import { containerSpec } from './container/create.js';
import { credentials } from './image/service.js';
import { L } from './labels.js';
import { WebSocketConnection } from './streaming/websocket.js';

test('isoToNs keeps nanoseconds past 2^53 and reads the zero time as 0', () => {
  assert.equal(isoToNs('2026-12-04T03:00:00.123456789Z'), '1796353200123456789');
  assert.equal(isoToNs('2026-12-04T03:00:00Z'), '1796353200000000000');
  assert.equal(isoToNs('2026-12-04T04:00:00.5+01:00'), '1796353200500000000');
  assert.equal(isoToNs('0001-01-01T00:00:00Z'), '0');
});

test('sandboxSpec: catatonit image, labels, network, DNS, ports, cgroup parent; bad input refused', () => {
  const spec = sandboxSpec(
    {
      metadata: { name: 'web', uid: 'u1', namespace: 'ns', attempt: 1 },
      hostname: 'web-0',
      logDirectory: '/var/log/pods/x',
      dnsConfig: { servers: ['10.0.0.10'], searches: ['svc.local'], options: ['ndots:5'] },
      portMappings: [{ protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIp: '127.0.0.1' }],
      labels: { app: 'web' },
      annotations: { 'io.polis.network': 'front' },
      linux: { cgroupParent: '/kubepods/pod-u1' },
    },
    'sha256:img',
    'runc',
  );
  assert.equal(spec.image, 'sha256:img');
  assert.equal(spec.basic.hostname, 'web-0');
  assert.equal(spec.basic.labels.app, 'web');
  assert.equal(spec.basic.labels[L.kind], 'sandbox');
  assert.equal(spec.basic.labels[L.logDirectory], '/var/log/pods/x');
  assert.equal(spec.network.mode, 'front');
  assert.deepEqual(spec.network.dns, ['10.0.0.10']);
  assert.deepEqual(spec.network.portBindings, { '53/udp': [{ hostIp: '127.0.0.1', hostPort: '5353' }] });
  assert.equal(spec.resources.cgroupParent, '/kubepods/pod-u1');
  assert.equal(spec.security.ipcMode, 'shareable');
  const host = sandboxSpec(
    {
      metadata: { name: 'h', uid: 'u', namespace: 'ns', attempt: 0 },
      portMappings: [{ containerPort: 80, hostPort: 80 }],
      linux: { securityContext: { namespaceOptions: { network: 'NODE' } } },
    },
    'i',
    '',
  );
  assert.equal(host.network.mode, 'host');
  assert.deepEqual(host.network.portBindings, {});
  assert.throws(() => sandboxSpec({}, 'i', ''), { code: 'request.invalid' });
  assert.throws(
    () =>
      sandboxSpec(
        {
          metadata: { name: 'x', uid: 'u', namespace: 'n', attempt: 0 },
          portMappings: [{ protocol: 'SCTP', containerPort: 1 }],
        },
        'i',
        '',
      ),
    { code: 'request.invalid' },
  );
});

test("containerSpec: joins the sandbox's namespaces; command/args as entrypoint/cmd; log path under the pod's directory", () => {
  const sandbox = {
    id: 'sb1',
    hostname: 'web-0',
    spec: sandboxSpec(
      { metadata: { name: 'web', uid: 'u1', namespace: 'ns', attempt: 0 }, logDirectory: '/var/log/pods/x' },
      'i',
      '',
    ),
  } as unknown as ContainerRecord;
  const spec = containerSpec(sandbox, {
    metadata: { name: 'app', attempt: 2 },
    image: { image: 'busybox' },
    command: ['sh'],
    envs: [{ key: 'A', value: '1' }],
    logPath: 'app/2.log',
    stopSignal: 'SIGNAL_SIGQUIT',
    linux: { resources: { memoryLimitInBytes: '1048576', cpuQuota: '50000', cpuPeriod: '100000' } },
  });
  assert.deepEqual(spec.basic.entrypoint, ['sh']);
  assert.deepEqual(spec.basic.cmd, []);
  assert.deepEqual(spec.basic.env, ['A=1']);
  assert.equal(spec.basic.stopSignal, 'SIGQUIT');
  assert.equal(spec.basic.hostname, 'web-0');
  assert.equal(spec.basic.stopSignal, 'SIGQUIT');
  assert.equal(spec.network.mode, 'container:sb1');
  assert.equal(spec.security.ipcMode, 'container:sb1');
  assert.deepEqual(spec.logging, { driver: 'k8s-file', options: { path: '/var/log/pods/x/app/2.log' } });
  assert.equal(spec.resources.memory, 1048576);
  assert.equal(spec.resources.cpuQuota, 50000);
  const argsOnly = containerSpec(sandbox, {
    metadata: { name: 'b' },
    image: { image: 'busybox' },
    args: ['x'],
  });
  assert.equal(argsOnly.basic.entrypoint, undefined);
  assert.equal(argsOnly.basic.stopSignal, undefined);
  assert.deepEqual(argsOnly.basic.cmd, ['x']);
  assert.throws(() => containerSpec(sandbox, { metadata: { name: 'c' } }), { code: 'request.invalid' });
});

test('credentials: user/password, base64 auth, tokens; none is anonymous', () => {
  assert.deepEqual(credentials({ username: 'u', password: 'p' }), { username: 'u', password: 'p' });
  assert.deepEqual(credentials({ auth: Buffer.from('me:pa:ss').toString('base64') }), {
    username: 'me',
    password: 'pa:ss',
  });
  assert.deepEqual(credentials({ registryToken: 't' }), { registrytoken: 't' });
  assert.equal(credentials({}), undefined);
  assert.equal(credentials(null), undefined);
  assert.throws(() => credentials({ auth: Buffer.from('nocolon').toString('base64') }), {
    code: 'request.invalid',
  });
});

function masked(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  const len = payload.length;
  const head = len < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | len]) : Buffer.alloc(4);
  if (len >= 126) {
    head[0] = (fin ? 0x80 : 0) | opcode;
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  }
  return Buffer.concat([head, mask, body]);
}

test('websocket: unmasks, joins fragments across chunks, answers ping, echoes close', () => {
  const socket = new PassThrough();
  const written: Buffer[] = [];
  const sink = new PassThrough();
  // The connection reads from `socket` and writes to it; capture writes separately.
  const duplex = Object.assign(socket, {
    write: (b: Buffer) => {
      written.push(b);
      return true;
    },
    end: (b?: Buffer) => {
      if (b) written.push(b);
      sink.end();
      return socket;
    },
  });
  const ws = new WebSocketConnection(duplex);
  const got: string[] = [];
  ws.onMessage((m) => got.push(m.toString()));
  const big = Buffer.alloc(300, 'x');
  const stream = Buffer.concat([
    masked(0x2, Buffer.from('hel'), false),
    masked(0x0, Buffer.from('lo')),
    masked(0x9, Buffer.from('p')),
    masked(0x2, big),
  ]);
  socket.emit('data', stream.subarray(0, 5));
  socket.emit('data', stream.subarray(5));
  assert.deepEqual(got, ['hello', big.toString()]);
  assert.deepEqual(written[0], Buffer.from([0x8a, 1, 0x70]));
  ws.send(Buffer.from('ok'));
  assert.deepEqual(written[1], Buffer.from([0x82, 2, 0x6f, 0x6b]));
  socket.emit('data', masked(0x8, Buffer.from([0x03, 0xe8])));
  assert.equal(ws.isClosed, true);
  assert.equal(written[2]![0], 0x88);
});
