import type { Cli } from '../../cli.js';
import { describe } from '../../errors.js';
import { bool, list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { CONTAINER_FLAGS } from '../../options/container-flags.js';
import { lacksTerminal, NOT_A_TTY } from '../../terminal/terminal.js';
import { attachAndRun, StartFailed, startFailureStatus } from './attach-run.js';
import { createContainer, createRequest, pullOptions, reportRunError } from './create-container.js';

export const spec: CommandSpec = {
  name: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  summary: 'Create and run a new container from an image',
  aliases: ['container run'],
  interspersed: false,
  minArgs: 1,
  flags: [
    { name: 'detach', short: 'd', type: 'bool', help: 'Run container in background and print container ID' },
    { name: 'detach-keys', type: 'string', help: 'Override the key sequence for detaching a container' },
    { name: 'sig-proxy', type: 'bool', help: 'Proxy received signals to the process', default: true },
    ...CONTAINER_FLAGS,
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const detach = bool(p, 'detach');
  if (detach && list(p, 'attach').length > 0) {
    reportRunError(cli, 'run', 'Conflicting options: -a and -d');
    return 125;
  }
  let req;
  let pull;
  try {
    req = createRequest(cli, p, detach);
    pull = pullOptions(p);
  } catch (err) {
    reportRunError(cli, 'run', (err as Error).message);
    return 125;
  }
  if (lacksTerminal(cli, req.body.AttachStdin === true, req.body.Tty === true)) {
    cli.err(`${NOT_A_TTY}\n`);
    return 1;
  }
  let id: string;
  try {
    id = await createContainer(cli, req, pull);
  } catch (err) {
    reportRunError(cli, 'run', describe(err));
    return 125;
  }
  if (detach) {
    try {
      await cli.client.containers.start(id);
    } catch (err) {
      reportRunError(cli, 'run', describe(err));
      return startFailureStatus(err);
    }
    cli.out(`${id}\n`);
    return 0;
  }
  const body = req.body;
  try {
    return await attachAndRun(cli, {
      id,
      stdin: body.AttachStdin === true,
      stdout: body.AttachStdout === true,
      stderr: body.AttachStderr === true,
      tty: body.Tty === true,
      autoRemove: body.HostConfig?.AutoRemove === true,
      sigProxy: p.values['sig-proxy'] !== false,
      detachKeys: str(p, 'detach-keys'),
    });
  } catch (err) {
    if (err instanceof StartFailed) {
      reportRunError(cli, 'run', err.message);
      return err.status;
    }
    reportRunError(cli, 'run', describe(err));
    return 125;
  }
}
