import { MediaType, type Descriptor } from '@polis/core';
import { isSha256Digest, sha256Digest } from '../digest.js';
import { hostPlatform } from '../import/config.js';
import { parseReference } from '../reference/parse.js';
import type { ArchiveDir } from './archive-dir.js';
import { archiveInvalid } from './errors.js';
import { addName, isRecord, parseJson, type PlannedImage } from './plan.js';
import { ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME } from './types.js';

const INDEX_TYPES = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList]);
/** Nested indexes deeper than this are refused (a loop of indexes is otherwise endless). */
const MAX_DEPTH = 4;

/**
 * Images of an OCI image layout (`index.json` + `blobs/`). Every blob read is checked against the
 * digest and size its descriptor gives; from a nested index the host platform's manifest is taken.
 */
export async function readOciLayout(dir: ArchiveDir): Promise<PlannedImage[]> {
  const index = parseJson(await dir.bytes('index.json'), 'index.json');
  const plans = new Map<string, PlannedImage>();
  for (const top of descriptors(index, 'index.json')) {
    const { digest, data } = await manifestFor(dir, top, 0);
    let plan = plans.get(digest);
    if (!plan) {
      plan = planOf(data, digest);
      plans.set(digest, plan);
    }
    const name = imageName(top.annotations ?? {});
    if (name !== undefined) addName(plan, name);
  }
  return [...plans.values()];
}

/** The name an index entry gives: containerd's full name, else an OCI ref name that is a full reference. */
function imageName(annotations: Record<string, string>): string | undefined {
  const full = annotations[ANNOTATION_IMAGE_NAME];
  if (full !== undefined) return full;
  const ref = annotations[ANNOTATION_REF_NAME];
  // A bare ref name ("latest", "v1") is only a tag, with no repository to put it on.
  if (ref === undefined || !/[:/@]/.test(ref)) return undefined;
  try {
    parseReference(ref);
    return ref;
  } catch {
    return undefined;
  }
}

function descriptors(doc: unknown, what: string): Descriptor[] {
  if (!isRecord(doc) || !Array.isArray(doc.manifests)) throw archiveInvalid(`${what} has no manifests list`);
  return doc.manifests.map((d: unknown) => descriptor(d, what));
}

function descriptor(d: unknown, what: string): Descriptor {
  if (!isRecord(d) || typeof d.digest !== 'string' || typeof d.mediaType !== 'string') {
    throw archiveInvalid(`${what}: a descriptor needs mediaType and digest`);
  }
  if (!isSha256Digest(d.digest)) throw archiveInvalid(`${what}: unsupported digest ${d.digest}`);
  if (d.size !== undefined && (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0)) {
    throw archiveInvalid(`${what}: bad size for ${d.digest}`);
  }
  return d as unknown as Descriptor;
}

async function blob(dir: ArchiveDir, d: Descriptor): Promise<Buffer> {
  const data = await dir.bytes(`blobs/sha256/${d.digest.slice('sha256:'.length)}`);
  const actual = sha256Digest(data);
  if (actual !== d.digest) {
    throw archiveInvalid(`blob ${d.digest} has digest ${actual}`, {
      context: { expected: d.digest, actual },
    });
  }
  if (d.size !== undefined && d.size !== data.length)
    throw archiveInvalid(`blob ${d.digest} has the wrong size`);
  return data;
}

/** The image manifest a descriptor leads to, through nested indexes by the host platform. */
async function manifestFor(
  dir: ArchiveDir,
  d: Descriptor,
  depth: number,
): Promise<{ digest: string; data: Buffer }> {
  const data = await blob(dir, d);
  if (!INDEX_TYPES.has(d.mediaType)) return { digest: d.digest, data };
  if (depth >= MAX_DEPTH) throw archiveInvalid('indexes nested too deep');
  const host = hostPlatform();
  const pick = descriptors(parseJson(data, `index ${d.digest}`), `index ${d.digest}`).find(
    (m) => m.platform?.os === host.os && m.platform.architecture === host.architecture,
  );
  if (!pick) throw archiveInvalid(`no image for ${host.os}/${host.architecture} in index ${d.digest}`);
  return manifestFor(dir, pick, depth + 1);
}

function planOf(data: Buffer, digest: string): PlannedImage {
  const what = `manifest ${digest}`;
  const manifest = parseJson(data, what);
  if (!isRecord(manifest) || !Array.isArray(manifest.layers))
    throw archiveInvalid(`${what} has no layers list`);
  const config = descriptor(manifest.config, what);
  return {
    configPath: blobPathOf(config),
    configDigest: config.digest,
    layers: manifest.layers.map((l: unknown) => {
      const layer = descriptor(l, what);
      return { path: blobPathOf(layer), digest: layer.digest, mediaType: layer.mediaType, size: layer.size };
    }),
    manifest: data,
    tags: [],
    digestNames: [],
  };
}

function blobPathOf(d: Descriptor): string {
  return `blobs/sha256/${d.digest.slice('sha256:'.length)}`;
}
