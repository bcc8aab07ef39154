import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ComposeLoadBody, StackProject } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { UsageError } from '../../errors.js';
import { list, str, type FlagSpec, type Parsed } from '../../flags.js';

/** The flags every `polis compose` verb takes (given after the verb: `polis compose up -f a.yml`). */
export const PROJECT_FLAGS: FlagSpec[] = [
  { name: 'file', short: 'f', type: 'list', meta: 'file', help: 'Compose configuration files' },
  { name: 'project-name', short: 'p', type: 'string', help: 'Project name' },
  { name: 'profile', type: 'list', help: 'Profiles to enable' },
  { name: 'project-directory', type: 'string', help: 'Working directory (default: the first file’s)' },
];

const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

/** Reads the files here (paths are the user's) and has polisd interpolate, validate and normalise them. */
export async function loadProject(cli: Cli, p: Parsed): Promise<StackProject> {
  return cli.client.stacks.load(loadBody(cli, p));
}

/** The compose files and what interpolation needs, as polisd's loader takes them. */
export function loadBody(cli: Cli, p: Parsed): ComposeLoadBody {
  let files = list(p, 'file');
  if (files.length === 0 && cli.env['COMPOSE_FILE']) files = cli.env['COMPOSE_FILE'].split(':');
  if (files.length === 0) {
    const found = DEFAULT_FILES.find((f) => existsSync(f));
    if (!found)
      throw new UsageError(`no configuration file provided: not found (${DEFAULT_FILES.join(', ')})`);
    files = [found];
  }
  const paths = files.map((f) => resolve(f));
  const workingDir = resolve(str(p, 'project-directory') ?? dirname(paths[0]!));
  const dotenvPath = resolve(workingDir, '.env');
  const profiles = list(p, 'profile');
  const name = str(p, 'project-name');
  return {
    files: paths.map((path) => {
      try {
        return { path, content: readFileSync(path, 'utf8') };
      } catch {
        throw new UsageError(`cannot read compose file ${path}`);
      }
    }),
    workingDir,
    env: { ...cli.env },
    ...(existsSync(dotenvPath) ? { dotenv: readFileSync(dotenvPath, 'utf8') } : {}),
    ...(name ? { projectName: name } : {}),
    ...(profiles.length ? { profiles } : {}),
  };
}

/** The project's name without loading it through the daemon when -p or COMPOSE_PROJECT_NAME says it. */
export async function projectName(cli: Cli, p: Parsed): Promise<string> {
  const name = str(p, 'project-name') ?? cli.env['COMPOSE_PROJECT_NAME'];
  if (name) return name.toLowerCase().replace(/[^-_a-z0-9]/g, '');
  if (list(p, 'file').length === 0 && !DEFAULT_FILES.some((f) => existsSync(f))) {
    return basename(process.cwd())
      .toLowerCase()
      .replace(/[^-_a-z0-9]/g, '');
  }
  return (await loadProject(cli, p)).name;
}
