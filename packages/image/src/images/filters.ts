import { PolisError, type ImageRecord } from '@polis/core';
import { familiarName, familiarRepository } from '../reference/familiar.js';
import { parseReference, repositoryName } from '../reference/parse.js';
import { globMatch } from './glob.js';

const KNOWN = new Set(['dangling', 'reference', 'label', 'before', 'since']);

/**
 * Docker's image list filters. Values of one filter are alternatives (except `label`, where all must
 * hold); different filters must all hold.
 */
export function filterImages(
  images: ImageRecord[],
  filters: Record<string, string[]>,
  resolve: (reference: string) => ImageRecord,
): ImageRecord[] {
  for (const key of Object.keys(filters)) {
    if (!KNOWN.has(key)) throw invalid(`invalid filter '${key}'`);
  }
  const dangling = danglingFilter(filters.dangling);
  const created = (image: ImageRecord): number => Date.parse(image.created) || 0;
  const before = filters.before?.map((r) => created(resolve(r)));
  const since = filters.since?.map((r) => created(resolve(r)));
  const references = filters.reference ?? [];
  const labels = filters.label ?? [];
  return images.filter((image) => {
    if (dangling !== undefined && (image.repoTags.length === 0) !== dangling) return false;
    if (before && !before.every((t) => created(image) < t)) return false;
    if (since && !since.every((t) => created(image) > t)) return false;
    if (references.length > 0 && !references.some((p) => matchesReference(image, p))) return false;
    const imageLabels = image.config.config?.Labels ?? {};
    return labels.every((l) => matchesLabel(imageLabels, l));
  });
}

function invalid(message: string): PolisError {
  return new PolisError('request.invalid', message);
}

function danglingFilter(values: string[] | undefined): boolean | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const parsed = new Set(
    values.map((v) => {
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      throw invalid(`Invalid filter 'dangling=${v}'`);
    }),
  );
  if (parsed.size > 1) throw invalid('Invalid filter: dangling must be either true or false');
  return parsed.has(true);
}

/** A glob on the familiar or full name, with or without the tag (Docker's FamiliarMatch, widened). */
function matchesReference(image: ImageRecord, pattern: string): boolean {
  return [...image.repoTags, ...image.repoDigests].some((name) => {
    const ref = parseReference(name);
    const candidates = [familiarName(ref), name, familiarRepository(ref), repositoryName(ref)];
    return candidates.some((c) => globMatch(pattern, c));
  });
}

function matchesLabel(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq === -1) return Object.prototype.hasOwnProperty.call(labels, filter);
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}
