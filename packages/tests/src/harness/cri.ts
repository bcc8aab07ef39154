import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { REPO_ROOT } from './paths.js';

/** The vendored CRI proto, the same file polisd serves. */
export const CRI_PROTO = join(REPO_ROOT, 'packages', 'api', 'vendor', 'cri', 'api.proto');

type Reply = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A small CRI client in the manner of critest: RuntimeService and ImageService over a unix socket,
 * each method a promise (camelCase fields, int64 as strings, enums by name).
 */
export class CriClient {
  private readonly runtime: grpc.Client;
  private readonly image: grpc.Client;

  constructor(readonly socket: string) {
    const def = protoLoader.loadSync(CRI_PROTO, {
      keepCase: false,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const pkg = (grpc.loadPackageDefinition(def) as any).runtime.v1; // eslint-disable-line @typescript-eslint/no-explicit-any
    const address = `unix://${socket}`;
    this.runtime = new pkg.RuntimeService(address, grpc.credentials.createInsecure());
    this.image = new pkg.ImageService(address, grpc.credentials.createInsecure());
  }

  call(method: string, req: object = {}, timeoutMs = 120_000): Promise<Reply> {
    const client = IMAGE_METHODS.has(method) ? this.image : this.runtime;
    return new Promise((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (client as any)[method](
        req,
        // Waits for the socket (polisd serves the CRI a moment after its API) until the deadline.
        new grpc.Metadata({ waitForReady: true }),
        { deadline: Date.now() + timeoutMs },
        (err: grpc.ServiceError | null, reply: Reply) => (err ? reject(err) : resolve(reply)),
      );
    });
  }

  /** Removes every pod sandbox (and so its containers), ignoring failures: a test's cleanup. */
  async removeAllPods(): Promise<void> {
    const pods = (await this.call('ListPodSandbox').catch(() => ({ items: [] }))) as {
      items: { id: string }[];
    };
    for (const p of pods.items)
      await this.call('RemovePodSandbox', { podSandboxId: p.id }).catch(() => undefined);
  }

  close(): void {
    this.runtime.close();
    this.image.close();
  }
}

const IMAGE_METHODS = new Set(['ListImages', 'ImageStatus', 'PullImage', 'RemoveImage', 'ImageFsInfo']);

/** A pod config as kubelet sends it, with a log directory. */
export function podConfig(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: {
      name,
      uid: `uid-${name}-${randomBytes(3).toString('hex')}`,
      namespace: 'default',
      attempt: 0,
    },
    hostname: name,
    labels: { app: name },
    annotations: { 'test/annotation': 'yes' },
    linux: {},
    ...extra,
  };
}

export interface ChannelFrame {
  channel: number;
  data: Buffer;
}

/**
 * Connects to a streaming URL (Exec/Attach) as kubectl does with websockets (`v4.channel.k8s.io`):
 * collects every frame until the server closes, writing STDIN (if given) on channel 0 first.
 */
export async function streamChannels(
  url: string,
  options: {
    stdin?: Buffer;
    closeStdin?: boolean;
    protocol?: string;
    onOpen?: (send: (channel: number, data: Buffer) => void) => void;
  } = {},
): Promise<{ protocol: string; frames: ChannelFrame[] }> {
  const key = randomBytes(16).toString('base64');
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Protocol': options.protocol ?? 'v4.channel.k8s.io',
      },
    });
    req.on('error', reject);
    req.on('response', (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      if (res.headers['sec-websocket-accept'] !== accept) {
        reject(new Error('bad Sec-WebSocket-Accept'));
        return;
      }
      const frames: ChannelFrame[] = [];
      let buf = Buffer.alloc(0);
      const send = (channel: number, data: Buffer) =>
        socket.write(clientFrame(0x2, Buffer.concat([Buffer.from([channel]), data])));
      // Frames the server wrote with its 101 arrive in `head`, not as 'data': parse them first.
      const onData = (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          if (buf.length < 2) return;
          let len = buf[1]! & 0x7f;
          let off = 2;
          if (len === 126) {
            if (buf.length < 4) return;
            len = buf.readUInt16BE(2);
            off = 4;
          } else if (len === 127) {
            if (buf.length < 10) return;
            len = Number(buf.readBigUInt64BE(2));
            off = 10;
          }
          if (buf.length < off + len) return;
          const opcode = buf[0]! & 0x0f;
          const payload = buf.subarray(off, off + len);
          buf = buf.subarray(off + len);
          if (opcode === 0x8) {
            socket.end(clientFrame(0x8, payload));
          } else if (opcode === 0x2 && payload.length > 0) {
            frames.push({ channel: payload[0]!, data: Buffer.from(payload.subarray(1)) });
          }
        }
      };
      onData(head);
      socket.on('data', onData);
      socket.on('close', () => resolve({ protocol: String(res.headers['sec-websocket-protocol']), frames }));
      socket.on('error', reject);
      if (options.stdin) send(0, options.stdin);
      if (options.closeStdin) send(0, Buffer.alloc(0));
      options.onOpen?.(send);
    });
    req.end();
  });
}

function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : Buffer.alloc(4);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = 0x80 | len;
  else {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  }
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= mask[i % 4]!;
  return Buffer.concat([head, mask, masked]);
}

/** The text of every frame on CHANNEL, joined. */
export function channelText(frames: ChannelFrame[], channel: number): string {
  return Buffer.concat(frames.filter((f) => f.channel === channel).map((f) => f.data)).toString();
}
