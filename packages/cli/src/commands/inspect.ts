/** `inspect` for containers, images, networks and volumes: indented JSON like docker's, or a Go template per object. */
import type { Cli } from '../cli.js';
import { describe, fromDaemon } from '../errors.js';
import { bool, str, type FlagSpec, type Parsed } from '../flags.js';
import { FUNCTIONS } from '../format/functions.js';
import { Template } from '../format/template.js';

export const INSPECT_FLAGS: FlagSpec[] = [
  {
    name: 'format',
    short: 'f',
    type: 'string',
    help: "Format output using a custom template: 'json' or a Go template",
  },
  { name: 'size', short: 's', type: 'bool', help: 'Display total file sizes if the type is container' },
  { name: 'type', type: 'string', help: 'Only inspect objects of the given type' },
  {
    name: 'security',
    type: 'bool',
    help: "Show a running container's security as the kernel enforces it (Polis)",
  },
];

export type ObjectType = 'container' | 'image' | 'network' | 'volume';

const TYPES: readonly string[] = ['container', 'image', 'network', 'volume'];

export async function inspectObjects(cli: Cli, p: Parsed, only?: ObjectType): Promise<number> {
  const type = only ?? (str(p, 'type') as ObjectType | undefined);
  if (type !== undefined && !TYPES.includes(type))
    throw new Error(`"${type}" is not a valid value for --type`);
  const format = str(p, 'format');
  const tmpl = format === undefined || format === 'json' ? undefined : Template.parse(format);
  const size = bool(p, 'size');
  const security = bool(p, 'security');
  if (security && type !== undefined && type !== 'container')
    throw new Error('--security applies to containers only');
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of p.args) {
    try {
      found.push(
        security
          ? await withPlainNotFound(
              cli.client.containers.security(name),
              (err) => fromDaemon(err) && err.kind === 'not_found',
            )
          : await fetchObject(cli, name, type, size),
      );
    } catch (err) {
      errors.push(describe(err));
    }
  }
  if (tmpl) for (const obj of found) cli.out(`${tmpl.execute(obj, FUNCTIONS)}\n`);
  else if (format === 'json') for (const obj of found) cli.out(`${JSON.stringify(obj)}\n`);
  else cli.out(`${JSON.stringify(found, null, 4)}\n`);
  for (const e of errors) cli.err(`${e}\n`);
  return errors.length ? 1 : 0;
}

async function fetchObject(
  cli: Cli,
  name: string,
  type: ObjectType | undefined,
  size: boolean,
): Promise<unknown> {
  const notFound = (err: unknown): boolean => fromDaemon(err) && err.kind === 'not_found';
  if (type === 'container') return withPlainNotFound(cli.client.containers.inspect(name, { size }), notFound);
  if (type === 'image') return withPlainNotFound(cli.client.images.inspect(name), notFound);
  if (type === 'network') return withPlainNotFound(cli.client.networks.inspect(name), notFound);
  if (type === 'volume') return withPlainNotFound(cli.client.volumes.inspect(name), notFound);
  for (const lookup of [
    () => cli.client.containers.inspect(name, { size }),
    () => cli.client.images.inspect(name),
    () => cli.client.networks.inspect(name),
    () => cli.client.volumes.inspect(name),
  ]) {
    try {
      return await lookup();
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }
  throw new Error(`No such object: ${name}`);
}

/** docker words a missing object as `Error: No such container: x`, not as the daemon's answer. */
async function withPlainNotFound<T>(p: Promise<T>, notFound: (err: unknown) => boolean): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (notFound(err)) throw new Error((err as Error).message);
    throw err;
  }
}
