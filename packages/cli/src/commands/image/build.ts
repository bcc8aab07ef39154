import { writeFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { BuildMessage } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { contextPaths, contextTar, stdinContext } from '../../build/context-tar.js';
import { UsageError } from '../../errors.js';
import { bool, list, str, type CommandSpec, type Parsed } from '../../flags.js';

export const spec: CommandSpec = {
  name: 'build',
  usage: '[OPTIONS] PATH | -',
  summary: 'Build an image from a Dockerfile',
  aliases: ['image build', 'builder build'],
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'tag', short: 't', type: 'list', help: 'Name and optionally a tag in the "name:tag" format' },
    {
      name: 'file',
      short: 'f',
      type: 'string',
      help: 'Name of the Dockerfile (Default is "PATH/Dockerfile")',
    },
    { name: 'build-arg', type: 'list', help: 'Set build-time variables' },
    { name: 'target', type: 'string', help: 'Set the target build stage to build' },
    { name: 'no-cache', type: 'bool', help: 'Do not use cache when building the image' },
    { name: 'label', type: 'list', help: 'Set metadata for an image' },
    {
      name: 'network',
      type: 'string',
      help: 'Set the networking mode for the RUN instructions during build',
      default: 'default',
    },
    { name: 'pull', type: 'bool', help: 'Always attempt to pull a newer version of the image' },
    {
      name: 'quiet',
      short: 'q',
      type: 'bool',
      help: 'Suppress the build output and print image ID on success',
    },
    { name: 'iidfile', type: 'string', help: 'Write the image ID to the file' },
  ],
};

/** `KEY=value` pairs; a bare `KEY` takes the value from the environment, as docker does. */
function pairs(values: string[], env: NodeJS.ProcessEnv, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq === 0) throw new UsageError(`invalid ${what}: ${v}`);
    if (eq < 0) {
      const fromEnv = env[v];
      if (fromEnv !== undefined) out[v] = fromEnv;
    } else out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const path = p.args[0] as string;
  let body: Readable;
  let done: Promise<unknown> = Promise.resolve();
  let dockerfile = str(p, 'file');
  if (path === '-') {
    // A tar context on stdin (`docker build - < context.tar`), or a Dockerfile alone.
    body = Readable.from(await stdinContext(cli.stdin));
  } else {
    const dir = resolve(path);
    if (dockerfile !== undefined) {
      const rel = relative(dir, resolve(dockerfile));
      if (rel.startsWith('..') || isAbsolute(rel))
        throw new UsageError(`the Dockerfile (${dockerfile}) must be within the build context (${path})`);
      dockerfile = rel;
    }
    const tar = contextTar(dir, await contextPaths(dir, dockerfile ?? 'Dockerfile'));
    body = tar.stream;
    done = tar.done;
  }
  const quiet = bool(p, 'quiet');
  const stream = cli.client.images.build(body, {
    tags: list(p, 'tag'),
    ...(dockerfile !== undefined ? { dockerfile } : {}),
    buildArgs: pairs(list(p, 'build-arg'), cli.env, 'build-arg'),
    labels: pairs(list(p, 'label'), {}, 'label'),
    ...(str(p, 'target') ? { target: str(p, 'target') as string } : {}),
    noCache: bool(p, 'no-cache'),
    pull: bool(p, 'pull'),
    networkMode: str(p, 'network') ?? 'default',
    quiet,
  });
  let id: string | undefined;
  let failure: BuildMessage['errorDetail'] | undefined;
  for await (const msg of stream) {
    if (msg.errorDetail || msg.error !== undefined) {
      failure = msg.errorDetail ?? { message: msg.error ?? 'the build failed' };
      break;
    }
    if (msg.aux?.ID) id = msg.aux.ID;
    if (msg.stream !== undefined && !quiet) cli.out(msg.stream);
  }
  await done;
  if (failure) {
    cli.err(`${failure.message ?? 'the build failed'}\n`);
    // docker exits with a failed RUN's code.
    return failure.code && failure.code > 0 ? failure.code : 1;
  }
  if (id === undefined) {
    cli.err('the daemon did not name the built image\n');
    return 1;
  }
  if (quiet) cli.out(`${id}\n`);
  const iidfile = str(p, 'iidfile');
  if (iidfile !== undefined) await writeFile(iidfile, id);
  return 0;
}
