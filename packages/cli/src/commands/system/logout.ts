import { configPath, DOCKER_HUB_SERVER, DockerConfigFile, serverKey } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';

export const spec: CommandSpec = {
  name: 'logout',
  usage: '[SERVER]',
  summary: 'Log out from a registry',
  maxArgs: 1,
  flags: [],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  const server = p.args[0] === undefined ? DOCKER_HUB_SERVER : serverKey(p.args[0]);
  const removed = new DockerConfigFile(configPath(cli.env)).remove(server);
  cli.out(removed.length > 0 ? `Removing login credentials for ${server}\n` : `Not logged in to ${server}\n`);
  return Promise.resolve(0);
}
