/** Docker Engine API v1.41 shapes for volumes. */

/** `GET /volumes/{name}`, one element of `GET /volumes`, the answer of `POST /volumes/create`. */
export interface Volume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  /** RFC 3339. */
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
  Scope: string;
  Status?: Record<string, unknown>;
  /** Only in `GET /system/df`: bytes used and how many containers use the volume. */
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface VolumeListResponse {
  Volumes: Volume[] | null;
  Warnings: string[] | null;
}

export interface VolumeCreateBody {
  /** Absent: a generated name. */
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
}

export interface VolumePruneResponse {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** `POST /polis/v1/volumes/{name}/sync` (Polis's own): what a sync did, or would do in a dry run. */
export interface VolumeSyncResponse {
  Source: string;
  Destination: string;
  /** The destination did not exist and was made by the sync. */
  Created: boolean;
  DryRun: boolean;
  /** Entries written: files, new directories, symlinks, hard links, FIFOs, devices. */
  Copied: number;
  CopiedBytes: number;
  /** Entries whose owner, mode, mtime or xattrs alone were set. */
  Updated: number;
  Deleted: number;
  Unchanged: number;
  /** Sockets, which are not copied. */
  Skipped: number;
  /** Dry run only: what would be done (`copy`, `mkdir`, `symlink`, `link`, `special`, `meta`, `remove`). */
  Actions?: { Action: string; Path: string }[];
}

export interface VolumeSyncOptions {
  /** Compare files by content hash instead of size and mtime. */
  checksum?: boolean;
  /** Remove from the destination what the source no longer has. */
  delete?: boolean;
  dryRun?: boolean;
}
