import { proc, which } from '@polis/core';
import type { ContainerService } from '@polis/runtime';
import type { StreamSession } from './server.js';
import type { WebSocketConnection } from './websocket.js';

/**
 * PortForward over the websocket protocol of kubelet's streaming server (`portforward/websocket.go`):
 * per port two channels, data (2i) and error (2i+1), each opened by the server with the port as two
 * little-endian bytes; the ports are the URL's `?port=` values, else the request's. Each port is one TCP
 * connection to 127.0.0.1:PORT inside the pod's network namespace, made by `nsenter` and busybox `nc`
 * (Node cannot enter a netns), so a server listening on the pod's loopback only is reached too.
 */
export function portForwardSession(
  containers: ContainerService,
  sandboxId: string,
  requested: number[],
): StreamSession {
  return {
    kind: 'portforward',
    async serve(ws, _protocol, url) {
      const fromQuery = url.searchParams.getAll('port').map(Number);
      const ports = fromQuery.length > 0 ? fromQuery : requested;
      const pid = containers.runningPid(sandboxId);
      const nc = which('busybox');
      const ends = ports.map((port, i) => forward(ws, pid, nc, port, i));
      await Promise.all(ends);
      ws.close();
    },
  };
}

function frame(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

function forward(
  ws: WebSocketConnection,
  pid: number | undefined,
  busybox: string | undefined,
  port: number,
  index: number,
): Promise<void> {
  const data = index * 2;
  const error = data + 1;
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16LE(port);
  ws.send(frame(data, portBytes));
  ws.send(frame(error, portBytes));
  if (!pid || !busybox || !Number.isInteger(port) || port < 1 || port > 65535) {
    const why = !pid
      ? 'the pod sandbox is not running'
      : !busybox
        ? 'busybox not found on PATH'
        : `bad port ${port}`;
    ws.send(frame(error, Buffer.from(why)));
    return Promise.resolve();
  }
  const child = proc.start(
    'nsenter',
    [`--net=/proc/${pid}/ns/net`, '--', busybox, 'nc', '127.0.0.1', String(port)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => ws.send(frame(data, b)));
  child.stderr?.on('data', (b: Buffer) => stderr.push(b));
  child.stdin?.on('error', () => undefined);
  ws.onMessage((msg) => {
    if (msg[0] === data && msg.length > 1) child.stdin?.write(msg.subarray(1));
  });
  ws.onClose(() => child.kill('SIGKILL'));
  return new Promise((resolve) => {
    child.on('error', (err) => {
      ws.send(frame(error, Buffer.from(`port forward to ${port}: ${err.message}`)));
      resolve();
    });
    child.on('close', (code) => {
      if (code !== 0 && code !== null) {
        const why = Buffer.concat(stderr).toString().trim() || `exit ${code}`;
        ws.send(frame(error, Buffer.from(`failed to connect to localhost:${port} inside the pod: ${why}`)));
      }
      resolve();
    });
  });
}
