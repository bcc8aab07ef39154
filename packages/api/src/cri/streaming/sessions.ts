import { PassThrough } from 'node:stream';
import type { ContainerService } from '@polis/runtime';
import type { LogEntry } from '@polis/runtime';
import type { ChannelConnection as WebSocketConnection } from './channel.js';
import type { StreamSession } from './server.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
/** v5.channel.k8s.io: `[255, n]` closes the client's stream n. */
const CLOSE = 255;

export interface StreamRequest {
  containerId: string;
  cmd?: string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** Client frames: stdin bytes to INPUT, terminal sizes (`{"Width":80,"Height":24}`) to RESIZE. */
function readClient(
  ws: WebSocketConnection,
  input: PassThrough | undefined,
  resize: (h: number, w: number) => void,
): void {
  ws.onMessage((msg) => {
    const channel = msg[0];
    const data = msg.subarray(1);
    if (channel === STDIN && input) {
      // An empty stdin frame is the client closing its input (v5's close is a channel of its own).
      if (data.length === 0) input.end();
      else input.write(data);
    } else if (channel === CLOSE && data[0] === STDIN) {
      input?.end();
    } else if (channel === RESIZE) {
      try {
        const size = JSON.parse(data.toString()) as { Width?: number; Height?: number };
        if (size.Width && size.Height) resize(size.Height, size.Width);
      } catch {
        // a malformed resize is ignored, as kubelet does
      }
    }
  });
  ws.onClose(() => input?.end());
}

async function pump(ws: WebSocketConnection, entries: AsyncIterable<LogEntry>): Promise<void> {
  for await (const e of entries) {
    if (ws.isClosed) break;
    ws.send(Buffer.concat([Buffer.from([e.stream === 'stderr' ? STDERR : STDOUT]), e.data]));
  }
}

/** v4's error channel carries a metav1.Status: Success, or the exit code as kubectl reads it. */
function exitStatus(code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function sendStatus(ws: WebSocketConnection, protocol: string, code: number, failure?: string): void {
  if (protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io') {
    const status = failure ? { metadata: {}, status: 'Failure', message: failure } : exitStatus(code);
    ws.send(Buffer.concat([Buffer.from([ERROR]), Buffer.from(JSON.stringify(status))]));
  } else if (failure || code !== 0) {
    ws.send(
      Buffer.concat([
        Buffer.from([ERROR]),
        Buffer.from(failure ?? `command terminated with non-zero exit code: ${code}`),
      ]),
    );
  }
}

export function execSession(containers: ContainerService, r: StreamRequest): StreamSession {
  return {
    kind: 'exec',
    streams: r,
    async serve(ws, protocol) {
      const input = r.stdin ? new PassThrough() : undefined;
      const exec = containers.createExec(r.containerId, {
        cmd: r.cmd ?? [],
        env: [],
        tty: r.tty,
        attachStdin: r.stdin,
        attachStdout: r.stdout,
        attachStderr: r.stderr,
        privileged: false,
      });
      readClient(ws, input, (h, w) => void containers.resizeExec(exec.id, h, w).catch(() => undefined));
      ws.onClose(() => {
        if (containers.inspectExec(exec.id).running) containers.killExec(exec.id);
      });
      try {
        const entries = await containers.startExec(exec.id, {
          detach: false,
          ...(input ? { stdin: input } : {}),
        });
        await pump(ws, entries);
        let code = containers.inspectExec(exec.id).exitCode;
        for (let i = 0; code === undefined && i < 200; i++) {
          await new Promise((res) => setTimeout(res, 10));
          code = containers.inspectExec(exec.id).exitCode;
        }
        sendStatus(ws, protocol, code ?? -1);
      } catch (err) {
        sendStatus(ws, protocol, -1, (err as Error).message);
      } finally {
        ws.close();
        containers.forgetExec(exec.id);
      }
    },
  };
}

export function attachSession(containers: ContainerService, r: StreamRequest): StreamSession {
  return {
    kind: 'attach',
    streams: r,
    async serve(ws, protocol) {
      const input = r.stdin ? new PassThrough() : undefined;
      const abort = new AbortController();
      readClient(ws, input, (h, w) => void containers.resize(r.containerId, h, w).catch(() => undefined));
      ws.onClose(() => abort.abort());
      try {
        const entries = containers.attach(
          r.containerId,
          {
            logs: false,
            stream: true,
            stdout: r.stdout,
            stderr: r.stderr,
            ...(input ? { stdin: input } : {}),
          },
          abort.signal,
        );
        await pump(ws, entries);
        if (!ws.isClosed) sendStatus(ws, protocol, 0);
      } catch (err) {
        if (!abort.signal.aborted) sendStatus(ws, protocol, -1, (err as Error).message);
      } finally {
        ws.close();
      }
    },
  };
}
