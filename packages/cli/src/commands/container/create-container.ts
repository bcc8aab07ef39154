/** The create step shared by `run` and `create`. */
import { readFileSync } from 'node:fs';
import type { Cli } from '../../cli.js';
import { fromDaemon } from '../../errors.js';
import type { Parsed } from '../../flags.js';
import { buildCreateRequest, type CreateRequest } from '../../options/create-body.js';
import { withDefaultTag } from '../../format/reference.js';

/** Flag values → create request; a bad value is a usage error (exit 125). */
export function createRequest(cli: Cli, p: Parsed, detach: boolean): CreateRequest {
  return buildCreateRequest(p, { env: cli.env, readFile: (f) => readFileSync(f, 'utf8') }, { detach });
}

/**
 * Creates the container and returns its id. A missing image is announced as docker does; pulling from
 * registries is not part of this command yet, so the daemon's error follows.
 */
export async function createContainer(cli: Cli, req: CreateRequest): Promise<string> {
  try {
    const r = await cli.client.containers.create(req.body, req.name === undefined ? {} : { name: req.name });
    for (const w of r.Warnings ?? []) cli.err(`WARNING: ${w}\n`);
    return r.Id;
  } catch (err) {
    if (fromDaemon(err) && err.kind === 'not_found')
      cli.err(`Unable to find image '${withDefaultTag(req.body.Image)}' locally\n`);
    throw err;
  }
}

/** run/create failures: `polis: <error>` and a pointer to the help, as docker prints them. */
export function reportRunError(cli: Cli, command: string, line: string): void {
  cli.err(`polis: ${line}\nSee 'polis ${command} --help'.\n`);
}
