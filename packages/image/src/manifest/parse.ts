import { MediaType, PolisError, type Descriptor, type Platform } from '@polis/core';
import { isSha256Digest } from '../digest.js';

export type ManifestDocument =
  | { kind: 'manifest'; mediaType: string; config: Descriptor; layers: Descriptor[] }
  | { kind: 'index'; mediaType: string; manifests: (Descriptor & { platform?: Platform })[] };

const MANIFEST_TYPES: readonly string[] = [MediaType.OciManifest, MediaType.DockerManifest];
const INDEX_TYPES: readonly string[] = [MediaType.OciIndex, MediaType.DockerManifestList];
const SCHEMA1_TYPES = [
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
];
/** What Polis asks registries for, most preferred first. */
export const ACCEPTED_MANIFEST_TYPES: readonly string[] = [...MANIFEST_TYPES, ...INDEX_TYPES];
const CONFIG_TYPES: readonly string[] = [MediaType.OciConfig, MediaType.DockerConfig];
export const LAYER_TYPES: readonly string[] = [
  MediaType.OciLayer,
  MediaType.OciLayerGzip,
  MediaType.OciLayerZstd,
  MediaType.DockerLayerGzip,
];
/** Content types that say nothing about the document; the body's own mediaType then decides. */
const GENERIC_TYPES = ['', 'application/json', 'application/octet-stream', 'text/plain'];

/**
 * Parses a manifest or index and checks that it is what it claims to be: the Content-Type and the
 * document's own mediaType agree, and its fields are those of that type. Anything else is refused.
 */
export function parseManifest(data: Buffer, contentType: string): ManifestDocument {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw invalid(`manifest is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('manifest is not a JSON object');
  }
  const doc = value as Record<string, unknown>;
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  if (doc.mediaType !== undefined && declared === undefined)
    throw invalid('manifest mediaType is not a string');
  const header = GENERIC_TYPES.includes(contentType) ? undefined : contentType;
  if (SCHEMA1_TYPES.includes(header ?? '') || doc.schemaVersion === 1) {
    throw invalid(
      'schema 1 manifests are not supported (the image must be pushed again with a newer client)',
    );
  }
  if (declared !== undefined && header !== undefined && declared !== header) {
    throw invalid(`manifest media type mismatch: served as ${header} but the document says ${declared}`);
  }
  const hasManifests = 'manifests' in doc;
  const hasLayers = 'layers' in doc || 'config' in doc;
  const mediaType = declared ?? header ?? (hasManifests ? MediaType.OciIndex : MediaType.OciManifest);
  if (doc.schemaVersion !== 2)
    throw invalid(`unsupported manifest schemaVersion ${String(doc.schemaVersion)}`);
  if (INDEX_TYPES.includes(mediaType)) {
    if (!hasManifests || hasLayers) throw mismatch(mediaType, 'an image manifest');
    if (!Array.isArray(doc.manifests)) throw invalid('index manifests is not a list');
    return {
      kind: 'index',
      mediaType,
      manifests: doc.manifests.map((d, i) => descriptor(d, `manifests[${i}]`)),
    };
  }
  if (MANIFEST_TYPES.includes(mediaType)) {
    if (hasManifests || !hasLayers) throw mismatch(mediaType, 'an index');
    if (!Array.isArray(doc.layers)) throw invalid('manifest layers is not a list');
    const config = descriptor(doc.config, 'config');
    if (!CONFIG_TYPES.includes(config.mediaType)) {
      throw invalid(`not a container image: config media type ${config.mediaType}`);
    }
    const layers = doc.layers.map((d, i) => descriptor(d, `layers[${i}]`));
    for (const layer of layers) {
      if (!LAYER_TYPES.includes(layer.mediaType)) {
        throw invalid(`unsupported layer media type ${layer.mediaType}`);
      }
    }
    return { kind: 'manifest', mediaType, config, layers };
  }
  throw invalid(`unsupported manifest media type ${mediaType}`);
}

function descriptor(value: unknown, where: string): Descriptor & { platform?: Platform } {
  if (typeof value !== 'object' || value === null) throw invalid(`${where} is not a descriptor`);
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string') throw invalid(`${where} has no mediaType`);
  if (typeof d.digest !== 'string' || !isSha256Digest(d.digest)) {
    throw invalid(`${where} has an invalid digest ${JSON.stringify(d.digest)}`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw invalid(`${where} has an invalid size ${JSON.stringify(d.size)}`);
  }
  const out: Descriptor & { platform?: Platform } = {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
  };
  if (typeof d.platform === 'object' && d.platform !== null) out.platform = d.platform as Platform;
  if (typeof d.annotations === 'object' && d.annotations !== null) {
    out.annotations = d.annotations as Record<string, string>;
  }
  return out;
}

function mismatch(mediaType: string, actual: string): PolisError {
  return invalid(`manifest media type mismatch: the document says ${mediaType} but its content is ${actual}`);
}

function invalid(message: string): PolisError {
  return new PolisError('image.manifest_invalid', message);
}
