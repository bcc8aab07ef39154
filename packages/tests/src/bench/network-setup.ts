/**
 * The set-up cases of the network benchmark: `run --rm busybox true` through the SDK, in the CLI's
 * order (create → attach → wait(removed) → start → output ends → removed), with only the network
 * settings changed between cases.
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { ContainerCreateBody, HostConfig, PolisClient } from '@polis/sdk';
import type { SetupKey } from './network-report.js';
import { runRmBody, type SdkPhases } from './sdk-run.js';

export interface SetupCase {
  key: SetupKey;
  name: string;
  body: ContainerCreateBody;
}

function withHost(
  image: string,
  host: HostConfig,
  extra: Partial<ContainerCreateBody> = {},
): ContainerCreateBody {
  const body = runRmBody(image, ['true']);
  return { ...body, ...extra, HostConfig: { ...body.HostConfig, ...host } };
}

/** `--network none`, the default bridge, `--network <userNetwork>`, and the bridge with `-p 80`. */
export function setupCases(image: string, userNetwork: string): SetupCase[] {
  return [
    { key: 'none', name: '--network none', body: withHost(image, { NetworkMode: 'none' }) },
    { key: 'bridge', name: 'default bridge', body: withHost(image, { NetworkMode: 'bridge' }) },
    {
      key: 'user',
      name: `user network (${userNetwork})`,
      body: withHost(image, { NetworkMode: userNetwork }),
    },
    {
      key: 'port',
      name: 'default bridge, -p 80 (random host port)',
      // An empty HostPort is docker's `-p 80`: the daemon picks a free host port.
      body: withHost(
        image,
        { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] } },
        { ExposedPorts: { '80/tcp': {} } },
      ),
    },
  ];
}

const discard = (): Writable =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

/** A run that has not ended by then is stuck: the bench fails with the step it was waiting for. */
const STUCK_MS = 30_000;

/**
 * One `run --rm` of `body` (which must set AutoRemove) as sdk-run.ts does it, with its phases, except
 * that the output is read from the attach on rather than after start.
 */
export async function sdkRunBody(client: PolisClient, body: ContainerCreateBody): Promise<SdkPhases> {
  let step = 'create';
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`sdk run stuck for ${STUCK_MS} ms in ${step}`)), STUCK_MS);
  });
  const run = async (): Promise<SdkPhases> => {
    const containers = client.containers;
    const t0 = performance.now();
    const at = (): number => performance.now() - t0;
    const { Id } = await containers.create(body);
    const created = at();
    step = `attach of ${Id}`;
    const attached = await containers.attach(Id, { stream: true, stdout: true, stderr: true, tty: false });
    const attachedAt = at();
    // Read from now on: a container that exits while start is answered ends its stream before
    // anything reads it, and @polis/sdk's demuxTo started on an ended stream never settles.
    let exitSeen = 0;
    const output = attached.demuxTo(discard(), discard()).then(() => void (exitSeen = at()));
    output.catch(() => undefined);
    step = `wait(removed) of ${Id}`;
    const pending = await containers.startWait(Id, { condition: 'removed' });
    const waitRegistered = at();
    step = `start of ${Id}`;
    await containers.start(Id);
    const startReturned = at();
    step = `the end of the attach stream of ${Id}`;
    await output;
    // The stream may end before start is answered; the exit is then seen once start returned.
    exitSeen = Math.max(exitSeen, startReturned);
    step = `the wait(removed) result of ${Id}`;
    const result = await pending.result;
    const removed = at();
    if (result.StatusCode !== 0 || result.Error?.Message)
      throw new Error(`sdk run: exit ${result.StatusCode} ${result.Error?.Message ?? ''}`);
    return { created, attached: attachedAt, waitRegistered, startReturned, exitSeen, removed };
  };
  try {
    return await Promise.race([run(), stuck]);
  } finally {
    clearTimeout(timer);
  }
}
