/** Row contexts of `polis images`, as docker's imageContext: one row per repository and tag. */
import type { ImageSummary } from '@polis/sdk/engine';
import { familiarName, splitReference, truncateId } from './reference.js';
import { rowJson } from './render.js';
import { goTime } from './time.js';
import { humanSize, since } from './units.js';
import { STRICT } from './values.js';

export const DEFAULT_IMAGES_FORMAT =
  'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
export const DIGEST_IMAGES_FORMAT =
  'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

export const IMAGES_HEADER: Record<string, string> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

function isDangling(img: ImageSummary): boolean {
  const tags = img.RepoTags ?? [];
  const digests = img.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return (
    tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>'
  );
}

/** The rows for images: each tag of each repository, digests shown when asked for. */
export function imageRows(
  images: ImageSummary[],
  opts: { trunc: boolean; digests: boolean },
  now = Date.now(),
): object[] {
  const rows: object[] = [];
  for (const img of images) {
    if (isDangling(img)) {
      rows.push(imageRow(img, '<none>', '<none>', '<none>', opts.trunc, now));
      continue;
    }
    const repoTags = new Map<string, string[]>();
    const repoDigests = new Map<string, string[]>();
    for (const t of img.RepoTags ?? []) {
      const r = splitReference(t);
      if (r.tag === undefined || r.name === '<none>') continue;
      const name = familiarName(r.name);
      repoTags.set(name, [...(repoTags.get(name) ?? []), r.tag]);
    }
    for (const d of img.RepoDigests ?? []) {
      const r = splitReference(d);
      if (r.digest === undefined || r.name === '<none>') continue;
      const name = familiarName(r.name);
      repoDigests.set(name, [...(repoDigests.get(name) ?? []), r.digest]);
    }
    for (const [repo, tags] of repoTags) {
      const digests = opts.digests ? (repoDigests.get(repo) ?? []) : [];
      repoDigests.delete(repo);
      for (const tag of tags) {
        if (digests.length === 0) rows.push(imageRow(img, repo, tag, '<none>', opts.trunc, now));
        for (const d of digests) rows.push(imageRow(img, repo, tag, d, opts.trunc, now));
      }
    }
    for (const [repo, digests] of repoDigests) {
      if (opts.digests) for (const d of digests) rows.push(imageRow(img, repo, '<none>', d, opts.trunc, now));
      else rows.push(imageRow(img, repo, '<none>', '', opts.trunc, now));
    }
  }
  return rows;
}

export function imageRow(
  img: ImageSummary,
  repo: string,
  tag: string,
  digest: string,
  trunc: boolean,
  now: number,
): object {
  const row = {
    [STRICT]: true,
    ID: trunc ? truncateId(img.Id) : img.Id,
    Repository: repo,
    Tag: tag,
    Digest: digest,
    CreatedSince: since(img.Created, now),
    CreatedAt: goTime(img.Created),
    Size: humanSize(img.Size),
    Containers: img.Containers === -1 || img.Containers === undefined ? 'N/A' : String(img.Containers),
    VirtualSize: humanSize(img.Size, 4),
    SharedSize: img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : humanSize(img.SharedSize, 4),
    UniqueSize:
      img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : humanSize(img.Size - img.SharedSize, 4),
  };
  Object.defineProperty(row, 'toJSON', { value: () => rowJson(row) });
  return row;
}
