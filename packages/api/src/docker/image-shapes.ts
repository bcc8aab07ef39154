import { ZERO_TIME, type ImageRecord, type ImageRunConfig } from '@polis/core';
import { familiarName } from './names.js';
import { unixSeconds } from './timestamps.js';

function isDangling(image: ImageRecord): boolean {
  return image.repoTags.length === 0 && image.repoDigests.length === 0;
}

function createdOf(image: ImageRecord): string {
  return image.config.created ?? image.created;
}

/** One entry of `GET /images/json`; API 1.41 shows a dangling image as `<none>:<none>`. */
export function imageSummary(image: ImageRecord): Record<string, unknown> {
  const dangling = isDangling(image);
  return {
    Id: image.id,
    ParentId: '',
    RepoTags: dangling ? ['<none>:<none>'] : image.repoTags.map(familiarName),
    RepoDigests: dangling ? ['<none>@<none>'] : image.repoDigests.map(familiarName),
    Created: unixSeconds(createdOf(image)),
    Size: image.size,
    VirtualSize: image.size,
    SharedSize: -1,
    Labels: image.config.config?.Labels ?? {},
    Containers: -1,
  };
}

/** An image's run config in the shape of Docker's container Config (as image inspect shows it). */
export function imageRunConfig(c: ImageRunConfig | undefined): Record<string, unknown> {
  const config: Record<string, unknown> = {
    Hostname: '',
    Domainname: '',
    User: c?.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c?.Env ?? null,
    Cmd: c?.Cmd ?? null,
    Image: '',
    Volumes: c?.Volumes ?? null,
    WorkingDir: c?.WorkingDir ?? '',
    Entrypoint: c?.Entrypoint ?? null,
    OnBuild: c?.OnBuild ?? null,
    Labels: c?.Labels ?? null,
  };
  if (c?.ExposedPorts && Object.keys(c.ExposedPorts).length > 0) config.ExposedPorts = c.ExposedPorts;
  if (c?.StopSignal) config.StopSignal = c.StopSignal;
  if (c?.Healthcheck) config.Healthcheck = c.Healthcheck;
  if (c?.Shell) config.Shell = c.Shell;
  return config;
}

/** `GET /images/{name}/json` in Docker's ImageInspect shape (API 1.41 fields). */
export function imageInspect(image: ImageRecord): Record<string, unknown> {
  const history = image.config.history ?? [];
  const body: Record<string, unknown> = {
    Id: image.id,
    RepoTags: image.repoTags.map(familiarName),
    RepoDigests: image.repoDigests.map(familiarName),
    Parent: '',
    Comment: history.at(-1)?.comment ?? '',
    Created: createdOf(image),
    Container: '',
    ContainerConfig: imageRunConfig(undefined),
    DockerVersion: '',
    Author: image.config.author ?? '',
    Config: imageRunConfig(image.config.config),
    Architecture: image.config.architecture,
    Os: image.config.os,
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Name: 'overlay2', Data: {} },
    RootFS: { Type: 'layers', Layers: image.config.rootfs.diff_ids },
    Metadata: { LastTagTime: ZERO_TIME },
  };
  if (image.config.variant) body.Variant = image.config.variant;
  return body;
}

/**
 * `GET /images/{name}/history`, newest first. The store keeps only the image's total size, so a layer
 * entry shows it when the image has a single layer (an import) and 0 otherwise.
 */
export function imageHistory(image: ImageRecord): Record<string, unknown>[] {
  const layers = image.config.rootfs.diff_ids.length;
  const history = image.config.history?.length
    ? image.config.history
    : [{ created: createdOf(image), created_by: '', comment: '' }];
  const entries = history.map((h) => ({
    Id: '<missing>',
    Created: unixSeconds(h.created ?? ''),
    CreatedBy: h.created_by ?? '',
    Tags: null as string[] | null,
    Size: h.empty_layer || layers !== 1 ? 0 : image.size,
    Comment: h.comment ?? '',
  }));
  entries.reverse();
  const newest = entries[0];
  if (newest) {
    newest.Id = image.id;
    newest.Tags = image.repoTags.map(familiarName);
  }
  return entries;
}
