import type { Cli } from '../../cli.js';
import { describe } from '../../errors.js';
import { bool, str, type CommandSpec, type Parsed } from '../../flags.js';
import { lacksTerminal, NOT_A_TTY } from '../../terminal/terminal.js';
import { forEach } from '../each.js';
import { attachAndRun, StartFailed } from './attach-run.js';

export const spec: CommandSpec = {
  name: 'start',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Start one or more stopped containers',
  aliases: ['container start'],
  minArgs: 1,
  flags: [
    { name: 'attach', short: 'a', type: 'bool', help: 'Attach STDOUT/STDERR and forward signals' },
    { name: 'detach-keys', type: 'string', help: 'Override the key sequence for detaching a container' },
    { name: 'interactive', short: 'i', type: 'bool', help: "Attach container's STDIN" },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const attach = bool(p, 'attach');
  const interactive = bool(p, 'interactive');
  if (!attach && !interactive) {
    return forEach(cli, p.args, async (id) => {
      await cli.client.containers.start(id);
      return id;
    });
  }
  if (p.args.length > 1) throw new Error('you cannot start and attach multiple containers at once');
  const c = await cli.client.containers.inspect(p.args[0] as string);
  const stdin = interactive && c.Config.OpenStdin === true;
  if (lacksTerminal(cli, stdin, c.Config.Tty === true)) {
    cli.err(`${NOT_A_TTY}\n`);
    return 1;
  }
  try {
    return await attachAndRun(cli, {
      id: c.Id,
      stdin,
      stdout: true,
      stderr: true,
      tty: c.Config.Tty === true,
      autoRemove: c.HostConfig.AutoRemove === true,
      running: c.State.Running,
      sigProxy: true,
      detachKeys: str(p, 'detach-keys'),
    });
  } catch (err) {
    cli.err(`${err instanceof StartFailed ? err.message : describe(err)}\n`);
    return 1;
  }
}
