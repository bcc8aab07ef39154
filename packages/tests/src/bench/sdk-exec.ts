/** `polis exec CTR true` done through the SDK, the way the CLI does it (see cli commands/container/exec.ts). */
import { Writable } from 'node:stream';
import type { ExecCreateBody, PolisClient } from '@polis/sdk';

/** The body the CLI sends for `exec CTR CMD...` with no flags. */
export function execBody(cmd: string[]): ExecCreateBody {
  return {
    Cmd: cmd,
    Env: [],
    Tty: false,
    Privileged: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
  };
}

const discard = (): Writable =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

/** create → start attached (hijacked) → output ends → exit code from inspect; throws unless it is 0. */
export async function sdkExec(
  client: PolisClient,
  containerId: string,
  cmd: string[] = ['true'],
): Promise<void> {
  const exec = client.exec;
  const { Id } = await exec.create(containerId, execBody(cmd));
  const attached = await exec.start(Id, { tty: false });
  await attached.demuxTo(discard(), discard());
  attached.close();
  const code = await exec.exitCode(Id);
  if (code !== 0) throw new Error(`sdk exec ${cmd.join(' ')}: exit ${code}`);
}
