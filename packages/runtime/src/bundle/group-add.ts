import { PolisError } from '@polis/core';
import { parseGroup, readRootfsFile, type ResolvedUser } from './user.js';

/**
 * `--group-add`: each group, a gid or a name from the image's /etc/group, joins the process's
 * supplementary groups (Docker resolves names in the container, as here).
 */
export async function withGroupAdd(
  user: ResolvedUser,
  rootfs: string,
  groupAdd: readonly string[] = [],
): Promise<ResolvedUser> {
  if (groupAdd.length === 0) return user;
  const groups = parseGroup((await readRootfsFile(rootfs, 'etc/group')) ?? '');
  const gids = groupAdd.map((g) => {
    if (/^\d+$/.test(g)) return Number(g);
    const found = groups.find((x) => x.name === g);
    if (!found) {
      throw new PolisError(
        'container.start_failed',
        `Unable to find group ${g}: no matching entries in group file`,
        { context: { group: g } },
      );
    }
    return found.gid;
  });
  return { ...user, additionalGids: [...new Set([...user.additionalGids, ...gids])] };
}
