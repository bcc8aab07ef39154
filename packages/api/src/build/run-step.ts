import { join } from 'node:path';
import { PolisError, logFailure, type IdMappings, type Logger } from '@polis/core';
import type { ContainerService } from '@polis/runtime';
import { specFromCreateBody } from '../docker/create-body.js';

export interface RunStepInput {
  imageId: string;
  cmd: string[];
  env: string[];
  workingDir?: string;
  user?: string;
  /** `default`, `none`, `host`, a network name. */
  network: string;
  signal: AbortSignal;
  /** Each chunk of the step's output, as it came. */
  output: (text: string) => void;
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Runs one RUN in a real container through the normal create/start path, then hands the container's
 * upper dir to `commit` while the container still exists, and removes the container (and any
 * anonymous volume of the image's VOLUMEs) whatever happened: a failed or cancelled step leaves no
 * container and no mount behind.
 */
export async function runStep<T>(
  containers: ContainerService,
  log: Logger,
  input: RunStepInput,
  commit: (upperDir: string, idMappings?: IdMappings) => Promise<T>,
): Promise<T> {
  if (input.signal.aborted) throw cancelled();
  const env = input.env.some((e) => e.startsWith('PATH=')) ? input.env : [DEFAULT_PATH, ...input.env];
  const spec = specFromCreateBody({
    Image: input.imageId,
    Cmd: input.cmd,
    Env: env,
    ...(input.workingDir ? { WorkingDir: input.workingDir } : {}),
    ...(input.user ? { User: input.user } : {}),
    Labels: {},
    Healthcheck: { Test: ['NONE'] },
    HostConfig: { NetworkMode: input.network },
  });
  // The image's ENTRYPOINT is not the step's: RUN runs its command alone (Docker's rule).
  spec.basic.entrypoint = [];
  const record = await containers.create(spec);
  const kill = (): void => {
    containers.kill(record.id, 'SIGKILL').catch(() => undefined);
  };
  input.signal.addEventListener('abort', kill, { once: true });
  try {
    // Aborted while the container was being made: the listener came too late to hear it.
    if (input.signal.aborted) throw cancelled();
    const exited = containers.wait(record.id, 'next-exit');
    await containers.start(record.id);
    const result = await exited;
    for await (const entry of containers.logs(record.id, { stdout: true, stderr: true, follow: false })) {
      input.output(entry.data.toString('utf8'));
    }
    if (input.signal.aborted) throw cancelled();
    if (result.StatusCode !== 0) {
      throw new PolisError(
        'build.step_failed',
        `The command '${input.cmd.join(' ')}' returned a non-zero code: ${result.StatusCode}`,
        { context: { exitCode: result.StatusCode } },
      );
    }
    return await commit(join(record.paths.dir, 'upper'), record.idMappings);
  } finally {
    input.signal.removeEventListener('abort', kill);
    await containers
      .remove(record.id, { force: true, volumes: true })
      .catch(logFailure(log, 'removing a build container', { id: record.id }));
  }
}

export function cancelled(): PolisError {
  return new PolisError('build.cancelled', 'the build was cancelled');
}
