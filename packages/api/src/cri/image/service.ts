import { statfs } from 'node:fs/promises';
import { Buffer } from 'node:buffer';
import { isPolisError, type ImageRecord } from '@polis/core';
import type { CriDeps } from '../deps.js';
import { invalid } from '../errors.js';
import { SANDBOX_IMAGE } from '../sandbox/image.js';
import { nowNs } from '../time.js';

/** The CRI's Image of a Polis image (uid/username from the image's User, as containerd answers). */
export function criImage(image: ImageRecord): Record<string, unknown> {
  const user = image.config.config?.User ?? '';
  const uid = /^\d+$/.test(user.split(':')[0] ?? '') ? { value: user.split(':')[0] } : null;
  return {
    id: image.id,
    repoTags: image.repoTags,
    repoDigests: image.repoDigests,
    size: String(image.size),
    uid,
    username: uid ? '' : user.split(':')[0],
    spec: { image: image.id, annotations: {} },
    pinned: image.repoTags.includes(SANDBOX_IMAGE),
  };
}

function lookup(deps: CriDeps, ref: string | undefined): ImageRecord | undefined {
  if (!ref) throw invalid('ImageSpec.image is required');
  try {
    return deps.images.get(ref);
  } catch (err) {
    if (isPolisError(err) && err.kind === 'not_found') return undefined;
    throw err;
  }
}

export function listImages(
  deps: CriDeps,
  req: { filter?: { image?: { image?: string } | null } | null },
): object {
  const wanted = req.filter?.image?.image;
  const only = wanted ? lookup(deps, wanted) : undefined;
  if (wanted && !only) return { images: [] };
  const images = (only ? [only] : deps.images.list({})).map(criImage);
  return { images };
}

/** ImageStatus: an unknown image is an empty answer, not an error (the CRI's rule). */
export function imageStatus(
  deps: CriDeps,
  req: { image?: { image?: string } | null; verbose?: boolean },
): object {
  const image = lookup(deps, req.image?.image);
  return { image: image ? criImage(image) : null, info: {} };
}

interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

/** The CRI's AuthConfig as registry credentials; `auth` is base64 `user:password` as in docker's config. */
export function credentials(auth: AuthConfig | null | undefined) {
  if (!auth) return undefined;
  let { username, password } = auth;
  if (!username && auth.auth) {
    const decoded = Buffer.from(auth.auth, 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalid('AuthConfig.auth must be base64 of user:password');
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  const creds = {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(auth.identityToken ? { identitytoken: auth.identityToken } : {}),
    ...(auth.registryToken ? { registrytoken: auth.registryToken } : {}),
    ...(auth.serverAddress ? { serveraddress: auth.serverAddress } : {}),
  };
  return Object.keys(creds).length > 0 ? creds : undefined;
}

export async function pullImage(
  deps: CriDeps,
  req: { image?: { image?: string } | null; auth?: AuthConfig | null },
  signal?: AbortSignal,
): Promise<{ imageRef: string }> {
  const ref = req.image?.image;
  if (!ref) throw invalid('ImageSpec.image is required');
  const auth = credentials(req.auth);
  const result = await deps.images.pull(ref, { ...(auth ? { auth } : {}), ...(signal ? { signal } : {}) });
  return { imageRef: result.image.id };
}

/** RemoveImage: removes the named image (all its names when given an id); an unknown one is OK. */
export async function removeImage(
  deps: CriDeps,
  req: { image?: { image?: string } | null },
): Promise<object> {
  const image = lookup(deps, req.image?.image);
  if (!image) return {};
  const byId =
    image.id === req.image?.image || image.id.replace(/^sha256:/, '').startsWith(req.image?.image ?? '-');
  await deps.images.remove(byId ? image.id : req.image!.image!, {
    force: byId,
    inUse: (id) => deps.containers.usingImage(id).length > 0,
  });
  return {};
}

/** ImageFsInfo: the data root's file system (images and containers share it). */
export async function imageFsInfo(deps: CriDeps): Promise<object> {
  const fs = await statfs(deps.dataRoot);
  const usage = {
    timestamp: nowNs(),
    fsId: { mountpoint: deps.dataRoot },
    usedBytes: { value: String((fs.blocks - fs.bfree) * fs.bsize) },
    inodesUsed: { value: String(fs.files - fs.ffree) },
  };
  return { imageFilesystems: [usage], containerFilesystems: [usage] };
}
