import { PolisError, shortId } from '@polis/core';
import { familiarName } from '../reference/familiar.js';
import { formatReference, normalizeReference, parseReference, repositoryName } from '../reference/parse.js';
import type { ImageRecords, Orphans } from '../store/records.js';
import type { ImageDeleteItem, RemoveImageOptions } from '../types.js';
import { resolveImageId } from './resolve.js';

export interface Removal {
  items: ImageDeleteItem[];
  /** Set when the image record was deleted: the layers and blobs to remove from disk. */
  orphans?: Orphans;
}

interface NamedRef {
  name: string;
  repository: string;
  canonical: boolean;
}

/**
 * Docker's `rmi` (daemon/images/image_delete.go), in one SQL transaction. A name with other names
 * left only untags; the last name or an id deletes; an id with names in several repositories needs
 * force; an image a container uses needs force and is then only untagged, left dangling.
 */
export function removeImage(
  records: ImageRecords,
  reference: string,
  options: RemoveImageOptions = {},
): Removal {
  return records.transaction(() => {
    const id = resolveImageId(records, reference);
    const force = options.force ?? false;
    const used = options.inUse?.(id) ?? false;
    const items: ImageDeleteItem[] = [];
    let refs = namedRefs(records, id);

    if (!isIdPrefix(id, reference)) {
      if (!force && used && isSingleReference(refs)) {
        throw new PolisError(
          'image.in_use',
          `conflict: unable to remove repository reference "${reference}" (must force) - container is using its referenced image ${shortId(id)}`,
          { context: { id, reference } },
        );
      }
      const ref = normalizeReference(reference);
      if (ref.digest !== undefined) records.deleteDigestName(`${repositoryName(ref)}@${ref.digest}`);
      else records.deleteTag(formatReference(ref));
      items.push({ Untagged: familiarName(ref) });
      refs = namedRefs(records, id);
      // With the repository's last tag gone, its digest references go too.
      const repository = repositoryName(ref);
      if (ref.digest === undefined && !refs.some((r) => !r.canonical && r.repository === repository)) {
        for (const r of refs.filter((x) => x.canonical && x.repository === repository)) {
          records.deleteDigestName(r.name);
          items.push({ Untagged: familiarName(r.name) });
        }
        refs = namedRefs(records, id);
      }
      if (refs.length > 0) return { items };
    } else if (isSingleReference(refs)) {
      if (!force && used) throw inUse(id);
      untagAll(records, refs, items);
      refs = [];
    }

    if (!force && refs.length > 1) {
      throw new PolisError(
        'image.multiple_tags',
        `conflict: unable to delete ${shortId(id)} (must be forced) - image is referenced in multiple repositories`,
        { context: { id } },
      );
    }
    if (!force && used) throw inUse(id);
    untagAll(records, refs, items);
    if (used) return { items };
    const orphans = records.delete(id);
    items.push({ Deleted: id });
    return { items, orphans };
  });
}

function inUse(id: string): PolisError {
  return new PolisError(
    'image.in_use',
    `conflict: unable to delete ${shortId(id)} (must be forced) - image is being used by a container`,
    { context: { id } },
  );
}

function namedRefs(records: ImageRecords, id: string): NamedRef[] {
  const tags = records.tagsOf(id).map((name) => ({ name, canonical: false }));
  const digests = records.digestsOf(id).map((name) => ({ name, canonical: true }));
  return [...tags, ...digests].map((r) => ({ ...r, repository: repositoryName(parseReference(r.name)) }));
}

function untagAll(records: ImageRecords, refs: NamedRef[], items: ImageDeleteItem[]): void {
  for (const r of refs) {
    if (r.canonical) records.deleteDigestName(r.name);
    else records.deleteTag(r.name);
    items.push({ Untagged: familiarName(r.name) });
  }
}

/** Docker's isImageIDPrefix: the user named the image by (a prefix of) its id. */
function isIdPrefix(id: string, reference: string): boolean {
  return id.startsWith(reference) || id.slice('sha256:'.length).startsWith(reference);
}

/** Docker's isSingleReference: at most one tag, and every digest reference in that tag's repository. */
function isSingleReference(refs: NamedRef[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: NamedRef | undefined;
  const canonical = new Set<string>();
  for (const r of refs) {
    if (r.canonical) canonical.add(r.repository);
    else if (single === undefined) single = r;
    else return false;
  }
  const chosen = single ?? refs[0];
  return canonical.size === 1 && chosen !== undefined && canonical.has(chosen.repository);
}
