import type { ImageConfig, ImageRecord, ImageRunConfig } from '@polis/core';

export interface CommitConfigInput {
  parent: ImageRecord;
  diffId: string;
  runConfig: ImageRunConfig;
  created: string;
  comment?: string;
  author?: string;
  /** The container's command, shown as history's CREATED BY (Docker's commit does so). */
  createdBy?: string;
}

/** The config of a committed container: the parent's layers plus one, its history plus one entry. */
export function commitConfig(input: CommitConfigInput): ImageConfig {
  const parent = input.parent.config;
  const history = {
    created: input.created,
    ...(input.author ? { author: input.author } : {}),
    ...(input.createdBy ? { created_by: input.createdBy } : {}),
    ...(input.comment ? { comment: input.comment } : {}),
  };
  const config: ImageConfig = {
    architecture: parent.architecture,
    os: parent.os,
    created: input.created,
    config: input.runConfig,
    rootfs: { type: 'layers', diff_ids: [...parent.rootfs.diff_ids, input.diffId] },
    history: [...(parent.history ?? []), history],
  };
  if (parent.variant !== undefined) config.variant = parent.variant;
  if (input.author) config.author = input.author;
  return config;
}
