/** The create step shared by `run` and `create`, with docker's pull of a missing image. */
import { parseReference, referenceString, withDefaultTag } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { fromDaemon } from '../../errors.js';
import { bool, str, type Parsed } from '../../flags.js';
import { buildCreateRequest, type CreateRequest } from '../../options/create-body.js';
import { pullImage } from '../image/pull-image.js';

/** Flag values → create request; a bad value is a usage error (exit 125). */
export function createRequest(cli: Cli, p: Parsed, detach: boolean): CreateRequest {
  return buildCreateRequest(
    p,
    { env: cli.env, readFile: (f) => process.getBuiltinModule('node:fs').readFileSync(f, 'utf8') },
    { detach },
  );
}

export type PullPolicy = 'always' | 'missing' | 'never';

export interface PullOptions {
  policy: PullPolicy;
  platform?: string;
  /** No pull progress (and no "Unable to find image" line). */
  quiet: boolean;
}

/** `--pull`, `--platform` and `-q`; an unknown policy is a usage error. */
export function pullOptions(p: Parsed): PullOptions {
  const policy = str(p, 'pull') ?? 'missing';
  if (policy !== 'always' && policy !== 'missing' && policy !== 'never') {
    throw new Error(`invalid pull option: '${policy}': must be one of "always", "missing" or "never"`);
  }
  const platform = str(p, 'platform');
  return { policy, quiet: bool(p, 'quiet'), ...(platform !== undefined ? { platform } : {}) };
}

/**
 * The image as a name docker would pull (`busybox:latest`), or undefined for an image id, which no
 * registry serves.
 */
function pullableName(image: string): string | undefined {
  if (/^(sha256:)?[0-9a-f]{64}$/.test(image)) return undefined;
  try {
    return referenceString(withDefaultTag(parseReference(image)), true);
  } catch {
    return undefined;
  }
}

/** A create that failed because the image is not there (a daemon without Polis codes sends a bare 404). */
function imageMissing(err: unknown): boolean {
  return fromDaemon(err) && (err.code === 'image.not_found' || err.code === 'request.not_found');
}

/**
 * Creates the container and returns its id. As docker: `always` pulls first; `missing` pulls when the
 * create finds no image (the progress on stderr, stdout being kept for the id) and creates again.
 */
export async function createContainer(cli: Cli, req: CreateRequest, pull: PullOptions): Promise<string> {
  const image = req.body.Image;
  const name = pullableName(image);
  const pullNow = (ref: string): Promise<void> =>
    pullImage(cli, ref, cli.stderr, {
      quiet: pull.quiet,
      ...(pull.platform !== undefined ? { platform: pull.platform } : {}),
    });
  if (pull.policy === 'always' && name !== undefined) await pullNow(name);
  const options = {
    ...(req.name !== undefined ? { name: req.name } : {}),
    ...(pull.platform !== undefined ? { platform: pull.platform } : {}),
  };
  let created;
  try {
    created = await cli.client.containers.create(req.body, options);
  } catch (err) {
    if (!(imageMissing(err) && pull.policy === 'missing' && name !== undefined)) throw err;
    if (!pull.quiet) cli.err(`Unable to find image '${name}' locally\n`);
    await pullNow(name);
    created = await cli.client.containers.create(req.body, options);
  }
  for (const w of created.Warnings ?? []) cli.err(`WARNING: ${w}\n`);
  return created.Id;
}

/** run/create failures: `polis: <error>` and a pointer to the help, as docker prints them. */
export function reportRunError(cli: Cli, command: string, line: string): void {
  cli.err(`polis: ${line}\nSee 'polis ${command} --help'.\n`);
}
