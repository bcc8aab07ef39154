import { isAbsolute, relative, resolve } from 'node:path';
import type { BuildMessage, StackProject } from '@polis/sdk/engine';
import { contextPaths, contextTar } from '../../build/context-tar.js';
import type { Cli } from '../../cli.js';
import { UsageError } from '../../errors.js';

interface BuildSpec {
  context: string;
  dockerfile?: string;
  args?: Record<string, string>;
}

/**
 * Builds the services that have `build:` through polisd's builder (POST /build), as docker-compose 1.29
 * does: tagged with the service's `image`, or `<project>_<service>` without one. With `always` false
 * (plain `up`), only images that do not exist yet are built. The project is changed in place: each such
 * service names the image it runs.
 */
export async function buildServices(cli: Cli, project: StackProject, always: boolean): Promise<void> {
  for (const [name, service] of Object.entries(project.services)) {
    const build = service['build'] as BuildSpec | undefined;
    if (!build) continue;
    const tag = typeof service['image'] === 'string' ? service['image'] : `${project.name}_${name}`;
    service['image'] = tag;
    let id = always ? undefined : await imageId(cli, tag);
    if (id === undefined) {
      cli.err(`Building ${name}\n`);
      id = await buildOne(cli, name, build, tag);
    }
    // The tag stays the same across builds; the image ID in a label changes the service's configuration
    // hash, so the controller recreates replicas exactly when a rebuild gave a new image.
    service['labels'] = {
      ...(service['labels'] as Record<string, string> | undefined),
      [IMAGE_ID_LABEL]: id,
    };
  }
}

export const IMAGE_ID_LABEL = 'io.polis.compose.image-id';

async function imageId(cli: Cli, tag: string): Promise<string | undefined> {
  try {
    return (await cli.client.images.inspect(tag)).Id;
  } catch {
    return undefined;
  }
}

async function buildOne(cli: Cli, service: string, build: BuildSpec, tag: string): Promise<string> {
  const dir = resolve(build.context);
  let dockerfile = build.dockerfile;
  if (dockerfile !== undefined) {
    const rel = relative(dir, resolve(dir, dockerfile));
    if (rel.startsWith('..') || isAbsolute(rel))
      throw new UsageError(`service "${service}": the Dockerfile (${dockerfile}) must be within its context`);
    dockerfile = rel;
  }
  const tar = contextTar(dir, await contextPaths(dir, dockerfile ?? 'Dockerfile'));
  let failure: BuildMessage['errorDetail'] | undefined;
  let id: string | undefined;
  for await (const msg of cli.client.images.build(tar.stream, {
    tags: [tag],
    ...(dockerfile !== undefined ? { dockerfile } : {}),
    ...(build.args ? { buildArgs: build.args } : {}),
  })) {
    if (msg.errorDetail || msg.error !== undefined) {
      failure = msg.errorDetail ?? { message: msg.error ?? 'the build failed' };
      break;
    }
    if (msg.aux?.ID) id = msg.aux.ID;
    if (msg.stream !== undefined) cli.err(msg.stream);
  }
  await tar.done;
  if (failure) throw new UsageError(`service "${service}": ${failure.message ?? 'the build failed'}`);
  if (id === undefined) throw new UsageError(`service "${service}": the daemon did not name the built image`);
  return id;
}
