/** `polis run --rm IMAGE true` done through the SDK, in the CLI's order, with a timestamp per phase. */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { ContainerCreateBody, PolisClient } from '@polis/sdk';

/** Milliseconds since the run began at which each phase was done. */
export interface SdkPhases {
  created: number;
  attached: number;
  waitRegistered: number;
  startReturned: number;
  /** The attach stream ended: the client has seen the container exit. */
  exitSeen: number;
  /** The `removed` wait answered: the container is gone. */
  removed: number;
}

export const PHASE_NAMES: readonly (keyof SdkPhases)[] = [
  'created',
  'attached',
  'waitRegistered',
  'startReturned',
  'exitSeen',
  'removed',
];

/** The body the CLI sends for `run --rm IMAGE CMD...` with no other flags (see cli create-body.ts). */
export function runRmBody(image: string, cmd: string[]): ContainerCreateBody {
  return {
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: [],
    Cmd: cmd,
    Image: image,
    Labels: {},
    HostConfig: {
      RestartPolicy: { Name: 'no' },
      AutoRemove: true,
      Privileged: false,
      ReadonlyRootfs: false,
    },
  };
}

const discard = (): Writable =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

/** create → attach (hijacked, stream) → wait(removed) registered → start → output ends → wait result. */
export async function sdkRunRm(client: PolisClient, image: string): Promise<SdkPhases> {
  const containers = client.containers;
  const t0 = performance.now();
  const at = (): number => performance.now() - t0;
  const { Id } = await containers.create(runRmBody(image, ['true']));
  const created = at();
  const attached = await containers.attach(Id, { stream: true, stdout: true, stderr: true, tty: false });
  const attachedAt = at();
  const pending = await containers.startWait(Id, { condition: 'removed' });
  const waitRegistered = at();
  await containers.start(Id);
  const startReturned = at();
  await attached.demuxTo(discard(), discard());
  const exitSeen = at();
  const result = await pending.result;
  const removed = at();
  if (result.StatusCode !== 0 || result.Error?.Message)
    throw new Error(`sdk run: exit ${result.StatusCode} ${result.Error?.Message ?? ''}`);
  return { created, attached: attachedAt, waitRegistered, startReturned, exitSeen, removed };
}
