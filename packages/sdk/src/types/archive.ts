/** Docker's `ContainerPathStat`: what `X-Docker-Container-Path-Stat` carries (base64 of this JSON). */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** Go's `os.FileMode`: permission bits plus type bits (directory 1<<31, symlink 1<<27, …). */
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface PutArchiveOptions {
  /** Refuse to replace a directory with a non-directory and the reverse. */
  noOverwriteDirNonDir?: boolean;
  /** Give the entries the container user's uid and gid (`docker cp -a`). */
  copyUIDGID?: boolean;
}

export const GO_MODE_DIR = 2 ** 31;
export const GO_MODE_SYMLINK = 2 ** 27;

export function isDirMode(mode: number): boolean {
  return mode >= GO_MODE_DIR;
}

export function isSymlinkMode(mode: number): boolean {
  return Math.floor(mode / GO_MODE_SYMLINK) % 2 === 1;
}
