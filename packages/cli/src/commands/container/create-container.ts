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

/** A missing image: one line naming it (registries, and so pulling, come later). */
export class ImageMissing extends Error {}

/** Creates the container and returns its id. */
export async function createContainer(cli: Cli, req: CreateRequest): Promise<string> {
  try {
    const r = await cli.client.containers.create(req.body, req.name === undefined ? {} : { name: req.name });
    for (const w of r.Warnings ?? []) cli.err(`WARNING: ${w}\n`);
    return r.Id;
  } catch (err) {
    if (fromDaemon(err) && err.code === 'image.not_found') {
      throw new ImageMissing(
        `Unable to find image '${withDefaultTag(req.body.Image)}' locally: ${err.message}`,
      );
    }
    throw err;
  }
}

/** run/create failures: `polis: <error>` and a pointer to the help, as docker prints them. */
export function reportRunError(cli: Cli, command: string, line: string, err?: unknown): void {
  if (err instanceof ImageMissing) cli.err(`polis: ${err.message}\n`);
  else cli.err(`polis: ${line}\nSee 'polis ${command} --help'.\n`);
}
