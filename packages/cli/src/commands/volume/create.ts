import type { VolumeCreateBody } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { toMap } from '../../options/kv-file.js';

export const spec: CommandSpec = {
  name: 'volume create',
  usage: '[OPTIONS] [VOLUME]',
  summary: 'Create a volume',
  maxArgs: 1,
  flags: [
    { name: 'driver', short: 'd', type: 'string', help: 'Specify volume driver name', default: 'local' },
    { name: 'label', type: 'list', help: 'Set metadata for a volume' },
    { name: 'name', type: 'string', help: 'Specify volume name' },
    { name: 'opt', short: 'o', type: 'list', meta: 'map', help: 'Set driver specific options' },
  ],
};

/** The create request, as docker's `volume create` builds it (the name as argument or `--name`). */
export function createBody(p: Parsed): VolumeCreateBody {
  const byFlag = str(p, 'name');
  const byArg = p.args[0];
  if (byFlag !== undefined && byArg !== undefined && byFlag !== byArg) {
    throw new Error(
      `conflicting options: cannot specify a volume-name through both --name and as a positional arg`,
    );
  }
  return {
    Name: byArg ?? byFlag ?? '',
    Driver: str(p, 'driver') ?? 'local',
    DriverOpts: toMap(list(p, 'opt')),
    Labels: toMap(list(p, 'label')),
  };
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const volume = await cli.client.volumes.create(createBody(p));
  cli.out(`${volume.Name}\n`);
  return 0;
}
