import type { Cli } from '../../cli.js';
import { bool, int, list, parseArgs, str, type CommandSpec, type Parsed } from '../../flags.js';
import * as execCommand from '../container/exec.js';
import { PROJECT_FLAGS, projectName } from './project.js';

export const spec: CommandSpec = {
  name: 'compose exec',
  usage: '[OPTIONS] SERVICE COMMAND [ARGS...]',
  summary: "Execute a command in a service's running container",
  minArgs: 2,
  interspersed: false,
  flags: [
    ...PROJECT_FLAGS,
    { name: 'detach', short: 'd', type: 'bool', help: 'Detached mode: run command in the background' },
    {
      name: 'no-TTY',
      short: 'T',
      type: 'bool',
      help: 'Disable pseudo-TTY allocation (default: a TTY when stdin is one)',
    },
    { name: 'index', type: 'int', default: 1, help: 'Index of the container if the service has several' },
    { name: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
    { name: 'user', short: 'u', type: 'string', help: 'Run the command as this user' },
    { name: 'workdir', short: 'w', type: 'string', help: 'Working directory inside the container' },
  ],
};

/** As docker-compose: the container `<project>_<service>_<index>`, by `polis exec`. */
export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [service, ...command] = p.args as [string, ...string[]];
  const container = `${await projectName(cli, p)}_${service}_${int(p, 'index') ?? 1}`;
  const tty = !bool(p, 'no-TTY') && (cli.stdin as { isTTY?: boolean }).isTTY === true;
  const user = str(p, 'user');
  const workdir = str(p, 'workdir');
  const argv = [
    ...(bool(p, 'detach') ? ['-d'] : ['-i']),
    ...(tty ? ['-t'] : []),
    ...list(p, 'env').flatMap((e) => ['-e', e]),
    ...(user ? ['-u', user] : []),
    ...(workdir ? ['-w', workdir] : []),
    container,
    ...command,
  ];
  return execCommand.run(cli, parseArgs(execCommand.spec, argv));
}
